"""Start-up benchmark: a clerk runs dozens of commands a day, so each start counts.

Times, in the same run (median wall time of N runs each):
  jcnian --help        against a bare Typer app with 20 commands, --help   (target ≤ 1.2×)
  jcnian branch list   against python -c "import sqlmodel"                 (target ≤ 1.3×)

Run by hand: python bench/bench_startup.py [N]
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_TYPER = """
import typer
app = typer.Typer()
for i in range(20):
    def cmd(name: str = "x") -> None:
        "A command."
    app.command(f"cmd{i}")(cmd)
app()
"""


def median_wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_TYPER)
        db = str(Path(tmp) / "bench.db")
        jc = [py, "-m", "jcnian", "--db", db]
        subprocess.run([*jc, "init"], check=True, stderr=subprocess.DEVNULL)
        rows = [
            ("python -c pass", median_wall([py, "-c", "pass"], runs), None),
        ]
        bare_help = median_wall([py, str(bare), "--help"], runs)
        jc_help = median_wall([*jc, "--help"], runs)
        sqlmodel = median_wall([py, "-c", "import sqlmodel"], runs)
        branch_list = median_wall([*jc, "branch", "list"], runs)
        rows += [
            ("bare Typer app (20 commands) --help", bare_help, None),
            ("jcnian --help", jc_help, (jc_help / bare_help, 1.2)),
            ('python -c "import sqlmodel"', sqlmodel, None),
            ("jcnian branch list", branch_list, (branch_list / sqlmodel, 1.3)),
        ]
    print(f"start-up, median of {runs} runs")
    for name, seconds, ratio in rows:
        extra = ""
        if ratio:
            verdict = "ok" if ratio[0] <= ratio[1] else "OVER TARGET"
            extra = f"  ratio {ratio[0]:.2f}× (target ≤ {ratio[1]}×) {verdict}"
        print(f"  {name:<40} {seconds * 1000:7.0f} ms{extra}")


if __name__ == "__main__":
    main()
