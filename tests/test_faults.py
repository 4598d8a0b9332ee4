"""Faults of the storage give a Chinese message and exit 1, and leave the ledger as it was.

Disk full is met on a small tmpfs where this user may mount one (else skipped with the
reason), and always through SQLite's own page limit (``PRAGMA max_page_count``), which
raises the very error a full disk does. Read-only files and folders are tried as the user
``nobody`` (root may write anything): a child process loads what the commands need, then
drops to ``nobody`` with ``os.setuid``; skipped where that is impossible.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ledgerkit import engine_of
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine

NOBODY = 65534


def data_tables(db: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read from the file alone (immutable: no -wal or -shm is made)."""
    conn = sqlite3.connect(f"{Path(db).as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        names = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


def every_row(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in key order, on either backend (through the database, not the file)."""
    with engine_of(db) as engine, engine.connect() as conn:
        inspector = inspect(conn)
        out = {}
        for name in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(name)]
            order = inspector.get_pk_constraint(name)["constrained_columns"] or columns
            quoted = ", ".join(f'"{c}"' for c in order)
            out[name] = [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY {quoted}'))]
        return out


def checkpoint(db: str | Path) -> None:
    """Fold the WAL into the file, so the file alone is the ledger (as after a clean exit)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def scores_csv(path: Path, respondents: int) -> Path:
    lines = ["党组织,评价主体,指标,测评人,得分"]
    for branch in ("五夫村", "联桥村", "二都村", "孝丰村"):
        for source in ("群众初评", "党员评议"):
            for indicator in ("工作思路", "工作制度", "活动阵地", "保障机制"):
                lines += [f"{branch},{source},{indicator},测评人{r},{r % 10}" for r in range(respondents)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_clean_failure(result: Any, *words: str) -> None:
    assert result.exit_code == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    for raw in ("内部错误", "Error", "sqlite3", "SQL", "Traceback"):
        assert raw not in result.stderr, result.stderr


# --- disk full ----------------------------------------------------------------------------


@pytest.fixture
def page_limit() -> Iterator[None]:
    """Every connection opened meanwhile may not grow the ledger by a single page."""

    def limit(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        (pages,) = dbapi_conn.execute("PRAGMA page_count").fetchone()
        dbapi_conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")

    event.listen(Engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(Engine, "connect", limit)


@pytest.mark.sqlite_only("a full disk under the SQLite file")
def test_a_write_that_needs_more_room_than_there_is_changes_nothing(
    seeded, db: str, tmp_path: Path, page_limit
) -> None:  # type: ignore[no-untyped-def]
    before = data_tables(db)
    result = seeded("survey", "import", str(scores_csv(tmp_path / "问卷.csv", 40)))
    assert_clean_failure(result, "磁盘已满", "未作改动")
    result = seeded("branch", "add", "新建村党支部", "--category", "农村", "--remarks", "备注" * 3000)
    assert_clean_failure(result, "磁盘已满")
    assert data_tables(db) == before
    assert seeded("branch", "list").exit_code == 0  # reading needs no room


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1.5 MB tmpfs; skipped where this user cannot mount one."""
    folder = tmp_path / "small"
    folder.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(folder)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a small tmpfs here: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


def fill(folder: Path, leave: int) -> None:
    """Take the disk's free space down to ``leave`` bytes."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    filler = folder / f"filler{len(list(folder.glob('filler*')))}"
    filler.write_bytes(b"\0" * max(free - leave, 0))


def test_a_full_disk_refuses_import_and_export_cleanly(run, small_disk: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = small_disk / "ledger.db"
    assert run("--db", str(db), "init").exit_code == 0
    assert run("--db", str(tmp_path / "other.db"), "init").exit_code == 0  # on a disk with room
    before = data_tables(db)
    big = scores_csv(tmp_path / "问卷.csv", 200)  # about 1 MB of pages, more than is left
    fill(small_disk, leave=256 * 1024)
    result = run("--db", str(db), "survey", "import", str(big))
    assert_clean_failure(result, "磁盘已满", "未作改动")
    assert data_tables(db) == before
    fill(small_disk, leave=40 * 1024)  # room to read the ledger (its -shm), not for a workbook
    result = run("--db", str(db), "export", "xlsx", "--month", "2012-05", "-o", str(small_disk / "月报.xlsx"))
    assert_clean_failure(result, "磁盘已满", "未写出")
    assert sorted(p.name for p in small_disk.iterdir() if not p.name.startswith("ledger.db")) == [
        "filler0",
        "filler1",
    ]
    fill(small_disk, leave=0)  # nothing left at all: even SQLite's -shm cannot be made
    result = run("--db", str(db), "branch", "add", "新建村党支部", "--category", "农村")
    assert_clean_failure(result, "磁盘已满")
    with (small_disk / "表.json").open("wb") as out:  # `> file` on the full disk
        done = subprocess.run(
            [sys.executable, "-m", "jcnian", "--db", str(tmp_path / "other.db"), "export", "json", "branch"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1 and "磁盘已满" in done.stderr and "内部错误" not in done.stderr, done.stderr
    for filler in small_disk.glob("filler*"):
        filler.unlink()
    assert data_tables(db) == before


# --- read-only file and folder (as nobody) ------------------------------------------------

AS_NOBODY = r"""
import json, os, shutil, sys, tempfile
from typer.testing import CliRunner
from jcnian.cli import app

db, commands, uid = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
runner = CliRunner()
warm = tempfile.mkdtemp()
try:  # as root, on a copy: every module the commands need is loaded before the switch
    copy = os.path.join(warm, "warm.db")
    shutil.copy(db, copy)
    for args in commands:
        runner.invoke(app, ["--db", copy, *[a.replace("{out}", warm) for a in args]])
finally:
    shutil.rmtree(warm)
os.setgid(uid)
os.setuid(uid)
results = []
for args in commands:
    r = runner.invoke(app, ["--db", db, *[a.replace("{out}", os.path.dirname(db)) for a in args]])
    results.append([r.exit_code, r.stdout, r.stderr])
print(json.dumps(results, ensure_ascii=False))
"""


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


def as_nobody(db: Path, *commands: tuple[str, ...]) -> list[Result]:
    done = subprocess.run(
        [sys.executable, "-c", AS_NOBODY, str(db), json.dumps(commands), str(NOBODY)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=db.parent.parent,
    )
    assert done.returncode == 0, done.stderr
    return [Result(*r) for r in json.loads(done.stdout)]


@pytest.fixture
def shared(seeded, db: str) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A copy of the seeded ledger in a folder ``nobody`` owns, reachable by ``nobody``."""
    if os.geteuid() != 0:
        pytest.skip("needs root to act as nobody (a non-root run is itself the test of permissions)")
    checkpoint(db)
    top = Path(tempfile.mkdtemp(prefix="jcnian-faults-", dir="/tmp"))
    try:
        top.chmod(0o755)
        folder = top / "ledger"
        folder.mkdir()
        ledger = folder / "ledger.db"
        shutil.copy(db, ledger)
        (folder / "问卷.csv").write_text(
            "党组织,评价主体,指标,得分\n五夫村,组织考评,工作思路,7\n", encoding="utf-8"
        )
        for path in (folder, ledger, folder / "问卷.csv"):
            os.chown(path, NOBODY, NOBODY)
        yield ledger
    finally:
        shutil.rmtree(top, ignore_errors=True)


READS = (
    ("branch", "list", "--format", "json"),
    ("status", "--as-of", "2012-05-10"),
    ("grade", "list"),
)
WRITES = (
    ("branch", "add", "新建村党支部", "--category", "农村"),
    ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "15"),
)


@pytest.mark.sqlite_only("file permissions of the SQLite ledger")
def test_a_read_only_ledger_file_can_be_read_not_written_and_written_again_once_writable(
    shared: Path,
) -> None:
    before = data_tables(shared)
    shared.chmod(0o444)
    results = as_nobody(
        shared,
        *READS,
        ("export", "xlsx", "--month", "2012-05", "-o", "{out}/月报.xlsx"),
        *WRITES,
        ("survey", "import", str(shared.parent / "问卷.csv")),
    )
    for r in results[: len(READS) + 1]:
        assert r.exit_code == 0, r.stderr
    for r in results[len(READS) + 1 :]:
        assert_clean_failure(r, "只读", "未作改动")
    assert (shared.parent / "月报.xlsx").stat().st_size > 0
    assert data_tables(shared) == before
    # A read of the read-only file left SQLite's side files read-only too (as SQLite makes
    # them like the file); once the file is writable again they must not block a write.
    side = Path(f"{shared}-shm")
    if not side.exists():
        side.write_bytes(b"")
        os.chown(side, NOBODY, NOBODY)
    side.chmod(0o444)
    shared.chmod(0o644)
    (added,) = as_nobody(shared, WRITES[0])
    assert added.exit_code == 0, added.stderr
    checkpoint(shared)
    assert len(data_tables(shared)["branch"]) == len(before["branch"]) + 1


@pytest.mark.sqlite_only("file permissions of the SQLite ledger")
def test_a_ledger_in_a_read_only_folder_can_be_read_not_written(shared: Path) -> None:
    before = data_tables(shared)
    shared.parent.chmod(0o555)
    results = as_nobody(
        shared,
        *READS,
        *WRITES,
        ("export", "xlsx", "--month", "2012-05", "-o", "{out}/月报.xlsx"),
    )
    for r in results[: len(READS)]:
        assert r.exit_code == 0, r.stderr
    assert json.loads(results[0].stdout)[0]["name"] == "五夫村党总支"
    for r in results[len(READS) : len(READS) + len(WRITES)]:
        assert_clean_failure(r, str(shared.parent), "不可写", "未作改动")
    assert_clean_failure(results[-1], "没有写权限")
    assert sorted(p.name for p in shared.parent.iterdir()) == ["ledger.db", "问卷.csv"]
    assert data_tables(shared) == before


# --- a damaged ledger, an impossible number ------------------------------------------------


@pytest.mark.sqlite_only("damages the SQLite file")
def test_a_damaged_ledger_refuses_writes_and_reads_say_so(seeded, db: str) -> None:
    checkpoint(db)
    conn = sqlite3.connect(db)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'branch'").fetchone()
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with open(db, "r+b") as f:  # the branch table's page, overwritten as a bad sector would be
        f.seek((root - 1) * size + 8)
        f.write(b"\xff" * 64)
    damaged = Path(db).read_bytes()
    result = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "15")
    assert_clean_failure(result, "已损坏", "未作改动")
    result = seeded(
        "problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12"
    )
    assert_clean_failure(result, "已损坏")
    assert Path(db).read_bytes() == damaged
    result = seeded("branch", "list")
    assert_clean_failure(result, "已损坏")


@pytest.mark.parametrize(
    "args",
    [
        ("grade", "ballot", "五夫村", "好=99999999999999999999"),
        (
            "grade",
            "ballot",
            "五夫村",
            "好=3000000000",
        ),  # SQLite could keep it, PostgreSQL not: neither takes it
        ("mobilize", "meeting", "五夫村", "--on", "2012-04-10", "--attendance", "99999999999999999999"),
    ],
)
def test_a_number_too_large_to_store_is_refused_in_chinese(seeded, db: str, args: tuple[str, ...]) -> None:
    before = every_row(db)
    result = seeded(*args)
    assert result.exit_code == 2 and "数值太大" in result.stderr and "2147483647" in result.stderr
    assert every_row(db) == before


@pytest.mark.parametrize(
    "orig",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        type("Pg", (Exception,), {"sqlstate": "22003"})(),
    ],
)
def test_a_number_the_database_cannot_hold_is_a_chinese_refusal_not_a_crash(orig: BaseException) -> None:
    from sqlalchemy.exc import DBAPIError

    from jcnian.db import storage_fault
    from jcnian.errors import InvalidInput

    exc = orig if isinstance(orig, OverflowError) else DBAPIError("INSERT", {}, orig)
    fault = storage_fault(exc)
    assert isinstance(fault, InvalidInput) and "数值太大" in fault.message and "未作改动" in fault.message


# --- export targets and temporary files ---------------------------------------------------


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_output_must_be_a_regular_file_or_a_new_path_even_with_force(
    seeded, tmp_path: Path, kind: str
) -> None:
    if kind == "device":
        target = Path(os.devnull)
    else:
        target = tmp_path / "管道"
        os.mkfifo(target)
    for args in (
        ("export", "xlsx", "--month", "2012-05", "-o", str(target), "--force"),
        ("export", "csv", "branch", "-o", str(target), "--force"),
        ("export", "json", "branch", "-o", str(target), "--force"),
    ):
        assert_clean_failure(seeded(*args), "不是普通文件")
    assert target.exists() and not target.is_file()
    assert not list(tmp_path.glob(".*.tmp*"))


KILLED_IN_XLSXWRITER = """
import os, signal, sys
import xlsxwriter.workbook
from jcnian.cli import main

def killed(self, *args, **kwargs):  # the worksheets are on disk, the zip not yet written
    os.kill(os.getpid(), signal.SIGKILL)

xlsxwriter.workbook.Workbook._store_workbook = killed
sys.argv = ["jcnian", *sys.argv[1:]]
main()
"""


def test_a_killed_export_leaves_no_temporary_files_after_the_next_run(
    seeded, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IN_XLSXWRITER)
    args = ["--db", db, "export", "xlsx", "--month", "2012-05", "-o", str(out / "月报-05.xlsx")]
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "TMPDIR": str(system_tmp)},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert list(system_tmp.iterdir()) == []  # xlsxwriter's files went beside the target
    left = sorted(p.name for p in out.iterdir())
    assert left and all(name.startswith(".月报-05.xlsx.") for name in left)
    assert not (out / "月报-05.xlsx").exists()
    # The next month's run in the same folder removes what the killed one left.
    assert seeded("export", "xlsx", "--month", "2012-06", "-o", str(out / "月报-06.xlsx")).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["月报-06.xlsx"]


def test_init_names_a_missing_folder_instead_of_creating_it(run, tmp_path: Path) -> None:
    target = tmp_path / "没有的文件夹" / "ledger.db"
    result = run("--db", str(target), "init")
    assert_clean_failure(result, str(target.parent), "不存在")
    assert not target.parent.exists()
