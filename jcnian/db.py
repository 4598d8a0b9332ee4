"""The one database module: where the ledger lives, how it is opened, locked and migrated.

A plain path means an SQLite file (the clerk's default, ``jcnian.db`` in the working
folder); anything with ``://`` is handed to SQLAlchemy as is, so the city department can
point the same tool at a shared PostgreSQL ledger.

Concurrency, in one place: every command runs in one transaction (``transaction``), either a
write or a read. A write takes the ledger's write lock *before its first read*, so what it
reads is what it changes and two clerks' writes are serialised, never interleaved: SQLite
begins it with ``BEGIN IMMEDIATE``, PostgreSQL with a transaction-level advisory lock. A
read begins a plain (deferred) transaction, so every query of a report sees one snapshot
(WAL lets it run beside a writer). Waiting for the lock is bounded by the busy timeout
(``JCNIAN_BUSY_TIMEOUT`` seconds, default 30). The driver's own transaction handling is
switched off (pysqlite would begin only before the first INSERT, after the reads).

Faults of the storage (busy past the timeout, disk full, read-only file or folder, a damaged
file, a number too large to store) become ``jcnian.errors.LedgerFault``s with a Chinese
sentence; the transaction is rolled back whole, so the ledger is as it was.
"""

import errno
import math
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, SQLModel

from jcnian import migrations, models, textguard  # noqa: F401 (textguard checks every text at each flush)
from jcnian.errors import (
    Conflict,
    CorruptLedger,
    DiskFull,
    InvalidInput,
    JcnianError,
    LedgerBusy,
    LedgerFault,
    LedgerNotFound,
    ReadOnlyLedger,
    SchemaError,
)
from jcnian.inert import redact

DEFAULT_DB = "jcnian.db"
ENV_VAR = "JCNIAN_DB"
BUSY_ENV = "JCNIAN_BUSY_TIMEOUT"
BUSY_TIMEOUT_MS = 30_000  # the default; JCNIAN_BUSY_TIMEOUT (seconds) replaces it
# A write first waits this long in silence; then the caller's ``on_wait`` is told (the CLI
# says that it is waiting) and the rest of the busy timeout is waited.
QUIET_WAIT_MS = 300
# PRAGMA quick_check reads every page (about 6 ms per MB here: 170 ms for a 28 MB ledger
# holding a whole survey of 134,400 scores); it runs before each write on a ledger up to
# this size, so a damaged file is refused before it is written to. A larger ledger is not
# checked up front, but a damaged page it reads is still refused (CorruptLedger).
QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024
# Execution options a transaction carries to the ``begin`` event.
WRITE = "jcnian_write"
ON_WAIT = "jcnian_on_wait"
# The key of the PostgreSQL advisory lock every jcnian writer takes ("jcni").
PG_WRITE_LOCK = 0x6A636E69
SQLITE_SIDE_FILES = ("-wal", "-shm")


# --- where the ledger is ----------------------------------------------------------------


def resolve_url(db: str | None) -> str:
    """Turn ``--db`` / ``$JCNIAN_DB`` / the default into an SQLAlchemy URL."""
    target = db or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" in target:
        scheme, rest = target.split("://", 1)
        if scheme.lower() in ("postgresql", "postgres"):  # the driver pip install 'jcnian[postgres]' brings
            return f"postgresql+psycopg://{rest}"
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for another database (or in-memory)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return None
    return Path(url[len(prefix) :])


def busy_timeout_ms() -> int:
    """How long a command waits for another program's write: ``$JCNIAN_BUSY_TIMEOUT`` seconds."""
    raw = os.environ.get(BUSY_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidInput(f"环境变量 {BUSY_ENV} 的值“{raw}”无效，应为等待的秒数，如 30。")
    return min(int(seconds * 1000), 2**31 - 1)


# --- engines and transactions -----------------------------------------------------------


def _on_sqlite_connect(dbapi_conn: Any, _record: Any, *, busy_ms: int, immutable: bool) -> None:
    dbapi_conn.isolation_level = None  # no implicit BEGIN: the ``begin`` event says which
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    if not immutable:
        with suppress(sqlite3.OperationalError):  # a read-only file keeps the mode it has
            cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _begin_sqlite(conn: Any, *, busy_ms: int) -> None:
    """BEGIN IMMEDIATE for a write (the lock before the first read), BEGIN for a read."""
    options = conn.get_execution_options()
    if not options.get(WRITE, True):
        conn.exec_driver_sql("BEGIN")
        return
    on_wait = options.get(ON_WAIT)
    if on_wait is None or busy_ms <= QUIET_WAIT_MS:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    raw = conn.connection.driver_connection
    raw.execute(f"PRAGMA busy_timeout={QUIET_WAIT_MS}")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        on_wait()
        raw.execute(f"PRAGMA busy_timeout={busy_ms - QUIET_WAIT_MS}")
        raw.execute("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_ms}")


def _begin_postgresql(conn: Any, *, busy_ms: int) -> None:
    """A write waits (up to the busy timeout) for the ledger's advisory lock; a read sees one snapshot."""
    options = conn.get_execution_options()
    if options.get(WRITE, True):
        on_wait = options.get(ON_WAIT)
        if on_wait is not None and busy_ms > QUIET_WAIT_MS:
            # As on SQLite: a short wait in silence, then the caller says that it waits.
            import time

            deadline = time.monotonic() + QUIET_WAIT_MS / 1000
            while not conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({PG_WRITE_LOCK})").scalar():
                if time.monotonic() >= deadline:
                    on_wait()
                    break
                time.sleep(0.02)
            else:
                return
            busy_ms -= QUIET_WAIT_MS
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(busy_ms)}")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
    else:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def make_engine(url: str, *, immutable: bool = False) -> Engine:
    """An engine whose transactions lock as described above (SQLite: foreign keys on, WAL).

    ``immutable`` opens an SQLite file for reading only, without the side files WAL would
    create: the way to read a ledger in a folder this user cannot write.
    """
    busy_ms = busy_timeout_ms()
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        kwargs: dict[str, Any] = {"connect_args": {"timeout": busy_ms / 1000}}
        if immutable and path is not None:
            uri = f"{path.as_uri()}?mode=ro&immutable=1"
            kwargs["creator"] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
        engine = create_engine(url, **kwargs)
        event.listen(
            engine,
            "connect",
            lambda c, r: _on_sqlite_connect(c, r, busy_ms=busy_ms, immutable=immutable and path is not None),
        )
        event.listen(engine, "begin", lambda conn: _begin_sqlite(conn, busy_ms=busy_ms))
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except ImportError as exc:  # the URL's driver is not installed
        raise LedgerNotFound(
            f"无法打开账本 {redact(url)}：缺少数据库驱动（{exc.name or exc}）；"
            "PostgreSQL 账本请先安装 pip install 'jcnian[postgres]'。"
        ) from None
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", lambda conn: _begin_postgresql(conn, busy_ms=busy_ms))
    return engine


def _reading(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE: False})


def schema_version(session: Session) -> int | None:
    """The version recorded in the ledger, None if it has none (a new database)."""
    return stored_schema(session.connection())[0]


def stored_schema(conn: Connection) -> tuple[int | None, str | None]:
    """``meta.schema_version`` and Alembic's revision (``alembic_version``), each None where
    the ledger has none: a new database, or a ledger written before Alembic (no revision).
    Several revisions (Alembic's branches, which jcnian never makes) read as one unknown."""
    found: int | None = None
    revision: str | None = None
    inspector = inspect(conn)
    if inspector.has_table("meta"):
        row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
        found = None if row is None else _version_number(row[0])
    if inspector.has_table("alembic_version"):
        revisions = sorted({r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))})
        revision = ",".join(revisions) or None
    return found, revision


def _version_number(value: Any) -> int:
    if not str(value).isdigit():
        raise SchemaError(f"账本记载的结构版本“{value}”不是本程序认识的版本，本次未作改动；请检查账本。")
    return int(value)


# Both records in one query: the start-up of a command on a current ledger, without Alembic.
_BOTH = (
    "SELECT (SELECT value FROM meta WHERE key = 'schema_version'), "
    "(SELECT MIN(version_num) FROM alembic_version), (SELECT MAX(version_num) FROM alembic_version)"
)


def _stored_schema_quickly(engine: Engine) -> tuple[int | None, str | None]:
    with _reading(engine).connect() as conn:
        try:
            found, low, high = conn.execute(text(_BOTH)).one()
        except (OperationalError, ProgrammingError):  # a table is missing: look at what there is
            found = None
        else:
            if found is not None:
                return _version_number(found), low if low == high else f"{low},{high}"
    with _reading(engine).connect() as conn:
        return stored_schema(conn)


def _upgrade_from(found: int | None, revision: str | None) -> int | None:
    """The version an upgrade starts from (the lower record), None for a new database;
    a ledger of a newer program is refused."""
    known = migrations.version_of(revision)
    if found is not None and found > models.SCHEMA_VERSION:
        raise SchemaError(
            f"账本的结构版本为 {found}，高于本程序支持的 {models.SCHEMA_VERSION}，本次未作改动；请升级 jcnian。"
        )
    if revision is not None and known is None:
        raise SchemaError(
            f"账本的结构修订“{revision}”不是本程序认识的（本程序的结构版本为 {models.SCHEMA_VERSION}），"
            "多半是较新的 jcnian 写的，本次未作改动；请升级 jcnian。"
        )
    versions = [v for v in (found, known) if v is not None]
    return min(versions) if versions else None


def _is_current(found: int | None, revision: str | None, *, stamp: bool) -> bool:
    """This program's schema. A ledger written before Alembic at this version is current as it
    stands for a read; a write first records its revision (no table changes, no safety copy)."""
    if found != models.SCHEMA_VERSION:
        return False
    return revision == migrations.HEAD or (revision is None and not stamp)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """The upgrade's one write transaction; on SQLite with foreign keys off (jcnian.migrations
    says why) and refused if it leaves a row pointing at nothing that did not before."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
        try:
            with conn.begin():
                orphans = _orphans(conn)
                yield conn
                new = _orphans(conn) - orphans
                if new:
                    raise SchemaError(
                        f"升级账本结构会留下指向不存在记录的行（{'、'.join(sorted(t for t, _ in new))}），"
                        "已撤销，账本未作改动；请把账本交技术人员处理。"
                    )
        finally:
            if raw is not None:
                try:
                    raw.execute("PRAGMA foreign_keys=ON")
                except sqlite3.Error:
                    conn.invalidate()  # never back into the pool without its foreign keys


def _orphans(conn: Connection) -> set[tuple[str, int]]:
    """SQLite's foreign key violations, counted per table and parent (rows may be renumbered
    by a batch copy, the counts are not)."""
    if conn.dialect.name != "sqlite":
        return set()
    counts: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        counts[(table, parent)] = counts.get((table, parent), 0) + 1
    return {(f"{t}→{p}", n) for (t, p), n in counts.items()}


def ensure_schema(engine: Engine, *, create: bool = False, stamp: bool = True) -> None:
    """Bring the ledger to this program's schema: tables, Alembic's revisions and the version,
    in one transaction, after a safety copy of an older ledger (``jcnian.safety``).

    Without ``create`` a database that is not yet a ledger (an empty file, an empty
    PostgreSQL database) is refused before anything is written to it. The check is one read
    that loads no Alembic; an upgrade is a write, which checks again under the lock (another
    program may have upgraded the ledger meanwhile). ``stamp=False`` (a command that only
    reads) leaves a current ledger from before Alembic as it is.
    """
    found, revision = _stored_schema_quickly(engine)
    if _is_current(found, revision, stamp=stamp):
        return
    start = _upgrade_from(found, revision)
    if start is None and not create:
        raise LedgerNotFound(
            f"{engine.url.database or engine.url} 还不是账本，请先运行 jcnian init 建立账本。"
        )
    models.load_all_tables()
    with _migrating(engine) as conn:
        found, revision = stored_schema(conn)
        if _is_current(found, revision, stamp=True):
            return
        start = _upgrade_from(found, revision)
        if start is not None and start < models.SCHEMA_VERSION:
            from jcnian.safety import before_upgrade

            before_upgrade(sqlite_path(str(engine.url)), start)  # a safety copy, under the lock
        SQLModel.metadata.create_all(conn)
        migrations.upgrade(conn, start)
        session = Session(bind=conn)
        session.merge(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
        session.flush()
        session.close()


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _euid() -> int | None:
    geteuid = getattr(os, "geteuid", None)  # not on Windows
    return geteuid() if geteuid else None


def _unblock_side_files(path: Path) -> None:
    """A -wal/-shm left read-only (by a read while the ledger file was read-only) would refuse
    every write once the file is writable again: give it the ledger file's permissions.

    Only a side file this user owns is changed, only its mode, and only when the ledger
    file and its folder are writable: nothing another program uses is moved or removed.
    """
    if not (path.is_file() and _writable(path) and _writable(path.parent)):
        return
    mode = path.stat().st_mode & 0o777
    for suffix in SQLITE_SIDE_FILES:
        side = Path(f"{path}{suffix}")
        with suppress(OSError):
            if side.is_file() and not _writable(side) and side.stat().st_uid == _euid():
                side.chmod(mode | (side.stat().st_mode & 0o777))


def _read_without_side_files(path: Path) -> bool:
    """A folder this user cannot write cannot take WAL's -shm: read the file as it stands.

    Only when there is no -wal: without one, every committed change is in the file itself
    (with one, SQLite reads through it if it can, or the open is refused as read-only).
    """
    return not _writable(path.parent) and not Path(f"{path}-wal").exists()


def open_engine(db: str | None, *, create: bool = False, write: bool = True) -> Engine:
    """Open the ledger; only ``create=True`` (``jcnian init``) may bring a new file into being.

    ``write=False`` (a command that only reads) may open a ledger in a read-only folder.
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not create:
        if not path.exists():
            raise LedgerNotFound(f"账本 {path} 不存在，请先运行 jcnian init 建立账本。")
        if path.is_file() and path.stat().st_size == 0:  # opening would write SQLite's header
            raise LedgerNotFound(f"{path} 是空文件，还不是账本，请先运行 jcnian init 建立账本。")
    if path is not None and create and not path.parent.is_dir():
        raise LedgerNotFound(
            f"文件夹 {path.parent} 不存在，未建立账本；请先建立这个文件夹，或用 --db 换一个位置。"
        )
    immutable = False
    if path is not None and path.is_file():
        if write:
            _unblock_side_files(path)
        else:
            immutable = _read_without_side_files(path)
    engine = make_engine(url, immutable=immutable)
    try:
        ensure_schema(engine, create=create, stamp=write)
    except BaseException as exc:
        engine.dispose()
        unreachable = connection_fault(exc, url) if path is None else None
        if unreachable is not None:
            raise unreachable from None  # the driver's message may hold the host's details, never shown raw
        fault = storage_fault(exc, path)
        if fault is None:
            raise
        if isinstance(fault, LedgerFault):
            raise fault from exc
        raise LedgerNotFound(f"无法打开账本 {path or redact(url)}：{fault.message}") from exc
    return engine


def _quick_check(session: Session, path: Path | None) -> None:
    """Refuse to write to a damaged ledger (where the check is cheap: files up to 16 MB)."""
    if path is None or not path.is_file() or path.stat().st_size > QUICK_CHECK_MAX_BYTES:
        return
    rows = [r[0] for r in session.connection().exec_driver_sql("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        detail = "；".join(str(r) for r in rows[:3])
        raise CorruptLedger(
            f"账本文件 {path} 已损坏（完整性检查未通过：{detail}），本次未作改动；"
            "请用备份恢复，或请技术人员处理。"
        )


@contextmanager
def transaction(
    engine: Engine, *, write: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[Session]:
    """One command, one transaction: commit at the end, roll back on any error.

    A write holds the ledger's write lock from its first statement to the commit; a read
    sees one snapshot throughout. ``on_wait`` is called once if a write has to wait for
    another program's lock. A fault of the storage is raised as a ``LedgerFault`` (a number
    too large to store as ``InvalidInput``).
    """
    if write:
        from jcnian import changelog  # a read logs nothing and does not load the capture

    options: dict[str, Any] = {WRITE: write}
    if on_wait is not None:
        options[ON_WAIT] = on_wait
    path = sqlite_path(str(engine.url)) if engine.dialect.name == "sqlite" else None
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            if write:
                _quick_check(session, path)
                changelog.install(session.connection())
            yield session
            if write:
                changelog.finish(session)  # the entry of this write, in this transaction
            session.commit()
        except BaseException as exc:
            with suppress(Exception):
                session.rollback()
            fault = storage_fault(exc, path)
            if fault is None:
                raise
            raise fault from exc


def streamed(session: Session, stmt: Any) -> Iterator[Any]:
    """A select's Core rows (not ORM objects), fetched a batch at a time as they are taken:
    reading 100,000 branches must neither build 100,000 objects nor hold the driver's rows
    beside the ones kept (a server-side cursor on PostgreSQL). Take them inside the session's
    transaction."""
    return iter(session.connection().execute(stmt, execution_options={"yield_per": 5000}))


# --- faults as a clerk reads them -------------------------------------------------------


def _where(path: Path | None) -> str:
    return f"账本 {path} " if path is not None else "账本"


def _sqlite_fault(message: str, path: Path | None) -> JcnianError | None:
    lower = message.lower()
    timeout = busy_timeout_ms() / 1000
    if "database is locked" in lower or "database table is locked" in lower:
        return LedgerBusy(
            f"账本正被另一个程序占用，请稍后再试（已等待 {timeout:g} 秒，本次未作改动；"
            f"等待时间可用环境变量 {BUSY_ENV} 设置）。"
        )
    if "database or disk is full" in lower:
        return DiskFull(f"磁盘已满，{_where(path)}未作改动；请腾出磁盘空间后再试。")
    if "readonly" in lower or "read-only" in lower:
        return ReadOnlyLedger(_read_only_reason(path))
    if "malformed" in lower or "corrupt" in lower:
        return CorruptLedger(
            f"{_where(path)}文件已损坏（有数据页无法读出），本次未作改动；请用备份恢复，或请技术人员处理。"
        )
    if "file is not a database" in lower:
        return JcnianError("这不是 SQLite 账本文件。")
    if "unable to open database file" in lower:
        if path is not None and path.exists() and not _writable(path.parent):
            return ReadOnlyLedger(_read_only_reason(path))
        return JcnianError("无法打开（路径是文件夹，或没有读写权限）。")
    if "disk i/o error" in lower:
        if path is not None and _disk_is_full(path.parent):  # SQLite could not even map its -shm
            return DiskFull(f"磁盘已满，{_where(path)}未作改动；请腾出磁盘空间后再试。")
        return LedgerFault(f"读写{_where(path)}时磁盘出错（输入输出错误），本次未作改动；请检查磁盘后再试。")
    return None


def _disk_is_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 256 * 1024
    except OSError:
        return False


def _read_only_reason(path: Path | None) -> str:
    if path is None:
        return "账本是只读的，本次未作改动。"
    if path.exists() and not _writable(path):
        why = f"账本文件 {path} 是只读的"
    elif not _writable(path.parent):
        why = f"账本所在的文件夹 {path.parent} 不可写"
    else:
        stale = [str(Path(f"{path}{s}")) for s in SQLITE_SIDE_FILES if Path(f"{path}{s}").exists()]
        stale = [s for s in stale if not _writable(Path(s))]
        why = f"账本的附属文件 {'、'.join(stale)} 是只读的" if stale else f"账本 {path} 不可写"
    return f"{why}，本次未作改动；查看、导出仍可进行，登记请换有写权限的账户或位置。"


_PG_FAULTS = {
    "55P03": "busy",  # lock_not_available: the advisory lock's lock_timeout
    "40001": "busy",  # serialization_failure
    "40P01": "busy",  # deadlock_detected
    "53100": "full",  # disk_full
    "25006": "readonly",  # read_only_sql_transaction
    "22003": "too_large",  # numeric_value_out_of_range: beyond a column's type
}
_TOO_LARGE = "数值太大，超出账本能保存的范围，本次未作改动；请核对输入的数字。"


def storage_fault(exc: BaseException, path: Path | None = None) -> JcnianError | None:
    """The Chinese error for a fault of the ledger's storage, None for anything else."""
    if isinstance(exc, JcnianError):
        return None
    if isinstance(exc, OverflowError):
        if "int too large" in str(exc):
            return InvalidInput(_TOO_LARGE)
        return InvalidInput("数值或日期超出能处理的范围，本次未作改动；请核对输入的数字和日期。")
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, IntegrityError) and "unique" in str(orig).lower():
        return Conflict("另一个程序刚刚登记了同一事项，本次未作改动；请查看账本后再试。")
    if isinstance(orig, sqlite3.Error) and not isinstance(orig, sqlite3.IntegrityError):
        return _sqlite_fault(str(orig), path)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    kind = _PG_FAULTS.get(code or "")
    if kind is None and _connection_lost(orig, code):
        return LedgerFault(
            "与数据库服务器的连接中断，本次登记没有完成（服务器撤销未提交的改动）；请确认服务器正常后再试。"
        )
    if kind == "busy":
        return _sqlite_fault("database is locked", None)
    if kind == "full":
        return _sqlite_fault("database or disk is full", None)
    if kind == "readonly":
        return ReadOnlyLedger("账本是只读的，本次未作改动。")
    if kind == "too_large":
        return InvalidInput(_TOO_LARGE)
    return None


_LOST = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection is lost",
)


def _connection_lost(orig: BaseException, code: str | None) -> bool:
    """The server went away under a command (restarted, stopped, the connection cut)."""
    if not {c.__name__ for c in type(orig).__mro__} & {"OperationalError", "InterfaceError"}:
        return False
    return (code or "").startswith(("08", "57P")) or any(s in str(orig).lower() for s in _LOST)


def connection_fault(exc: BaseException, url: str) -> JcnianError | None:
    """A database server that cannot be reached or lets us not in, said in Chinese: where,
    as whom and why, never the password (the URL is redacted, the driver's text not shown
    but for its first line, redacted too)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if "OperationalError" not in {c.__name__ for c in type(orig).__mro__} or isinstance(orig, sqlite3.Error):
        return None
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    where = f"{parsed.host or '本机'}" + (f":{parsed.port}" if parsed.port else "")
    user, name = parsed.username or "（未给出）", parsed.database or "（未给出）"
    lower = str(orig).lower()
    if "does not exist" in lower and "database" in lower:
        return LedgerNotFound(
            f"数据库服务器 {where} 上没有数据库 {name}，请先建立它（createdb {name}），再运行 jcnian init。"
        )
    if "role" in lower and "does not exist" in lower:
        return LedgerNotFound(f"数据库服务器 {where} 上没有用户 {user}，请核对账本 URL 中的用户名。")
    if "authentication failed" in lower or "no password supplied" in lower or "password" in lower:
        return LedgerNotFound(
            f"数据库服务器 {where} 拒绝了用户 {user} 的登录（密码不对或未给出）；"
            "密码可写在 PGPASSFILE 指定的密码文件或环境变量 JCNIAN_DB 里，不必写在命令行上。"
        )
    if "pg_hba.conf" in lower or "permission denied" in lower:
        return LedgerNotFound(
            f"数据库服务器 {where} 不允许用户 {user} 从这台电脑连接数据库 {name}，请联系管理员。"
        )
    if "refused" in lower or "resolve host" in lower or "translate host" in lower or "timeout" in lower:
        return LedgerNotFound(
            f"无法连接数据库服务器 {where}（服务器未启动、地址或端口不对，或网络不通），账本未作改动。"
        )
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return LedgerNotFound(f"无法连接账本 {redact(url)}：{redact(first)}")


def os_fault(exc: OSError, target: Path) -> JcnianError:
    """A file the program writes (an export) could not be written, said in Chinese."""
    reasons = {
        errno.ENOSPC: "磁盘已满",
        errno.EDQUOT: "超出磁盘配额",
        errno.EACCES: "没有写权限",
        errno.EPERM: "没有写权限",
        errno.EROFS: "所在的文件系统是只读的",
        errno.EIO: "磁盘读写出错",
        errno.ENAMETOOLONG: "文件名太长",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return JcnianError(f"无法写入 {target}：{reason}，未写出任何文件。")
