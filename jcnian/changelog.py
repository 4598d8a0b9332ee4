"""The change log (留痕): one append-only entry per write, captured once for every command.

How rows are captured: a write transaction on SQLite gives its connection TEMP triggers on
every ledger table (``install``); each inserted, updated or deleted row, whether the ORM,
a Core statement, raw SQL or a foreign key's ON DELETE CASCADE changed it, leaves its table,
key and images before/after in the connection's ``temp.jc_change``. Before the commit,
``finish`` turns what is there into one ``change_log`` row, in the same transaction, so the
entry and the change are committed (or rolled back) together. No command records anything
by hand.

Bulk statements (the survey import's set-based insert of up to a million scores) are not
imaged row by row: inside ``summarised(conn, tables)`` those tables' triggers are dropped
for the rest of the transaction and each statement's row count is added up instead; the
entry then carries the counts beside the image of the import's own ``survey_import`` row
(file name, sha256, rows).

Each entry holds the sha256 of the one before it (``prev_hash``) and its own ``hash`` over
its fields, so a changed or removed entry breaks the chain (``verify_chain``, run by
``jcnian check``). The database refuses UPDATE and DELETE on the table (triggers made with
the table, see ``jcnian.models.ChangeLog``).

On PostgreSQL the same images are captured by one persistent row trigger per table (made by
the first write that finds a table without one, ``_pg_triggers``), which does something only
in a transaction that turned capture on (``jcnian.capture``, a transaction-local setting, so
another program's SQL is not imaged) and skips the tables in summarised mode
(``jcnian.bulk``). The rows land in the connection's ``pg_temp.jc_change`` and are turned
into the entry as on SQLite, with the values written as SQLite's images write them (booleans
0/1, times as stored, floats to 15 digits), so that a ledger's log reads the same on both.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jcnian.invocation import USER_ENV, actor, command_line, current_command  # noqa: F401 (USER_ENV, command_line: used by callers)

if TYPE_CHECKING:  # SQLAlchemy is imported when a write first needs it (jcnian --help loads none)
    from sqlalchemy.engine import Connection

TABLE = "change_log"
GENESIS = "0" * 64
# Tables whose changes are not imaged: the log itself.
_NOT_LOGGED = {TABLE}
_INFO_TRIGGERS = "jc_log_cookie"  # the schema cookie the connection's triggers were made at
_INFO_BULK = "jc_log_bulk"  # tables in summarised mode now
_INFO_FRESH = "jc_log_fresh"  # rolled back since install: the change list must be made again
_CHANGE_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS jc_change (id INTEGER PRIMARY KEY, tbl TEXT, op TEXT, "
    "key TEXT, before TEXT, after TEXT)"
)
_INFO_COUNTS = "jc_log_counts"  # table -> {"insert": n, ...} counted in summarised mode
_OPS = {"insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}
_STATEMENT = re.compile(
    r"^\s*(INSERT(?:\s+OR\s+\w+)?\s+INTO|DELETE\s+FROM|UPDATE(?:\s+OR\s+\w+)?)\s+(?:main\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)

# --- capture ----------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _image(prefix: str, columns: list[str]) -> str:
    args = ", ".join(f"'{c}', {prefix}.{_quote(c)}" for c in columns)
    return f"json_object({args})"


_sql_cache: dict[tuple[Any, ...], list[str]] = {}  # (table, its columns) -> its triggers' SQL
_INFO_INSTALLED = "jc_log_installed"  # tables whose triggers this connection has now
_INFO_REACH = "jc_log_reach"  # (schema cookie, table -> tables a cascade from it reaches)


def _table_triggers(raw: Any, table: str) -> list[str]:
    """The three capturing triggers of one table, for its columns as they are now."""
    cols = tuple((r[1], r[5]) for r in raw.execute(f"PRAGMA main.table_info({_quote(table)})"))
    if not cols:  # not a table of the ledger (a TEMP table such as the import's staging)
        return []
    cached = _sql_cache.get((table, cols))
    if cached is not None:
        return cached
    names = [c for c, _ in cols]
    keys = [c for c, pk in sorted(cols, key=lambda x: x[1]) if pk] or ["rowid"]
    out = []
    for op, verb in _OPS.items():
        row = "OLD" if op == "delete" else "NEW"
        key = "json_object(" + ", ".join(f"'{k}', {row}.{_quote(k)}" for k in keys) + ")"
        before = _image("OLD", names) if op != "insert" else "NULL"
        after = _image("NEW", names) if op != "delete" else "NULL"
        out.append(
            f"CREATE TEMP TRIGGER IF NOT EXISTS {_quote(f'jc_log_{table}_{op}')} AFTER {verb} "
            f"ON main.{_quote(table)} BEGIN INSERT INTO jc_change (tbl, op, key, before, after) "
            f"VALUES ('{table}', '{op}', {key}, {before}, {after}); END"
        )
    _sql_cache[(table, cols)] = out
    return out


def _reach(conn: Any, raw: Any, table: str) -> set[str]:
    """The tables an UPDATE or DELETE on ``table`` may change too: foreign keys with ON DELETE
    or ON UPDATE CASCADE, SET NULL or SET DEFAULT, followed transitively."""
    cookie = raw.execute("PRAGMA main.schema_version").fetchone()[0]
    found = conn.info.get(_INFO_REACH)
    if found is None or found[0] != cookie:
        children: dict[str, set[str]] = {}
        for child, parent, on_update, on_delete in raw.execute(
            'SELECT m.name, f."table", f.on_update, f.on_delete FROM main.sqlite_master AS m '
            "JOIN pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"
        ):
            if {on_update.upper(), on_delete.upper()} & {"CASCADE", "SET NULL", "SET DEFAULT"}:
                children.setdefault(parent, set()).add(child)
        found = conn.info[_INFO_REACH] = (cookie, children)
    seen, todo = {table}, [table]
    while todo:
        for child in found[1].get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def install(conn: Connection) -> None:
    """Start capturing this write transaction's rows (SQLite): an empty change list; a table's
    triggers are made the first time a statement writes to it (``_before_write``)."""
    _listen()  # bulk statements are counted on every database
    conn.info.pop(_INFO_BULK, None)
    conn.info.pop(_INFO_COUNTS, None)
    if conn.dialect.name == "postgresql":
        _pg_triggers(conn)
        _pg_start(conn.connection.driver_connection)
        conn.info.pop(_INFO_FRESH, None)
        conn.info[_INFO_INSTALLED] = _PG
        return
    if conn.dialect.name != "sqlite":
        return
    info = conn.info
    raw = conn.connection.driver_connection
    cookie = raw.execute("PRAGMA main.schema_version").fetchone()[0]
    raw.execute(_CHANGE_TABLE)
    info.pop(_INFO_FRESH, None)
    present = {
        r[0]
        for r in raw.execute(
            "SELECT tbl_name FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'jc_log_%'"
        )
    }
    if present and info.get(_INFO_TRIGGERS) != cookie:  # the tables changed: make them anew
        for (name,) in raw.execute(
            "SELECT name FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'jc_log_%'"
        ).fetchall():
            raw.execute(f"DROP TRIGGER IF EXISTS temp.{_quote(name)}")
        present = set()
    info[_INFO_TRIGGERS] = cookie
    info[_INFO_INSTALLED] = present
    raw.execute("DELETE FROM temp.jc_change")


def _before_write(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
    """The first write to a table in a captured transaction makes its triggers (and those of
    the tables a cascade from it reaches) first."""
    installed = conn.info.get(_INFO_INSTALLED)
    if installed is None:
        return
    if installed is _PG:
        if conn.info.pop(_INFO_FRESH, False):  # a rollback took back capture's setting and list
            _pg_start(conn.connection.driver_connection, conn.info.get(_INFO_BULK))
        return
    found = _STATEMENT.match(statement)
    if found is None:
        return
    table = found.group(2)
    if table in installed:
        return
    raw = conn.connection.driver_connection
    if conn.info.pop(_INFO_FRESH, False):
        raw.execute(_CHANGE_TABLE)
    verb = found.group(1).split()[0].upper()
    targets = {table} if verb == "INSERT" else _reach(conn, raw, table)
    bulk = conn.info.get(_INFO_BULK) or set()
    for target in sorted(targets - installed - bulk - _NOT_LOGGED):
        for statement_ in _table_triggers(raw, target):
            raw.execute(statement_)
        installed.add(target)


_listening = False


def _listen() -> None:
    global _listening
    if _listening:
        return
    from sqlalchemy import Engine, event

    event.listen(Engine, "before_cursor_execute", _before_write)
    event.listen(Engine, "after_cursor_execute", _count_bulk)
    event.listen(Engine, "rollback", _rolled_back)
    event.listen(Engine, "savepoint", _savepoint)
    event.listen(Engine, "rollback_savepoint", _rolled_back_to)
    event.listen(Engine, "release_savepoint", _released)
    _listening = True


# The bulk counts as each open savepoint began (innermost last; SQLAlchemy names a savepoint
# only after the "savepoint" event, so they are kept in order rather than by name).
_INFO_SAVED_COUNTS = "jc_log_saved_counts"


def _savepoint(conn: Any, _name: Any) -> None:
    counts = conn.info.get(_INFO_COUNTS)
    saved = None if counts is None else {table: dict(verbs) for table, verbs in counts.items()}
    conn.info.setdefault(_INFO_SAVED_COUNTS, []).append(saved)


def _rolled_back_to(conn: Any, _name: Any, _context: Any) -> None:
    """Rows a rolled-back savepoint took back are not counted in the write's entry."""
    if conn.invalidated:
        return
    stack = conn.info.get(_INFO_SAVED_COUNTS)
    if not stack:
        return
    saved = stack.pop()
    if saved is None:
        conn.info.pop(_INFO_COUNTS, None)
    else:
        conn.info[_INFO_COUNTS] = saved


def _released(conn: Any, _name: Any, _context: Any) -> None:
    stack = conn.info.get(_INFO_SAVED_COUNTS)
    if stack:
        stack.pop()


def _rolled_back(conn: Any) -> None:
    """A rollback inside a captured command takes back the triggers and the change list it
    made: make them again at the next write."""
    if conn.invalidated:  # the connection was lost (a server gone): nothing of it is kept
        return
    conn.info.pop(_INFO_SAVED_COUNTS, None)
    if conn.info.get(_INFO_INSTALLED) is not None:
        if conn.info[_INFO_INSTALLED] is not _PG:
            conn.info[_INFO_INSTALLED] = set()
        conn.info[_INFO_FRESH] = True


@contextmanager
def summarised(conn: Connection, tables: Iterable[str]) -> Iterator[None]:
    """Within this block, count the rows of ``tables`` a statement changes instead of imaging them."""
    tables = set(tables)
    info = conn.info
    if conn.dialect.name == "sqlite" and info.get(_INFO_INSTALLED) is not None:
        installed = info.get(_INFO_INSTALLED, set())
        for table in tables & installed:
            for op in _OPS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS temp.{_quote(f'jc_log_{table}_{op}')}")
        installed -= tables
    bulk = info.setdefault(_INFO_BULK, set())
    added = tables - bulk
    bulk |= added
    pg = conn.dialect.name == "postgresql" and info.get(_INFO_INSTALLED) is _PG
    if pg:
        _pg_bulk(conn.connection.driver_connection, bulk)
    try:
        yield
    finally:
        bulk -= added
        if pg and not info.get(_INFO_FRESH):
            _pg_bulk(conn.connection.driver_connection, bulk)


def _count_bulk(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
    bulk = conn.info.get(_INFO_BULK)
    if not bulk:
        return
    found = _STATEMENT.match(statement)
    if found is None or found.group(2) not in bulk or cursor.rowcount is None or cursor.rowcount < 0:
        return
    verb = found.group(1).split()[0].lower()
    counts = conn.info.setdefault(_INFO_COUNTS, {})
    per_table = counts.setdefault(found.group(2), {})
    per_table[verb] = per_table.get(verb, 0) + cursor.rowcount


# --- capture on PostgreSQL --------------------------------------------------------------

_PG: Any = frozenset({"postgresql"})  # conn.info[_INFO_INSTALLED] on PostgreSQL: capture is on
_PG_TRIGGER = "jc_log"
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION jcnian_capture() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO pg_temp.jc_change (tbl, op, before, after) VALUES (TG_TABLE_NAME, lower(TG_OP), "
    "CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END); "
    "RETURN NULL; END $$"
)
_PG_CHANGE_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS jc_change (id bigserial PRIMARY KEY, tbl text, op text, "
    "before jsonb, after jsonb)"
)
_INFO_PG_COLUMNS = "jc_log_pg_columns"  # table -> (key columns, {column: type}) of this connection


def _pg_triggers(conn: Any) -> None:
    """Give every ledger table that has none the capturing row trigger (once per ledger and
    table: the trigger stays). Its WHEN clause keeps it from doing anything, even from calling
    the function, outside a jcnian write and for a table in summarised mode."""
    missing = [
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND NOT EXISTS "
            f"(SELECT 1 FROM pg_trigger AS t WHERE t.tgrelid = c.oid AND t.tgname = '{_PG_TRIGGER}')"
        )
        if name not in _NOT_LOGGED
    ]
    if not missing:
        return
    conn.exec_driver_sql(_PG_FUNCTION)
    for table in missing:
        conn.exec_driver_sql(
            f"CREATE TRIGGER {_PG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {_quote(table)} FOR EACH ROW "
            "WHEN (current_setting('jcnian.capture', true) = 'on' AND "
            f"strpos(coalesce(current_setting('jcnian.bulk', true), ''), ',{table},') = 0) "
            "EXECUTE FUNCTION jcnian_capture()"
        )
    conn.info.pop(_INFO_PG_COLUMNS, None)


def _pg_start(raw: Any, bulk: Iterable[str] | None = None) -> None:
    """Capture on for this transaction, into an empty change list."""
    raw.execute(_PG_CHANGE_TABLE)
    raw.execute("DELETE FROM pg_temp.jc_change")
    raw.execute("SELECT set_config('jcnian.capture', 'on', true)")
    _pg_bulk(raw, bulk or ())


def _pg_bulk(raw: Any, tables: Iterable[str]) -> None:
    listed = "".join(f",{t}" for t in sorted(tables)) + ","
    raw.execute("SELECT set_config('jcnian.bulk', %s, true)", (listed,))


def _pg_columns(conn: Any, tables: set[str]) -> dict[str, tuple[list[str], dict[str, str]]]:
    known = conn.info.setdefault(_INFO_PG_COLUMNS, {})
    wanted = sorted(tables - set(known))
    if wanted:
        for table, column, kind, is_key in conn.exec_driver_sql(
            "SELECT c.relname, a.attname, format_type(a.atttypid, NULL), "
            "COALESCE(a.attnum = ANY (i.indkey), false) FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "LEFT JOIN pg_index AS i ON i.indrelid = c.oid AND i.indisprimary "
            "WHERE c.relname = ANY (%(tables)s) ORDER BY c.relname, a.attnum",
            {"tables": wanted},
        ):
            keys, types = known.setdefault(table, ([], {}))
            types[column] = kind
            if is_key:
                keys.append(column)
    return known


def _sqlite_value(kind: str, value: Any) -> Any:
    """A value of a PostgreSQL row image as SQLite's ``json_object`` gives it."""
    if value is None:
        return None
    if kind == "boolean":
        return int(value)
    if kind.startswith("timestamp"):
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    if kind in ("double precision", "real"):
        return float(f"{float(value):.15g}")  # SQLite writes a REAL with 15 significant digits
    return value


def _pg_changes(conn: Any) -> list[dict[str, Any]]:
    rows = conn.exec_driver_sql("SELECT tbl, op, before, after FROM pg_temp.jc_change ORDER BY id").all()
    conn.exec_driver_sql("DELETE FROM pg_temp.jc_change")
    columns = _pg_columns(conn, {r[0] for r in rows})
    changes = []
    for tbl, op, before, after in rows:
        keys, types = columns.get(tbl, ([], {}))
        b = None if before is None else {c: _sqlite_value(types.get(c, ""), v) for c, v in before.items()}
        a = None if after is None else {c: _sqlite_value(types.get(c, ""), v) for c, v in after.items()}
        if op == "update" and a == b:
            continue
        image = b if op == "delete" else a
        key = {k: image.get(k) for k in keys} if image is not None else {}
        changes.append({"table": tbl, "op": op, "key": key, "before": b, "after": a})
    return changes


# --- entries ----------------------------------------------------------------------------


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(entry: dict[str, Any]) -> str:
    """sha256 over the entry's fields and the previous entry's hash."""
    fields = {k: entry[k] for k in ("id", "at", "by", "command", "changes", "prev_hash")}
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def _branch_ids(changes: list[dict[str, Any]]) -> str:
    ids: set[int] = set()
    for change in changes:
        for image in (change.get("before"), change.get("after")):
            if isinstance(image, dict):
                value = image.get("id") if change["table"] == "branch" else image.get("branch_id")
                if isinstance(value, int):
                    ids.add(value)
    return "".join(f",{i}" for i in sorted(ids)) + ("," if ids else "")


# The columns by which a row without a campaign of its own belongs to one, and the SQL that
# gives the campaigns of some of their values (``:ids`` expanded).
PARENTS = {
    "branch_id": "SELECT DISTINCT campaign_id FROM branch WHERE id IN :ids",
    "project_id": "SELECT DISTINCT b.campaign_id FROM project p JOIN branch b ON b.id = p.branch_id "
    "WHERE p.id IN :ids",
    "pairing_id": "SELECT DISTINCT b.campaign_id FROM pairing p JOIN branch b ON b.id = p.branch_id "
    "WHERE p.id IN :ids",
}
Owners = Callable[[str, list[int]], set[int]]  # (parent column, its values) → their campaigns


def campaign_of(changes: list[dict[str, Any]], owners: Owners, chosen: int | None) -> int | None:
    """The campaign an entry's changes are for: the one campaign their rows name (a campaign
    row, a ``campaign_id``, or through a branch, project or pairing the row belongs to, by
    ``owners``), else the command's ``chosen`` campaign (bulk statements carry no rows); None
    when the rows name several (a whole ledger loaded)."""
    named: set[int] = set()
    parents: dict[str, set[int]] = {}
    for change in changes:
        for image in (change.get("before"), change.get("after")):
            if not isinstance(image, dict):
                continue
            if change["table"] == "campaign" and isinstance(image.get("id"), int):
                named.add(image["id"])
            elif isinstance(image.get("campaign_id"), int):
                named.add(image["campaign_id"])
            else:
                for column in PARENTS:
                    if isinstance(image.get(column), int):
                        parents.setdefault(column, set()).add(image[column])
                        break
    if not named:
        for column, ids in parents.items():
            named |= owners(column, sorted(ids))
    if len(named) > 1:
        return None
    return next(iter(named), chosen)


def _owners_in(conn: Any) -> Owners:
    """``campaign_of``'s owners read from the ledger, 500 values a query."""
    from sqlalchemy import bindparam, text

    def owners(column: str, ids: list[int]) -> set[int]:
        query = text(PARENTS[column]).bindparams(bindparam("ids", expanding=True))
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            found.update(
                c for (c,) in conn.execute(query, {"ids": ids[start : start + 500]}) if c is not None
            )
        return found

    return owners


def finish(session: Any) -> int | None:
    """Write the transaction's entry (if it changed anything); its id, or None."""
    session.flush()
    conn = session.connection()
    from sqlalchemy import text

    changes: list[dict[str, Any]] = []
    if (
        conn.dialect.name == "sqlite"
        and conn.info.get(_INFO_INSTALLED) is not None
        and not conn.info.pop(_INFO_FRESH, False)
    ):
        for tbl, op, key, before, after in conn.exec_driver_sql(
            "SELECT tbl, op, key, before, after FROM temp.jc_change ORDER BY id"
        ):
            b = json.loads(before) if before is not None else None
            a = json.loads(after) if after is not None else None
            if op == "update" and a == b:
                continue
            changes.append({"table": tbl, "op": op, "key": json.loads(key), "before": b, "after": a})
        conn.exec_driver_sql("DELETE FROM temp.jc_change")
    elif conn.info.get(_INFO_INSTALLED) is _PG and not conn.info.pop(_INFO_FRESH, False):
        changes = _pg_changes(conn)
    conn.info.pop(_INFO_INSTALLED, None)  # captured no more until the next write's install
    counts = conn.info.pop(_INFO_COUNTS, None)
    for table, by_verb in sorted((counts or {}).items()):
        for verb, n in sorted(by_verb.items()):
            if n:
                changes.append({"table": table, "op": verb, "rows": n})
    if not changes:
        return None
    last = conn.execute(text(f"SELECT id, hash FROM {TABLE} ORDER BY id DESC LIMIT 1")).first()
    entry: dict[str, Any] = {
        "id": (last[0] + 1) if last else 1,
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "by": actor(),
        "command": current_command(),
        "changes": canonical(changes),
        "prev_hash": last[1] if last else GENESIS,
    }
    entry["hash"] = entry_hash(entry)
    entry["tables"] = "".join(f",{t}" for t in sorted({c["table"] for c in changes})) + ","
    entry["branches"] = _branch_ids(changes)
    from jcnian.ledger import chosen_campaign

    chosen = chosen_campaign(session)
    entry["campaign_id"] = campaign_of(changes, _owners_in(conn), chosen.id if chosen is not None else None)
    conn.execute(
        text(
            f'INSERT INTO {TABLE} (id, at, "by", command, tables, branches, campaign_id, changes, prev_hash, hash) '
            "VALUES (:id, :at, :by, :command, :tables, :branches, :campaign_id, :changes, :prev_hash, :hash)"
        ),
        entry,
    )
    return int(entry["id"])


def verify_chain(conn: Connection) -> list[str]:
    """Problems with the chain: an entry whose hash is not its own, or that does not follow the last."""
    from sqlalchemy import text

    problems = []
    prev = GENESIS
    expected_id = None
    for row in conn.execute(
        text(f'SELECT id, at, "by", command, changes, prev_hash, hash FROM {TABLE} ORDER BY id')
    ).mappings():
        entry = dict(row)
        if expected_id is not None and entry["id"] != expected_id:
            problems.append(f"留痕记录 {expected_id}–{entry['id'] - 1} 缺失（被删除）。")
        if entry["prev_hash"] != prev:
            problems.append(f"留痕记录 {entry['id']} 与前一条接不上（前一条被改动或删除）。")
        if entry_hash(entry) != entry["hash"]:
            problems.append(f"留痕记录 {entry['id']} 的内容与其校验值不符（被改动过）。")
        prev = entry["hash"]
        expected_id = entry["id"] + 1
    return problems


# --- the table's guard (made with the table) --------------------------------------------

SQLITE_GUARD = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END",
]
POSTGRESQL_GUARD = [
    "CREATE OR REPLACE FUNCTION jcnian_change_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'change_log is append-only'; END $$",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION jcnian_change_log_refuse()",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION jcnian_change_log_refuse()",
]


def guard(table: Any, connection: Connection, **_: Any) -> None:
    """``after_create`` of the table: the database itself refuses UPDATE and DELETE."""
    name = connection.dialect.name
    for statement in SQLITE_GUARD if name == "sqlite" else POSTGRESQL_GUARD if name == "postgresql" else []:
        connection.exec_driver_sql(statement)
