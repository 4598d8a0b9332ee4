"""A way back: backups, restore, safety copies and a portable dump of the ledger.

``backup`` copies an SQLite ledger with SQLite's online backup API (one step, under a read
lock: a consistent snapshot while others keep writing), into a temporary file beside the
target that is then renamed, so a target is never half written. ``restore`` checks the copy
(integrity_check, a jcnian ledger, a schema version this program knows) before it touches
anything, keeps the ledger it replaces (a dated copy beside it and a safety copy), and
writes the copy into the live ledger through the backup API too, under SQLite's locks.

Before what cannot be undone (``SAFETY_COMMANDS``, ``demo --fresh``, ``restore``, and an
upgrade of an older ledger's schema, ``before_upgrade``) a safety copy goes into the folder ``<ledger>.safety`` beside the ledger; the newest
``$JCNIAN_SAFETY_KEEP`` (default 10) are kept.

``dump`` writes every table (the change log included) as JSON lines, one row a line, keys
sorted, tables by name and rows by key: the same ledger always gives the same bytes, and
``load`` of a dump into a new ledger followed by ``dump`` gives them again.
"""

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from jcnian.errors import InvalidInput, JcnianError

KEEP_ENV = "JCNIAN_SAFETY_KEEP"
KEEP_DEFAULT = 10
DUMP_FORMAT = "jcnian-dump"
# (command path, the option that makes it destructive or None): a safety copy first.
SAFETY_COMMANDS: dict[tuple[str, ...], str | None] = {
    ("branch", "remove"): None,
    ("grade", "rubric", "set"): None,
    ("survey", "import"): "replace",
}


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def keep_count() -> int:
    raw = os.environ.get(KEEP_ENV, "").strip()
    if not raw:
        return KEEP_DEFAULT
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise InvalidInput(f"环境变量 {KEEP_ENV} 的值“{raw}”无效，应为保留的份数（正整数），如 10。")
    return n


def sqlite_file(db_option: str | None) -> Path:
    """The ledger file behind ``--db``; backups of another database are made with its own tools."""
    from jcnian import db

    path = db.sqlite_path(db.resolve_url(db_option))
    if path is None:
        raise JcnianError("备份与恢复只适用于 SQLite 账本文件；其他数据库请用 jcnian dump 导出。")
    return path


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    from jcnian import db

    uri = path.as_uri() + ("?mode=ro" if read_only else "")
    conn = sqlite3.connect(uri, uri=True, timeout=db.busy_timeout_ms() / 1000)
    return conn


def backup_file(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` (which must not exist)."""
    if not source.is_file():
        raise JcnianError(f"账本 {source} 不存在。")
    if target.exists():
        raise JcnianError(f"{target} 已存在，未备份；请换一个文件名。")
    if not target.parent.is_dir():
        raise JcnianError(f"文件夹 {target.parent} 不存在，未备份。")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise _fault(exc, source) from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        from jcnian.db import os_fault

        raise os_fault(exc, target) from exc
    finally:
        src.close()


def _fault(exc: sqlite3.Error, path: Path) -> JcnianError:
    from jcnian.db import storage_fault

    return storage_fault(exc, path) or JcnianError(f"读写 {path} 失败：{exc}")


def safety_folder(ledger: Path) -> Path:
    return ledger.with_name(f"{ledger.name}.safety")


def safety_copy(ledger: Path, reason: str) -> Path | None:
    """A copy of the ledger in its safety folder before ``reason``; the oldest beyond N removed."""
    if not ledger.is_file() or ledger.stat().st_size == 0:
        return None
    folder = safety_folder(ledger)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        from jcnian.db import os_fault

        raise os_fault(exc, folder) from exc
    target = folder / f"{_stamp()}-{reason}.db"
    backup_file(ledger, target)
    copies = sorted(p for p in folder.glob("*.db") if p.is_file())
    for old in copies[: max(0, len(copies) - keep_count())]:
        old.unlink(missing_ok=True)
    return target


# What a safety copy made where no command could say it (an upgrade inside open_engine).
NOTICES: list[str] = []


def before_upgrade(ledger: Path | None, found: int) -> None:
    """A copy of a ledger of an older schema version before this program upgrades it."""
    if ledger is None:
        return
    copy = safety_copy(ledger, f"upgrade-from-v{found}")
    if copy is not None:
        NOTICES.append(f"账本结构将从版本 {found} 升级；已先把账本备份到 {copy}。")


def take_notices() -> list[str]:
    out = NOTICES[:]
    NOTICES.clear()
    return out


def command_path(ctx: Any) -> tuple[str, ...]:
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or ctx.command.name)
        ctx = ctx.parent
    return tuple(reversed(names))


def before_write(ctx: Any, engine: Any) -> Path | None:
    """The safety copy a destructive command makes first (called with the write lock held)."""
    path_ = command_path(ctx)
    if path_ not in SAFETY_COMMANDS:
        return None
    option = SAFETY_COMMANDS[path_]
    if option is not None and not ctx.params.get(option):
        return None
    from jcnian import db

    ledger = db.sqlite_path(str(engine.url)) if engine.dialect.name == "sqlite" else None
    if ledger is None:
        return None
    return safety_copy(ledger, "-".join(path_))


# --- checking a backup and restoring it ---------------------------------------------------


def check_backup(path: Path) -> int:
    """The backup's schema version, once it is known to be an intact jcnian ledger."""
    from jcnian.models import SCHEMA_VERSION

    if not path.is_file():
        raise JcnianError(f"备份文件 {path} 不存在。")
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise JcnianError(f"{path} 不是 SQLite 账本文件，未恢复。")
    try:
        conn = _connect(path, read_only=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                raise JcnianError(
                    f"备份 {path} 已损坏（完整性检查：{'；'.join(map(str, result[:3]))}），未恢复。"
                )
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"meta", "campaign", "branch"} <= tables:
                raise JcnianError(f"{path} 不是 jcnian 账本（缺少账本的表），未恢复。")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            revisions = []
            if "alembic_version" in tables:
                revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise JcnianError(f"无法读取备份 {path}：{exc}，未恢复。") from exc
    if row is None or not str(row[0]).isdigit():
        raise JcnianError(f"{path} 没有记载结构版本，不是 jcnian 账本，未恢复。")
    version = int(row[0])
    from jcnian.migrations import version_of

    if version > SCHEMA_VERSION:
        raise JcnianError(
            f"备份 {path} 的结构版本为 {version}，高于本程序支持的 {SCHEMA_VERSION}，请升级 jcnian。"
        )
    unknown = [r for r in revisions if version_of(r) is None]
    if unknown:
        raise JcnianError(
            f"备份 {path} 的结构修订“{'、'.join(unknown)}”不是本程序认识的（多半是较新的 jcnian 写的），"
            "未恢复；请升级 jcnian。"
        )
    return version


def restore(ledger: Path, backup: Path) -> tuple[Path | None, Path | None]:
    """Replace the ledger by ``backup``; the dated copy and the safety copy of what it replaced."""
    check_backup(backup)
    if ledger.exists() and backup.resolve() == ledger.resolve():
        raise JcnianError("备份文件就是账本本身，未恢复。")
    dated = safety = None
    if ledger.is_file() and ledger.stat().st_size > 0:
        safety = safety_copy(ledger, "restore")
        dated = ledger.with_name(f"{ledger.stem}.replaced-{_stamp()}{ledger.suffix}")
        backup_file(ledger, dated)
    src = _connect(backup, read_only=True)
    try:
        dst = _connect(ledger)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise _fault(exc, ledger) from exc
    finally:
        src.close()
    return dated, safety


# --- dump and load --------------------------------------------------------------------------


def _tables(conn: Any) -> list[tuple[str, list[str], list[str]]]:
    from sqlalchemy import inspect

    inspector = inspect(conn)
    out = []
    # Parents before children (then by name), so that a database checking foreign keys at
    # each row (PostgreSQL) takes the rows in the dump's order.
    ordered = [t for t, _ in inspector.get_sorted_table_and_fkc_names() if t is not None]
    for name in ordered:
        if name.startswith("sqlite_"):
            continue
        columns = [c["name"] for c in inspector.get_columns(name)]
        keys = inspector.get_pk_constraint(name).get("constrained_columns") or columns
        out.append((name, columns, keys))
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dump_rows(conn: Any) -> Iterator[str]:
    """Every table's rows as JSON lines (a header line first)."""
    from jcnian.models import SCHEMA_VERSION

    yield json.dumps({"format": DUMP_FORMAT, "schema_version": SCHEMA_VERSION}, sort_keys=True) + "\n"
    for name, columns, keys in _tables(conn):
        # Text keys in byte order on every database (SQLite's; PostgreSQL's collation may differ).
        collate = ' COLLATE "C"' if conn.dialect.name == "postgresql" else ""
        text_keys = _text_columns(conn, name) if collate else set()
        order = ", ".join(_q(k) + (collate if k in text_keys else "") for k in keys)
        select = f"SELECT {', '.join(_q(c) for c in columns)} FROM {_q(name)} ORDER BY {order}"
        for row in conn.exec_driver_sql(select):
            values = {c: _plain(v) for c, v in zip(columns, row, strict=True)}
            yield json.dumps({"table": name, "row": values}, ensure_ascii=False, sort_keys=True) + "\n"


def _text_columns(conn: Any, table: str) -> set[str]:
    from sqlalchemy import String, inspect

    return {c["name"] for c in inspect(conn).get_columns(table) if isinstance(c["type"], String)}


def _plain(value: Any) -> Any:
    """A value as SQLite stores it, whichever database it comes from, so that a dump of the
    same ledger is the same file on SQLite and on PostgreSQL (booleans 0/1, a time as the
    UTC text SQLAlchemy writes into SQLite, a date in ISO form)."""
    if isinstance(value, bytes | memoryview):
        raise JcnianError("账本中有二进制数据，无法导出为 JSON。")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if hasattr(value, "isoformat"):  # a date
        return value.isoformat()
    return value


def _typed_for(conn: Any, table: str) -> dict[str, Any]:
    """How a dumped value goes back into a PostgreSQL column: booleans and times by type
    (SQLite takes the dump's values as they are)."""
    if conn.dialect.name != "postgresql":
        return {}
    from sqlalchemy import Boolean, DateTime, inspect

    def to_bool(v: Any) -> Any:
        return v if v is None else bool(v)

    def to_time(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        moment = datetime.fromisoformat(v)
        return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)

    out: dict[str, Any] = {}
    for column in inspect(conn).get_columns(table):
        if isinstance(column["type"], Boolean):
            out[column["name"]] = to_bool
        elif isinstance(column["type"], DateTime):
            out[column["name"]] = to_time
    return out


def _restart_sequences(conn: Any) -> None:
    """After rows with their own ids, PostgreSQL's sequences start past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table, column, sequence in conn.exec_driver_sql(
        "SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
        "FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
        "JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE c.relkind = 'r'"
    ).all():
        if sequence:
            conn.exec_driver_sql(
                f"SELECT setval('{sequence}', COALESCE((SELECT MAX({_q(column)}) FROM {_q(table)}), 0) + 1, false)"
            )


def dump(conn: Any, out: IO[str]) -> int:
    """Write the dump; the number of rows written (the header line not counted)."""
    count = -1
    for line in dump_rows(conn):
        out.write(line)
        count += 1
    return count


def load(conn: Any, lines: IO[str], name: str) -> int:
    """Insert a dump's rows into a new, empty ledger (the caller's write transaction)."""
    from jcnian.models import SCHEMA_VERSION

    try:
        header = json.loads(lines.readline() or "null")
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        raise JcnianError(f"{name} 不是 jcnian dump 导出的文件，未载入。")
    if header.get("schema_version") != SCHEMA_VERSION:
        raise JcnianError(
            f"{name} 的结构版本为 {header.get('schema_version')}，本程序为 {SCHEMA_VERSION}；"
            "请用同一版本的 jcnian 导出和载入。"
        )
    tables = {t: c for t, c, _ in _tables(conn)}
    if conn.exec_driver_sql("SELECT COUNT(*) FROM campaign").scalar():
        raise JcnianError("目标账本里已有数据；jcnian load 只载入到新账本（用 --db 指定一个新文件）。")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # rows come by table name, checked at commit
    conn.exec_driver_sql("DELETE FROM meta")
    if "alembic_version" in tables:  # the dump's revision, as meta's version, replaces the new ledger's
        conn.exec_driver_sql("DELETE FROM alembic_version")
    count = 0
    batch: dict[str, list[dict[str, Any]]] = {}
    for number, line in enumerate(lines, start=2):
        try:
            item = json.loads(line)
            table, row = item["table"], item["row"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise JcnianError(f"{name} 第 {number} 行不是 dump 的记录，未载入。") from None
        if table not in tables or not set(row) <= set(tables[table]):
            raise JcnianError(f"{name} 第 {number} 行：账本没有表 {table} 或其中的列，未载入。")
        batch.setdefault(table, []).append(row)
        count += 1
        if len(batch[table]) >= 5000:
            _insert(conn, table, batch.pop(table))
    for table, rows in batch.items():
        _insert(conn, table, rows)
    _restart_sequences(conn)
    return count


def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import text

    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    typed = _typed_for(conn, table)
    if typed:
        rows = [{c: typed[c](v) if c in typed else v for c, v in row.items()} for row in rows]
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(row)
    for columns, group in by_columns.items():
        names = ", ".join(_q(c) for c in columns)
        marks = ", ".join(f":p{i}" for i in range(len(columns)))
        params = [{f"p{i}": r[c] for i, c in enumerate(columns)} for r in group]
        conn.execute(text(f"INSERT INTO {_q(table)} ({names}) VALUES ({marks})"), params)
