"""Benchmark: what the change log (jcnian.changelog) costs the clerk's writes and the import.

Two measurements, each with and without the log in the same run (without: the capture's
``install`` and ``finish`` replaced by no-ops, so the ledger is written exactly as before):

* ``survey import`` of a long-format CSV (default 1,000,000 rows over 10,000 branches, built
  as bench/bench_import.py builds it), each run in its own process on its own copy of the
  prepared ledger; aim: under 15% more time;
* 1,000 single ``grade score`` entries, each as a command makes it (open the ledger, one
  write transaction, close), in process; aim: under 10 ms more a command.

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


def scores(ledger: str, n: int, with_log: bool) -> float:
    """Seconds for n single score entries, each in its own engine and transaction."""
    if not with_log:
        _without_log()
    from jcnian import db
    from jcnian.gradebook.entry import enter_score

    start = time.perf_counter()
    for i in range(n):
        engine = db.open_engine(ledger)
        try:
            with db.transaction(engine) as session:
                enter_score(session, "五夫村", "组织考评", "工作业绩", float(i % 15))
        finally:
            engine.dispose()
    return time.perf_counter() - start


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
            result = {"seconds": scores(rest[0], int(rest[1]), mode == "scores-log")}
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
        per: dict[str, float] = {}
        for mode in ("scores-nolog", "scores-log", "scores-nolog", "scores-log"):
            seconds = run_child(mode, str(small), str(args.scores))["seconds"]
            per[mode] = min(per.get(mode, seconds), seconds)
        a, b = per["scores-nolog"] / args.scores * 1000, per["scores-log"] / args.scores * 1000
        print(
            f"grade score ×{args.scores:,}（每次打开账本、一个写事务）：无留痕 {a:.2f} ms/次，"
            f"有留痕 {b:.2f} ms/次，多 {b - a:.2f} ms/次（比值 {b / a:.3f}，目标 < 10 ms）"
        )


if __name__ == "__main__":
    main()
