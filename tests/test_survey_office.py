"""``survey import`` on files made the way town offices make them: every cell accounted for.

The files are written here as offices write them: a merged title, 填报单位, a two-row header,
sign-offs of several cells under the table, GBK/GB18030, UTF-16 "Unicode text", .xlsx from
WPS, .xls from an old Excel. Each cell of a data row is imported or refused with
file:row:column; the lines that are not data are read past, and ``--dry-run`` lists them.
"""

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledgerkit import sql

from jcnian.data_files import default_rubric_text
from jcnian.grading import parse_rubric

INDICATORS = list(parse_rubric(default_rubric_text()).indicators)  # 党组织带头人 … 群众评价


def scores(db: str) -> list[tuple[Any, ...]]:
    return sql(
        db,
        "SELECT b.name, s.source, s.indicator, s.respondent, s.points FROM score s "
        "JOIN branch b ON b.id = s.branch_id ORDER BY b.seq, s.source, s.indicator, s.respondent",
    )


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def problems(result: Any) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]


def located(result: Any) -> list[str]:
    """The file:row:column part of each problem line."""
    return [line.split("：", 1)[0].split("（", 1)[0] for line in problems(result)]


def refused(seeded, *paths: str) -> Any:  # type: ignore[no-untyped-def]
    result = seeded("survey", "import", *paths)
    assert result.exit_code == 1, result.stderr
    return result


# --- numbers: only when unambiguous -------------------------------------------------------------


def test_a_comma_inside_a_score_is_refused_as_ambiguous(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (
        "党组织,评价主体,指标,得分\n"
        '五夫村,支部自评,工作思路,"8，5"\n'
        '联桥村,支部自评,工作思路,"8,5"\n'
        "二都村,支部自评,工作思路,９．５\n"
    )
    result = refused(seeded, write(tmp_path, "逗号.csv", text, "gbk"))
    assert located(result) == ["逗号.csv:2:D", "逗号.csv:3:D"]
    assert all("8.5 还是 85" in line for line in problems(result))
    assert scores(db) == []
    fixed = text.replace('"8，5"', "８．５").replace('"8,5"', "8.5分")
    result = seeded("survey", "import", write(tmp_path, "改正.csv", fixed, "gbk"))
    assert result.exit_code == 0, result.stderr
    assert [r[4] for r in scores(db)] == [8.5, 8.5, 9.5]


def test_a_thousands_separator_only_in_counts_and_only_where_it_is_one(
    seeded, db: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = '党组织,满意,基本满意,不满意\n五夫村,"1,500",300,20\n联桥村,"1,5",3,2\n'
    result = refused(seeded, write(tmp_path, "票数.csv", text))
    assert located(result) == ["票数.csv:3:B"] and "千位分隔" in problems(result)[0]
    result = seeded("survey", "import", write(tmp_path, "票数2.csv", text.replace('"1,5"', "15")))
    assert result.exit_code == 0, result.stderr
    assert sql(db, "SELECT count FROM ballot WHERE option = '满意' ORDER BY branch_id") == [(1500,), (15,)]


# --- every cell of a data row --------------------------------------------------------------------


def test_a_short_csv_row_missing_its_last_column_is_refused(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    header = "党组织,评价主体," + ",".join(INDICATORS)
    text = f"{header}\n五夫村,群众初评,13,9,9,9,9,18,23\n联桥村,群众初评,13,9,9,9,9,18\n"
    result = refused(seeded, write(tmp_path, "宽表.csv", text))
    assert located(result) == ["宽表.csv:3:I"]
    assert "群众评价" in problems(result)[0]
    assert scores(db) == []


def test_a_blank_score_in_the_wide_layout_is_refused(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,评价主体,党组织带头人,工作思路,工作制度\n五夫村,组织考评,13,,9\n联桥村,,,,\n"
    result = refused(seeded, write(tmp_path, "空格.csv", text))
    assert located(result) == ["空格.csv:2:D"]  # 联桥村 is a template row: listed, nothing filled in
    assert scores(db) == []
    dry = seeded(
        "survey", "import", write(tmp_path, "模板.csv", text.replace("13,,9", "13,8,9")), "--dry-run"
    )
    assert dry.exit_code == 0, dry.stderr
    assert "跳过第 3 行（只有党组织名称，没有填分数或票数）：联桥村" in dry.stderr


def test_a_value_in_a_column_without_a_header_is_refused(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,评价主体,指标,得分,\n五夫村,支部自评,工作思路,9,\n联桥村,支部自评,工作思路,8,备用\n"
    result = refused(seeded, write(tmp_path, "多一列.csv", text))
    assert located(result) == ["多一列.csv:3:E"]


def test_a_formula_without_a_saved_value_is_refused(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "党组织", "评价主体", "党组织带头人", "工作思路", "合计"])
    ws.append(["=ROW()-1", "五夫村", "组织考评", 13, 9, "=D2+E2"])  # written by a program, never computed
    ws.append(["=ROW()-1", "联桥村", "组织考评", "=10+3", 8, None])
    path = tmp_path / "公式.xlsx"
    wb.save(path)
    result = refused(seeded, str(path))
    assert located(result) == [
        "公式.xlsx:2:F",
        "公式.xlsx:3:D",
    ]  # 序号 is not read: its formulas do not matter
    assert all("请在 Excel/WPS 中打开并保存后再导入" in line for line in problems(result))
    assert scores(db) == []


def test_control_characters_in_cells_are_refused_with_their_place(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,评价主体,指标,测评人,得分,扣分事项,扣分\n五夫村,组织考评,工作思路,\x1b[2J张三,8,,\n五夫村,组织考评,工作制度,,,未建\x07台账,2\n"
    result = refused(seeded, write(tmp_path, "控制.csv", text))
    assert located(result) == ["控制.csv:2:D", "控制.csv:3:F"]
    assert "ESC" in problems(result)[0] and "\x1b" not in result.stderr


# --- lines that are not data ---------------------------------------------------------------------

SIGNED = (
    "驿亭镇2012年基层党组织分类定级支部自评汇总表,,,,\n"
    "填报单位：驿亭镇组织办,,,,\n"
    "序号,党组织,评价主体,指标,得分\n"
    "1,五夫村,支部自评,工作思路,9\n"
    "2,联桥村,支部自评,工作思路,8\n"
    ",合计,,,17\n"
    ",平均,,,8.5\n"
    "制表人：王䶮,,,审核：朱高华,\n"
    ",填表日期：2012年4月20日,,联系电话：0575-82101234,\n"
    "单位盖章,,,,\n"
    "备注：,得分为支部自评,,,\n"
    "说明：本表一式两份,,,,\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_sign_offs_of_any_number_of_cells_titles_and_totals_are_read_past(  # type: ignore[no-untyped-def]
    seeded, db: str, tmp_path: Path, encoding: str
) -> None:
    text = SIGNED.replace("王䶮", "王岩") if encoding == "gbk" else SIGNED  # 䶮 is GB18030 only
    text = text.replace(",", "\t") if encoding == "utf-16" else text
    path = write(tmp_path, "自评.txt" if encoding == "utf-16" else "自评.csv", text, encoding)
    dry = seeded("survey", "import", path, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    skipped = [line.split("（")[1].split("）")[0] for line in dry.stderr.splitlines() if "跳过第" in line]
    assert skipped == ["合计行", "合计行", *["表尾签字或说明"] * 5]
    assert "跳过第 8 行（表尾签字或说明）：制表人：王" in dry.stderr
    assert scores(db) == []
    result = seeded("survey", "import", path)
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [
        ("五夫村党总支", "支部自评", "工作思路", "", 9.0),
        ("联桥村党支部", "支部自评", "工作思路", "", 8.0),
    ]
    assert "跳过了 7 行" in result.stderr


def test_a_wps_workbook_with_a_merged_title_and_a_merged_sign_off(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员评议"
    ws["A1"] = "驿亭镇2012年党员评议汇总表"
    ws.merge_cells("A1:E1")
    ws["A2"] = "填报单位：驿亭镇组织办"
    ws.merge_cells("A2:E2")
    ws.append(["党组织", "评价主体", "考评指标", "测评人", "得分"])
    ws.append(["杨梅村", "党员评议", "活动阵地", "1号", 9])
    ws.append([None, None, "保障机制", "1号", "８分"])
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:B5")
    ws.append(["合计", None, None, None, 17])
    ws.append(["制表人：王䶮", None, "审核：朱高华", None, "2012年4月20日"])
    ws.merge_cells("A7:B7")
    ws.merge_cells("C7:D7")
    path = tmp_path / "评议.xlsx"
    wb.save(path)
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [
        ("杨梅村党支部", "党员评议", "保障机制", "1号", 8.0),
        ("杨梅村党支部", "党员评议", "活动阵地", "1号", 9.0),
    ]


def test_an_old_xls_with_a_title_and_sign_offs(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    sheet = wb.add_sheet("组织考评")
    sheet.write_merge(0, 0, 0, 3, "组织考评汇总表")
    for col, head in enumerate(["党组织", "评价主体", "测评项目", "分数"]):
        sheet.write(1, col, head)
    sheet.write_merge(2, 3, 0, 0, "五夫村")
    for row, (indicator, points) in enumerate((("工作业绩", 18), ("群众评价", 22.5)), start=2):
        sheet.write(row, 1, "组织考评")
        sheet.write(row, 2, indicator)
        sheet.write(row, 3, points)
    sheet.write(4, 0, "审核：朱高华")
    sheet.write(4, 2, "联系电话：82101234")
    path = tmp_path / "考评.xls"
    wb.save(str(path))
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert [(r[2], r[4]) for r in scores(db)] == [("工作业绩", 18.0), ("群众评价", 22.5)]


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["评分指标", "考评指标", "测评项目", "考核内容"])
def test_header_synonyms_for_the_indicator_column(seeded, db: str, tmp_path: Path, word: str) -> None:  # type: ignore[no-untyped-def]
    text = f"党组织,评价主体,{word},实得分\n五夫村,群众初评,工作思路,9\n"
    result = seeded("survey", "import", write(tmp_path, "同义.csv", text))
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [("五夫村党总支", "群众初评", "工作思路", "", 9.0)]


def _two_row_header(ws: Any, merge_down: bool) -> None:
    ws.append(["驿亭镇组织考评得分汇总表"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "党组织", "评价主体", "指标得分"])
    ws.merge_cells("D2:F2")  # the group cell merged across
    ws.append([None, None, None, "党组织带头人", "工作思路", "工作制度"])
    if merge_down:
        for col in "ABC":
            ws.merge_cells(f"{col}2:{col}3")
    ws.append([1, "五夫村", "组织考评", 13, 9, 8])
    ws.append([2, "联桥村", "组织考评", 12, 8, 7])


@pytest.mark.parametrize("merge_down", [False, True], ids=["group-cell-only", "merged-down-too"])
def test_a_two_row_header_however_it_is_merged(seeded, db: str, tmp_path: Path, merge_down: bool) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    _two_row_header(wb.active, merge_down)
    path = tmp_path / "两行表头.xlsx"
    wb.save(path)
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "表头在第 2–3 行" in result.stderr
    assert len(scores(db)) == 6


def test_a_two_row_header_in_a_csv(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,群众测评票数,,,\n,好,较好,一般,较差\n五夫村,20,5,2,1\n"
    result = seeded("survey", "import", write(tmp_path, "票.csv", text, "gb18030"))
    assert result.exit_code == 0, result.stderr
    assert sql(db, "SELECT option, count FROM ballot ORDER BY id") == [
        ("好", 20),
        ("较好", 5),
        ("一般", 2),
        ("较差", 1),
    ]


# --- one form per ballot, in every layout ----------------------------------------------------------


def test_one_form_per_ballot_in_a_count_sheet(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,好,较好,一般,较差,满意,基本满意,不满意\n五夫村,20,5,,1,,,\n联桥村,10,2,1,,3,,\n二都村,,,,,30,5,1\n"
    result = refused(seeded, write(tmp_path, "混用.csv", text))
    assert located(result) == ["混用.csv:3:F"]
    result = seeded(
        "survey", "import", write(tmp_path, "分开.csv", text.replace("10,2,1,,3,,", "10,2,1,,,,"))
    )
    assert result.exit_code == 0, result.stderr
    by_branch: dict[int, set[str]] = {}
    for bid, option in sql(db, "SELECT branch_id, option FROM ballot"):
        by_branch.setdefault(bid, set()).add(option)
    assert sorted(map(sorted, by_branch.values())) == sorted(
        [
            sorted(["好", "较好", "一般", "较差"]),
            sorted(["好", "较好", "一般", "较差"]),
            sorted(["满意", "基本满意", "不满意"]),
        ]
    )


def test_one_form_per_ballot_with_one_ballot_per_row(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "测评人,党组织,评价\n甲,五夫村,好\n乙,五夫村,满意\n丙,联桥村,满意\n丁,二都村,较好\n"
    result = refused(seeded, write(tmp_path, "逐张.csv", text))
    assert located(result) == ["逐张.csv:3:C"]
    result = seeded(
        "survey", "import", write(tmp_path, "逐张2.csv", text.replace("乙,五夫村,满意", "乙,五夫村,较差"))
    )
    assert result.exit_code == 0, result.stderr
    ballot = {
        (b, o): n
        for b, o, n in sql(
            db, "SELECT b.name, o.option, o.count FROM ballot o JOIN branch b ON b.id = o.branch_id"
        )
    }
    assert (
        ballot[("联桥村党支部", "满意")] == 1 and ("联桥村党支部", "好") not in ballot
    )  # padded with its own form only
    assert ballot[("五夫村党总支", "一般")] == 0 and ("五夫村党总支", "满意") not in ballot


# --- counted in the clerk's terms --------------------------------------------------------------------


def test_messages_count_in_the_clerks_terms(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = [r["name"] for r in json.loads(seeded("branch", "list", "--format", "json").stdout)][:9]
    points = {i: 5 for i in INDICATORS}

    def sheet(branches: list[str]) -> str:
        lines = ["党组织,评价主体,指标,得分"]
        lines += [f"{b},支部自评,{i},{p}" for b in branches for i, p in points.items()]
        return "\n".join(lines) + "\n"

    assert seeded("survey", "import", write(tmp_path, "一个.csv", sheet(names[:1]))).exit_code == 0
    result = seeded("survey", "import", write(tmp_path, "九个.csv", sheet(names)))
    assert result.exit_code == 0, result.stderr
    assert "写入 56 个分数（8 个党组织 × 7 项，支部自评）；与账本相同 7 个" in result.stderr


# --- the fast path ---------------------------------------------------------------------------------


def test_a_file_the_fast_path_hands_back_is_counted_once(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """New scores go straight into the ledger; a key the ledger holds, met after a first chunk
    was written, takes the file back to the staged path: the ledger, the messages and the
    change log end as if the staged path had run alone."""
    one = "党组织,评价主体,指标,测评人,得分\n五夫村,党员评议,工作思路,25000号,8\n"
    assert seeded("survey", "import", write(tmp_path, "一行.csv", one)).exit_code == 0
    lines = ["党组织,评价主体,指标,测评人,得分"] + [
        f"五夫村,党员评议,工作思路,{i}号,8" for i in range(30_000)
    ]
    result = seeded("survey", "import", write(tmp_path, "三万行.csv", "\n".join(lines) + "\n"))
    assert result.exit_code == 0, result.stderr
    assert (
        "写入 29999 个分数（1 个党组织 × 1 项 × 29999 名测评人，党员评议）；与账本相同 1 个" in result.stderr
    )
    assert sql(db, "SELECT count(*) FROM score")[0][0] == 30_000
    log = json.loads(seeded("log", "--format", "json").stdout)[0]
    assert "score 新增 29999" in log["summary"]
    assert sql(db, "SELECT rows FROM survey_import ORDER BY id") == [(1,), (29_999,)]
