"""A process killed in the middle of an import leaves the ledger exactly as it was."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

SOURCES = ("群众初评", "党员评议", "支部自评", "组织考评")
INDICATORS = ("党组织带头人", "工作思路", "工作制度", "活动阵地", "保障机制", "工作业绩", "群众评价")
RESPONDENTS = 150  # 32 branches × 4 sources × 7 indicators × 150 = 134,400 rows


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("score", "deduction", "ballot", "survey_import")
        }


def big_file(tmp_path: Path, branches: list[str]) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        f.write("党组织,评价主体,指标,测评人,得分\n")
        for name in branches:
            for source in SOURCES:
                for indicator in INDICATORS:
                    f.writelines(
                        f"{name},{source},{indicator},测评人{r},{r % 10}\n" for r in range(RESPONDENTS)
                    )
    return path


def start_import(db: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "jcnian", "--db", str(db), "survey", "import", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], limit: float = 60) -> int:
    deadline = time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    return proc.wait()


@pytest.mark.sqlite_only("kills the import as SQLite's WAL file grows; checks SQLite's integrity_check")
def test_sigkill_mid_import_leaves_the_ledger_as_before(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = Path(db)
    small = tmp_path / "small.csv"
    small.write_text("党组织,好,较好,一般,较差\n五夫村,10,2,1,0\n", encoding="utf-8")
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("党组织,评价主体,指标,得分\n联桥村,组织考评,工作思路,7\n", encoding="utf-8")
    assert seeded("survey", "import", str(small), str(earlier)).exit_code == 0
    with sqlite3.connect(ledger) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM branch ORDER BY seq")]
    path = big_file(tmp_path, names)
    before = snapshot(ledger)
    wal = Path(f"{ledger}-wal")

    # Killed while the rows are being written into the ledger's pages (the WAL grows)…
    proc = start_import(ledger, path)
    code = kill_when(proc, lambda: wal.exists() and wal.stat().st_size > 1_000_000)
    assert code == -signal.SIGKILL, "the import finished before it could be killed"
    assert snapshot(ledger) == before

    # …and while it is still reading and checking the file.
    proc = start_import(ledger, path)
    started = time.monotonic()
    code = kill_when(proc, lambda: time.monotonic() - started > 0.8)
    assert code == -signal.SIGKILL
    assert snapshot(ledger) == before

    # The ledger is not left locked or damaged: the same import then goes through whole.
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    after = snapshot(ledger)
    assert len(after["score"]) == len(before["score"]) + len(names) * 4 * 7 * RESPONDENTS
    assert after["ballot"] == before["ballot"]
