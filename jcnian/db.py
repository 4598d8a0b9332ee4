"""The one database module: where the ledger lives, how it is opened and migrated.

A plain path means an SQLite file (the clerk's default, ``jcnian.db`` in the working
folder); anything with ``://`` is handed to SQLAlchemy as is, so the city department can
point the same tool at a shared PostgreSQL ledger.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlmodel import Session, SQLModel

from jcnian import models
from jcnian.errors import LedgerNotFound, SchemaError

DEFAULT_DB = "jcnian.db"
ENV_VAR = "JCNIAN_DB"
BUSY_TIMEOUT_MS = 10_000

# version -> step that brings a ledger from version-1 up to it. Tables that are new in a
# version are created by ``create_all``; a step only alters what already exists.
MIGRATIONS: dict[int, Callable[[Session], None]] = {}


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


def ensure_schema(engine: Engine) -> None:
    """Create missing tables and run the migrations an older ledger needs, in one go."""
    with Session(engine) as session:
        found = schema_version(session)
    if found is not None and found > models.SCHEMA_VERSION:
        raise SchemaError(
            f"账本的结构版本为 {found}，高于本程序支持的 {models.SCHEMA_VERSION}，请升级 jcnian。"
        )
    if found == models.SCHEMA_VERSION:
        return
    models.load_all_tables()
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        for version in range((found or models.SCHEMA_VERSION) + 1, models.SCHEMA_VERSION + 1):
            MIGRATIONS[version](session)
        if found != models.SCHEMA_VERSION:
            session.merge(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
        session.commit()


def open_engine(db: str | None, *, create: bool = False) -> Engine:
    """Open the ledger; only ``create=True`` (``jcnian init``) may bring a new file into being."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            raise LedgerNotFound(f"账本 {path} 不存在，请先运行 jcnian init 建立账本。")
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    ensure_schema(engine)
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
