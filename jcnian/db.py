"""The one database module: where the ledger lives, how it is opened and migrated.

A plain path means an SQLite file (the clerk's default, ``jcnian.db`` in the working
folder); anything with ``://`` is handed to SQLAlchemy as is, so the city department can
point the same tool at a shared PostgreSQL ledger.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from jcnian import models
from jcnian.errors import LedgerNotFound, SchemaError

DEFAULT_DB = "jcnian.db"
ENV_VAR = "JCNIAN_DB"
BUSY_TIMEOUT_MS = 10_000


def _to_v2(session: Session) -> None:
    """Version 1 (the first ledger) had no phase tables, and grade events without ``by`` and
    ``rubric_id``; ``create_all`` adds the tables, this adds the columns and the index."""
    bind = session.get_bind()
    columns = {c["name"] for c in inspect(bind).get_columns("grade_event")}
    if "by" not in columns:
        session.execute(text('ALTER TABLE grade_event ADD COLUMN "by" VARCHAR'))
    if "rubric_id" not in columns:
        session.execute(
            text(
                "ALTER TABLE grade_event ADD COLUMN rubric_id INTEGER REFERENCES rubric (id) ON DELETE SET NULL"
            )
        )
    session.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_score_survey ON score (branch_id, source, indicator) "
            "WHERE respondent <> ''"
        )
    )


# version -> the step that brings a ledger from version-1 up to it. Adding a table needs
# only a new SCHEMA_VERSION (``create_all`` creates what is missing); changing a table that
# exists also needs a step here.
MIGRATIONS: dict[int, Callable[[Session], None]] = {2: _to_v2}


def resolve_url(db: str | None) -> str:
    """Turn ``--db`` / ``$JCNIAN_DB`` / the default into an SQLAlchemy URL."""
    target = db or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for another database (or in-memory)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return None
    return Path(url[len(prefix) :])


def _on_sqlite_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine with SQLite's foreign keys on, WAL journal and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def schema_version(session: Session) -> int | None:
    """The version recorded in the ledger, None if it has none (a new database)."""
    if not inspect(session.get_bind()).has_table("meta"):
        return None
    row = session.get(models.Meta, "schema_version")
    return int(row.value) if row else None


def ensure_schema(engine: Engine, *, create: bool = False) -> None:
    """Bring the ledger to this program's schema: tables, migrations and version, one transaction.

    Without ``create`` a database that is not yet a ledger (an empty file, an empty
    PostgreSQL database) is refused before anything is written to it.
    """
    with Session(engine) as session:
        found = schema_version(session)
    if found is not None and found > models.SCHEMA_VERSION:
        raise SchemaError(
            f"账本的结构版本为 {found}，高于本程序支持的 {models.SCHEMA_VERSION}，请升级 jcnian。"
        )
    if found == models.SCHEMA_VERSION:
        return
    if found is None and not create:
        raise LedgerNotFound(
            f"{engine.url.database or engine.url} 还不是账本，请先运行 jcnian init 建立账本。"
        )
    models.load_all_tables()
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        session = Session(bind=conn)
        for version in range((found or models.SCHEMA_VERSION) + 1, models.SCHEMA_VERSION + 1):
            MIGRATIONS[version](session)
        session.merge(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
        session.flush()
        session.close()


# SQLite's own words for a file it cannot use, as a clerk would understand them.
_OPEN_ERRORS = {
    "file is not a database": "这不是 SQLite 账本文件",
    "unable to open database file": "无法打开（路径是文件夹，或没有读写权限）",
    "database is locked": "账本正被另一个程序占用，请稍后再试",
}


def open_engine(db: str | None, *, create: bool = False) -> Engine:
    """Open the ledger; only ``create=True`` (``jcnian init``) may bring a new file into being."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not create:
        if not path.exists():
            raise LedgerNotFound(f"账本 {path} 不存在，请先运行 jcnian init 建立账本。")
        if path.is_file() and path.stat().st_size == 0:  # opening would write SQLite's header
            raise LedgerNotFound(f"{path} 是空文件，还不是账本，请先运行 jcnian init 建立账本。")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        ensure_schema(engine, create=create)
    except DBAPIError as exc:
        engine.dispose()
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        reason = next((zh for en, zh in _OPEN_ERRORS.items() if en in detail), detail)
        raise LedgerNotFound(f"无法打开账本 {path or url}：{reason}。") from exc
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One command, one transaction: commit at the end, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
