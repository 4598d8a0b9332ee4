"""The monthly workbook as the city office and a scheduled job see it, and table exports."""

import csv
import io
import json
import re
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcnian.report import workbook
from jcnian.report.month import month_bounds
from jcnian.report.workbook import Column, Sheet, Table, text_width, write_sheets

SEED_FIRST = ("五夫村党总支", "党总支", "农村", "章伟青", "朱高华")
SEED_LAST = "驿亭镇白马湖水产专业合作社党支部"


def export(run, path: Path, month: str = "2012-05", *extra: str):  # type: ignore[no-untyped-def]
    return run("export", "xlsx", "--month", month, "-o", str(path), *extra)


def values(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def unescape(text: str) -> str:
    """Decode the _xHHHH_ escapes of OOXML strings, which Excel decodes and openpyxl does not."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


# --- the workbook ---------------------------------------------------------------------------


def test_liaison_sheet_reads_back_as_the_seed_in_order(seeded, tmp_path: Path) -> None:
    out = tmp_path / "月报.xlsx"
    result = export(seeded, out)
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "汇总"
    ws = wb["联系表"]
    rows = values(ws)
    assert rows[0] == ("序号", "党组织名称", "组织形式", "分类", "联系领导", "联系干部", "备注")
    branches = json.loads(seeded("branch", "list", "--format", "json").stdout)
    assert len(rows) == 1 + len(branches) == 33
    for i, (row, branch) in enumerate(zip(rows[1:], branches, strict=True), start=1):
        assert row == (
            i,
            branch["name"],
            branch["form"],
            branch["category"],
            branch["leader"],
            branch["cadre"],
            branch["remarks"],
        )
    assert rows[1][1:6] == SEED_FIRST
    assert rows[-1][1] == SEED_LAST
    # A blank cell in the seed is an empty cell, not an empty name.
    assert rows[4][5] is None


def test_layout_header_frozen_filtered_and_cjk_widths(seeded, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert export(seeded, out).exit_code == 0
    ws = openpyxl.load_workbook(out)["联系表"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G33"
    assert all(cell.font.b for cell in ws[1])
    assert ws["A2"].data_type == "n" and isinstance(ws["A2"].value, int)
    longest = max(len(ws.cell(r, 2).value) for r in range(2, ws.max_row + 1))
    # 16 Chinese characters need about 32 Latin widths; a Latin-only fit would be about 16.
    assert ws.column_dimensions["B"].width >= 2 * longest


def test_refuses_to_overwrite_without_force(seeded, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"mailed last month")
    result = export(seeded, out)
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert out.read_bytes() == b"mailed last month"
    result = export(seeded, out, "2012-05", "--force")
    assert result.exit_code == 0, result.stderr
    assert openpyxl.load_workbook(out).sheetnames[:1] == ["汇总"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r.xlsx")) == []


def test_a_crash_mid_write_leaves_no_half_file(seeded, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = workbook.write_sheets

    def crash(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(path, *args, **kwargs)
        Path(path).write_bytes(Path(path).read_bytes()[:500])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook, "write_sheets", crash)
    out = tmp_path / "r.xlsx"
    result = export(seeded, out)
    assert result.exit_code == 1
    assert "无法写入" in result.stderr
    assert not out.exists()
    out.write_bytes(b"previous report")
    assert export(seeded, out, "2012-05", "--force").exit_code == 1
    assert out.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from jcnian.report import workbook
from jcnian.cli import main

def killed(path, *args, **kwargs):
    Path(path).write_bytes(b"PK half a workbook")
    os.kill(os.getpid(), signal.SIGKILL)

workbook.write_sheets = killed
sys.argv = ["jcnian", *sys.argv[1:]]
main()
"""


def test_a_killed_export_leaves_the_previous_file_alone(seeded, db: str, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"last month's report")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_MID_WRITE)
    args = ["--db", db, "export", "xlsx", "--month", "2012-05", "-o", str(out), "--force"]
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"last month's report"


def test_same_ledger_and_month_give_the_same_file(seeded, tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert export(seeded, a).exit_code == 0
    assert export(seeded, b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.created == datetime(2012, 5, 31)


def test_month_is_the_as_of_date(seeded, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert export(seeded, out, "2012-02").exit_code == 0
    notes = [row[0] for row in values(openpyxl.load_workbook(out)["汇总"])[:3]]
    assert "2012年2月" in notes[0]
    assert "2012-02-29" in notes[1]
    assert "32" in notes[2]


@pytest.mark.parametrize("month", ["2012-13", "2012-5", "五月", "2012/05", "12-05"])
def test_bad_month_is_a_usage_error(seeded, tmp_path: Path, month: str) -> None:
    result = export(seeded, tmp_path / "r.xlsx", month)
    assert result.exit_code == 2
    assert "YYYY-MM" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_a_workbook_is_never_written_to_stdout(seeded) -> None:
    result = seeded("export", "xlsx", "--month", "2012-05", "-o", "-")
    assert result.exit_code == 2
    assert "xlsx" in result.stderr and not result.stdout_bytes


def test_missing_folder_is_reported(seeded, tmp_path: Path) -> None:
    result = export(seeded, tmp_path / "no" / "r.xlsx")
    assert result.exit_code == 1
    assert "不存在" in result.stderr


def test_no_ledger_no_file(run, tmp_path: Path) -> None:
    result = export(run, tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert "jcnian init" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.sqlite_only(
    "LibreOffice reads the workbook; the cells are compared across backends in test_postgresql"
)
def test_workbook_opens_in_libreoffice(seeded, tmp_path: Path, to_pdf) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.xlsx"
    assert export(seeded, out).exit_code == 0
    pdf = to_pdf(out)
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes()[:5] == b"%PDF-"


# --- the writer on its own -------------------------------------------------------------------


def test_text_width_counts_cjk_twice() -> None:
    assert text_width("abc") == 3
    assert text_width("五夫村党总支") == 12
    assert text_width("陈 刚") == 5
    assert text_width("ＡＢ12") == 6
    assert text_width("一行\n第二行更长") == 10


def test_month_bounds() -> None:
    assert month_bounds("2012-02") == (date(2012, 2, 1), date(2012, 2, 29))
    assert month_bounds("2013-12") == (date(2013, 12, 1), date(2013, 12, 31))
    for bad in ("2012-00", "2012-13", "201205", " -05"):
        with pytest.raises(ValueError):
            month_bounds(bad)


def test_dates_and_numbers_are_real_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    cols = [Column("名称"), Column("日期", "date"), Column("得分", "number"), Column("比例", "percent")]
    rows = [("001", date(2012, 4, 25), 89.995, 0.3), ("=1+1", None, 0, 1)]
    write_sheets(path, [Sheet("表", [Table(cols, rows)])], title="t", created=datetime(2012, 5, 31))
    ws = openpyxl.load_workbook(path)["表"]
    assert ws["A2"].value == "001" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s"
    assert ws["B2"].value == datetime(2012, 4, 25) and ws["B2"].is_date
    assert ws["B3"].value is None
    assert ws["C2"].value == 89.995 and ws["C2"].number_format == "0.00"
    assert ws["D2"].value == 0.3 and ws["D2"].number_format == "0.0%"


def test_a_number_column_refuses_text(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_sheets(
            tmp_path / "t.xlsx",
            [Sheet("表", [Table([Column("得分", "number")], [("90",)])])],
            title="t",
            created=datetime(2012, 5, 31),
        )


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40
)
cell_number = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cell_text, cell_number), min_size=0, max_size=8))
def test_any_text_and_number_read_back_unchanged(tmp_path: Path, rows: list[tuple[str, float]]) -> None:
    path = tmp_path / "h.xlsx"
    path.unlink(missing_ok=True)
    table = Table([Column("文字"), Column("数", "number")], rows)
    write_sheets(path, [Sheet("表", [table])], title="t", created=datetime(2012, 5, 31))
    got = values(openpyxl.load_workbook(path)["表"])[1:]
    assert len(got) == len(rows)
    for (text, number), (read_text, read_number) in zip(rows, got, strict=True):
        assert (unescape(read_text) if read_text is not None else "") == text
        assert read_number == pytest.approx(number, rel=1e-15, abs=0)
        assert not isinstance(read_number, str)


# --- tables for scripts ------------------------------------------------------------------


def test_csv_has_a_bom_by_default_and_every_branch(seeded, tmp_path: Path) -> None:
    out = tmp_path / "branch.csv"
    result = seeded("export", "csv", "branch", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 32
    assert list(rows[0]) == ["id", "campaign_id", "seq", "name", "form", "category_id", "remarks"]
    assert rows[0]["name"] == "五夫村党总支" and rows[0]["remarks"] == ""
    assert [int(r["seq"]) for r in rows] == list(range(1, 33))


def test_csv_encoding_and_stdout(seeded) -> None:
    result = seeded("export", "csv", "党组织", "-o", "-", "--encoding", "gb18030")
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode("gb18030")
    assert text.startswith("id,campaign_id")
    assert "杨梅村党支部" in text


def test_csv_refuses_what_the_encoding_cannot_hold(seeded, tmp_path: Path) -> None:
    assert seeded("branch", "add", "𠮷村党支部", "--category", "农村").exit_code == 0
    out = tmp_path / "b.csv"
    result = seeded("export", "csv", "branch", "-o", str(out), "--encoding", "gbk")
    assert result.exit_code == 1
    assert "第 33 条记录" in result.stderr and "name" in result.stderr and "𠮷" in result.stderr
    assert not out.exists()
    assert seeded("export", "csv", "branch", "-o", str(out), "--encoding", "gb18030").exit_code == 0


def test_csv_bad_encoding_and_unknown_table(seeded, tmp_path: Path) -> None:
    result = seeded("export", "csv", "branch", "-o", "-", "--encoding", "klingon")
    assert result.exit_code == 2
    assert "编码" in result.stderr
    result = seeded("export", "csv", "branh", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert "branch" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_csv_file_is_not_overwritten_without_force(seeded, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    out.write_text("keep")
    assert seeded("export", "csv", "person", "-o", str(out)).exit_code == 1
    assert out.read_text() == "keep"
    assert seeded("export", "csv", "person", "-o", str(out), "--force").exit_code == 0
    assert "name" in out.read_text(encoding="utf-8-sig")


def test_json_rows_with_dates_as_strings(seeded) -> None:
    result = seeded("export", "json", "phase_window")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["phase"] for r in rows] == ["mobilize", "classify", "implement", "accept"]
    assert rows[0]["end"] == "2012-04-25" and rows[3]["end"] == "2012-09-30"
    assert json.loads(seeded("export", "json", "branch_alias").stdout) == []


def test_every_ledger_table_is_listed_and_exportable(seeded, tmp_path: Path) -> None:
    result = seeded("export", "tables", "--format", "json")
    assert result.exit_code == 0, result.stderr
    tables = {t["name"]: t for t in json.loads(result.stdout)}
    assert {"branch", "person", "liaison", "campaign", "phase_window"} <= set(tables)
    assert tables["branch"]["rows"] == 32 and tables["branch"]["label"] == "党组织"
    for name, info in tables.items():
        out = seeded("export", "json", name)
        assert out.exit_code == 0, (name, out.stderr)
        assert len(json.loads(out.stdout)) == info["rows"]


def test_table_exports_are_deterministic(seeded, tmp_path: Path) -> None:
    first = seeded("export", "csv", "liaison", "-o", "-").stdout_bytes
    assert first == seeded("export", "csv", "liaison", "-o", "-").stdout_bytes
    assert first.count(b"\r\n") == 1 + 50  # RFC 4180 line ends: the header and 50 liaisons
