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


def median_walls(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, the runs interleaved round-robin so that a load on the
    machine falls on every command alike (the ratios are what this benchmark reports)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_TYPER)
        db = str(Path(tmp) / "bench.db")
        jc = [py, "-m", "jcnian", "--db", db]
        subprocess.run([*jc, "init"], check=True, stderr=subprocess.DEVNULL)
        t = median_walls(
            {
                "pass": [py, "-c", "pass"],
                "bare": [py, str(bare), "--help"],
                "help": [*jc, "--help"],
                "sqlmodel": [py, "-c", "import sqlmodel"],
                "list": [*jc, "branch", "list"],
            },
            runs,
        )
        rows = [
            ("python -c pass", t["pass"], None),
            ("bare Typer app (20 commands) --help", t["bare"], None),
            ("jcnian --help", t["help"], (t["help"] / t["bare"], 1.2)),
            ('python -c "import sqlmodel"', t["sqlmodel"], None),
            ("jcnian branch list", t["list"], (t["list"] / t["sqlmodel"], 1.3)),
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
