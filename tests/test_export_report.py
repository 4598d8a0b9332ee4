"""The monthly workbook of a whole campaign (the deterministic demo ledger), read back cell by
cell and checked against what the grading and phases commands say for the same day."""

import json
import math
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from jcnian import db as storage
from jcnian.cli import app
from jcnian.report import workbook
from jcnian.report.month import month_report
from jcnian.report.workbook import Sheet

SHEETS = [
    "汇总",
    "联系表",
    "分类定级",
    "各主体得分",
    "后进整顿",
    "项目进度",
    "项目标准",
    "验收",
    "问题台账",
    "逾期事项",
    "问责提醒",
    "一句话承诺",
    "闪光言行",
    "五个一",
    "主题轮训",
    "书记",
    "村干部承诺",
    "集体经济",
    "组织机构",
]


@pytest.fixture(scope="module")
def campaign(demo_ledger: str) -> str:
    """A ledger through all four phases: the session's ``jcnian demo`` ledger (only read here)."""
    return demo_ledger


@pytest.fixture
def cli(campaign: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", campaign, *args])

    return _run


def export(cli, path: Path, month: str) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    result = cli("export", "xlsx", "--month", month, "-o", str(path))
    assert result.exit_code == 0, result.stderr
    return openpyxl.load_workbook(path)


def report(path: str, month: str):  # type: ignore[no-untyped-def]
    engine = storage.open_engine(path)
    try:
        with storage.transaction(engine) as session:
            return month_report(session, month)
    finally:
        engine.dispose()


def _cell(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return value


def _trim(row: tuple[Any, ...]) -> tuple[Any, ...]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def same(got: tuple[Any, ...], want: tuple[Any, ...]) -> bool:
    """Equal cell by cell; a number must come back a number (float to its 15 digits)."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if isinstance(w, float):
            if not isinstance(g, int | float) or not math.isclose(g, w, rel_tol=1e-15):
                return False
        elif g != w or type(g) is not type(w):
            return False
    return True


def grid(sheet: Sheet) -> Iterator[tuple[Any, ...]]:
    """The rows a sheet must show: notes, a blank, then each table's title, header and rows."""
    yield from ((line,) for _, line in workbook.note_lines(sheet))
    if sheet.notes:
        yield ()
    for table in sheet.tables:
        if table.title:
            yield (table.title,)
        yield tuple(c.header for c in table.columns)
        yield from (_trim(tuple(_cell(v) for v in row)) for row in table.rows)
        yield ()


def read(ws: Any) -> list[tuple[Any, ...]]:
    rows = [_trim(row) for row in ws.iter_rows(values_only=True)]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def test_every_sheet_reads_back_to_the_reported_values(campaign: str, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = export(cli, tmp_path / "r.xlsx", "2012-09")
    expected = report(campaign, "2012-09")
    assert wb.sheetnames == SHEETS == [s.name for s in expected.sheets]
    for sheet in expected.sheets:
        want = list(grid(sheet))
        while want and not want[-1]:
            want.pop()
        got = read(wb[sheet.name])
        assert len(got) == len(want), sheet.name
        for g, w in zip(got, want, strict=True):
            assert same(g, w), (sheet.name, g, w)
    for name in SHEETS[1:]:
        ws = wb[name]
        header_row = int(ws.freeze_panes[1:]) - 1
        assert all(c.font.b for c in ws[header_row] if c.value is not None), name
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith(f"A{header_row}:"), name


def test_summary_agrees_with_status_and_quota(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = export(cli, tmp_path / "r.xlsx", "2012-05")["汇总"]
    rows = read(ws)
    assert "2012-05-31" in rows[1][0]
    status = json.loads(cli("status", "--as-of", "2012-05-31", "--format", "json").stdout)
    start = rows.index(
        ("阶段", "开始", "结束", "状态", "全部完成的党组织", "应完成的党组织", "有逾期的党组织")
    )
    shown = {r[0]: r for r in rows[start + 1 : start + 1 + len(status["phases"])]}
    seed_phases = {"动员部署": "已结束", "分类定级": "已结束", "深入实施": "进行中", "总结验收": "未开始"}
    for label, state in seed_phases.items():
        assert shown[label][3] == state
    for phase in status["phases"]:
        row = shown[phase["phase"]]
        assert row[1] == _cell(date.fromisoformat(phase["start"]))
        assert (row[3], row[4], row[5], row[6]) == (
            phase["state"],
            phase["done"],
            phase["total"],
            phase["overdue"],
        )
    quota = json.loads(cli("grade", "quota", "--as-of", "2012-05-31", "--format", "json").stdout)
    start = rows.index(("档次", "目标比例", "目标数", "允许下限", "允许上限", "实有数", "结论"))
    for band, row in zip(quota["bands"], rows[start + 1 : start + 4], strict=True):
        assert row[0] == band["band"]
        assert (row[2], row[3], row[4], row[5]) == (band["target"], band["min"], band["max"], band["actual"])
        assert row[6] == ("符合" if band["ok"] else "不符合")
    assert [r[2] for r in rows[start + 1 : start + 4]] == [10, 19, 3]  # the seed's 32 branches


def test_grade_distribution_chart_beside_the_quota(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.xlsx"
    export(cli, path, "2012-05")
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "等级分布与比例目标" in xml
    assert "汇总" in xml and "<c:barChart>" in xml
    assert xml.count("<c:ser>") == 2  # 目标数 and 实有数


def test_grading_sheet_agrees_with_grade_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = read(export(cli, tmp_path / "r.xlsx", "2012-09")["分类定级"])
    header = rows[0]
    listed = json.loads(cli("grade", "list", "--format", "json").stdout)
    body = rows[1 : 1 + len(listed)]
    col = {h: i for i, h in enumerate(header)}
    for row, entry in zip(body, listed, strict=True):
        row = row + (None,) * (len(header) - len(row))
        assert row[col["党组织名称"]] == entry["branch"]
        assert row[col["分类"]] == entry["category"]
        assert row[col["总分"]] == pytest.approx(entry["score"])
        assert row[col["拟定等级"]] == entry["proposed"]
        assert row[col["终定等级"]] == entry["grade"]
        assert (row[col["提示"]] or "") == "；".join(entry["flags"])
    assert "比例控制（好+较好 30%、一般 60%、较差 10% 左右）" in [r[0] for r in rows if r]  # the seed's quota


def test_the_month_end_is_the_as_of_date(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    april = export(cli, tmp_path / "4.xlsx", "2012-04")
    september = export(cli, tmp_path / "9.xlsx", "2012-09")
    phase = {
        m: {r[0]: r[3] for r in read(wb["汇总"])[5:11] if r} for m, wb in (("4", april), ("9", september))
    }
    assert phase["4"]["深入实施"] == "未开始" and phase["9"]["深入实施"] == "已结束"
    for wb, end in ((april, datetime(2012, 4, 30)), (september, datetime(2012, 9, 30))):
        problems = read(wb["问题台账"])[1:]
        assert all(r[4] <= end for r in problems)
        assert all(len(r) < 7 or r[6] is None or r[6] <= end for r in problems)
        assert all(r[3] <= end for r in read(wb["逾期事项"])[1:])
    assert len(read(april["问题台账"])) < len(read(september["问题台账"]))


def test_same_campaign_and_month_give_the_same_bytes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    export(cli, a, "2012-07")
    export(cli, b, "2012-07")
    assert a.read_bytes() == b.read_bytes()


def test_a_table_longer_than_a_sheet_goes_on_over_continuation_sheets(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 12)
    wb = export(cli, tmp_path / "r.xlsx", "2012-09")
    pages = [n for n in wb.sheetnames if n.startswith("联系表")]
    assert pages == ["联系表", "联系表（续2）", "联系表（续3）"]
    rows = [row for name in pages for row in read(wb[name])]
    header = rows[0]
    assert [r for r in rows if r == header] == [header] * 3
    names = [r[1] for r in rows if r != header]
    branches = json.loads(cli("branch", "list", "--format", "json").stdout)
    assert names == [b["name"] for b in branches]
    assert all(wb[name].max_row <= 12 for name in wb.sheetnames)


# That the workbook opens in LibreOffice, as A4 pages, is checked in tests/test_print.py.
