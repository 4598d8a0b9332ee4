"""Export benchmark: the monthly workbook and a table CSV on a ledger of 100,000 branches with scores.

Each figure comes from a fresh child process, in the same run:

  gathering   month_report() once (ledger, grading and phases functions), timed; its rows are
              pickled so that every writer below gets exactly the same rows.
  writer      jcnian.report.workbook.write_workbook of those rows (Chinese headers, formats, CJK widths,
              chart, temp file + rename, zip check)  vs  the fastest of xlsxwriter constant_memory
              and openpyxl write-only writing the same rows bare.     target ≤ 1.5×, < 300 MB
  end to end  `jcnian export xlsx --month M`, the whole process  vs  raw sqlite3 + bare xlsxwriter
              writing what SQL alone gives (the 联系表 rows, weighted totals by one GROUP BY).
              Not like for like: the export also builds the status, overdue, acceptance and
              backward sheets through the phases and grading modules; the gathering line says
              how much of the time that is.
  csv         `jcnian export csv score` (2.8 M rows)  vs  raw sqlite3 + csv.writer.

The default month is 2012-03: a ledger that holds only scores has nothing overdue yet then, so
the workbook is the 100,000-row sheets themselves. From 2012-05 on, the same ledger has about a
million overdue items (every deliverable of every branch), listed on continuation sheets.

Run by hand: python bench/bench_export.py [BRANCHES] [--month=YYYY-MM]   (default 100000, 2012-03)
"""

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jcnian.data_files import default_rubric_text
from jcnian.grading import parse_rubric

# The default rubric the ledger starts with: the bench scores what a real ledger would.
RUBRIC = parse_rubric(default_rubric_text())
INDICATORS = {name: int(points) for name, points in RUBRIC.indicators.items()}
SOURCES = {name: float(weight) for name, weight in RUBRIC.sources.items()}
MONTH = "2012-03"


# --- the ledger ---------------------------------------------------------------------------


def build_ledger(path: Path, n: int) -> None:
    """A ledger made the normal way (init), then filled in bulk with raw inserts for speed."""
    from jcnian import db
    from jcnian.campaigns import init_ledger

    engine = db.open_engine(str(path), create=True)
    with db.transaction(engine) as session:
        init_ledger(session, "驿亭镇", 2012, [])
    engine.dispose()
    rng = random.Random(6)
    con = sqlite3.connect(path)
    cats = dict(con.execute("SELECT name, id FROM category"))
    people = [(1, f"联系人{i:05d}") for i in range(1, n // 20 + 2)]
    con.executemany("INSERT INTO person (campaign_id, name) VALUES (?, ?)", people)
    branches = []
    for i in range(1, n + 1):
        village = i % 2 == 1
        name = f"第{i:06d}村党支部" if village else f"上虞市第{i:06d}号电器有限公司党支部"
        cat = cats["农村"] if village else cats["非公制企业"]
        branches.append((1, i, name, "党支部", cat, "样例备注" if i % 7 == 0 else None))
    con.executemany(
        "INSERT INTO branch (campaign_id, seq, name, form, category_id, remarks) VALUES (?,?,?,?,?,?)",
        branches,
    )
    npeople = len(people)
    liaisons = []
    for b in range(1, n + 1):
        liaisons.append((b, rng.randint(1, npeople), "leader"))
        if b % 3:
            liaisons.append((b, rng.randint(1, npeople), "cadre"))
    con.executemany("INSERT INTO liaison (branch_id, person_id, role) VALUES (?,?,?)", liaisons)
    now = "2012-04-20 09:00:00"

    def scores():  # type: ignore[no-untyped-def]
        for b in range(1, n + 1):
            level = rng.uniform(0.45, 1.0)
            for source in SOURCES:
                for indicator, full in INDICATORS.items():
                    points = round(min(full, full * rng.gauss(level, 0.08)), 1)
                    yield (b, source, indicator, "", max(points, 0.0), now)

    con.executemany(
        "INSERT INTO score (branch_id, source, indicator, respondent, points, entered_at) VALUES (?,?,?,?,?,?)",
        scores(),
    )
    con.commit()
    con.close()


# --- children -----------------------------------------------------------------------------


def child_gather(db_path: str, out: str, month: str) -> float:
    """The month's report gathered once (ledger, grading, phases), pickled for the writers."""
    import pickle

    from jcnian import db
    from jcnian.report.month import month_report

    start = time.perf_counter()
    engine = db.open_engine(db_path)
    with db.transaction(engine) as session:
        report = month_report(session, month)
    engine.dispose()
    seconds = time.perf_counter() - start
    with open(out, "wb") as fh:
        pickle.dump(report, fh, protocol=pickle.HIGHEST_PROTOCOL)
    sizes = {sh.name: sum(len(t.rows) for t in sh.tables) for sh in report.sheets}
    Path(out + ".json").write_text(json.dumps(sizes, ensure_ascii=False))
    return seconds


def _cells(report):  # type: ignore[no-untyped-def]
    """The report's cells, sheet by sheet, stacked: exactly what a bare writer must write."""
    for sheet in report.sheets:
        rows = [(note,) for note in sheet.notes]
        for table in sheet.tables:
            rows.append(tuple(c.header for c in table.columns))
            rows.extend(table.rows)
        yield sheet.name, rows


def _rss_now() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_writer(kind: str, pickled: str, out: str) -> tuple[float, float]:
    """Write the gathered rows; returns seconds and the memory the writing added (MB)."""
    import pickle
    import resource

    with open(pickled, "rb") as fh:
        report = pickle.load(fh)
    sheets = list(_cells(report)) if kind != "jcnian" else None
    before = _rss_now()
    start = time.perf_counter()
    if kind == "jcnian":
        from datetime import datetime
        from datetime import time as dtime

        from jcnian.report.workbook import write_workbook

        write_workbook(
            Path(out), report.sheets, title=report.title, created=datetime.combine(report.as_of, dtime())
        )
    elif kind == "xlsxwriter":
        import xlsxwriter

        wb = xlsxwriter.Workbook(out, {"constant_memory": True})
        for name, rows in sheets:
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)
        wb.close()
    elif kind == "openpyxl":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
        wb.save(out)
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before


def child_plain_end_to_end(db_path: str, out: str) -> float:
    """Raw sqlite3 to bare xlsxwriter: the 联系表 rows, and weighted scores by one GROUP BY."""
    import xlsxwriter

    start = time.perf_counter()
    con = sqlite3.connect(db_path)
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("联系表")
    ws.write_row(0, 0, ("序号", "党组织名称", "组织形式", "分类", "联系领导", "联系干部", "备注"))
    query = """
        SELECT b.seq, b.name, b.form, c.name, pl.name, pc.name, b.remarks
        FROM branch b JOIN category c ON c.id = b.category_id
        LEFT JOIN liaison ll ON ll.branch_id = b.id AND ll.role = 'leader'
        LEFT JOIN person pl ON pl.id = ll.person_id
        LEFT JOIN liaison lc ON lc.branch_id = b.id AND lc.role = 'cadre'
        LEFT JOIN person pc ON pc.id = lc.person_id
        ORDER BY b.seq"""
    for r, row in enumerate(con.execute(query), start=1):
        ws.write_row(r, 0, row)
    ws = wb.add_worksheet("分类定级")
    ws.write_row(0, 0, ("党组织名称", "加权得分"))
    weights = " ".join(f"WHEN '{s}' THEN {w}" for s, w in SOURCES.items())
    query = f"""
        SELECT b.name, SUM(s.points * CASE s.source {weights} END)
        FROM score s JOIN branch b ON b.id = s.branch_id GROUP BY b.id ORDER BY b.seq"""
    for r, row in enumerate(con.execute(query), start=1):
        ws.write_row(r, 0, row)
    wb.close()
    con.close()
    return time.perf_counter() - start


def child_plain_csv(db_path: str, out: str) -> float:
    import csv

    start = time.perf_counter()
    con = sqlite3.connect(db_path)
    cur = con.execute("SELECT * FROM score ORDER BY id")
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([d[0] for d in cur.description])
        writer.writerows(cur)
    con.close()
    return time.perf_counter() - start


# --- the parent -----------------------------------------------------------------------------


def run_child(*args: str) -> tuple[float, float]:
    """A child that times its own work and reports it with its peak memory, as JSON."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return float(report["seconds"]), float(report["rss_mb"])


def run_cli(argv: list[str]) -> tuple[float, float]:
    """A whole command, timed from outside; its peak memory from wait4 on that very process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def line(label: str, seconds: float, rss: float, base: float | None = None, unit: str = "MB") -> None:
    ratio = f"{seconds / base:5.2f}×" if base else "  base"
    print(f"  {label:<48} {seconds:8.2f} s {rss:8.0f} {unit}   {ratio}", flush=True)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--month=")]
    month = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--month=")), MONTH)
    n = int(args[0]) if args else 100_000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db_path = tmp / "bench.db"
        start = time.perf_counter()
        # In a child, so that the parent's memory (inherited by forks) stays small.
        subprocess.run([sys.executable, __file__, "--build", str(db_path), str(n)], check=True)
        print(f"ledger: {n:,} branches, {n * 28:,} scores, built in {time.perf_counter() - start:.1f} s")

        pickled = tmp / "report.pickle"
        gather_s, gather_m = run_child("gather", str(db_path), str(pickled), month)
        sizes = json.loads(Path(f"{pickled}.json").read_text())
        print(f"workbook for {month}: {sum(sizes.values()):,} data rows", sizes)
        line(f"gathering (month_report, in-process, {month})", gather_s, gather_m)

        print("writer (the same gathered rows; MB = memory the writing added):")
        bare = {
            k: run_child("writer", k, str(pickled), str(tmp / f"{k}.xlsx"))
            for k in ("xlsxwriter", "openpyxl")
        }
        fastest = min(bare, key=lambda k: bare[k][0])
        for k, (sec, mem) in bare.items():
            label = f"{k} bare" + (" constant_memory" if k == "xlsxwriter" else " write-only")
            line(
                label + (" (fastest)" if k == fastest else ""),
                sec,
                mem,
                None if k == fastest else bare[fastest][0],
            )
        sec, mem = run_child("writer", "jcnian", str(pickled), str(tmp / "jcnian.xlsx"))
        line("jcnian.report.workbook.write_workbook", sec, mem, bare[fastest][0])
        writer_ratio = sec / bare[fastest][0]

        print("end to end (whole processes, start-up included; MB = peak resident):")
        child = [sys.executable, __file__, "--child"]
        base_s, base_m = run_cli([*child, "plain-e2e", str(db_path), str(tmp / "plain.xlsx")])
        line("raw sqlite3 + xlsxwriter: 联系表 + weighted totals", base_s, base_m)
        jc = [sys.executable, "-m", "jcnian", "--db", str(db_path)]
        e2e_s, e2e_m = run_cli([*jc, "export", "xlsx", "--month", month, "-o", str(tmp / "month.xlsx")])
        line(f"jcnian export xlsx --month {month} (all sheets)", e2e_s, e2e_m, base_s)

        print("csv of the score table:")
        csv_base, csv_base_m = run_cli([*child, "plain-csv", str(db_path), str(tmp / "plain.csv")])
        line("raw sqlite3 + csv.writer", csv_base, csv_base_m)
        csv_s, csv_m = run_cli([*jc, "export", "csv", "score", "-o", str(tmp / "score.csv")])
        line("jcnian export csv score", csv_s, csv_m, csv_base)

        print(
            f"ratios: writer {writer_ratio:.2f}× the fastest plain writer (target ≤ 1.5×); "
            f"end to end {e2e_s / base_s:.2f}× (of which gathering {gather_s:.1f} s); csv {csv_s / csv_base:.2f}×; "
            f"peak memory of the export {e2e_m:.0f} MB (target < 300 MB)"
        )


def child_main(args: list[str]) -> None:
    import resource

    what = args[0]
    if what == "writer":
        seconds, rss = child_writer(args[1], args[2], args[3])
        print(json.dumps({"seconds": seconds, "rss_mb": rss}))
        return
    if what == "gather":
        seconds = child_gather(args[1], args[2], args[3])
    elif what == "plain-e2e":
        seconds = child_plain_end_to_end(args[1], args[2])
    elif what == "plain-csv":
        seconds = child_plain_csv(args[1], args[2])
    else:
        raise SystemExit(f"unknown child {what}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--build":
        build_ledger(Path(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
