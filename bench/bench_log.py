"""Benchmark: what the change log (jcnian.changelog) costs the clerk's writes and the import.

Two measurements, each with and without the log in the same run (without: the capture's
``install`` and ``finish`` replaced by no-ops, so the ledger is written exactly as before):

* ``survey import`` of a long-format CSV (default 1,000,000 rows over 10,000 branches, built
  as bench/bench_import.py builds it), each run in its own process on its own copy of the
  prepared ledger; aim: under 15% more time;
* 1,000 single ``grade score`` entries with the log and 1,000 without, interleaved, each as
  a command makes it (open the ledger, one write transaction, close), in process; aim:
  under 10 ms more a command.

    /work/venv/bin/python bench/bench_log.py                 # 1,000,000 rows
    /work/venv/bin/python bench/bench_log.py --rows 200000 --scores 1000
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import


def _without_log() -> None:
    from jcnian import changelog

    changelog.install = lambda conn: None  # type: ignore[assignment]
    changelog.finish = lambda session: None  # type: ignore[assignment]


def child_import(ledger: str, data: str, with_log: bool) -> dict[str, float]:
    if not with_log:
        _without_log()
    return bench_import.child_import(ledger, data)


def scores(ledger: str, n: int) -> dict[str, float]:
    """n single score entries with the log and n without, interleaved (a load on the machine
    falls on both alike), each in its own engine and transaction: median and mean ms of each."""
    import statistics

    from jcnian import changelog, db
    from jcnian.gradebook.entry import enter_score

    real = (changelog.install, changelog.finish)
    off = (lambda conn: None, lambda session: None)
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(2 * n):
        with_log = i % 2 == 0
        changelog.install, changelog.finish = real if with_log else off  # type: ignore[assignment]
        start = time.perf_counter()
        engine = db.open_engine(ledger)
        try:
            with db.transaction(engine) as session:
                enter_score(session, "五夫村", "组织考评", "工作业绩", float(i % 15))
        finally:
            engine.dispose()
        times[with_log].append((time.perf_counter() - start) * 1000)
    changelog.install, changelog.finish = real  # type: ignore[assignment]
    return {
        "log_median": statistics.median(times[True]),
        "nolog_median": statistics.median(times[False]),
        "log_mean": statistics.fmean(times[True]),
        "nolog_mean": statistics.fmean(times[False]),
    }


def run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scores", type=int, default=1000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode in ("import-log", "import-nolog"):
            result = child_import(rest[0], rest[1], mode == "import-log")
        else:
            result = scores(rest[0], int(rest[1]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        ledger, data = bench_import.prepare(folder, args.rows)
        print(
            f"准备：{args.rows:,} 行、{bench_import.BRANCHES:,} 个党组织（{time.perf_counter() - t:.1f} s）"
        )
        results: dict[str, float] = {}
        for mode in ("import-nolog", "import-log", "import-nolog", "import-log"):
            copy = folder / f"{mode}.db"
            copy.unlink(missing_ok=True)
            shutil.copyfile(ledger, copy)
            seconds = run_child(mode, str(copy), str(data))["seconds"]
            results[mode] = min(results.get(mode, seconds), seconds)  # the better of two runs each
        base, logged = results["import-nolog"], results["import-log"]
        print(
            f"survey import {args.rows:,} 行：无留痕 {base:.2f} s，有留痕 {logged:.2f} s，"
            f"比值 {logged / base:.3f}（+{(logged / base - 1) * 100:.1f}%，目标 < 15%）"
        )
        small = folder / "small.db"
        from typer.testing import CliRunner

        from jcnian.cli import app

        assert CliRunner().invoke(app, ["--db", str(small), "init"]).exit_code == 0
        per = run_child("scores", str(small), str(args.scores))
        a, b = per["nolog_median"], per["log_median"]
        print(
            f"grade score ×{args.scores:,} 各（每次打开账本、一个写事务，有无留痕交替进行）：中位数 无留痕 {a:.2f} ms，"
            f"有留痕 {b:.2f} ms，多 {b - a:.2f} ms/次（比值 {b / a:.3f}，目标 < 10 ms）；"
            f"平均 {per['nolog_mean']:.2f} / {per['log_mean']:.2f} ms"
        )


if __name__ == "__main__":
    main()
