"""Ledgers made by the released schema versions 1, 2 and 6 (tests/fixtures, the demo as those
versions wrote it, kept as SQL dumps; v6's without its change-log entry) upgrade to this program's schema without losing a value,
through Alembic's revisions (jcnian/migrations); ``db current`` and ``db upgrade`` as a contract;
a ledger of a newer program is refused untouched; a current ledger starts without Alembic."""

import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jcnian import migrations
from jcnian.models import SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Columns an upgrade moves on purpose: schema 4 turns these texts into gate_override rows.
MOVED = {("grade_event", "override"), ("acceptance_decision", "override")}


def _ledger(version: int, target: Path) -> Path:
    conn = sqlite3.connect(target)
    conn.executescript(gzip.decompress((FIXTURES / f"ledger-v{version}.sql.gz").read_bytes()).decode("utf-8"))
    conn.close()
    return target


def _rows(path: Path) -> dict[str, dict[int, dict]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        key = "id" if "id" in columns else "rowid"
        out[name] = {r[0]: dict(r) for r in conn.execute(f'SELECT {key} AS _k, * FROM "{name}"')}
    conn.close()
    return out


@pytest.mark.parametrize("version", [1, 2, 6])
def test_an_old_ledger_upgrades_without_losing_a_value(version: int, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    ledger = _ledger(version, tmp_path / "old.db")
    before = _rows(ledger)
    assert before["meta"]  # a real ledger of that version
    current = run("--db", str(ledger), "db", "current")
    assert current.exit_code == 0 and current.stdout.strip() == str(version)
    result = run("--db", str(ledger), "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert "安全副本" in result.stderr or "备份到" in result.stderr
    (copy,) = (tmp_path / "old.db.safety").glob(f"*-upgrade-from-v{version}.db")
    assert _rows(copy) == before  # the copy is the ledger as it was
    after = _rows(ledger)
    assert run("--db", str(ledger), "db", "current").stdout.strip() == str(SCHEMA_VERSION)
    moved = []
    for table, rows in before.items():
        if table in ("meta", "alembic_version"):  # the version, which the upgrade moves on
            continue
        for key, row in rows.items():
            assert key in after[table], (table, key)
            for column, value in row.items():
                if (table, column) in MOVED:
                    if value is not None:
                        moved.append((table, key, value))
                    continue
                assert after[table][key][column] == value, (table, key, column)
    reasons = {r["id"]: r["reason"] for r in after["gate_override"].values()}
    for table, key, value in moved:
        assert reasons[after[table][key]["override_id"]] == value
    assert json.loads(run("--db", str(ledger), "check", "--format", "json").stdout)["problems"] == []
    assert _revisions(ledger) == [migrations.HEAD]
    assert after["meta"]  # meta.schema_version kept in step with the revision
    assert {r["value"] for r in after["meta"].values() if r["key"] == "schema_version"} == {
        str(SCHEMA_VERSION)
    }
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "init").exit_code == 0
    assert _shape(ledger) == _shape(fresh)  # the same columns, keys and unique indexes as a new ledger
    if version == 6:  # schema 7: a supervision names its body; the records made before do not
        assert before["supervision"] and all(r["body"] is None for r in after["supervision"].values())


def _revisions(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    finally:
        conn.close()


def _shape(path: Path) -> dict[str, object]:
    """What the schema holds a value to: columns (type, not null, key), foreign keys with their
    ON DELETE, unique indexes; not the text SQLite keeps of how each table was made."""
    conn = sqlite3.connect(path)
    out: dict[str, object] = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        columns = sorted(
            (r[1], r[2].upper(), r[3], r[5]) for r in conn.execute(f'PRAGMA table_info("{name}")')
        )
        keys = sorted((r[2], r[3], r[4], r[6]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")'))
        unique = sorted(
            tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{i[1]}")'))
            for i in conn.execute(f'PRAGMA index_list("{name}")')
            if i[2]
        )
        out[name] = (columns, keys, unique)
    conn.close()
    return out


# --- db current, db upgrade ----------------------------------------------------------------


def _current(run, ledger: Path) -> dict:  # type: ignore[no-untyped-def]
    result = run("--db", str(ledger), "db", "current", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_db_current_says_the_ledgers_schema_and_this_programs(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "new.db"
    assert run("--db", str(new), "init").exit_code == 0
    assert _current(run, new) == {
        "ledger": str(new),
        "schema_version": SCHEMA_VERSION,
        "revision": migrations.HEAD,
        "program_schema_version": SCHEMA_VERSION,
        "program_revision": migrations.HEAD,
        "state": "current",
    }
    old = _ledger(1, tmp_path / "old.db")
    found = _current(run, old)
    assert (found["schema_version"], found["revision"], found["state"]) == (1, None, "older")
    assert not (tmp_path / "old.db.safety").exists()  # db current changes nothing


def test_db_upgrade_twice_changes_nothing_the_second_time(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    ledger = _ledger(2, tmp_path / "old.db")
    assert run("--db", str(ledger), "db", "upgrade").exit_code == 0
    rows, schema = _rows(ledger), _schema(ledger)
    copies = sorted((tmp_path / "old.db.safety").iterdir())
    again = run("--db", str(ledger), "db", "upgrade")
    assert again.exit_code == 0, again.stderr
    assert "无需升级" in again.stderr
    assert (_rows(ledger), _schema(ledger)) == (rows, schema)
    assert sorted((tmp_path / "old.db.safety").iterdir()) == copies  # no second safety copy
    assert _current(run, ledger)["state"] == "current"


def _schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()


def test_a_write_upgrades_an_older_ledger_after_a_safety_copy(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    ledger = _ledger(1, tmp_path / "old.db")
    before = _rows(ledger)
    result = run("--db", str(ledger), "branch", "edit", "五夫村", "--remarks", "升级后第一笔")
    assert result.exit_code == 0, result.stderr
    (copy,) = (tmp_path / "old.db.safety").glob("*-upgrade-from-v1.db")
    assert str(copy) in result.stderr  # says where
    assert _rows(copy) == before
    assert _current(run, ledger)["state"] == "current"


@pytest.mark.parametrize(
    "newer",
    [
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        "UPDATE alembic_version SET version_num = 'v99'",
        "UPDATE alembic_version SET version_num = 'f00dfeed1234'",  # another program's revision
    ],
)
@pytest.mark.parametrize(
    "command", [("branch", "list"), ("branch", "edit", "五夫村", "--remarks", "x"), ("db", "upgrade")]
)
def test_a_ledger_of_a_newer_program_is_refused_untouched(
    tmp_path: Path, run, newer: str, command: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "newer.db"
    assert run("--db", str(ledger), "init").exit_code == 0
    conn = sqlite3.connect(ledger)
    conn.execute(newer)
    conn.commit()
    conn.close()
    rows, schema = _rows(ledger), _schema(ledger)
    result = run("--db", str(ledger), *command)
    assert result.exit_code == 1
    assert "请升级 jcnian" in result.stderr and "Traceback" not in result.stderr
    assert (_rows(ledger), _schema(ledger)) == (rows, schema)
    assert not (tmp_path / "newer.db.safety").exists()
    assert _current(run, ledger)["state"] == "newer"


def test_a_current_ledger_from_before_alembic_is_read_as_it_is_and_stamped_by_a_write(
    tmp_path: Path, run
) -> None:  # type: ignore[no-untyped-def]
    """A ledger of this schema version written before Alembic has no alembic_version: a read
    leaves it alone (it may sit in a read-only folder), a write records the revision, without
    a safety copy (no table changes)."""
    ledger = tmp_path / "before.db"
    assert run("--db", str(ledger), "init").exit_code == 0
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()
    assert run("--db", str(ledger), "branch", "list").exit_code == 0
    assert "alembic_version" not in {r[1] for r in _schema(ledger)}
    assert _current(run, ledger)["state"] == "older"
    assert run("--db", str(ledger), "branch", "edit", "五夫村", "--remarks", "x").exit_code == 0
    assert _revisions(ledger) == [migrations.HEAD]
    assert not (tmp_path / "before.db.safety").exists()


def test_the_scripts_have_one_head_the_programs_schema_version() -> None:
    from alembic.script import ScriptDirectory

    assert migrations.heads() == [migrations.HEAD] == [f"v{SCHEMA_VERSION}"]
    script = ScriptDirectory.from_config(migrations.config())
    chain = [r.revision for r in script.walk_revisions()]
    assert chain == [migrations.revision(v) for v in range(SCHEMA_VERSION, 0, -1)]


def test_a_current_ledger_starts_without_loading_alembic(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "current.db"
    assert run("--db", str(ledger), "init").exit_code == 0

    def imported(*args: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "jcnian", "--db", str(ledger), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}

    listed = imported("branch", "list")
    assert "jcnian.db" in listed  # the ledger was opened
    assert not {m for m in listed if m.split(".")[0] == "alembic"}
    conn = sqlite3.connect(ledger)
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert "alembic" in imported("branch", "list")  # only an upgrade loads it


def test_check_finds_a_revision_out_of_step_and_restore_refuses_an_unknown_one(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    ledger, backup = tmp_path / "a.db", tmp_path / "b.db"
    assert run("--db", str(ledger), "init").exit_code == 0
    assert run("--db", str(backup), "init").exit_code == 0
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'v3'")
    conn.commit()
    conn.close()
    checked = run("--db", str(backup), "check", "--format", "json")
    assert checked.exit_code == 1
    assert [p["check"] for p in json.loads(checked.stdout)["problems"]] == ["schema"]
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'v99'")
    conn.commit()
    conn.close()
    rows = _rows(ledger)
    refused = run("--db", str(ledger), "restore", str(backup), "--yes")
    assert refused.exit_code == 1 and "请升级 jcnian" in refused.stderr
    assert _rows(ledger) == rows
