"""Ledgers made by the released schema versions 1 and 2 (tests/fixtures, the demo as those
versions wrote it, kept as SQL dumps) upgrade to this program's schema without losing a value."""

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("version", [1, 2])
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
        if table == "meta":
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
