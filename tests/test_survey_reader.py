"""The survey reader on files as offices produce them: encodings, layouts, messy sheets, broken files.

No ledger here: the reader turns bytes into typed rows and located problems, and never raises.
"""

import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcnian.problems import column_letter
from jcnian.survey.problems import Problems
from jcnian.survey.reader import open_survey
from jcnian.survey.records import CountRow, ScoreRow, VoteRow
from jcnian.typed import parse_count
from jcnian.typed import parse_points as parse_number

LONG = "党组织,评价主体,指标,得分\n五夫村,群众初评,工作思路,9\n联桥村,群众初评,工作思路,8\n"
EXPECTED_LONG = [
    ("五夫村", "群众初评", "工作思路", "", 9.0, ""),
    ("联桥村", "群众初评", "工作思路", "", 8.0, ""),
]


def read(path: Path, **kwargs: object) -> tuple[list[object], list[str], object]:
    """Records and problem lines of one file, as the import sees them."""
    problems = Problems()
    survey = open_survey(path, problems, **kwargs)  # type: ignore[arg-type]
    records: list[object] = []
    if survey is not None:
        with survey:
            records = list(survey.records(problems, default_source="群众初评"))
    return records, problems.lines(), survey


def scores(records: list[object]) -> list[tuple[object, ...]]:
    return [(r.branch, r.source, r.indicator, r.respondent, r.points, r.item) for r in records]  # type: ignore[attr-defined]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- encodings and delimiters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "label"),
    [
        ("utf8.csv", "utf-8", ",", "UTF-8"),
        ("bom.csv", "utf-8-sig", ",", "UTF-8（带 BOM）"),
        ("gbk.csv", "gbk", ",", "GBK/GB18030"),
        ("gb18030.csv", "gb18030", ",", "GBK/GB18030"),
        ("unicode.txt", "utf-16", "\t", "UTF-16（带 BOM）"),
        ("tabs.csv", "gbk", "\t", "GBK/GB18030"),
    ],
)
def test_every_encoding_excel_and_wps_write_is_detected(
    tmp_path: Path, name: str, encoding: str, delimiter: str, label: str
) -> None:
    path = write(tmp_path, name, LONG.replace(",", delimiter), encoding)
    records, problems, survey = read(path)
    assert problems == []
    assert scores(records) == EXPECTED_LONG
    assert label in survey.describe()  # type: ignore[attr-defined]
    assert ("制表符分隔" if delimiter == "\t" else "逗号分隔") in survey.describe()  # type: ignore[attr-defined]


def test_utf16_without_bom_is_recognised_by_its_zero_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "noBOM.txt", LONG.replace(",", "\t"), "utf-16-le")
    records, problems, _ = read(path)
    assert problems == []
    assert scores(records) == EXPECTED_LONG


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.csv", LONG, "gbk")
    records, problems, _ = read(path, encoding="GBK")
    assert problems == [] and scores(records) == EXPECTED_LONG
    _, problems, _ = read(path, encoding="utf-8")
    assert len(problems) == 1
    assert problems[0].startswith("gbk.csv：")
    assert "不是 UTF-8 编码" in problems[0] and "--encoding" in problems[0]


# --- messy sheets -------------------------------------------------------------------------


def test_title_rows_blank_rows_total_row_full_width_and_units_are_read_past(tmp_path: Path) -> None:
    text = (
        "驿亭镇2012年基层党组织分类定级群众初评汇总表,,,\n"
        "填报单位：驿亭镇组织办,,,\n"
        ",,,\n"
        "党组织 , 评价主体,指 标,得分（分）\n"
        " 五夫村 ,群众初评,工作思路,９０分\n"
        ",,,\n"
        "联桥村,群众初评,　工作思路　, 8 \n"
        "合　计,,,98\n"
        "填表人：章伟青,,,\n"
    )
    path = write(tmp_path, "messy.csv", text, "gbk")
    records, problems, survey = read(path)
    assert problems == []
    assert [(r.row, r.branch, r.indicator, r.points) for r in records] == [  # type: ignore[attr-defined]
        (5, "五夫村", "工作思路", 90.0),
        (7, "联桥村", "工作思路", 8.0),
    ]
    assert survey.header_row == 4  # type: ignore[attr-defined]
    assert survey.skipped == 2  # type: ignore[attr-defined]  # 合计 and the footer


def test_long_layout_with_respondents_and_deductions(tmp_path: Path) -> None:
    text = (
        "党组织,评价主体,指标,测评人,得分,扣分事项,扣分\n"
        "五夫村,群众初评,工作思路,张 三,8,,\n"
        "五夫村,群众初评,工作思路,李四,9,,\n"
        "五夫村,组织考评,工作制度,,,未建立三会一课记录,2\n"
    )
    records, problems, survey = read(write(tmp_path, "long.csv", text))
    assert problems == []
    assert survey.layout == "long"  # type: ignore[attr-defined]
    assert scores(records) == [
        ("五夫村", "群众初评", "工作思路", "张三", 8.0, ""),
        ("五夫村", "群众初评", "工作思路", "李四", 9.0, ""),
        ("五夫村", "组织考评", "工作制度", "", 2.0, "未建立三会一课记录"),
    ]


def test_wide_layout_takes_one_column_per_indicator(tmp_path: Path) -> None:
    text = "党组织,评价主体,党组织带头人（15分）,工作思路,合计\n五夫村,组织考评,12,8,20\n联桥村,组织考评,10,7,17\n"
    records, problems, survey = read(write(tmp_path, "wide.csv", text))
    assert problems == []
    assert survey.layout == "wide"  # type: ignore[attr-defined]
    assert [(r.row, column_letter(r.col), r.branch, r.indicator, r.points) for r in records] == [  # type: ignore[attr-defined]
        (2, "C", "五夫村", "党组织带头人", 12.0),
        (2, "D", "五夫村", "工作思路", 8.0),
        (3, "C", "联桥村", "党组织带头人", 10.0),
        (3, "D", "联桥村", "工作思路", 7.0),
    ]


def test_ballot_counts_and_one_ballot_per_row(tmp_path: Path) -> None:
    counts = "党组织,好（票）,较好,一般,较差,合计\n五夫村,10,5,3,1,19\n联桥村,1,,1,1,3\n"
    records, problems, survey = read(write(tmp_path, "counts.csv", counts))
    assert problems == [] and survey.layout == "counts"  # type: ignore[attr-defined]
    assert records == [
        CountRow(2, "五夫村", {"好": 10, "较好": 5, "一般": 3, "较差": 1}),
        CountRow(3, "联桥村", {"好": 1, "较好": 0, "一般": 1, "较差": 1}),
    ]
    ballots = "测评人,党组织,评价\n张三,五夫村,满意\n李四,五夫村, 基本满意 \n"
    records, problems, survey = read(write(tmp_path, "ballots.csv", ballots))
    assert problems == [] and survey.layout == "ballots"  # type: ignore[attr-defined]
    assert [(r.branch, r.option, r.respondent) for r in records] == [  # type: ignore[attr-defined]
        ("五夫村", "满意", "张三"),
        ("五夫村", "基本满意", "李四"),
    ]
    assert all(isinstance(r, VoteRow) for r in records)


def test_english_headers_are_understood(tmp_path: Path) -> None:
    text = "Branch,Source,Indicator,Respondent,Points\n五夫村,群众初评,工作思路,r1,9\n"
    records, problems, _ = read(write(tmp_path, "en.csv", text))
    assert problems == []
    assert scores(records) == [("五夫村", "群众初评", "工作思路", "r1", 9.0, "")]
    records, problems, _ = read(
        write(tmp_path, "en2.csv", "branch,good,fairly_good,average,poor\n五夫村,1,2,3,4\n")
    )
    assert problems == [] and records == [CountRow(2, "五夫村", {"好": 1, "较好": 2, "一般": 3, "较差": 4})]


def test_xlsx_with_merged_title_and_branch_merged_down(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "群众初评"
    ws["A1"] = "驿亭镇群众初评汇总表"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["党组织", "评价主体", "指标", "测评人", "得分"])
    ws.append(["五夫村", "群众初评", "党组织带头人", "张三", 12])
    ws.append([None, None, "工作思路", "张三", "９分"])
    ws.append([None, None, "工作思路", 1001, 8.0])
    ws.merge_cells("A4:A6")
    ws.merge_cells("B4:B6")
    ws.append(["合计", None, None, None, 29])
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    records, problems, survey = read(path)
    assert problems == []
    assert [(r.row, r.branch, r.source, r.indicator, r.respondent, r.points) for r in records] == [  # type: ignore[attr-defined]
        (4, "五夫村", "群众初评", "党组织带头人", "张三", 12.0),
        (5, "五夫村", "群众初评", "工作思路", "张三", 9.0),
        (6, "五夫村", "群众初评", "工作思路", "1001", 8.0),
    ]
    assert "工作表“群众初评”" in survey.describe()  # type: ignore[attr-defined]


def test_xlsx_two_row_header_under_a_merged_group_heading(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["群众测评票数汇总"])
    ws.append(["党组织", "测评票数"])
    ws.append([None, "好", "较好", "一般", "较差"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:E2")
    ws.append(["五夫村", 20, 5, 2, 1])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    records, problems, survey = read(path)
    assert problems == []
    assert records == [CountRow(4, "五夫村", {"好": 20, "较好": 5, "一般": 2, "较差": 1})]
    assert "表头在第 2–3 行" in survey.describe()  # type: ignore[attr-defined]


def test_xls_is_read_with_merged_cells(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    sheet = wb.add_sheet("测评")
    sheet.write_merge(0, 0, 0, 3, "党员评议汇总")
    for col, head in enumerate(["党组织", "指标", "得分", "评价主体"]):
        sheet.write(1, col, head)
    sheet.write_merge(2, 3, 0, 0, "五夫村")
    sheet.write(2, 1, "工作思路")
    sheet.write(2, 2, 8)
    sheet.write(2, 3, "党员评议")
    sheet.write(3, 1, "工作制度")
    sheet.write(3, 2, 7.5)
    sheet.write(3, 3, "党员评议")
    path = tmp_path / "old.xls"
    wb.save(str(path))
    records, problems, _ = read(path)
    assert problems == []
    assert scores(records) == [
        ("五夫村", "党员评议", "工作思路", "", 8.0, ""),
        ("五夫村", "党员评议", "工作制度", "", 7.5, ""),
    ]


# --- problems, located as the spreadsheet shows them ----------------------------------------


BAD_FILES = [
    pytest.param(
        "bad.csv",
        "汇总表\n"
        "党组织,评价主体,指标,得分\n"
        "五夫村,群众初评,工作思路,abc\n"
        ",群众初评,工作思路,8\n"
        "联桥村,群众初评,,8\n"
        "二都村,群众初评,工作思路,-1\n"
        "孝丰村,群众初评,工作思路,90%\n"
        "杨梅村,群众初评,工作思路,\n",
        [
            "bad.csv:3:D（得分）：“abc”不是数字，应填分数（不小于 0 的数）",
            "bad.csv:4:A（党组织）：党组织名称为空",
            "bad.csv:5:C（指标）：指标为空",
            "bad.csv:6:D（得分）：“-1”小于 0，应填分数（不小于 0 的数）",
            "bad.csv:7:D（得分）：“90%”是百分数，这里应填分数或票数，应填分数（不小于 0 的数）",
            "bad.csv:8:D（得分）：分数为空",
        ],
        id="points",
    ),
    pytest.param(
        "b.csv",
        "测评人,党组织,评价\n张三,五夫村,优秀\n李四,五夫村,\n",
        [
            "b.csv:2:C（评价）：“优秀”不是有效的评价，应为 好/较好/一般/较差 或 满意/基本满意/不满意",
            "b.csv:3:C（评价）：评价为空",
        ],
        id="ballots",
    ),
    pytest.param(
        "quote.csv",
        '党组织,评价主体,指标,得分\n五夫村,"群众初评,工作思路,9\n联桥村,群众初评,工作思路,9\n',
        ["quote.csv:2:B（评价主体）：单元格跨了第 2–3 行，多半是引号没有配对，请检查这一带的引号"],
        id="stray quote",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES)
def test_every_bad_cell_is_reported_with_file_row_and_column(
    tmp_path: Path, name: str, text: str, expected: list[str]
) -> None:
    records, problems, _ = read(write(tmp_path, name, text))
    assert records == []
    assert problems == expected


def test_bad_vote_counts(tmp_path: Path) -> None:
    text = "党组织,好,较好,一般,较差,合计\n五夫村,1.5,2,x,-3,\n联桥村,1,1,1,1,5\n"
    _, problems, _ = read(write(tmp_path, "counts.csv", text))
    assert problems == [
        "counts.csv:2:B（好）：“1.5”不是整数，票数应为大于或等于 0 的整数",
        "counts.csv:2:D（一般）：“x”不是数字，票数应为大于或等于 0 的整数",
        "counts.csv:2:E（较差）：“-3”小于 0，票数应为大于或等于 0 的整数",
        "counts.csv:3:F（合计）：合计 5 与各项票数之和 4 不符",
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty.csv：文件是空的。"),
        (
            "header.csv",
            "党组织,评价主体,指标,得分\n".encode(),
            "header.csv：第 1 行是表头，但表头下面没有数据行。",
        ),
        ("noheader.csv", "甲,乙\n1,2\n".encode(), "noheader.csv：在前 30 行中找不到表头"),
        ("random.csv", bytes(range(256)) * 4, "random.csv：文件含有二进制内容"),
        ("junk.csv", b"\x81\x30\xff\xfe\x80" * 20, "junk.csv：无法识别文件编码"),
        ("fake.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页格式"),
        ("notes.docx", b"PK\x03\x04", "不支持 .docx 文件"),
        (
            "broken.xlsx",
            b"PK\x03\x04" + b"\x00" * 100,
            "broken.xlsx：无法打开这个 Excel 文件（文件已损坏或不完整）",
        ),
        (
            "broken.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "broken.xls：无法读取这个 .xls 文件",
        ),
        (
            "onlybranch.csv",
            "党组织,备注\n五夫村,无\n".encode(),
            "onlybranch.csv：无法判断表格格式：表头只有党组织，缺少分数或票数的列",
        ),
        ("noindicator.csv", "党组织,评价主体,得分\n五夫村,群众初评,9\n".encode(), "缺少必需的列：指标"),
        (
            "twice.csv",
            "党组织,评价主体,指标,得分,分数\n五夫村,群众初评,工作思路,9,9\n".encode(),
            "twice.csv:1:E（分数）：“分数”与 D 列（得分）重复，请删去其中一列",
        ),
    ],
)
def test_broken_files_give_one_clear_error(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    records, problems, _ = read(path)
    assert records == []
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_truncated_xlsx_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["党组织", "评价主体", "指标", "得分"])
    for i in range(2000):
        ws.append([f"五夫村{i}", "群众初评", "工作思路", i % 10])
    whole = tmp_path / "whole.xlsx"
    wb.save(whole)
    for cut in (0.3, 0.6, 0.9):
        part = tmp_path / f"cut{cut}.xlsx"
        data = whole.read_bytes()
        part.write_bytes(data[: int(len(data) * cut)])
        _, problems, _ = read(part)
        assert problems and all(p.startswith(f"cut{cut}.xlsx") for p in problems)


def test_problems_beyond_the_limit_are_counted_not_listed(tmp_path: Path) -> None:
    text = "党组织,评价主体,指标,得分\n" + "五夫村,群众初评,工作思路,x\n" * 1500
    _, problems, _ = read(write(tmp_path, "many.csv", text))
    assert len(problems) == 1001
    assert problems[-1] == "……另有 500 个问题未列出（请先改正以上问题）。"


def test_number_and_count_parsing() -> None:
    assert [parse_number(v) for v in ("９０", " 90 ", "90分", "90.5", 12, 7.5, "", None, "  ")] == [
        90.0,
        90.0,
        90.0,
        90.5,
        12.0,
        7.5,
        None,
        None,
        None,
    ]
    assert [parse_count(v) for v in ("１２", "12票", 12.0, "1,200")] == [12, 12, 12, 1200]
    for bad in ("nan", "inf", "九十", "12.5.1", True):
        with pytest.raises(ValueError):
            parse_number(bad)
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# --- never a traceback ---------------------------------------------------------------------------


def _check_outcome(data: bytes, name: str) -> None:
    """Whatever the bytes: typed, valid rows, or problems in the file:… form, never an exception."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        records, problems, survey = read(path)
        for record in records:
            assert isinstance(record, ScoreRow | CountRow | VoteRow)
            assert record.row >= 1 and record.branch
            if isinstance(record, ScoreRow):
                assert record.points >= 0 and record.points == record.points and record.indicator
            elif isinstance(record, CountRow):
                assert all(isinstance(n, int) and n >= 0 for n in record.counts.values())
        for line in problems:
            assert line.startswith(name) or line.startswith("……")
        assert survey is not None or problems


CELLS = st.sampled_from(
    ["党组织", "评价主体", "指标", "得分", "测评人", "好", "较好", "满意", "评价", "合计", "五夫村", "群众初评",
     "工作思路", "９０分", " 8 ", "-1", "1.5", "", '"', '""', "\n", "abc", "\x00", "\u3000"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".xls"]))
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    _check_outcome(data, f"any{suffix}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(st.one_of(CELLS, st.text(max_size=8)), max_size=7), max_size=12),
    delimiter=st.sampled_from([",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_arbitrary_csv_text_never_raises(rows: list[list[str]], delimiter: str, encoding: str) -> None:
    text = "\n".join(delimiter.join(row) for row in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogatepass")
    _check_outcome(data, "text.csv")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    _, problems, _ = read(path)
    assert len(problems) == 1 and problems[0].startswith("other.xlsx：无法打开这个 Excel 文件")
