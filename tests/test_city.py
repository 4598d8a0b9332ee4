"""``city summary`` and ``city export xlsx``: the city's roll-up agrees with what each town sees."""

import json
import shutil
from collections import Counter

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from jcnian import db as storage
from jcnian import demo
from jcnian.cli import app

DAY = "2012-07-15"
TOWNS = {"东关镇": "东关镇/2012", "北山镇": "北山镇/2012", "驿亭镇": "驿亭镇/2012"}  # by town, as listed
GRADES = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "较差"}
PHASES = {"mobilize": "动员部署", "classify": "分类定级", "implement": "深入实施", "accept": "总结验收"}


def _run(db: str, *args: str, campaign: str | None = None):  # type: ignore[no-untyped-def]
    head = ["--db", db] + (["--campaign", campaign] if campaign else [])
    return CliRunner().invoke(app, [*head, *args])


def _json(db: str, *args: str, campaign: str | None = None):  # type: ignore[no-untyped-def]
    result = _run(db, *args, "--format", "json", campaign=campaign)
    assert result.exit_code in (0, 1), result.stderr  # 1: a check not passed, its JSON all the same
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def city(demo_ledger: str, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """驿亭镇/2012 (the demo), 东关镇/2012 (the demo, another seed), 北山镇/2012 (nothing
    graded yet) and 驿亭镇/2013 (carried forward, another year)."""
    path = str(tmp_path_factory.mktemp("city") / "city.db")
    shutil.copy(demo_ledger, path)
    engine = storage.open_engine(path)
    with storage.transaction(engine) as session:
        demo.play(session, seed=7, town="东关镇")
    engine.dispose()
    for args in (
        ("init", "--town", "北山镇", "--year", "2012"),
        ("campaign", "new", "--town", "驿亭镇", "--year", "2013", "--from", "驿亭镇/2012"),
    ):
        result = _run(path, *args)
        assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def summary(city: str) -> dict:  # type: ignore[type-arg]
    return _json(city, "city", "summary", "--year", "2012", "--as-of", DAY)


def _rows(summary: dict) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    return {(r["town"], r["category"]): r for r in summary["rows"]}


def test_the_year_s_towns_in_order_with_totals(summary: dict) -> None:  # type: ignore[type-arg]
    assert summary["year"] == 2012 and summary["as_of"] == DAY
    assert summary["campaigns"] == list(TOWNS.values())
    places = [(r["town"], r["category"]) for r in summary["rows"]]
    expected = [
        (t, c) for t in [*TOWNS, "全市"] for c in ("农村", "非公制企业", "全部")
    ]  # the seed's two categories, in the vocabulary's order
    assert places == expected


def test_the_distribution_is_each_town_s_grade_list(summary: dict, city: str) -> None:  # type: ignore[type-arg]
    rows = _rows(summary)
    for town, key in TOWNS.items():
        listed = _json(city, "grade", "list", "--as-of", DAY, campaign=key)
        for category in ("农村", "非公制企业", "全部"):
            mine = [b for b in listed if category in ("全部", b["category"])]
            counted = Counter(b["grade"] or b["proposed"] for b in mine)
            row = rows[(town, category)]
            assert row["branches"] == len(mine)
            assert {k: row[k] for k in GRADES} == {k: counted[g] for k, g in GRADES.items()}
            assert row["ungraded"] == counted[None]


def test_the_quota_verdict_is_each_town_s_grade_quota(summary: dict, city: str) -> None:  # type: ignore[type-arg]
    rows = _rows(summary)
    for town, key in TOWNS.items():
        quota = _json(city, "grade", "quota", "--as-of", DAY, campaign=key)
        graded = quota["graded"]
        assert rows[(town, "全部")]["quota_ok"] == (quota["ok"] if graded else None)
        for category in ("农村", "非公制企业"):
            check = quota["categories"][category]
            assert rows[(town, category)]["quota_ok"] == (check["ok"] if check["graded"] else None)
        bands = [q for q in summary["quota"] if q["town"] == town and q["scope"] == "全部"]
        assert [(b["band"], b["actual"], b["ok"]) for b in bands] == [
            (b["band"], b["actual"], b["ok"]) for b in quota["bands"]
        ]
    assert rows[("北山镇", "全部")]["quota_ok"] is None  # nothing graded: nothing to check
    city_row = rows[("全市", "全部")]
    assert city_row["quota_towns"] == 2  # 北山镇 is not counted
    assert city_row["quota_ok"] == (city_row["quota_towns_ok"] == 2)


def test_progress_overdue_and_backward_are_each_town_s_status(summary: dict, city: str) -> None:  # type: ignore[type-arg]
    rows = _rows(summary)
    for town, key in TOWNS.items():
        status = _json(city, "status", "--as-of", DAY, campaign=key)
        whole = rows[(town, "全部")]
        for phase in status["phases"]:
            code = next(c for c, label in PHASES.items() if label == phase["phase"])
            assert (whole[f"{code}_done"], whole[f"{code}_total"], whole[f"{code}_overdue"]) == (
                phase["done"],
                phase["total"],
                phase["overdue"],
            )
        for category in ("农村", "非公制企业", None):
            extra = ("--category", category) if category else ()
            listed = Counter(r["kind"] for r in _json(city, "overdue", "--as-of", DAY, *extra, campaign=key))
            row = rows[(town, category or "全部")]
            assert (row["overdue"], row["late_done"]) == (listed["逾期未完成"], listed["逾期完成"])
        backward = _json(city, "grade", "backward", "--as-of", DAY, campaign=key)
        assert whole["backward"] == rows[(town, backward["category"])]["backward"] == len(backward["entries"])
        assert rows[(town, "非公制企业")]["backward"] is None  # the rule is the villages'


def test_city_totals_are_the_towns_sums(summary: dict) -> None:  # type: ignore[type-arg]
    rows = _rows(summary)
    counted = [k for k in summary["rows"][0] if k not in ("town", "category", "quota_ok", "backward")]
    for category in ("农村", "非公制企业", "全部"):
        total = rows[("全市", category)]
        for key in counted:
            assert total[key] == sum(rows[(t, category)][key] for t in TOWNS), (category, key)
    assert rows[("全市", "全部")]["backward"] == sum(rows[(t, "全部")]["backward"] for t in TOWNS)
    # a town's 全部 is the sum of its categories
    for town in TOWNS:
        for key in counted:
            if not key.startswith("quota"):
                assert rows[(town, "全部")][key] == sum(rows[(town, c)][key] for c in ("农村", "非公制企业"))


def test_another_year_and_the_latest_by_default(city: str) -> None:
    later = _json(city, "city", "summary", "--year", "2013")
    assert later["campaigns"] == ["驿亭镇/2013"]
    assert _json(city, "city", "summary")["year"] == 2013
    whole = _rows(later)[("驿亭镇", "全部")]
    assert whole["branches"] == 32 and whole["ungraded"] == 32


def test_a_year_without_campaigns_or_not_a_year_is_refused(city: str) -> None:
    missing = _run(city, "city", "summary", "--year", "2011")
    assert missing.exit_code == 1 and "2012" in missing.stderr and missing.stdout == ""
    assert _run(city, "city", "summary", "--year", "二〇一二年").exit_code == 2
    assert _run(city, "city", "summary", "--as-of", "2012-13-01").exit_code == 2


def test_csv_and_table(city: str) -> None:
    csv = _run(city, "city", "summary", "--year", "2012", "--as-of", DAY, "--format", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("town,category,branches,good")
    assert len(lines) == 1 + 12
    table = _run(city, "city", "summary", "--year", "2012", "--as-of", DAY)
    assert table.exit_code == 0 and "全市" in table.stdout


# --- the workbook ------------------------------------------------------------------------


def test_the_workbook_holds_the_summary(city: str, summary: dict, tmp_path) -> None:  # type: ignore[no-untyped-def,type-arg]
    out = tmp_path / "全市.xlsx"
    result = _run(city, "city", "export", "xlsx", "-o", str(out), "--year", "2012", "--as-of", DAY)
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["等级分布", "比例检查", "阶段进度", "逾期与后进"]
    sheet = book["等级分布"]
    values = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(values) if r[0] == "镇")
    assert values[start][:8] == ("镇", "分类", "党组织", "好", "较好", "一般", "较差", "未定级")
    keys = ("branches", "good", "fairly_good", "average", "poor", "ungraded")
    assert [tuple(r[:8]) for r in values[start + 1 :] if r[0]] == [
        (r["town"], r["category"], *(r[k] for k in keys)) for r in summary["rows"]
    ]
    late = list(book["逾期与后进"].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(late) if r[0] == "镇")
    assert [tuple(r[:5]) for r in late[top + 1 :] if r[0]] == [
        (r["town"], r["category"], r["overdue"], r["late_done"], r["backward"]) for r in summary["rows"]
    ]
    progress = book["阶段进度"]
    assert progress.page_setup.paperSize == 9 and progress.page_setup.orientation == "landscape"
    assert progress.sheet_properties.pageSetUpPr.fitToPage  # one page wide, as long as it takes
    assert (progress.page_setup.fitToWidth or 1) == 1 and progress.page_setup.fitToHeight == 0
    assert progress.print_title_rows  # the header on every page
    assert "第 &P 页 共 &N 页" in progress.oddFooter.center.text
    assert "2012年" in progress.oddHeader.center.text


def test_the_workbook_is_not_overwritten_without_force(city: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "全市.xlsx"
    out.write_bytes(b"kept")
    refused = _run(city, "city", "export", "xlsx", "-o", str(out), "--year", "2012")
    assert refused.exit_code == 1 and out.read_bytes() == b"kept"
    assert _run(city, "city", "export", "xlsx", "-o", str(out), "--year", "2011", "--force").exit_code == 1
    assert out.read_bytes() == b"kept"
    forced = _run(city, "city", "export", "xlsx", "-o", str(out), "--year", "2012", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert load_workbook(out).sheetnames[0] == "等级分布"


def test_a_town_named_like_a_formula_stays_text(city: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "f.db")
    shutil.copy(city, db)
    assert _run(db, "init", "--town", "=1+1", "--year", "2014").exit_code == 0
    out = tmp_path / "f.xlsx"
    assert _run(db, "city", "export", "xlsx", "-o", str(out), "--year", "2014").exit_code == 0
    cells = [c for row in load_workbook(out)["等级分布"].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
