"""The ledger's schema migrations, run by Alembic (the SQLAlchemy project's migration tool).

Revision ``vN`` brings a ledger to schema version N; the head is ``models.SCHEMA_VERSION``.
The ledger records its revision twice, in Alembic's ``alembic_version`` and in
``meta.schema_version`` (which backups, dumps and ``jcnian check`` read), both written in
the upgrade's one transaction. A command tells a current ledger by one query and without
importing Alembic (``jcnian.db.ensure_schema``): only an upgrade, or a new ledger, loads it.
A ledger written before Alembic knows only ``meta.schema_version`` N: it is stamped ``vN``
first, then upgraded.

Tables a version adds are made by ``create_all`` in their newest shape before the revisions
run, so a revision changes only tables that exist and must expect one that ``create_all``
has just made in its newest shape: it looks before it adds (``columns``).

SQLite runs the revisions in batch mode (a table SQLite cannot ALTER is copied into a new
one) with foreign keys off for the upgrade's transaction, as SQLite's ALTER TABLE page
prescribes: dropping the old copy of a table must not cascade to the rows that point at it.
A foreign key check before the commit refuses an upgrade that would leave a new orphan.

The environment is configured here, without an alembic.ini; ``python -m jcnian.migrations
new "what changes"`` writes the next revision's file from ``script.py.mako``.
"""

import re
from pathlib import Path
from typing import Any

from jcnian.models import SCHEMA_VERSION

HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r"v([1-9][0-9]*)")


def revision(version: int) -> str:
    """Alembic's revision id of schema version ``version``."""
    return f"v{version}"


HEAD = revision(SCHEMA_VERSION)


def version_of(rev: str | None) -> int | None:
    """The schema version a revision id stands for, None for one this program does not know
    (a newer program's, or not jcnian's)."""
    match = _REVISION.fullmatch(rev or "")
    if match is None or int(match.group(1)) > SCHEMA_VERSION:
        return None
    return int(match.group(1))


def config(connection: Any = None) -> Any:
    """Alembic's configuration, made in code: the scripts in this package, the ledger's connection."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Any, found: int | None) -> None:
    """Bring the ledger on ``connection`` (in the caller's transaction) from schema version
    ``found`` to the head; ``found=None`` is a ledger ``create_all`` has just made whole."""
    from alembic import command

    cfg = config(connection)
    if found is None:
        command.stamp(cfg, HEAD, purge=True)
        return
    command.stamp(cfg, revision(found), purge=True)  # what meta.schema_version says it is
    command.upgrade(cfg, HEAD)


def heads() -> list[str]:
    """The scripts' heads (one, ``HEAD``, unless a revision was added without its number)."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(config()).get_heads())


def columns(connection: Any, table: str) -> set[str]:
    """The columns ``table`` has now (a revision looks before it adds one)."""
    from sqlalchemy import inspect

    return {c["name"] for c in inspect(connection).get_columns(table)}


def add_reference(op: Any, table: str, column: str, parent: str) -> None:
    """Add a nullable column pointing at ``parent``'s id (SET NULL when that row goes), as
    ``create_all`` declares it: SQLite and PostgreSQL both take it as one ALTER TABLE, where
    Alembic's batch would copy the table to add a foreign key that must have a name."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {parent} (id) ON DELETE SET NULL")
