"""City benchmark (issue 16): 100,000 branches across 50 towns in one ledger, on SQLite and on
PostgreSQL, each command against a baseline measured in the same run.

The ledger is built by bench/city_ledger.py with bulk statements (one campaign per town for
2012; scores, ballots and grades seeded, so grade reads and exports have work): 49 towns of
about 2,040 branches and 驿亭镇 with 附件1's 32. Beside it, a ledger of 驿亭镇 alone (the same
rows: each town draws from its own seed).

  city summary       `jcnian city summary --year 2012`  vs  one GROUP BY in raw SQL (each
                     town's and category's final grades)
  grade compute      `jcnian --campaign 第25镇/2012 grade compute` (about 2,040 branches)  vs
                     the town's weighted totals by one GROUP BY in raw SQL
  monthly export     `jcnian --campaign T/2012 export xlsx` of the first --exports towns (all 50
                     with --exports 50), wall time and peak memory of each process  vs  raw SQL
                     into bare xlsxwriter (联系表 and weighted totals) for the same town
  clerk of one town  `status`, `branch list`, `grade list` of 驿亭镇 inside the 50-town ledger
                     vs the same commands on the ledger of 驿亭镇 alone (target ≤ 1.2×; median
                     of --runs runs, interleaved)
  --single           also a ledger of one campaign of 100,000 graded branches and the peak
                     memory of its monthly exports (--single-months, default 2012-03 and
                     2012-06; issue 16's target < 300 MB; bench_export.py covers the writer
                     against bare writers)

PostgreSQL: when psycopg is installed and the server binaries are in /usr/lib/postgresql/15/bin,
the same on a throw-away cluster (initdb in a temporary folder, as the ``postgres`` user when
run as root, a Unix socket there; stopped and removed at the end); otherwise it says why not.

Run by hand: python bench/bench_city.py [--exports N] [--runs N] [--month YYYY-MM] [--single]
             [--single-months YYYY-MM,…] [--sqlite-only]
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import city_ledger

TOWN = "第25镇"  # a town of about 2,040 branches for grade compute
CLERK = city_ledger.CLERK_TOWN
ENV = {**os.environ, "COLUMNS": "120"}


# --- processes ------------------------------------------------------------------------------


def run(argv: list[str]) -> tuple[float, float]:
    """A whole process: wall seconds and its own peak resident memory (MB, from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed: {' '.join(argv)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def jc(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "jcnian", "--db", url, *args]


def child(*args: str) -> list[str]:
    return [sys.executable, __file__, "--child", *args]


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, the runs interleaved so that load falls on all alike."""
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(run(argv)[0])
    return {k: statistics.median(v) for k, v in times.items()}


def line(label: str, seconds: float, base: float | None = None, mb: float | None = None) -> None:
    ratio = f"{seconds / base:6.2f}×" if base else "   base"
    memory = f"{mb:7.0f} MB" if mb is not None else " " * 10
    print(f"  {label:<58} {seconds:8.2f} s {memory}  {ratio}", flush=True)


# --- baselines: raw SQL in a child process ----------------------------------------------------


def _connect(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url)
        return psycopg.connect(host=u.query["host"], user=u.username, dbname=u.database), "%s"
    return sqlite3.connect(url), "?"


_SUMMARY_SQL = """
SELECT c.town, k.name, e.grade, COUNT(*)
FROM grade_event e JOIN branch b ON b.id = e.branch_id
JOIN campaign c ON c.id = b.campaign_id JOIN category k ON k.id = b.category_id
WHERE e.step = 'final' AND c.year = 2012
GROUP BY c.town, k.name, e.grade
"""


def _weights() -> str:
    return " ".join(f"WHEN '{s}' THEN {float(w)}" for s, w in city_ledger.RUBRIC.sources.items())


def _totals_sql(mark: str) -> str:
    return f"""
SELECT b.id, SUM(s.points * CASE s.source {_weights()} END)
FROM score s JOIN branch b ON b.id = s.branch_id JOIN campaign c ON c.id = b.campaign_id
WHERE c.town = {mark} AND c.year = 2012 GROUP BY b.id"""


def child_summary(url: str) -> None:
    con, _ = _connect(url)
    cur = con.cursor()
    cur.execute(_SUMMARY_SQL)
    cur.fetchall()
    con.close()


def child_totals(url: str, town: str) -> None:
    con, mark = _connect(url)
    cur = con.cursor()
    cur.execute(_totals_sql(mark), (town,))
    cur.fetchall()
    con.close()


def child_plain_export(url: str, town: str, out: str) -> None:
    """Raw SQL into bare xlsxwriter: the town's 联系表 and weighted totals."""
    import xlsxwriter

    con, mark = _connect(url)
    cur = con.cursor()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("联系表")
    ws.write_row(0, 0, ("序号", "党组织名称", "组织形式", "分类", "联系领导", "联系干部", "备注"))
    cur.execute(
        f"""SELECT b.seq, b.name, b.form, k.name, pl.name, pc.name, b.remarks
        FROM branch b JOIN category k ON k.id = b.category_id JOIN campaign c ON c.id = b.campaign_id
        LEFT JOIN liaison ll ON ll.branch_id = b.id AND ll.role = 'leader'
        LEFT JOIN person pl ON pl.id = ll.person_id
        LEFT JOIN liaison lc ON lc.branch_id = b.id AND lc.role = 'cadre'
        LEFT JOIN person pc ON pc.id = lc.person_id
        WHERE c.town = {mark} AND c.year = 2012 ORDER BY b.seq""",
        (town,),
    )
    for r, row in enumerate(cur, start=1):
        ws.write_row(r, 0, row)
    ws = wb.add_worksheet("分类定级")
    ws.write_row(0, 0, ("党组织", "加权得分"))
    cur.execute(_totals_sql(mark), (town,))
    for r, row in enumerate(cur, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    con.close()


# --- one backend ------------------------------------------------------------------------------


def bench_backend(name: str, city: str, lone: str, tmp: Path, args: argparse.Namespace) -> None:
    print(f"\n{name}:", flush=True)
    towns = [t.name for t in city_ledger.city_towns()]

    print(" city summary (all 50 towns):")
    base, _ = run(child("summary", city))
    line("raw SQL: one GROUP BY (town, category, final grade)", base)
    if subprocess.run(jc(city, "city", "--help"), capture_output=True, check=False).returncode == 0:
        sec, mb = run(jc(city, "city", "summary", "--year", "2012", "--format", "json"))
        line("jcnian city summary --year 2012 --format json", sec, base, mb)
    else:
        print("  (jcnian city summary is not there yet)")

    print(f" grade compute of one town ({TOWN}, about 2,040 branches):")
    base, _ = run(child("totals", city, TOWN))
    line("raw SQL: the town's weighted totals by one GROUP BY", base)
    sec, mb = run(jc(city, "--campaign", f"{TOWN}/2012", "grade", "compute", "--as-of", "2012-04-20"))
    line(f"jcnian --campaign {TOWN}/2012 grade compute", sec, base, mb)

    print(f" monthly export {args.month}, {args.exports} of the 50 towns (one workbook each):")
    plain = walls = 0.0
    peak = 0.0
    for town in towns[: args.exports]:
        plain += run(child("plain-export", city, town, str(tmp / "plain.xlsx")))[0]
        sec, mb = run(
            jc(
                city,
                "--campaign",
                f"{town}/2012",
                "export",
                "xlsx",
                "--month",
                args.month,
                "-o",
                str(tmp / "m.xlsx"),
                "--force",
            )
        )
        walls += sec
        peak = max(peak, mb)
    line("raw SQL + bare xlsxwriter: 联系表 + weighted totals", plain)
    line(f"jcnian export xlsx, {args.exports} towns (MB: the largest peak)", walls, plain, peak)

    print(f" clerk of one town ({CLERK}, 32 branches), median of {args.runs} runs:")
    commands = {
        "status": ("status", "--as-of", "2012-05-10"),
        "branch list": ("branch", "list"),
        "grade list": ("grade", "list"),
    }
    cmds: dict[str, list[str]] = {}
    for label, argv in commands.items():
        cmds[f"{label} alone"] = jc(lone, *argv)
        cmds[f"{label} city"] = jc(city, "--campaign", f"{CLERK}/2012", *argv)
    t = medians(cmds, args.runs)
    worst = 0.0
    for label in commands:
        line(f"{label}: ledger of {CLERK} alone", t[f"{label} alone"])
        line(f"{label}: {CLERK} in the 50-town ledger", t[f"{label} city"], t[f"{label} alone"])
        worst = max(worst, t[f"{label} city"] / t[f"{label} alone"])
    print(f" clerk of one town: worst ratio {worst:.2f}× (target ≤ 1.2×)")

    if args.single:
        single = _single_url(name, tmp)
        print(" one campaign of 100,000 graded branches:")
        start = time.perf_counter()
        subprocess.run(child("build-single", single), check=True)
        print(f"  built in {time.perf_counter() - start:.0f} s")
        plain, plain_mb = run(child("plain-export", single, "第01镇", str(tmp / "plain.xlsx")))
        line("raw SQL + bare xlsxwriter: 联系表 + weighted totals", plain, None, plain_mb)
        for month in args.single_months.split(","):
            sec, mb = run(
                jc(single, "export", "xlsx", "--month", month, "-o", str(tmp / "s.xlsx"), "--force")
            )
            line(f"jcnian export xlsx --month {month} (target < 300 MB)", sec, plain, mb)


_CLUSTER: "city_ledger.PostgresCluster | None" = None


def _single_url(name: str, tmp: Path) -> str:
    if name == "SQLite":
        return str(tmp / "single.db")
    assert _CLUSTER is not None
    return _CLUSTER.create("single")


def build_pair(city: str, lone: str) -> None:
    start = time.perf_counter()
    subprocess.run(child("build-city", city), check=True)
    subprocess.run(child("build-lone", lone), check=True)
    print(
        f"  ledgers built in {time.perf_counter() - start:.0f} s (bulk statements, not CLI calls)", flush=True
    )


def main() -> None:
    global _CLUSTER
    parser = argparse.ArgumentParser()
    parser.add_argument("--exports", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--month", default="2012-04")
    parser.add_argument("--single", action="store_true")
    # 2012-06: the grading done, the projects under way, a million overdue items (the peak)
    parser.add_argument("--single-months", default="2012-03,2012-06")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print("SQLite: building the 50-town ledger (100,000 branches, 2.8 M scores) and 驿亭镇 alone")
        build_pair(str(tmp / "city.db"), str(tmp / "lone.db"))
        bench_backend("SQLite", str(tmp / "city.db"), str(tmp / "lone.db"), tmp, args)
        why = "--sqlite-only" if args.sqlite_only else city_ledger.postgres_available()
        if why:
            print(f"\nPostgreSQL: skipped ({why})")
            return
        with city_ledger.PostgresCluster() as cluster:
            _CLUSTER = cluster
            print("\nPostgreSQL 15 (throw-away cluster): building the same ledgers")
            city, lone = cluster.create("city"), cluster.create("lone")
            build_pair(city, lone)
            bench_backend("PostgreSQL", city, lone, tmp, args)
    print(f"machine load at the end {os.getloadavg()[0]:.1f}")


def child_main(argv: list[str]) -> None:
    what, rest = argv[0], argv[1:]
    if what == "build-city":
        city_ledger.build(rest[0], city_ledger.city_towns())
    elif what == "build-lone":
        city_ledger.build(rest[0], [city_ledger.clerk_town()])
    elif what == "build-single":
        city_ledger.build(rest[0], [city_ledger.generated_town(1, 100_000)])
    elif what == "summary":
        child_summary(rest[0])
    elif what == "totals":
        child_totals(rest[0], rest[1])
    elif what == "plain-export":
        child_plain_export(rest[0], rest[1], rest[2])
    else:
        raise SystemExit(f"unknown child {what}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
