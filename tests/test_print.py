"""The monthly workbook prints on A4: the page setup of every sheet read back with openpyxl,
and, where LibreOffice is installed, the PDF it makes of the workbook."""

import json
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from typer.testing import CliRunner

from jcnian.cli import app
from jcnian.report.workbook import FOOTER, MIN_SCALE, print_scale, text_width

A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def printed(demo_ledger: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("print") / "驿亭镇月报-2012-09.xlsx"
    result = CliRunner().invoke(
        app, ["--db", demo_ledger, "export", "xlsx", "--month", "2012-09", "-o", str(path)]
    )
    assert result.exit_code == 0, result.stderr
    return path


def _widths(ws) -> list[float]:  # type: ignore[no-untyped-def]
    """The widths the writer set, read from the file's column ranges (neighbours of one width
    are stored as one range, which openpyxl keys by its first column only). The file stores a
    width with the cell's 5-pixel padding added (30 → 30.7109375); print_scale adds that
    padding itself, so it is taken off here, else a sheet just inside a portrait page would
    be measured as just outside."""
    _, _, last_col, _ = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    widths = dict.fromkeys(range(1, last_col + 1), 8.43)  # Excel's width of a column never set
    for dim in list(ws.column_dimensions.values()):
        if dim.customWidth and dim.width:
            for c in range(dim.min, dim.max + 1):
                if c in widths:
                    widths[c] = round(dim.width - 5 / 7)
    return list(widths.values())


def test_every_sheet_is_set_up_for_a4_one_page_wide(printed: Path) -> None:
    wb = openpyxl.load_workbook(printed)
    assert len(wb.sheetnames) >= 9
    for ws in wb:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, ws.title
        widths = _widths(ws)
        landscape = setup.orientation == "landscape"
        # Landscape only where portrait would shrink it; never printed below the minimum.
        assert landscape == (print_scale(widths, landscape=False) < 1), ws.title
        assert print_scale(widths, landscape=landscape) >= MIN_SCALE, (
            ws.title,
            print_scale(widths, landscape),
        )
        header_row = int(ws.freeze_panes[1:]) - 1
        if ws.auto_filter.ref:  # a sheet with a main table: its header on every page
            assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        else:
            assert ws.title == "汇总" and ws.print_title_rows is None
        assert ws.oddFooter.center.text == FOOTER == "第 &P 页 共 &N 页"
        heading = ws.oddHeader.center.text
        assert all(part in heading for part in ("驿亭镇", "2012年", "9月", ws.title)), heading


def test_data_cells_have_borders_and_never_touch(printed: Path) -> None:
    wb = openpyxl.load_workbook(printed)
    for name in ("分类定级", "项目进度", "逾期事项"):
        ws = wb[name]
        header_row = int(ws.freeze_panes[1:]) - 1
        for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + 10):
            for cell in row:
                if cell.column > len(_widths(ws)):
                    continue
                assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", (
                    cell.coordinate
                )
                if isinstance(cell.value, int | float):
                    assert cell.alignment.horizontal == "right", cell.coordinate
                elif cell.is_date:
                    assert cell.alignment.horizontal == "center", cell.coordinate
                elif isinstance(cell.value, str):
                    assert cell.alignment.horizontal == "left", cell.coordinate


def test_notes_fit_the_printed_width_and_the_chart_is_under_the_tables(printed: Path) -> None:
    wb = openpyxl.load_workbook(printed)
    for ws in wb:
        room = sum(_widths(ws))
        header_row = int(ws.freeze_panes[1:]) - 1
        for (value,) in ws.iter_rows(min_row=1, max_row=header_row - 1, max_col=1, values_only=True):
            if isinstance(value, str):
                assert text_width(value) <= room + 2, (ws.title, value)
    summary = wb["汇总"]
    with zipfile.ZipFile(printed) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    start_col, start_row, end_col = (
        int(x)
        for x in re.search(
            r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>.*?<xdr:to><xdr:col>(\d+)", drawing
        ).groups()
    )
    last_cell_row = max(c.row for row in summary.iter_rows() for c in row if c.value is not None)
    assert start_col == 0 and start_row >= last_cell_row  # 0-based anchor: the row after the last value
    assert end_col < len(_widths(summary))


def test_empty_categories_are_left_out_of_print_but_kept_in_json(printed: Path, demo_ledger: str) -> None:
    quota = json.loads(
        CliRunner().invoke(app, ["--db", demo_ledger, "grade", "quota", "--format", "json"]).stdout
    )
    empty = {c for c, check in quota["categories"].items() if check["graded"] == 0}
    assert empty  # the seed has categories without branches
    ws = openpyxl.load_workbook(printed)["分类定级"]
    scopes = {row[0] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert not (empty & scopes) and {"全部", "农村"} <= scopes


def test_the_pdf_is_a4_with_the_pages_the_setup_implies(printed: Path, to_pdf) -> None:  # type: ignore[no-untyped-def]
    pdf = to_pdf(printed).read_bytes()
    boxes = [
        tuple(round(float(x)) for x in m)
        for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    ]
    boxes = [box for box in boxes if box[0] != box[1]]  # not the page tree's bounding box
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == len(boxes) and all(sorted(box) == list(A4_POINTS) for box in boxes)
    wb = openpyxl.load_workbook(printed)
    # One page wide: each sheet takes at least one page, and no more than its rows at three
    # lines each need at its scale (a wide sheet split across pages would pass that).
    most = 0
    for ws in wb:
        landscape = ws.page_setup.orientation == "landscape"
        scale = print_scale(_widths(ws), landscape=landscape)
        height = (A4_POINTS[0] if landscape else A4_POINTS[1]) - 72 * (0.75 + 0.6)
        most += math.ceil(ws.max_row * 45 * scale / height)
    assert len(wb.sheetnames) <= pages <= most
    landscape_pages = sum(1 for box in boxes if box[0] > box[1])
    assert landscape_pages >= sum(1 for ws in wb if ws.page_setup.orientation == "landscape")
