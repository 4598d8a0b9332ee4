"""Benchmark: ``jcnian survey import`` of a 1,000,000-row long-format CSV over 10,000 branches.

Prints the whole import's time (read, validate, write, commit) and peak memory against two
baselines measured in the same run, each a raw ``sqlite3`` ``executemany`` of the same rows
(already parsed, outside the timing): into a plain five-column table with no key or index
(the floor of what SQLite can do; issue 11's target: the import within 3× of it), and into a
table of the ledger's ``score`` schema (its unique key and indexes, which the import must
maintain too, so the import cannot be faster than this one). Wall time and CPU time are both
shown, and the machine's load average before and after: on a shared machine the CPU times
are the steadier figures. Each measurement runs in its own process so that peak memory is
its own.

    /work/venv/bin/python bench/bench_import.py            # 1,000,000 rows
    /work/venv/bin/python bench/bench_import.py --rows 200000
"""

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jcnian.data_files import default_rubric_text
from jcnian.grading import parse_rubric

BRANCHES = 10_000
# The default rubric the ledger starts with: the bench scores what a real ledger would.
RUBRIC = parse_rubric(default_rubric_text())
SOURCES = tuple(RUBRIC.sources)
INDICATORS = {name: int(points) for name, points in RUBRIC.indicators.items()}
HEADER = ("党组织", "评价主体", "指标", "测评人", "得分")


def branch_name(i: int) -> str:
    return f"测试{i:05d}村党支部"


def rows(total: int) -> list[tuple[str, str, str, str, str]]:
    """Rows grouped by branch, as a survey sheet lists them: each branch's sources and indicators,
    three or four respondents each (100 rows a branch)."""
    rng = random.Random(2012)
    combos = [(s, i) for s in SOURCES for i in INDICATORS]
    out = []
    b = 0
    while len(out) < total:
        name = branch_name(b % BRANCHES)
        for k, (source, indicator) in enumerate(combos):
            for r in range(4 if k < 16 else 3):
                points = rng.randint(0, INDICATORS[indicator])
                out.append(
                    (
                        name,
                        source,
                        indicator,
                        f"测评人{r + 1}号" + ("" if b < BRANCHES else f"-{b}"),
                        str(points),
                    )
                )
        b += 1
    return out[:total]


def prepare(folder: Path, total: int) -> tuple[Path, Path]:
    """A ledger with the seed plus 10,000 branches, and the CSV (UTF-8 with BOM, as Excel writes it)."""
    from sqlalchemy import insert
    from sqlmodel import Session, select

    from jcnian import db
    from jcnian.campaigns import init_ledger
    from jcnian.models import Branch, Campaign, Category
    from jcnian.seed import default_seed_path, read_seed

    ledger = folder / "ledger.db"
    engine = db.open_engine(str(ledger), create=True)
    with db.transaction(engine) as session:
        init_ledger(session, "驿亭镇", 2012, read_seed(default_seed_path()))
    with Session(engine) as session:
        campaign = session.exec(select(Campaign)).one()
        village = session.exec(select(Category).where(Category.name == "农村")).one()
        session.connection().execute(
            insert(Branch),
            [
                {
                    "campaign_id": campaign.id,
                    "seq": 100 + i,
                    "name": branch_name(i),
                    "form": "党支部",
                    "category_id": village.id,
                }
                for i in range(BRANCHES)
            ],
        )
        session.commit()
    engine.dispose()
    data = folder / "survey.csv"
    with data.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(total))
    return ledger, data


def peak_mb() -> float:
    """This process's peak resident memory.

    VmHWM, not getrusage: Linux keeps ru_maxrss across fork and exec, so a child would report
    the parent's high-water mark (the parent held the generated rows).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(ledger: str, data: str) -> dict[str, float]:
    """The command a clerk runs, in process: open the ledger, import, commit."""
    from typer.testing import CliRunner

    from jcnian.cli import app

    start, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(app, ["--db", ledger, "survey", "import", data])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"import failed: {result.stderr}")
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


def child_raw(ledger: str, data: str, bare: bool = False) -> dict[str, float]:
    """Raw sqlite3 executemany of the same rows (already parsed, outside the timing).

    Into a table of the ledger's ``score`` schema (the same columns, unique key and indexes,
    which the import must maintain too), or with ``bare`` into five plain columns with no
    key or index: the floor of what SQLite can do, shown for reference.
    """
    from sqlalchemy import create_engine

    from jcnian.gradebook.tables import Score

    target = Path(ledger).with_name("bare.db" if bare else "raw.db")
    target.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{target}")
    if not bare:
        Score.__table__.create(engine)  # type: ignore[attr-defined]
    engine.dispose()
    ids = {branch_name(i): i + 1 for i in range(BRANCHES)}
    with open(data, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        params = [(ids[b], s, i, r, float(p)) for b, s, i, r, p in reader]
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=WAL")
    if bare:
        conn.execute("CREATE TABLE score (branch_id, source, indicator, respondent, points)")
        sql = "INSERT INTO score VALUES (?, ?, ?, ?, ?)"
    else:
        sql = (
            "INSERT INTO score (branch_id, source, indicator, respondent, points, import_id, entered_at) "
            "VALUES (?, ?, ?, ?, ?, 1, '2012-04-25 00:00:00.000000')"
        )
    start, cpu = time.perf_counter(), time.process_time()
    conn.executemany(sql, params)
    conn.commit()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


def run_child(mode: str, ledger: Path, data: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(ledger), str(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "LEDGER", "CSV"))
    args = parser.parse_args()
    if args.child:
        mode, ledger, data = args.child
        result = child_import(ledger, data) if mode == "import" else child_raw(ledger, data, mode == "bare")
        print(json.dumps(result))
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        ledger, data = prepare(folder, args.rows)
        print(
            f"准备：{args.rows:,} 行、{BRANCHES:,} 个党组织，CSV {data.stat().st_size / 1e6:.1f} MB（{time.perf_counter() - t:.1f} s）"
        )
        raw = run_child("raw", ledger, data)
        bare = run_child("bare", ledger, data)
        imp = run_child("import", ledger, data)
    load_after = os.getloadavg()

    def line(label: str, m: dict[str, float], note: str) -> None:
        rate = args.rows / m["seconds"]
        print(f"{label}: {m['seconds']:6.2f} s（CPU {m['cpu']:6.2f} s） {rate:>10,.0f} 行/s  {note}")

    line("raw executemany，裸表   ", bare, "（五列、无键无索引）")
    line("raw executemany，同结构 ", raw, "（score 表：唯一键和索引）")
    line("jcnian survey import    ", imp, f"峰值内存 {imp['peak_mb']:.0f} MB")
    wall, cpu = imp["seconds"] / bare["seconds"], imp["cpu"] / bare["cpu"]
    print(
        f"导入 / 裸表             : {wall:.2f}×（CPU {cpu:.2f}×）  目标 ≤ 3×  {'达标' if wall <= 3 else '未达标'}"
    )
    print(
        f"导入 / 同结构           : {imp['seconds'] / raw['seconds']:.2f}×（CPU {imp['cpu'] / raw['cpu']:.2f}×）"
        f"  同结构 / 裸表 {raw['seconds'] / bare['seconds']:.2f}×：这是导入无法低于的下限"
    )
    print(
        f"峰值内存                : {imp['peak_mb']:.0f} MB  目标 < 300 MB  {'达标' if imp['peak_mb'] < 300 else '未达标'}"
    )
    print(
        "机器负载（1/5/15 分钟）  : 开始 "
        + "/".join(f"{x:.1f}" for x in load_before)
        + "，结束 "
        + "/".join(f"{x:.1f}" for x in load_after)
        + f"（{os.cpu_count()} 个 CPU）"
    )


if __name__ == "__main__":
    main()
