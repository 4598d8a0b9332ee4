"""SQLModel tables of the ledger: the campaign, its branches, people and liaisons.

The tables of grading (``jcnian.gradebook.tables``) and of the phases (``jcnian.campaign.tables``) live in
modules of their own so that a command that only reads the ledger, such as ``branch list``,
does not pay at start-up for defining thirty tables it never touches; ``load_all_tables``
brings them in where the whole schema is needed (creating or migrating, exporting tables).

Names follow the glossary in DESIGN.md. Values a clerk reads (categories, grades, indicator
and source names) are stored in Chinese as the seed writes them, because the rubric that
defines indicators and sources is a configurable file keyed by those names.

Every table that hangs off a branch deletes with it (``ON DELETE CASCADE``); the CLI asks
for ``--yes`` and reports what goes before it removes a branch.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint, event
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 8


def utc_now() -> datetime:
    """Whole seconds, timezone-aware: what SQLModel requires and a clerk needs to read."""
    return datetime.now(UTC).replace(microsecond=0)


def load_all_tables() -> None:
    """Import every table module so that ``SQLModel.metadata`` holds the whole schema."""
    import jcnian.campaign.activities_tables
    import jcnian.campaign.tables
    import jcnian.gradebook.tables  # noqa: F401


# --- ledger ---------------------------------------------------------------------------


class Meta(SQLModel, table=True):
    """Key/value facts about the ledger itself, such as ``schema_version``."""

    key: str = Field(primary_key=True)
    value: str


class Campaign(SQLModel, table=True):
    """One 基层组织建设年活动: a town and a year (seed: 驿亭镇, 2012)."""

    __table_args__ = (UniqueConstraint("town", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    town: str
    year: int
    created_at: datetime = Field(default_factory=utc_now)


class PhaseWindow(SQLModel, table=True):
    """The dates of one phase; windows may overlap, as they do in the seed."""

    __tablename__ = "phase_window"
    __table_args__ = (UniqueConstraint("campaign_id", "phase"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    phase: str
    start: date
    end: date


class Category(SQLModel, table=True):
    """分类: the seed's four categories; a category may have no branch."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    seq: int


class Branch(SQLModel, table=True):
    """基层党组织. ``seq`` keeps the seed's order, which every report follows."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    seq: int
    name: str
    form: str
    category_id: int = Field(foreign_key="category.id")
    remarks: str | None = None


class BranchAlias(SQLModel, table=True):
    """Another name a spreadsheet may use for a branch (``branch alias``)."""

    __tablename__ = "branch_alias"
    __table_args__ = (UniqueConstraint("campaign_id", "alias"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    alias: str


class Person(SQLModel, table=True):
    """A 联系领导 or 联系干部, identified by the name with all whitespace removed."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    name: str


class Liaison(SQLModel, table=True):
    """A person's liaison duty for a branch: one leader and one cadre per branch at most."""

    __table_args__ = (UniqueConstraint("branch_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    role: str  # "leader" | "cadre"


class ChangeLog(SQLModel, table=True):
    """One entry per write (留痕): when, who, the command, and every row it changed, chained
    by sha256; appended by ``jcnian.changelog``, never updated or deleted (the database refuses)."""

    __tablename__ = "change_log"
    id: int = Field(primary_key=True)
    at: str  # UTC, ISO 8601 with Z
    by: str
    command: str
    tables: str = Field(index=True)  # ",branch,liaison,": for --table
    branches: str  # ",3,17,": branch ids the entry touched, for --branch
    # The campaign the write was for (jcnian log shows a campaign's own entries); NULL for a
    # write across campaigns or none (a dump loaded, the ledger's categories).
    campaign_id: int | None = Field(default=None, index=True)
    changes: str  # JSON list: table, op, key, before, after (or rows for a bulk statement)
    prev_hash: str
    hash: str


def _guard_change_log(table: Any, connection: Any, **kw: Any) -> None:
    """``after_create``: the database refuses UPDATE and DELETE on the log (jcnian.changelog)."""
    from jcnian.changelog import guard  # loaded only when the table is created

    guard(table, connection, **kw)


event.listen(ChangeLog.__table__, "after_create", _guard_change_log)  # type: ignore[attr-defined]
