"""``grade compare``: the same town's two years, matched by name and alias, what moved."""

import json

import pytest
from ledgerkit import VILLAGES, fill, within_quota
from typer.testing import CliRunner

from jcnian.cli import app
from jcnian.gradebook.compare import match
from jcnian.gradebook.reads import GradeState

Y12, Y13 = "驿亭镇/2012", "驿亭镇/2013"
DOWN, UP = VILLAGES[0], VILLAGES[6]  # 好 in 2012, 一般 in 2013; and the other way round


def _run(db: str, *args: str, campaign: str | None = Y12):  # type: ignore[no-untyped-def]
    head = ["--db", db] + (["--campaign", campaign] if campaign else [])
    return CliRunner().invoke(app, [*head, *args])


def _fill(db: str, town: str, year: int, scores: dict[str, float]) -> None:
    fill(db, scores, campaign=(town, year))


def _grade(db: str, campaign: str, year: int) -> None:
    for args in (
        ("grade", "compute", "--as-of", f"{year}-04-20"),
        ("grade", "deliberate", "--all", "--on", f"{year}-04-22"),
        ("grade", "approve", "--all", "--on", f"{year}-04-25"),
    ):
        result = _run(db, *args, campaign=campaign)
        assert result.exit_code == 0, result.stderr


@pytest.fixture
def two_years(seeded, db: str):  # type: ignore[no-untyped-def]
    """2012 graded within the quota; 2013 carried forward with DOWN and UP swapped, one branch
    gone, one new, one renamed with its old name as an alias."""
    scores = within_quota()
    _fill(db, "驿亭镇", 2012, scores)
    _grade(db, Y12, 2012)
    assert seeded("campaign", "new", "--town", "驿亭镇", "--year", "2013", "--from", Y12).exit_code == 0
    swapped = scores | {DOWN: scores[UP], UP: scores[DOWN]}
    _fill(db, "驿亭镇", 2013, swapped)
    _grade(db, Y13, 2013)
    for args in (
        ("branch", "remove", "马慢桥", "--yes"),
        ("branch", "add", "新村党支部", "--category", "农村"),
        ("branch", "edit", "杨溪村", "--name", "杨溪社区党支部"),
        ("branch", "alias", "杨溪社区", "杨溪村党支部"),
    ):
        result = _run(db, *args, campaign=Y13)
        assert result.exit_code == 0, result.stderr
    return db


def _compare(db: str, campaign: str = Y12, other: str = Y13) -> dict:  # type: ignore[type-arg]
    result = _run(db, "grade", "compare", "--with", other, "--format", "json", campaign=campaign)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_each_branch_moves_from_the_earlier_year_to_the_later(two_years) -> None:  # type: ignore[no-untyped-def]
    data = _compare(two_years)
    assert (data["before"], data["after"]) == (Y12, Y13)
    rows = {r["name"]: r for r in data["branches"]}
    assert (rows[DOWN]["before"], rows[DOWN]["after"], rows[DOWN]["movement"]) == ("好", "一般", "降级")
    assert (rows[UP]["before"], rows[UP]["after"], rows[UP]["movement"]) == ("一般", "好", "升级")
    same = [r for r in data["branches"] if r["movement"] == "持平"]
    assert len(same) == 32 - 2 - 1  # 2012's branches but the swapped pair and 马慢桥, gone
    assert all(r["before"] == r["after"] for r in same)
    # the same answer whichever year is the chosen campaign
    assert _compare(two_years, Y13, Y12) == data


def test_new_gone_and_renamed_branches(two_years) -> None:  # type: ignore[no-untyped-def]
    rows = {r["name"]: r for r in _compare(two_years)["branches"]}
    assert rows["新村党支部"]["movement"] == "新增" and rows["新村党支部"]["before_name"] is None
    assert rows["马慢桥党支部"]["movement"] == "不再有" and rows["马慢桥党支部"]["after"] is None
    renamed = rows["杨溪社区党支部"]
    assert (renamed["before_name"], renamed["matched_by"]) == ("杨溪村党支部", "别名")
    assert renamed["movement"] == "持平"


def test_counts_by_category_add_up(two_years) -> None:  # type: ignore[no-untyped-def]
    data = _compare(two_years)
    counts = {c["category"]: c for c in data["counts"]}
    village = counts["农村"]
    assert (village["up"], village["down"], village["new"], village["gone"]) == (1, 1, 1, 1)
    assert village["same"] == 16 - 2 - 1  # 16 villages, the pair moved, 马慢桥 gone (新村 is new)
    whole = counts["全部"]
    keys = ("up", "down", "same", "ungraded", "new", "gone")
    assert all(whole[k] == sum(c[k] for n, c in counts.items() if n != "全部") for k in keys)
    assert sum(whole[k] for k in keys) == len(data["branches"]) == 33


def test_the_table_and_csv_say_the_same(two_years) -> None:  # type: ignore[no-untyped-def]
    table = _run(two_years, "grade", "compare", "--with", Y13)
    assert table.exit_code == 0, table.stderr
    assert "降级" in table.stdout and "按分类统计" in table.stdout
    csv = _run(two_years, "grade", "compare", "--with", Y13, "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("name,category")
    assert len(csv.stdout.splitlines()) == 1 + 33


@pytest.mark.parametrize("other", [Y12, "驿亭镇/2011", "驿亭镇"])
def test_the_same_campaign_an_unknown_or_a_malformed_one_is_refused(two_years, other: str) -> None:  # type: ignore[no-untyped-def]
    result = _run(two_years, "grade", "compare", "--with", other)
    assert result.exit_code == 1
    assert result.stdout == ""


def test_two_towns_of_one_year_are_not_compared(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    assert seeded("init", "--town", "东关镇", "--year", "2012").exit_code == 0
    assert _run(db, "grade", "compare", "--with", "东关镇/2012").exit_code == 1


def _state(bid: int, name: str) -> GradeState:
    return GradeState(bid, name, "农村", bid)


def test_a_name_is_matched_before_an_alias_and_each_branch_once() -> None:
    before = [_state(1, "甲村党支部"), _state(2, "乙村党支部")]
    after = [_state(11, "乙村党支部"), _state(12, "丙村党支部"), _state(13, "丁村党支部")]
    # 2012 registered 乙村's new name 丙村 as an alias of 甲村; 2013's 丁村 calls itself 甲村 too
    pairs = match(before, {1: ["丙村党支部"]}, after, {13: ["甲村党支部"]})
    named = {a.name if a else None: (b.name if b else None, how) for b, a, how in pairs}
    assert named["乙村党支部"] == ("乙村党支部", "名称")
    assert named["丙村党支部"] == ("甲村党支部", "别名")
    assert named["丁村党支部"] == (None, None)  # 甲村 is taken: new, not matched twice
    assert len(pairs) == 3
