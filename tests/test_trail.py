"""The change log (留痕), backups and restore, dump/load and ``jcnian check`` (issue 13)."""

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from ledgerkit import copy_ledger, engine_of, execute, session_of
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from jcnian import changelog, safety
from jcnian import db as storage

DAY = [
    ("--by", "王芳", "liaison", "set", "鲁溪闸村", "--cadre", "许胜和"),
    ("branch", "add", "驿亭镇农村信用社党支部", "--category", "国有金融机构"),
    ("branch", "edit", "马慢桥", "--remarks", "村名补全"),
    ("branch", "alias", "驿亭镇农村信用社党支部", "信用社"),
    ("problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12"),
    ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "10"),
    ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "12"),
    ("liaison", "clear", "杨溪村", "--role", "cadre", "--yes"),
    ("branch", "remove", "五洲村", "--yes"),
]


def plain(value: Any) -> Any:
    """A value read from either backend as the log's row images hold it (SQLite's
    ``json_object`` of the stored value): as a dump writes it (booleans 0/1, times as UTC
    text, dates in ISO form), a REAL with 15 significant digits."""
    from jcnian.safety import _plain

    return float(f"{value:.15g}") if isinstance(value, float) else _plain(value)


def tables_of(db: str) -> dict[str, dict[str, dict]]:
    """Every ledger table but the log and meta: table -> canonical key -> row."""
    out: dict[str, dict[str, dict]] = {}
    with engine_of(db) as engine, engine.connect() as conn:
        inspector = inspect(conn)
        for name in inspector.get_table_names():
            if name in ("change_log", "meta"):
                continue
            pk = inspector.get_pk_constraint(name)["constrained_columns"]
            rows = {}
            for row in conn.execute(text(f'SELECT * FROM "{name}"')).mappings():
                d = {k: plain(v) for k, v in row.items()}
                rows[changelog.canonical({k: d[k] for k in pk})] = d
            out[name] = rows
    return out


def entries(db: str, after: int = 0) -> list[dict]:
    with engine_of(db) as engine, engine.connect() as conn:
        query = text("SELECT * FROM change_log WHERE id > :after ORDER BY id")
        return [dict(r) for r in conn.execute(query, {"after": after}).mappings()]


@pytest.fixture
def seeded(seeded_template, db):  # type: ignore[no-untyped-def]
    copy_ledger(seeded_template, db)
    return db


def test_the_log_holds_every_change_of_a_day(seeded, run) -> None:  # type: ignore[no-untyped-def]
    before = tables_of(seeded)
    start = len(entries(seeded))
    for args in DAY:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    log = entries(seeded, start)
    assert len(log) == len(DAY)  # one entry per write
    assert log[0]["by"] == "王芳" and "liaison set" in log[0]["command"]
    # Replaying the log's row images on the tables before gives the tables after.
    replayed = {t: dict(rows) for t, rows in before.items()}
    for entry in log:
        for change in json.loads(entry["changes"]):
            rows = replayed.setdefault(change["table"], {})
            key = changelog.canonical(change["key"])
            if change["op"] == "delete":
                assert rows.pop(key) == change["before"]
            else:
                if change["op"] == "update":
                    assert rows[key] == change["before"]
                rows[key] = change["after"]
    assert replayed == tables_of(seeded)
    # The cascade of branch remove is in its entry; log --table / --by / show read it.
    removed = json.loads(log[-1]["changes"])
    assert {c["table"] for c in removed} >= {"branch", "liaison"}
    listed = run("log", "--table", "liaison", "--by", "王芳", "--format", "json")
    assert [e["id"] for e in json.loads(listed.stdout)] == [log[0]["id"]]
    shown = run("log", "show", str(log[-1]["id"]), "--format", "json")
    assert json.loads(shown.stdout)["changes"] == removed
    assert run("log", "show", str(log[-1]["id"])).exit_code == 0
    assert (
        run("log", "--branch", "五夫村", "--since", "2000-01-01", "--format", "csv").stdout.count("\n") == 5
    )
    assert run("check").exit_code == 0


def test_the_log_refuses_update_and_delete_and_check_finds_tampering(seeded, run, backend: str) -> None:  # type: ignore[no-untyped-def]
    assert run("liaison", "set", "鲁溪闸村", "--cadre", "许胜和").exit_code == 0
    for statement in ("UPDATE change_log SET \"by\" = 'x'", "DELETE FROM change_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            execute(seeded, statement)
    # What only a hand at the file (SQLite) or the database's owner (PostgreSQL) can do:
    unguard = {
        "sqlite": "DROP TRIGGER change_log_no_update",
        "postgresql": "ALTER TABLE change_log DISABLE TRIGGER change_log_append_only",
    }[backend]
    execute(seeded, unguard, "UPDATE change_log SET \"by\" = '别人' WHERE id = 1")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert any(p["check"] == "log_chain" and "1" in p["message"] for p in problems)


def test_check_finds_a_score_out_of_bounds(seeded, run) -> None:  # type: ignore[no-untyped-def]
    assert run("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "10").exit_code == 0
    execute(seeded, "UPDATE score SET points = 999")
    result = run("check")
    assert result.exit_code == 1
    assert "[score_bounds]" in result.stdout and "999" in result.stdout


@pytest.mark.sqlite_only(
    "only SQLite lets another program write a broken foreign key (PostgreSQL refuses it), so only there does check look"
)
def test_check_finds_a_broken_foreign_key(seeded, run) -> None:  # type: ignore[no-untyped-def]
    execute(seeded, "INSERT INTO liaison (branch_id, person_id, role) VALUES (9999, 1, 'cadre')")
    result = run("check")
    assert result.exit_code == 1
    assert "[foreign_key] liaison" in result.stdout


@pytest.mark.sqlite_only("backup/restore copy SQLite files")
def test_backup_during_writes_restores_a_consistent_ledger(seeded, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    stop = threading.Event()

    def clerk() -> None:
        from jcnian.gradebook import entry

        n = 0
        while not stop.is_set():
            with session_of(seeded) as session:
                entry.enter_score(session, "五夫村", "组织考评", "工作业绩", float(n % 15))
            n += 1

    writer = threading.Thread(target=clerk)
    writer.start()
    try:
        copies = []
        for i in range(3):
            target = tmp_path / f"b{i}.db"
            result = run("backup", str(target))
            assert result.exit_code == 0, result.stderr
            copies.append(target)
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        restored = tmp_path / "restored.db"
        restored.unlink(missing_ok=True)
        copy_ledger(copy, restored)
        assert run("--db", str(restored), "check").exit_code == 0
    result = run("restore", str(copies[-1]), "--yes")
    assert result.exit_code == 0, result.stderr
    assert list(tmp_path.glob("ledger.replaced-*.db")) and list(
        (tmp_path / "ledger.db.safety").glob("*-restore.db")
    )
    assert run("check").exit_code == 0


@pytest.mark.sqlite_only("backup/restore copy SQLite files")
def test_restore_checks_the_backup_first(seeded, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, not at all")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = Path(seeded).read_bytes()
    for bad in (junk, other, tmp_path / "missing.db"):
        result = run("restore", str(bad), "--yes")
        assert result.exit_code == 1, result.stderr
    assert Path(seeded).read_bytes() == before
    assert not (tmp_path / "ledger.db.safety").exists()


def test_dump_load_dump_is_byte_identical(seeded, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    for args in DAY[:6]:
        assert run(*args).exit_code == 0
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("dump", str(first)).exit_code == 0
    copy = tmp_path / "copy.db"
    result = run("--db", str(copy), "load", str(first))
    assert result.exit_code == 0, result.stderr
    assert run("--db", str(copy), "dump", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert run("--db", str(copy), "check").exit_code == 0
    assert run("--db", str(copy), "load", str(first)).exit_code == 1  # only into a new ledger


@pytest.mark.sqlite_only("safety copies are SQLite files")
def test_safety_copies_before_what_cannot_be_undone(seeded, tmp_path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(safety.KEEP_ENV, "2")
    folder = tmp_path / "ledger.db.safety"
    for name in ("五洲村", "杨溪村", "五夫村"):
        result = run("branch", "remove", name, "--yes")
        assert result.exit_code == 0 and str(folder) in result.stderr
    copies = sorted(folder.glob("*-branch-remove.db"))
    assert len(copies) == 2  # the last N kept
    conn = sqlite3.connect(copies[-1])  # the copy before 五夫村 went still has it
    assert conn.execute("SELECT COUNT(*) FROM branch WHERE name LIKE '五夫村%'").fetchone()[0] == 1
    conn.close()
    assert run("liaison", "set", "鲁溪闸村", "--cadre", "许胜和").exit_code == 0
    assert len(list(folder.glob("*.db"))) == 2  # an ordinary write makes none


def test_the_command_line_loses_its_secrets() -> None:
    line = changelog.command_line(["--db", "postgresql://clerk:s3cret@host/ledger", "branch", "list"])
    assert "s3cret" not in line and "clerk:***@host" in line


def test_bulk_import_is_one_entry_with_counts(seeded, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "s.csv"
    data.write_text(
        "党组织,评价主体,指标,测评人,得分\n五夫村,群众初评,工作业绩,甲,10\n五夫村,群众初评,工作业绩,乙,12\n",
        encoding="utf-8",
    )
    start = len(entries(seeded))
    result = run("survey", "import", str(data))
    assert result.exit_code == 0, result.stderr
    (entry,) = entries(seeded, start)
    changes = json.loads(entry["changes"])
    assert {"table": "score", "op": "insert", "rows": 2} in changes
    assert any(c["table"] == "survey_import" and c["after"]["sha256"] for c in changes if "after" in c)
    # A write after it on the same engine images rows again (the triggers are back).
    engine = storage.open_engine(seeded)
    try:
        from jcnian.gradebook import entry as grade_entry

        for _ in range(2):
            with storage.transaction(engine) as session:
                grade_entry.enter_score(session, "五夫村", "组织考评", "工作业绩", 5.0)
    finally:
        engine.dispose()
    last = json.loads(entries(seeded)[-1]["changes"])
    assert last[0]["table"] == "score" and "after" in last[0]


def test_who_is_by_then_the_environment_and_check_finds_a_broken_history(seeded, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(changelog.USER_ENV, "李四")
    assert run("liaison", "set", "鲁溪闸村", "--cadre", "许胜和").exit_code == 0
    assert run("--by", "王芳", "branch", "edit", "马慢桥", "--remarks", "村名补全").exit_code == 0
    assert [e["by"] for e in entries(seeded)[-2:]] == ["李四", "王芳"]
    assert json.loads(run("log", "--until", "2000-01-01", "--format", "json").stdout) == []
    execute(
        seeded,
        "INSERT INTO grade_event (branch_id, step, grade, seq, at) VALUES (1, 'published', '好', 3, '2012-04-01')",
    )
    messages = [p["message"] for p in json.loads(run("check", "--format", "json").stdout)["problems"]]
    assert any("序号为 3" in m for m in messages) and any("之前没有终定" in m for m in messages)
