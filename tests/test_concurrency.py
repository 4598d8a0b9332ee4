"""Two clerks at once: writes are serialised, never lost or doubled; every report reads one snapshot.

Each race forks one process per clerk (each with its own SQLite connection, as two
terminals have) and starts their commands at the same moment behind a barrier. TRIALS
bounds each race (20 by default; ``JCNIAN_RACE_TRIALS=100`` runs the long version by hand).
Before the ledger took its write lock ahead of the first read, the score race lost a value
in about half of these trials.
"""

import csv
import itertools
import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from jcnian.cli import app
from jcnian.db import PG_WRITE_LOCK

TRIALS = int(os.environ.get("JCNIAN_RACE_TRIALS", "20"))
FORK = multiprocessing.get_context("fork")
SOURCES = ("群众初评", "党员评议", "支部自评", "组织考评")
INDICATORS = {
    "党组织带头人": 15,
    "工作思路": 10,
    "工作制度": 10,
    "活动阵地": 10,
    "保障机制": 10,
    "工作业绩": 20,
    "群众评价": 25,
}
BUSY = "账本正被另一个程序占用，请稍后再试"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def _clerk(barrier: Any, conn: Any, db: str, args: tuple[str, ...], env: dict[str, str]) -> None:
    try:
        os.environ.update(env)
        barrier.wait(timeout=60)
        result = CliRunner().invoke(app, ["--db", db, *args])
        conn.send((result.exit_code, result.stdout, result.stderr))
    except BaseException as exc:  # reported to the parent, never hidden
        conn.send((99, "", repr(exc)))
    finally:
        conn.close()
        os._exit(0)


def race(db: str, *commands: tuple[str, ...], env: dict[str, str] | None = None) -> list[Outcome]:
    """Run each command in its own process, all released at the same moment."""
    barrier = FORK.Barrier(len(commands))
    started = []
    for args in commands:
        receive, send = FORK.Pipe(duplex=False)
        proc = FORK.Process(target=_clerk, args=(barrier, send, db, args, env or {}))
        proc.start()
        send.close()
        started.append((proc, receive))
    outcomes = []
    for proc, receive in started:
        assert receive.poll(120), "a clerk's command did not finish"
        outcomes.append(Outcome(*receive.recv()))
        proc.join(30)
        assert proc.exitcode == 0
    return outcomes


def _pg(db: str) -> Any:
    """A psycopg connection to the PostgreSQL ledger at URL ``db``."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(db)
    return psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def rows(db: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    if "://" in db:  # PostgreSQL: the same query, its values as SQLite gives them (dates as text)
        with _pg(db) as pg:
            return [tuple(map(_plain, r)) for r in pg.execute(sql.replace("?", "%s"), params).fetchall()]
    conn = sqlite3.connect(db)  # closed at once: no connection may be open when clerks fork
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def data_tables(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows: the ledger's data, to compare before and after."""
    if "://" in db:
        with _pg(db) as pg:
            names = [
                n
                for (n,) in pg.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
                )
            ]
            return {n: pg.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    conn = sqlite3.connect(db)
    try:
        names = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
print("locked", flush=True)
if float(sys.argv[2]) > 0:
    time.sleep(float(sys.argv[2]))
else:
    sys.stdin.readline()
conn.execute("COMMIT")
"""


HOLD_PG = f"""
import sys, time, psycopg
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
conn = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True)
conn.execute("SELECT pg_advisory_lock({PG_WRITE_LOCK})")
print("locked", flush=True)
if float(sys.argv[2]) > 0:
    time.sleep(float(sys.argv[2]))
else:
    sys.stdin.readline()
conn.close()
"""


@contextmanager
def lock_held(db: str, seconds: float = 0) -> Iterator[None]:
    """Another program holds the ledger's write lock (for ``seconds``, or until the block ends).

    A process of its own: a lock held in this one would be copied, as held, into the
    forked clerks (SQLite's locks must not cross a fork).
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_PG if "://" in db else HOLD, db, str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        if seconds <= 0:
            holder.communicate("release\n", timeout=30)
        assert holder.wait(30) == 0


def scores_file(path: Path, off: int, branches: list[str]) -> Path:
    """Full marks from every source, less ``off`` on each indicator from 组织考评."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["党组织", "评价主体", "指标", "得分"])
        for name in branches:
            for source in SOURCES:
                for indicator, full in INDICATORS.items():
                    writer.writerow([name, source, indicator, full - off if source == "组织考评" else full])
    return path


def branch_names(db: str) -> list[str]:
    return [n for (n,) in rows(db, "SELECT name FROM branch ORDER BY seq")]


# --- races ----------------------------------------------------------------------------


def test_two_scores_on_one_cell_lose_nothing_and_each_says_the_true_old_value(seeded, db: str) -> None:
    cell = ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p")
    for trial in range(TRIALS):
        base, a, b = 3, 5 + trial % 7, 13 + trial % 7
        assert seeded(*cell, str(base)).exit_code == 0
        first, second = race(db, (*cell, str(a)), (*cell, str(b)))
        assert first.exit_code == second.exit_code == 0, (first.stderr, second.stderr)
        was = [int(re.search(r"原为 (\d+)", o.stderr).group(1)) for o in (first, second)]  # type: ignore[union-attr]
        (final,) = rows(db, "SELECT points FROM score WHERE source='组织考评' AND indicator='工作业绩'")
        # One went first and saw the base; the other saw the first one's value and won.
        assert (was, final[0]) in (([base, a], b), ([b, base], a)), (trial, was, final)


def test_two_computes_at_once_write_one_set_of_grade_events(seeded, db: str, tmp_path: Path) -> None:
    names = branch_names(db)
    files = [scores_file(tmp_path / f"组织考评{off}.csv", off, names) for off in (0, 3)]
    assert seeded("survey", "import", str(files[0])).exit_code == 0
    compute = ("grade", "compute", "--as-of", "2012-04-20")
    for trial in range(max(TRIALS // 2, 1)):  # half: each trial also re-imports 896 scores
        # Every branch's organisation score moves, so each compute has 32 proposals to record.
        assert seeded("survey", "import", str(files[(trial + 1) % 2]), "--replace").exit_code == 0
        before = rows(db, "SELECT COUNT(*) FROM grade_event")[0][0]
        outcomes = race(db, compute, compute)
        assert all(o.exit_code == 0 for o in outcomes), [o.stderr for o in outcomes]
        said = sorted(int(re.search(r"新记录 (\d+) 条", o.stderr).group(1)) for o in outcomes)  # type: ignore[union-attr]
        after = rows(db, "SELECT COUNT(*) FROM grade_event")[0][0]
        assert said == [0, len(names)] and after - before == len(names), (trial, said, after - before)
    events = rows(db, "SELECT branch_id, seq, grade, score FROM grade_event ORDER BY branch_id, seq")
    assert len(events) == len(set((b, s) for b, s, *_ in events))
    for (b1, _, g1, s1), (b2, _, g2, s2) in itertools.pairwise(events):
        assert (b1, g1, s1) != (b2, g2, s2), "the same proposal twice in a row"


def test_the_same_problem_from_two_clerks_is_entered_once(seeded, db: str) -> None:
    for trial in range(TRIALS):
        add = (
            "problem",
            "add",
            "五夫村",
            f"活动阵地面积不足（{trial}）",
            "--source",
            "座谈会",
            "--on",
            "2012-04-12",
        )
        outcomes = race(db, add, add)
        assert all(o.exit_code == 0 for o in outcomes), [o.stderr for o in outcomes]
        said = sorted("已记入台账" in o.stderr for o in outcomes)
        assert said == [False, True] and any("已有此问题" in o.stderr for o in outcomes)
        assert rows(db, "SELECT COUNT(*) FROM problem WHERE text = ?", f"活动阵地面积不足（{trial}）") == [
            (1,)
        ]
    assert "内部错误" not in "".join(o.stderr for o in outcomes)


def test_the_same_file_imported_twice_at_once_is_written_and_logged_once(
    seeded, db: str, tmp_path: Path
) -> None:
    for trial in range(max(TRIALS // 2, 1)):
        path = tmp_path / f"问卷{trial}.csv"
        path.write_text(
            f"党组织,评价主体,指标,测评人,得分\n五夫村,群众初评,工作思路,测评人{trial},7\n"
            f"联桥村,群众初评,工作思路,测评人{trial},{trial % 10}\n",
            encoding="utf-8",
        )
        outcomes = race(db, ("survey", "import", str(path)), ("survey", "import", str(path)))
        assert all(o.exit_code == 0 for o in outcomes), [o.stderr for o in outcomes]
        assert sorted("已导入" in o.stderr for o in outcomes) == [False, True]
        assert any("内容账本中已全部有了" in o.stderr for o in outcomes)
        assert rows(db, "SELECT COUNT(*) FROM survey_import WHERE file_name = ?", path.name) == [(1,)]
    assert rows(db, "SELECT COUNT(*) FROM score") == [(2 * (trial + 1),)]


# --- waiting for the lock ---------------------------------------------------------------


def test_imports_wait_for_a_write_that_holds_the_ledger_four_seconds(seeded, db: str, tmp_path: Path) -> None:
    files = []
    for i, name in enumerate(("五夫村", "联桥村", "二都村")):
        path = tmp_path / f"测评{i}.csv"
        path.write_text(f"党组织,评价主体,指标,得分\n{name},组织考评,工作思路,{7 + i}\n", encoding="utf-8")
        files.append(path)
    score = ("grade", "score", "孝丰村", "-s", "组织考评", "-i", "工作业绩", "-p", "15")
    started = time.monotonic()
    with lock_held(db, seconds=4):
        # Reads do not wait for a writer: they see the ledger as it was committed.
        listed = seeded("branch", "list", "--format", "json")
        assert listed.exit_code == 0 and time.monotonic() - started < 3.5
        outcomes = race(db, *(("survey", "import", str(f)) for f in files), score)
    assert time.monotonic() - started >= 4
    assert all(o.exit_code == 0 for o in outcomes), [o.stderr for o in outcomes]
    assert all("正在等待" in o.stderr for o in outcomes)
    points = rows(db, "SELECT points FROM score ORDER BY points")
    assert points == [(7.0,), (8.0,), (9.0,), (15.0,)]


def test_past_the_busy_timeout_every_write_says_so_and_changes_nothing(
    seeded, db: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JCNIAN_BUSY_TIMEOUT", "0.25")
    path = tmp_path / "测评.csv"
    path.write_text("党组织,评价主体,指标,得分\n五夫村,组织考评,工作思路,7\n", encoding="utf-8")
    writes = [
        ("survey", "import", str(path)),
        ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "15"),
        ("branch", "add", "新建村党支部", "--category", "农村"),
        ("grade", "compute"),
        ("problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12"),
    ]
    before = data_tables(db)
    with lock_held(db):
        for args in writes:
            result = seeded(*args)
            assert result.exit_code == 1, (args, result.stderr)
            assert BUSY in result.stderr and "0.25 秒" in result.stderr, result.stderr
            assert "内部错误" not in result.stderr and "OperationalError" not in result.stderr
        assert seeded("status", "--as-of", "2012-05-10").exit_code == 0
    after = data_tables(db)
    after["meta"] = before["meta"]  # the lock holder's no-op update
    assert after == before


def test_a_bad_busy_timeout_is_refused_in_chinese(seeded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JCNIAN_BUSY_TIMEOUT", "半分钟")
    result = seeded("branch", "list")
    assert result.exit_code == 1 and "JCNIAN_BUSY_TIMEOUT" in result.stderr and "秒数" in result.stderr


# --- one snapshot per report ------------------------------------------------------------


def test_a_workbook_exported_while_a_branch_is_added_is_true_to_one_moment(
    seeded, db: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A branch added (and committed) by another program half-way through the export appears
    on no sheet of that workbook, and on every sheet of the next one."""
    from jcnian.campaign import projects

    real = projects.list_projects
    added = []

    def add_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not added:  # another program's write, committed while the export reads
            insert = (
                "INSERT INTO branch (campaign_id, seq, name, form, category_id) "
                "SELECT campaign_id, 99, '新建村党支部', '党支部', category_id FROM branch WHERE seq = 1"
            )
            if "://" in db:
                with _pg(db) as pg:
                    pg.execute(insert)
            else:
                conn = sqlite3.connect(db)
                with conn:
                    conn.execute(insert)
                conn.close()
            added.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(projects, "list_projects", add_meanwhile)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert seeded("export", "xlsx", "--month", "2012-05", "-o", str(first)).exit_code == 0
    assert added and "新建村党支部" in {n for (n,) in rows(db, "SELECT name FROM branch")}
    assert seeded("export", "xlsx", "--month", "2012-05", "-o", str(second)).exit_code == 0

    def sheets_naming(path: Path) -> set[str]:
        book = openpyxl.load_workbook(path, read_only=True)
        return {
            ws.title
            for ws in book
            if any("新建村党支部" in str(c) for r in ws.iter_rows(values_only=True) for c in r)
        }

    assert sheets_naming(first) == set()
    assert {"联系表", "分类定级"} <= sheets_naming(second)


def test_a_read_transaction_sees_one_snapshot(seeded, db: str) -> None:
    from sqlmodel import func, select

    from jcnian import db as storage
    from jcnian.models import Branch

    reader = storage.open_engine(db, write=False)
    with storage.transaction(reader, write=False) as session:
        count = session.exec(select(func.count()).select_from(Branch)).one()
        assert seeded("branch", "add", "新建村党支部", "--category", "农村").exit_code == 0
        assert session.exec(select(func.count()).select_from(Branch)).one() == count
    reader.dispose()
    assert rows(db, "SELECT COUNT(*) FROM branch") == [(count + 1,)]


# --- uniqueness in the schema -----------------------------------------------------------


@pytest.mark.sqlite_only("reads SQLite's catalogue (sqlite_master, PRAGMA index_list)")
def test_the_schema_refuses_a_second_event_at_one_place_and_a_second_log_of_one_import(
    seeded, db: str
) -> None:
    indexes = {
        n: s
        for n, s in rows(db, "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    }
    assert "UNIQUE" in indexes["ux_grade_event_seq"] and "UNIQUE" in indexes["ux_survey_import_once"]
    uniques = Counter()
    for (table,) in rows(db, "SELECT name FROM sqlite_master WHERE type='table'"):
        uniques[table] = sum(1 for r in rows(db, f'PRAGMA index_list("{table}")') if r[2])
    for table in (
        "problem",
        "monthly_report",
        "score",
        "ballot",
        "grade_event",
        "survey_import",
        "visit",
        "project",
    ):
        assert uniques[table] >= 1, table
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO grade_event (branch_id, step, at, seq) VALUES (1, 'proposed', '2012-04-20', 1)"
        )
        conn.execute(
            "INSERT INTO grade_event (branch_id, step, at, seq) VALUES (1, 'proposed', '2012-04-20', 1)"
        )
    conn.close()


@pytest.mark.sqlite_only("upgrades an SQLite fixture ledger (tests/fixtures)")
def test_a_version_2_ledger_loses_its_doubled_events_and_gains_the_unique_indexes(seeded, db: str) -> None:
    """What two computes at once wrote before version 3 (every proposal twice) is kept once."""
    assert seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "15").exit_code == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP INDEX ux_grade_event_seq")
        conn.execute("DROP INDEX ux_survey_import_once")
        conn.execute("ALTER TABLE grade_event DROP COLUMN seq")
        conn.execute("ALTER TABLE survey_import DROP COLUMN follows")
        insert = 'INSERT INTO grade_event (branch_id, step, grade, score, "on", at) VALUES (?, ?, ?, ?, ?, ?)'
        for branch, step, grade, score in [
            (1, "proposed", "好", 91.0),
            (1, "proposed", "好", 91.0),
            (2, "proposed", "一般", 70.0),
            (1, "final", "好", 91.0),
            (2, "proposed", "一般", 70.0),
            (1, "proposed", "好", 91.0),
        ]:
            conn.execute(insert, (branch, step, grade, score, "2012-04-20", "2012-04-20 08:00:00"))
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.close()
    assert seeded("branch", "list").exit_code == 0
    kept = rows(db, "SELECT branch_id, seq, step FROM grade_event ORDER BY id")
    assert kept == [(1, 1, "proposed"), (2, 1, "proposed"), (1, 2, "final"), (1, 3, "proposed")]
    from jcnian.models import SCHEMA_VERSION

    assert rows(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert {n for (n,) in rows(db, "SELECT name FROM sqlite_master WHERE type = 'index'")} >= {
        "ux_grade_event_seq",
        "ux_survey_import_once",
    }


def test_an_entry_another_program_made_after_the_look_up_is_the_ordinary_answer(
    seeded, db: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Where the look-up saw nothing and the insert then met the unique key (a writer that
    did not hold the lock, as on a database without one), the answer is the ordinary one."""
    from jcnian import rows as found

    problem = ("problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12")
    meeting = ("mobilize", "meeting", "五夫村", "--on", "2012-04-10")
    assert seeded(*problem).exit_code == 0 and seeded(*meeting).exit_code == 0
    real = found.find
    looked: list[object] = []

    def blind_the_first_time(*args, **kwargs):  # type: ignore[no-untyped-def]
        looked.append(args)
        return None if len(looked) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(found, "find", blind_the_first_time)
    before = data_tables(db)
    result = seeded(*problem)
    assert result.exit_code == 0 and "已有此问题" in result.stderr, result.stderr
    looked.clear()
    result = seeded(*meeting)
    assert result.exit_code == 0 and "已登记过，未做改动" in result.stderr, result.stderr
    assert data_tables(db) == before
    looked.clear()
    result = seeded("mobilize", "meeting", "五夫村", "--on", "2012-04-11")
    assert result.exit_code == 0 and "已更新" in result.stderr and "2012-04-10" in result.stderr, (
        result.stderr
    )
    assert rows(db, "SELECT held_on FROM mobilisation_meeting") == [("2012-04-11",)]
