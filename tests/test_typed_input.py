"""Typed input in the forms a town office writes: dates, percentages, lists, choices, numbers.

Each kind has one parser (jcnian.typed), used by the command line, the survey import and the
domain; these tests type what a clerk types and check what lands in the ledger.
"""

from datetime import date

import pytest
from ledgerkit import sql

from jcnian import typed
from jcnian.commands import values


def one(db: str, query: str) -> object:
    rows = sql(db, query)
    return rows[0][0] if rows else None


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "2012-5-10",
        "2012-05-10",
        "2012/5/10",
        "2012.5.10",
        "2012年5月10日",
        "２０１２－０５－１０",
        "2012年5月10号",
        "5月10日",
    ],
)
def test_dates_as_offices_write_them(seeded, db: str, written: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("mobilize", "meeting", "五夫村", "--on", written, "--attendance", "46")
    assert result.exit_code == 0, result.stderr
    assert str(one(db, "SELECT held_on FROM mobilisation_meeting")) == "2012-05-10"  # a date on PostgreSQL


@pytest.mark.parametrize(
    ("written", "why"), [("20120510", "连写"), ("2012-W19-4", "按周"), ("2012-2-30", "2 月没有 30 日")]
)
def test_compact_and_week_dates_are_refused_not_guessed(seeded, db: str, written: str, why: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("mobilize", "meeting", "五夫村", "--on", written)
    assert result.exit_code == 2
    assert "--on" in result.stderr and why in result.stderr
    assert one(db, "SELECT count(*) FROM mobilisation_meeting") == 0


def test_a_date_without_a_year_takes_the_campaigns_year(run, db: str) -> None:  # type: ignore[no-untyped-def]
    assert run("init", "--year", "2013").exit_code == 0
    result = run("mobilize", "meeting", "五夫村", "--on", "4月10日")
    assert result.exit_code == 0, result.stderr
    assert str(one(db, "SELECT held_on FROM mobilisation_meeting")) == "2013-04-10"
    assert run("status", "--as-of", "4月20日").exit_code == 0


def test_the_date_parser_alone() -> None:
    assert typed.parse_date("２０１２年５月１０日") == date(2012, 5, 10)
    with pytest.raises(typed.BadValue, match="年份"):
        typed.parse_date("5月10日")  # no campaign to take the year from
    assert typed.parse_month("2012年5月") == typed.parse_month("2012/5") == "2012-05"


# --- percentages ---------------------------------------------------------------------------


def _project(seeded) -> None:  # type: ignore[no-untyped-def]
    result = seeded(
        "project", "add", "五夫村", "阵地改造", "--owner", "章伟青",
        "--start", "2012-05-01", "--due", "2012-08-31", "--on", "2012-05-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("written", ["30%", "30", "0.3", "３０％"])
def test_progress_takes_30_percent_in_the_three_forms(seeded, db: str, written: str) -> None:  # type: ignore[no-untyped-def]
    _project(seeded)
    result = seeded("project", "progress", "五夫村/阵地改造", written, "--on", "2012-06-30")
    assert result.exit_code == 0, result.stderr
    assert one(db, "SELECT percent FROM progress_update") == 30


@pytest.mark.parametrize(
    ("written", "why"),
    [("1", "1% 还是 100%"), ("－5%", "0% 到 100%"), ("1_0", "不是数字"), ("30.5%", "整数")],
)
def test_progress_refuses_what_it_cannot_read_for_certain(seeded, db: str, written: str, why: str) -> None:  # type: ignore[no-untyped-def]
    _project(seeded)
    result = seeded("project", "progress", "五夫村/阵地改造", written, "--on", "2012-06-30")
    assert result.exit_code == 2, result.stderr
    assert why in result.stderr
    assert one(db, "SELECT count(*) FROM progress_update") == 0


def test_a_rate_by_the_same_rule() -> None:
    assert values.rate("94%") == values.rate("94") == values.rate("0.94") == pytest.approx(0.94)
    assert values.rate("100%") == 1.0
    for bad in ("1", "1_0", "9４%x", "-5%"):
        with pytest.raises(Exception, match=r"。$"):
            values.rate(bad)


# --- lists and choices ---------------------------------------------------------------------


def test_ballot_counts_with_chinese_commas_and_colons(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("grade", "ballot", "五夫村", "好=1,200，较好：60、一般=15；较差=5")
    assert result.exit_code == 0, result.stderr
    assert dict(sql(db, "SELECT option, count FROM ballot")) == {
        "好": 1200,
        "较好": 60,
        "一般": 15,
        "较差": 5,
    }
    for bad in ("好=1_0", "好=1,5", "好=12.5", "好"):
        assert seeded("grade", "ballot", "五夫村", bad).exit_code == 2, bad


@pytest.mark.parametrize(
    ("args", "table", "column", "stored"),
    [
        (("visit", "add", "五夫村", "--kind", "调研走访", "--on", "2012-06-01"), "visit", "kind", "走访"),
        (
            ("mobilize", "survey", "五夫村", "问卷", "--on", "2012-04-12"),
            "survey_method",
            "method",
            "问卷调查",
        ),
        (
            ("project", "supervise", "五夫村", "--form", "推进会", "--on", "2012-06-15"),
            "supervision",
            "form",
            "工作推进会",
        ),
        (
            ("problem", "add", "五夫村", "阵地面积不足", "--source", "访谈", "--on", "2012-04-12"),
            "problem",
            "source",
            "个别访谈",
        ),
    ],
)
def test_choices_take_the_names_the_tool_prints_and_unique_parts(  # type: ignore[no-untyped-def]
    seeded, db: str, args: tuple[str, ...], table: str, column: str, stored: str
) -> None:
    result = seeded(*args)
    assert result.exit_code == 0, result.stderr
    assert one(db, f"SELECT {column} FROM {table}") == stored


def test_a_list_of_choices_with_chinese_commas(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("mobilize", "survey", "五夫村", "座谈会，问卷、入户", "--on", "2012-04-12")
    assert result.exit_code == 0, result.stderr
    methods = {m for (m,) in sql(db, "SELECT method FROM survey_method")}
    assert methods == {"座谈会", "问卷调查", "入户走访"}


def test_an_ambiguous_part_of_a_choice_names_what_it_could_be(seeded) -> None:  # type: ignore[no-untyped-def]
    result = seeded("problem", "add", "五夫村", "阵地", "--source", "座谈", "--on", "2012-04-12")
    assert result.exit_code == 0  # 座谈会 is the only source holding 座谈
    assert seeded("problem", "list").exit_code == 0
    with pytest.raises(typed.BadValue, match="可指 未解决、已解决"):
        typed.parse_choice("解决", ("未解决", "整改中", "已解决"), "状态")


def test_choice_help_lists_the_short_forms(seeded) -> None:  # type: ignore[no-untyped-def]
    assert "问卷" in seeded("mobilize", "survey", "-h").stdout
    assert "推进会" in seeded("project", "supervise", "-h").stdout
    assert "调研走访" in seeded("visit", "add", "-h").stdout


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("mobilize", "meeting", "五夫村", "--on", "2012-04-10", "--attendance", "1_0"),
        ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "1_0"),
        ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "1e1"),
        ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "8，5"),
        ("problem", "update", "1_0"),
        ("problem", "list", "--limit", "1_0"),  # every int option, not only those declared with a parser
        ("init", "--year", "2_012"),
    ],
)
def test_python_only_number_forms_are_refused(seeded, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = seeded(*args)
    assert result.exit_code == 2, result.stderr
    assert "内部错误" not in result.stderr


def test_points_as_offices_type_them(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    for written, stored in (("１４．５", 14.5), ("18分", 18.0), (" 9 ", 9.0)):
        result = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", written)
        assert result.exit_code == 0, result.stderr
        assert one(db, "SELECT points FROM score") == stored


def test_number_parsers_alone() -> None:
    assert [typed.parse_points(v) for v in ("９０", "90分", "１４．５", ".5", 12, 7.5, "", None)] == [
        90.0,
        90.0,
        14.5,
        0.5,
        12.0,
        7.5,
        None,
        None,
    ]
    for bad, why in (
        ("8，5", "8.5 还是 85"),
        ("8,5", "8.5 还是 85"),
        ("1_0", "不是数字"),
        ("8 5", "空格"),
        ("²", "不是数字"),
    ):
        with pytest.raises(typed.BadValue, match=why):
            typed.parse_points(bad)
    assert [typed.parse_count(v) for v in ("1,500", "１２０票", 12.0, "12")] == [1500, 120, 12, 12]
    for bad in ("1,5", "1,50", "12,3456", "1.5", "-1"):
        with pytest.raises(typed.BadValue):
            typed.parse_count(bad)
