"""``jcnian survey import`` / ``survey log`` against a seeded ledger: what lands, what is refused.

Fixture files are written by the tests, each with the records it must produce.
"""

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledgerkit import sql


def scores(db: str) -> list[tuple[Any, ...]]:
    return sql(
        db,
        "SELECT b.name, s.source, s.indicator, s.respondent, s.points FROM score s "
        "JOIN branch b ON b.id = s.branch_id ORDER BY s.id",
    )


def ballots(db: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name, option, count in sql(
        db, "SELECT b.name, o.option, o.count FROM ballot o JOIN branch b ON b.id = o.branch_id ORDER BY o.id"
    ):
        out.setdefault(name, {})[option] = count
    return out


def imports(db: str) -> int:
    return sql(db, "SELECT count(*) FROM survey_import")[0][0]


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def problem_lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.startswith("  ")]


def refused(seeded, *paths: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The problem lines of an import that must be refused (exit 1)."""
    result = seeded("survey", "import", *paths)
    assert result.exit_code == 1, result.stderr
    return problem_lines(result.stderr)


LONG = (
    "驿亭镇2012年基层党组织分类定级群众初评汇总表,,,\n"
    ",,,\n"
    "党组织,评价主体,指标,得分\n"
    "五夫村党总支,群众初评,党组织带头人,１２\n"
    " 五 夫 村 ,群众初评,工作思路,9分\n"
    ",,,\n"
    "联桥村,群众初评,工作思路, 8 \n"
    "合计,,,29\n"
)
LONG_RECORDS = [
    ("五夫村党总支", "群众初评", "党组织带头人", "", 12.0),
    ("五夫村党总支", "群众初评", "工作思路", "", 9.0),
    ("联桥村党支部", "群众初评", "工作思路", "", 8.0),
]


# --- each layout lands as grade score / grade ballot would write it --------------------------


def test_long_gbk_file_with_title_and_total_rows(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "群众初评.csv", LONG, "gbk")
    result = seeded("survey", "import", path)
    assert result.exit_code == 0, result.stderr
    assert scores(db) == LONG_RECORDS
    assert "已导入 群众初评.csv" in result.stderr
    assert "写入 3 个分数（2 个党组织、2 项指标，群众初评）" in result.stderr
    assert "跳过了 1 行（合计行 1 行" in result.stderr
    assert sql(db, "SELECT file_name, layout, source, rows FROM survey_import") == [
        ("群众初评.csv", "long", "群众初评", 3)
    ]
    assert sql(db, "SELECT count(*) FROM score WHERE import_id = 1")[0][0] == 3


def test_many_respondents_and_deductions(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (
        "党组织,评价主体,指标,测评人,得分,扣分事项,扣分\n"
        "五夫村,党员评议,工作思路,张三,8,,\n"
        "五夫村,党员评议,工作思路,李 四,10,,\n"
        "五夫村,组织考评,工作制度,,,未建立三会一课记录,2\n"
        "五夫村,组织考评,工作制度,,,制度未上墙,1.5\n"
    )
    result = seeded("survey", "import", csv_file(tmp_path, "r.csv", text))
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [
        ("五夫村党总支", "党员评议", "工作思路", "张三", 8.0),
        ("五夫村党总支", "党员评议", "工作思路", "李四", 10.0),
    ]
    assert sql(db, "SELECT source, indicator, respondent, item, points FROM deduction ORDER BY id") == [
        ("组织考评", "工作制度", "", "未建立三会一课记录", 2.0),
        ("组织考评", "工作制度", "", "制度未上墙", 1.5),
    ]
    # Without a 扣分 column, a row with a 扣分事项 deducts the points in its 得分 cell.
    text = "党组织,评价主体,指标,得分,扣分事项\n联桥村,支部自评,活动阵地,3,无固定宣传标语\n联桥村,支部自评,工作思路,9,\n"
    result = seeded("survey", "import", csv_file(tmp_path, "s.csv", text))
    assert result.exit_code == 0, result.stderr
    assert sql(db, "SELECT indicator, item, points FROM deduction WHERE source = '支部自评'") == [
        ("活动阵地", "无固定宣传标语", 3.0)
    ]
    assert scores(db)[-1] == ("联桥村党支部", "支部自评", "工作思路", "", 9.0)


def test_wide_file_without_source_column_takes_source_option(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织\t党组织带头人（15分）\t工作思路\n二都村\t14\t9\n"
    path = csv_file(tmp_path, "组织考评.txt", text, "utf-16")
    result = seeded("survey", "import", path)
    assert result.exit_code == 1
    assert "组织考评.txt：文件没有“评价主体”列，请用 --source 指定" in result.stderr
    result = seeded("survey", "import", path, "--source", "组织考评")
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [
        ("二都村党支部", "组织考评", "党组织带头人", "", 14.0),
        ("二都村党支部", "组织考评", "工作思路", "", 9.0),
    ]


def test_template_rows_with_nothing_filled_in_are_skipped_and_said(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "党组织,评价主体,党组织带头人,工作思路\n五夫村,组织考评,12,8\n联桥村,,,\n二都村,,,\n"
    result = seeded("survey", "import", csv_file(tmp_path, "模板.csv", text))
    assert result.exit_code == 0, result.stderr
    assert "注意：有 2 行只有党组织名称、没有填分数或票数，已跳过。" in result.stderr
    assert len(scores(db)) == 2
    blank = csv_file(tmp_path, "空模板.csv", "党组织,好,较好,一般,较差\n五夫村,,,,\n联桥村,,,,\n")
    result = seeded("survey", "import", blank)
    assert result.exit_code == 1
    assert "空模板.csv：表中 2 行都只有党组织名称，没有填分数或票数。" in result.stderr


def test_ballot_counts_and_single_ballots(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    counts = "群众测评票数汇总\n党组织,好,较好,一般,较差,合计\n五夫村,80,10,8,2,100\n联桥村,50,30,15,5,100\n"
    result = seeded("survey", "import", csv_file(tmp_path, "票数.csv", counts, "gbk"))
    assert result.exit_code == 0, result.stderr
    single = "测评人,党组织,评价\n甲,二都村,满意\n乙,二都村,满意\n丙,二都村,基本满意\n甲,孝丰村,不满意\n"
    result = seeded("survey", "import", csv_file(tmp_path, "选票.csv", single))
    assert result.exit_code == 0, result.stderr
    assert ballots(db) == {
        "五夫村党总支": {"好": 80, "较好": 10, "一般": 8, "较差": 2},
        "联桥村党支部": {"好": 50, "较好": 30, "一般": 15, "较差": 5},
        "二都村党支部": {"满意": 2, "基本满意": 1, "不满意": 0},
        "孝丰村党支部": {"满意": 0, "基本满意": 0, "不满意": 1},
    }
    assert "写入 2 个党组织的票数（满意 2、基本满意 1、不满意 1）" in result.stderr


def test_xlsx_with_merged_branch_cells(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "党员评议汇总表"
    ws.merge_cells("A1:D1")
    ws.append(["党组织", "评价主体", "指标", "得分"])
    ws.append(["杨梅村", "党员评议", "活动阵地", 9])
    ws.append([None, None, "保障机制", 8])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    path = tmp_path / "评议.xlsx"
    wb.save(path)
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert scores(db) == [
        ("杨梅村党支部", "党员评议", "活动阵地", "", 9.0),
        ("杨梅村党支部", "党员评议", "保障机制", "", 8.0),
    ]


# --- branch names -------------------------------------------------------------------------------


def test_branch_names_by_alias_part_and_spacing(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert seeded("branch", "alias", "浙江耀华高翔管桩有限公司党支部", "耀华管桩").exit_code == 0
    text = (
        "党组织,评价主体,指标,得分\n"
        "耀华管桩,群众初评,工作思路,7\n"  # alias
        "马慢桥,群众初评,工作思路,7\n"  # unique part
        "ｂａｄ 白马湖村党总支,群众初评,工作思路,7\n"  # unknown: closest candidates
        "五夫,群众初评,工作思路,7\n"  # ambiguous: 五夫村 / 五夫工业区
    )
    lines = refused(seeded, csv_file(tmp_path, "names.csv", text))
    assert lines[0].startswith(
        "names.csv:4:A（党组织）：找不到党组织“ｂａｄ 白马湖村党总支”，最接近的有：白马湖村党总支"
    )
    assert lines[1] == (
        "names.csv:5:A（党组织）：“五夫”对应多个党组织：五夫村党总支、五夫工业区党总支，请写得更完整些"
    )
    assert len(lines) == 2
    fixed = text.replace("ｂａｄ 白马湖村党总支", "白马湖村党总支").replace("五夫,", "五夫工业区,")
    result = seeded("survey", "import", csv_file(tmp_path, "names2.csv", fixed))
    assert result.exit_code == 0, result.stderr
    assert [r[0] for r in scores(db)] == [
        "浙江耀华高翔管桩有限公司党支部",
        "马慢桥党支部",
        "白马湖村党总支",
        "五夫工业区党总支",
    ]


# --- validation: every problem, nothing written ---------------------------------------------------


def test_every_problem_is_listed_and_nothing_is_written(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (
        "党组织,评价主体,指标,得分\n"
        "五夫村,群众初评,党组织带头人,12\n"
        "五夫村,群众评议,工作思路,8\n"
        "联桥村,群众初评,工作作风,8\n"
        "二都村,群众初评,工作思路,11\n"
        "孝丰村,群众初评,工作思路,abc\n"
        "五夫村,群众初评,党组织带头人,13\n"
    )
    result = seeded("survey", "import", csv_file(tmp_path, "坏.csv", text))
    assert result.exit_code == 1
    assert "错误：发现 5 个问题（涉及 1 个文件），未写入任何数据" in result.stderr
    lines = problem_lines(result.stderr)
    assert lines[0].startswith("坏.csv:3:B（评价主体）：评价主体“群众评议”不在评分办法中")
    assert "应为 群众初评/党员评议/支部自评/组织考评 之一" in lines[0]
    assert lines[1].startswith("坏.csv:4:C（指标）：指标“工作作风”不在评分办法中")
    assert lines[2] == "坏.csv:5:D（得分）：得分 11 超过“工作思路”的满分 10，应在 0 到 10 之间"
    assert lines[3] == "坏.csv:6:D（得分）：“abc”不是数字，应填分数（不小于 0 的数）"
    assert (
        lines[4]
        == "坏.csv:7:D（得分）：“五夫村党总支”的“群众初评”“党组织带头人”与第 2 行重复；如是多名测评人的打分，请加一列“测评人”"
    )
    assert scores(db) == [] and imports(db) == 0


REPEATS = [
    pytest.param(
        "dup.csv",
        "党组织,评价主体,测评人,党组织带头人,工作思路\n五夫村,群众初评,张三,12,8\n五夫村党总支,群众初评,张三,12,9\n",
        [
            "dup.csv:3:D（党组织带头人）：“五夫村党总支”的“群众初评”“党组织带头人”（测评人“张三”）与第 2 行重复",
            "dup.csv:3:E（工作思路）：“五夫村党总支”的“群众初评”“工作思路”（测评人“张三”）与第 2 行重复",
        ],
        id="scores",
    ),
    pytest.param(
        "b.csv",
        "测评人,党组织,评价\n甲,五夫村,好\n甲,五夫村,较好\n乙,五夫村,很好\n",
        [
            "b.csv:3:A（测评人）：测评人“甲”对“五夫村党总支”投了两次（另见第 2 行）",
            "b.csv:4:C（评价）：“很好”不是有效的评价，应为 好/较好/一般/较差 或 满意/基本满意/不满意",
        ],
        id="ballots",
    ),
    pytest.param(
        "c.csv",
        "党组织,好,较好,一般,较差\n五夫村,1,1,1,1\n五夫村党总支,2,2,2,2\n",
        ["c.csv:3:A（党组织）：“五夫村党总支”与第 2 行重复（同一党组织的票数只能有一行）"],
        id="counts",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), REPEATS)
def test_the_same_key_twice_in_a_file_names_both_rows(  # type: ignore[no-untyped-def]
    seeded, db: str, tmp_path: Path, name: str, text: str, expected: list[str]
) -> None:
    assert refused(seeded, csv_file(tmp_path, name, text)) == expected
    assert scores(db) == [] and ballots(db) == {} and imports(db) == 0


def test_wide_header_with_an_unknown_indicator(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "标题\n党组织,评价主体,工作思路,工作作风\n五夫村,群众初评,8,9\n联桥村,群众初评,7,6\n"
    lines = refused(seeded, csv_file(tmp_path, "w.csv", text))
    assert len(lines) == 1
    assert lines[0].startswith("w.csv:2:D（工作作风）：指标“工作作风”不在评分办法中")
    assert scores(db) == []


def test_one_bad_file_among_several_writes_none(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = csv_file(tmp_path, "good.csv", LONG)
    bad = csv_file(tmp_path, "bad.csv", "党组织,好,较好\n五夫村,x,1\n")
    assert refused(seeded, good, bad) == ["bad.csv:2:B（好）：“x”不是数字，票数应为大于或等于 0 的整数"]
    assert scores(db) == [] and ballots(db) == {} and imports(db) == 0


def test_dry_run_reports_and_writes_nothing(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "a.csv", LONG)
    result = seeded("survey", "import", path, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "将写入 3 个分数（2 个党组织、2 项指标，群众初评）" in result.stderr
    assert "账本未作任何改动" in result.stderr
    assert scores(db) == [] and imports(db) == 0
    bad = csv_file(tmp_path, "b.csv", LONG.replace("8 ", "80"))
    result = seeded("survey", "import", bad, "--dry-run")
    assert result.exit_code == 1
    assert "b.csv:7:D（得分）：得分 80 超过“工作思路”的满分 10" in result.stderr


def test_usage_errors_exit_2(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "a.csv", LONG)
    result = seeded("survey", "import", path, "--encoding", "klingon")
    assert result.exit_code == 2
    assert "不认识的编码" in result.stderr
    assert seeded("survey", "import").exit_code == 2


def test_missing_and_unsupported_files(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "汇报.docx"
    doc.write_bytes(b"PK\x03\x04rest")
    blank = csv_file(tmp_path, "空白.csv", "\n\n,,\n")
    assert refused(seeded, str(tmp_path / "nowhere.csv"), str(doc), blank) == [
        "nowhere.csv：文件不存在。",
        "汇报.docx：不支持 .docx 文件，请另存为 .xlsx、.xls、.csv 或 .txt（制表符分隔）后再导入。",
        "空白.csv：在前 30 行中找不到表头：需要有一列“党组织”（也可写作 党组织名称、单位、branch）。",
    ]


# --- idempotency and --replace -----------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "a.csv", LONG, "gbk")
    assert seeded("survey", "import", path).exit_code == 0
    result = seeded("survey", "import", path)
    assert result.exit_code == 0
    assert "a.csv：内容账本中已全部有了，与 a.csv（" in result.stderr
    assert "未做任何改动" in result.stderr
    copy = tmp_path / "副本.csv"
    shutil.copy(path, copy)
    result = seeded("survey", "import", str(copy))
    assert "副本.csv：内容账本中已全部有了，与 a.csv（" in result.stderr
    assert scores(db) == LONG_RECORDS and imports(db) == 1


def test_a_longer_file_adds_only_the_new_rows(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert seeded("survey", "import", csv_file(tmp_path, "a.csv", LONG)).exit_code == 0
    longer = LONG.replace("合计,,,29\n", "二都村,群众初评,工作思路,6\n")
    result = seeded("survey", "import", csv_file(tmp_path, "b.csv", longer))
    assert result.exit_code == 0, result.stderr
    assert "写入 1 个分数（1 个党组织 × 1 项，群众初评）；与账本相同 3 个，未重复写入" in result.stderr
    assert scores(db) == [*LONG_RECORDS, ("二都村党支部", "群众初评", "工作思路", "", 6.0)]


def test_a_corrected_file_needs_replace_and_replaces_its_branches_and_sources_only(  # type: ignore[no-untyped-def]
    seeded, db: str, tmp_path: Path
) -> None:
    first = (
        "党组织,评价主体,指标,得分\n"
        "五夫村,群众初评,党组织带头人,12\n"
        "五夫村,群众初评,工作思路,9\n"
        "五夫村,组织考评,工作思路,7\n"  # another source of the same branch
        "联桥村,群众初评,工作思路,8\n"  # another branch
    )
    assert seeded("survey", "import", csv_file(tmp_path, "初评.csv", first)).exit_code == 0
    corrected = csv_file(
        tmp_path, "初评（更正）.csv", "党组织,评价主体,指标,得分\n五夫村,群众初评,工作思路,6\n"
    )
    assert refused(seeded, corrected) == [
        "初评（更正）.csv:2:D（得分）：账本中“五夫村党总支”的“群众初评”“工作思路”已是 9（来自 初评.csv），"
        "本文件为 6；如以本文件为准，请加 --replace"
    ]
    result = seeded("survey", "import", corrected, "--replace", "--dry-run")
    assert result.exit_code == 0
    assert "将替换 1 个党组织的群众初评原有的得分 2 条" in result.stderr
    assert len(scores(db)) == 4
    result = seeded("survey", "import", corrected, "--replace")
    assert result.exit_code == 0, result.stderr
    assert "已替换 1 个党组织的群众初评原有的得分 2 条" in result.stderr
    assert scores(db) == [
        ("五夫村党总支", "组织考评", "工作思路", "", 7.0),
        ("联桥村党支部", "群众初评", "工作思路", "", 8.0),
        ("五夫村党总支", "群众初评", "工作思路", "", 6.0),
    ]
    again = seeded("survey", "import", corrected, "--replace")
    assert "未做任何改动" in again.stderr
    log = json.loads(seeded("survey", "log", "--format", "json").stdout)
    assert [(e["file"], e["rows"], e["replaced"]) for e in log] == [
        ("初评.csv", 4, None),
        ("初评（更正）.csv", 1, "1 个党组织的群众初评原有的得分 2 条"),
    ]
    assert set(log[0]) == {"id", "file", "sha256", "imported_at", "layout", "source", "rows", "replaced"}
    assert len(log[0]["sha256"]) == 64


def test_ballots_reimport_conflict_and_replace(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = csv_file(tmp_path, "票.csv", "党组织,满意,基本满意,不满意\n五夫村,90,8,2\n联桥村,70,20,10\n")
    assert seeded("survey", "import", first).exit_code == 0
    assert "未做任何改动" in seeded("survey", "import", first).stderr
    fixed = csv_file(tmp_path, "票2.csv", "党组织,满意,基本满意,不满意\n五夫村,91,7,2\n")
    assert refused(seeded, fixed) == [
        "票2.csv:2:A（党组织）：账本中“五夫村党总支”已有不同的票数 满意90 基本满意8 不满意2（来自 票.csv），"
        "本文件为 满意91 基本满意7 不满意2；如以本文件为准，请加 --replace"
    ]
    assert seeded("survey", "import", fixed, "--replace").exit_code == 0
    assert ballots(db) == {
        "五夫村党总支": {"满意": 91, "基本满意": 7, "不满意": 2},
        "联桥村党支部": {"满意": 70, "基本满意": 20, "不满意": 10},
    }


def test_a_score_entered_by_hand_is_not_overwritten_silently(seeded, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from jcnian import db as storage
    from jcnian.gradebook.entry import enter_score

    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        enter_score(session, "五夫村", "群众初评", "工作思路", 5)
    engine.dispose()
    result = seeded("survey", "import", csv_file(tmp_path, "a.csv", LONG))
    assert result.exit_code == 1
    assert "已是 5（手工录入），本文件为 9；如以本文件为准，请加 --replace" in result.stderr


def test_survey_log_table(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert seeded("survey", "import", csv_file(tmp_path, "a.csv", LONG)).exit_code == 0
    result = seeded("survey", "log")
    assert result.exit_code == 0
    assert "测评结果导入记录（1 次）" in result.stdout
    assert "a.csv" in result.stdout and "长表（每行一项得分）" in result.stdout
    csv_out = seeded("survey", "log", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "id,file,sha256,imported_at,layout,source,rows,replaced"
    assert csv_out[1].startswith("1,a.csv,")


@pytest.mark.parametrize("args", [("survey", "import", "--help"), ("survey", "log", "--help")])
def test_help_is_chinese_with_an_example(seeded, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = seeded(*args)
    assert result.exit_code == 0
    assert "示例：jcnian survey" in result.stdout
