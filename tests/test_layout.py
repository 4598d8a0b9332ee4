"""Terminal tables that fit: every list command at 80 and 120 columns against the demo ledger,
and the layout rules themselves (jcnian.commands.layout)."""

import csv
import io
import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from jcnian.cli import app
from jcnian.commands import layout
from jcnian.commands.layout import Col, fixed, optional, plan, text, wrap

# Every command that prints a table, on days the demo ledger has something to show; those
# with optional columns take --wide.
LISTS = [
    ("branch list", False),
    ("branch show 五夫村", False),
    ("people list", False),
    ("people show 袁婕", False),
    ("people check", False),
    ("campaign show --as-of 2012-04-25", False),
    ("status --as-of 2012-06-15", False),
    ("status 五夫村 --as-of 2012-06-15", False),
    ("overdue --as-of 2012-07-15 --limit 0", False),
    ("lagging --as-of 2012-07-15", True),
    ("problem list --limit 0", True),
    ("plan show 五夫村", False),
    ("project list --as-of 2012-07-15 --limit 0", True),
    ("project show 1 --as-of 2012-07-15", False),
    ("report missing --as-of 2012-07-15", False),
    ("coverage show --as-of 2012-07-01", False),
    ("accept report --as-of 2012-09-30", True),
    ("grade rubric show", False),
    ("grade show 五夫村", False),
    ("grade list", True),
    ("grade quota", False),
    ("grade suggest", True),
    ("grade backward", False),
    ("grade history 五夫村", False),
    ("survey log", False),
    ("export tables", False),
]
DATE_OR_NUMBER = re.compile(r"^(\d{4}-\d{2}(-\d{2})?|-?\d+(\.\d+)?%?|\d+/\d+)$")
# What a date or number broken at a line's end leaves behind, next to a border.
BROKEN = re.compile(r"\b\d{4}-\d?\s+[│┃]|[│┃] +\d{1,2}-\d{2}\b|[│┃] +-\d{2}\b")


def _whole(value: str, out: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(value)}(?![\d])", out) is not None


@pytest.fixture(scope="module")
def run(demo_ledger: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(command: str, *extra: str, width: int = 200):  # type: ignore[no-untyped-def]
        result = runner.invoke(
            app, ["--db", demo_ledger, *command.split(), *extra], env={"COLUMNS": str(width)}
        )
        assert result.exit_code in (0, 1), (command, result.stderr)
        return result

    return _run


@pytest.mark.parametrize(("command", "wide"), LISTS, ids=[c for c, _ in LISTS])
def test_every_date_and_number_appears_whole_at_80_and_120_columns(run, command, wide) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(run(command, "--format", "csv").stdout)))
    values = {v for r in rows for v in r.values() if v and DATE_OR_NUMBER.match(v)}
    for width in (80, 120):
        table = run(command, width=width)
        out = table.stdout
        lines = out.splitlines()
        assert max((cell_len(line) for line in lines), default=0) <= width, (command, width)
        assert not BROKEN.search(out), (command, width, BROKEN.search(out))
        missing = {v for v in values if not _whole(v, out)}
        if missing:
            # Only columns the clerk was told were left out, and --wide shows them.
            assert wide and "未显示" in table.stderr and "--wide" in table.stderr, (command, width, missing)
            out = run(command, "--wide", width=width).stdout
            assert {v for v in values if not _whole(v, out)} == set(), (command, width)
        # No row grows past a few lines unless its own text is that long.
        assert _tallest_row(lines) <= 4, (command, width)


def _tallest_row(lines: list[str]) -> int:
    """The most lines one table row takes (rows end where a new one starts with a value in
    its first column, or at the table's bottom border)."""
    tallest = height = 0
    for line in lines:
        if not line.startswith("│"):
            tallest, height = max(tallest, height), 0
            continue
        first = line.split("│")[1]
        if first.strip():
            tallest, height = max(tallest, height), 0
        height += 1
    return max(tallest, height)


def test_a_cut_list_says_how_many_were_left_out_and_how_to_see_them(run) -> None:  # type: ignore[no-untyped-def]
    cut = run("overdue", "--as-of", "2012-09-30", "--limit", "5")
    assert cut.stdout.count("\n│") <= 5 * 4
    assert re.search(r"另有 \d+ 项未列出", cut.stderr) and "--limit 0" in cut.stderr
    assert "--phase" in cut.stderr
    narrowed = run("overdue", "--as-of", "2012-09-30", "--phase", "其他要求", "--format", "json")
    phases = {r["phase"] for r in __import__("json").loads(narrowed.stdout)}
    assert phases == {"其他要求"}
    one = run("lagging", "--as-of", "2012-07-15", "--branch", "鲁溪闸村", "--format", "csv")
    assert {r["branch"] for r in csv.DictReader(io.StringIO(one.stdout))} == {"鲁溪闸村党支部"}
    firms = run("project", "list", "--as-of", "2012-07-15", "--category", "非公制企业", "--format", "csv")
    assert all("村" not in r["branch"] for r in csv.DictReader(io.StringIO(firms.stdout)))


# --- the layout rules ------------------------------------------------------------------


def test_wrap_breaks_chinese_between_characters_never_inside_a_date_or_number() -> None:
    lines = wrap("已整改（2012-09-19）并验收，进度 100%", 12)
    assert all(cell_len(line) <= 12 for line in lines)
    assert any("2012-09-19" in line for line in lines) and any("100%" in line for line in lines)
    assert not any(line.startswith(("，", "）", "。")) for line in lines)
    assert wrap("五夫村党总支", 6) == ["五夫村", "党总支"]


def test_fixed_columns_never_wrap_and_texts_fold_within_theirs() -> None:
    cols = [fixed("due", "截止"), text("item", "事项"), Col("days", "逾期天数")]
    rows = [["2012-07-02", "任务“中期检查”（便民服务代办点建设）", "13"]] * 3
    shaped = plan(cols, rows, 40)
    assert not shaped.blocks
    widths = {c.col.key: c.width for c in shaped.columns}
    assert widths["due"] == 10 and widths["days"] >= 2
    assert sum(widths.values()) + layout.overhead(3) <= 40


def test_optional_columns_go_first_then_records_become_blocks() -> None:
    cols = [Col("a", "党组织"), Col("b", "项目"), optional("c", "说明"), fixed("d", "期限")]
    rows = [
        [
            "上虞市唯佳照明电器有限公司党支部",
            "村级活动阵地改造工程",
            "进度滞后（应达 88%）；1 项任务逾期",
            "2012-07-24",
        ]
    ]
    rows = rows * 2
    roomy = plan(cols, rows, 120)
    assert [c.col.key for c in roomy.columns] == ["a", "b", "c", "d"] and not roomy.dropped
    tight = plan(cols, rows, 50)
    assert [c.col.key for c in tight.columns] == ["a", "b", "d"] and tight.dropped == ["说明"]
    assert plan(cols, rows, 30).blocks
    assert [c.col.key for c in plan(cols, rows, 50, wide=True).columns] == ["a", "b", "c", "d"]


def test_columns_empty_in_every_row_are_left_out_of_the_table() -> None:
    cols = [Col("a", "党组织"), Col("b", "备注")]
    assert [c.col.key for c in plan(cols, [["五夫村", ""], ["联桥村", ""]], 80).columns] == ["a"]
