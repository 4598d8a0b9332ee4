"""Tables of 分类定级: the rubric, scores, deductions, ballots, vetoes, grade history, imports."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, event, func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel

from jcnian.models import utc_now


class RubricVersion(SQLModel, table=True):
    """One version of the rubric a ledger is graded with, kept as the TOML text it was set from.

    The newest row is in force; older rows stay so that a grade can be traced to the
    rubric that produced it. The parsed rubric is jcnian.grading.Rubric.
    """

    __tablename__ = "rubric"  # the table's name since the first release
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    content: str
    set_at: datetime = Field(default_factory=utc_now)


class SurveyImport(SQLModel, table=True):
    """One batch import of survey results; score and ballot rows point back to it."""

    __tablename__ = "survey_import"
    __table_args__ = (Index("ux_survey_import_once", "campaign_id", "sha256", "follows", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    file_name: str
    sha256: str = Field(index=True)
    layout: str
    source: str | None = None
    rows: int
    replaced: str | None = None  # JSON summary of the rows a --replace removed
    imported_at: datetime = Field(default_factory=utc_now)
    # The campaign's newest import when this one was written (0: none); set on flush. One
    # file's bytes are logged once on top of the same ledger: two imports of one file at
    # once cannot both be written.
    follows: int = Field(default=None, nullable=False)


class Score(SQLModel, table=True):
    """Points one respondent gave a branch on one indicator, for one evaluation source.

    ``respondent`` is "" for a single collective score; with many respondents the
    source's points on that indicator are their mean.
    """

    __table_args__ = (
        UniqueConstraint("branch_id", "source", "indicator", "respondent"),
        # Survey rows only (partial): compute finds the few keys that need a mean at once.
        Index(
            "ix_score_survey",
            "branch_id",
            "source",
            "indicator",
            sqlite_where=text("respondent <> ''"),
            postgresql_where=text("respondent <> ''"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    source: str
    indicator: str
    respondent: str = ""
    points: float
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=utc_now)


class Deduction(SQLModel, table=True):
    """逐项扣分: one item deducted from an indicator's full marks."""

    __table_args__ = (UniqueConstraint("branch_id", "source", "indicator", "respondent", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    source: str
    indicator: str
    respondent: str = ""
    item: str
    points: float
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=utc_now)


class Ballot(SQLModel, table=True):
    """Mass ballot counts for a branch: 好/较好/一般/较差 or 满意/基本满意/不满意."""

    __table_args__ = (UniqueConstraint("branch_id", "option"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    option: str
    count: int
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=utc_now)


class Veto(SQLModel, table=True):
    """一票否决: a condition from the rubric's veto list found at a branch."""

    __table_args__ = (UniqueConstraint("branch_id", "condition"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    condition: str
    note: str | None = None
    entered_at: datetime = Field(default_factory=utc_now)


class GradeEvent(SQLModel, table=True):
    """One step of a branch's grade history; the current grades are derived from these.

    ``step`` is one of proposed, deliberated, final, published, changed, regraded.
    ``rubric_id`` names the rubric a proposal was computed with; ``by`` who decided.
    ``seq`` is the event's place in its branch's history (1, 2, …; set on insert, see
    ``_number_events``), unique per branch: two writers that read the same history cannot
    both append to it.
    """

    __tablename__ = "grade_event"
    __table_args__ = (Index("ux_grade_event_seq", "branch_id", "seq", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    step: str
    grade: str | None = None
    score: float | None = None
    on: date | None = None
    reason: str | None = None
    # The gate this step was let through, on the committee's recorded reason (gate_override).
    override_id: int | None = Field(default=None, foreign_key="gate_override.id", ondelete="SET NULL")
    by: str | None = None
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utc_now)
    seq: int = Field(default=None, nullable=False)


# --- numbering on insert ----------------------------------------------------------------
# The writer holds the ledger's write lock from its first read (jcnian.db), so the newest
# number read here is the one its history was read at; the unique indexes above refuse a
# second event at the same place, whatever path wrote it.


def _newest_seq(session: Session, branch_ids: Iterable[int]) -> dict[int, int]:
    wanted = sorted(set(branch_ids))
    if not wanted:
        return {}
    with session.no_autoflush:
        rows = session.execute(
            select(GradeEvent.branch_id, func.max(GradeEvent.seq))  # type: ignore[arg-type]
            .where(GradeEvent.branch_id.in_(wanted))  # type: ignore[attr-defined]
            .group_by(GradeEvent.branch_id)  # type: ignore[arg-type]
        ).all()
    return {branch: top or 0 for branch, top in rows}


def _newest_import(session: Session, campaign_ids: Iterable[int]) -> dict[int, int]:
    wanted = sorted(set(campaign_ids))
    with session.no_autoflush:
        rows = session.execute(
            select(SurveyImport.campaign_id, func.max(SurveyImport.id))  # type: ignore[arg-type]
            .where(SurveyImport.campaign_id.in_(wanted))  # type: ignore[attr-defined]
            .group_by(SurveyImport.campaign_id)  # type: ignore[arg-type]
        ).all()
    return {campaign: top or 0 for campaign, top in rows}


@event.listens_for(OrmSession, "before_flush")
def _number_events(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Number new grade events after their branch's newest, and log entries after the newest import."""
    numbered = [o for o in session.new if isinstance(o, GradeEvent | SurveyImport)]
    if not numbered:
        return
    added = sorted(numbered, key=lambda o: sa_inspect(o).insert_order)
    events = [o for o in added if isinstance(o, GradeEvent) and o.seq is None]
    if events:
        top = _newest_seq(session, (e.branch_id for e in events))  # type: ignore[arg-type]
        for e in events:
            e.seq = top[e.branch_id] = top.get(e.branch_id, 0) + 1
    imports = [o for o in added if isinstance(o, SurveyImport) and o.follows is None]
    if imports:
        newest = _newest_import(session, (i.campaign_id for i in imports))
        for i in imports:
            i.follows = newest.get(i.campaign_id, 0)


@event.listens_for(OrmSession, "do_orm_execute")
def _number_bulk_events(state: ORMExecuteState) -> Any:
    """The same numbering for grade events inserted in bulk (``session.execute(insert(GradeEvent), rows)``)."""
    if not (state.is_insert and state.is_executemany and isinstance(state.parameters, list)):
        return None
    if getattr(getattr(state.statement, "table", None), "name", None) != GradeEvent.__tablename__:
        return None
    rows = state.parameters
    if all(r.get("seq") is not None for r in rows):
        return None
    top = _newest_seq(state.session, (r["branch_id"] for r in rows if r.get("seq") is None))
    numbers = []
    for r in rows:
        if r.get("seq") is not None:
            numbers.append({})
            continue
        top[r["branch_id"]] = top.get(r["branch_id"], 0) + 1
        numbers.append({"seq": top[r["branch_id"]]})
    return state.invoke_statement(params=numbers)
