"""Issue 15's displays: the branch's 负责人 beside a project's 具体责任人 in the 问责 lists
(lagging, the workbook's 问责提醒, the 通报), each as of its day."""

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jcnian.cli import app


def _json(result):  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr
    return result.stderr


def _lagging_project(seeded) -> None:  # type: ignore[no-untyped-def]
    """五夫村's project, late from 05-14 on (a week's task undone), owned by 朱高华."""
    _ok(
        seeded(
            "project", "add", "五夫村", "村级活动阵地改造", "--owner", "朱高华",
            "--start", "2012-05-01", "--due", "2012-05-31", "--on", "2012-05-01",
        )
    )  # fmt: skip
    _ok(seeded("project", "task", "五夫村/阵地", "完成设计图", "--week", "2012-05-09"))
    _ok(seeded("project", "progress", "阵地改造", "30", "--on", "2012-05-16"))


def test_lagging_names_the_branchs_head_of_the_day_beside_the_owner(seeded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _lagging_project(seeded)
    lag = _json(seeded("lagging", "--as-of", "2012-05-16", "--format", "json"))
    assert [(r["owner"], r["secretary"]) for r in lag] == [("朱高华", None)]  # no secretary recorded yet
    _ok(seeded("secretary", "set", "五夫村", "王建国", "--on", "2012-03-01"))
    _ok(seeded("secretary", "change", "五夫村", "李明", "--reason", "不胜任", "--on", "2012-05-20"))
    before = _json(seeded("lagging", "--as-of", "2012-05-19", "--format", "json"))
    after = _json(seeded("lagging", "--as-of", "2012-05-20", "--format", "json"))
    assert [(r["owner"], r["secretary"]) for r in before] == [("朱高华", "王建国")]
    assert [(r["owner"], r["secretary"]) for r in after] == [("朱高华", "李明")]
    rows = list(
        csv.DictReader(io.StringIO(seeded("lagging", "--as-of", "2012-05-25", "--format", "csv").stdout))
    )
    assert [(r["owner"], r["secretary"]) for r in rows] == [("朱高华", "李明")]
    # A correction of the record (secretary set again) names the corrected person.
    _ok(seeded("secretary", "set", "五夫村", "李铭", "--on", "2012-05-20"))
    monkeypatch.setenv("COLUMNS", "80")
    table = seeded("lagging", "--as-of", "2012-05-25")
    assert table.exit_code == 0, table.stderr
    assert "负责人" in table.stdout and "李铭" in table.stdout and "朱高华" in table.stdout


def test_the_workbooks_accountability_sheet_and_the_notice_name_both(
    demo_ledger: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["--db", demo_ledger, "export", "xlsx", "--month", "2012-07", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = [r for r in openpyxl.load_workbook(out)["问责提醒"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "具体责任人")
    assert rows[header][:3] == ("具体责任人", "党组织负责人", "党组织名称")
    lag = json.loads(
        runner.invoke(
            app, ["--db", demo_ledger, "lagging", "--as-of", "2012-07-31", "--format", "json"]
        ).stdout
    )
    assert [r[:4] for r in rows[header + 1 :] if r[0]] == [
        (r["owner"], r["secretary"], r["branch"], r["project"]) for r in lag
    ]
    assert all(r["secretary"] for r in lag)  # the demo records every branch's secretary
    notice = runner.invoke(app, ["--db", demo_ledger, "notice", "--month", "2012-07"]).stdout
    first = lag[0]
    assert f"{first['branch']}（书记 {first['secretary']}）" in notice
    assert f"具体责任人 {first['owner']}" in notice


# --- 公开范围 in grade list and grade history (二、二: 在一定范围内公开) ----------------------------


@pytest.fixture
def proposed(run, db: str, proposed_template: str):  # type: ignore[no-untyped-def]
    """Every branch scored within the quota and its proposal computed (2012-04-20)."""
    from ledgerkit import copy_ledger

    copy_ledger(proposed_template, db)
    return run


def test_grade_list_and_history_show_where_the_grades_were_published(proposed) -> None:  # type: ignore[no-untyped-def]
    _ok(proposed("grade", "deliberate", "--all", "--on", "2012-04-22"))
    _ok(proposed("grade", "approve", "--all", "--on", "2012-04-25"))
    refused = proposed("grade", "publish", "--on", "2012-04-28", "--scope", "  ")
    assert refused.exit_code == 1
    assert _json(proposed("grade", "list", "--format", "json"))[0]["scope"] is None  # nothing written
    _ok(proposed("grade", "publish", "--on", "2012-04-28", "--scope", "镇政务公开栏"))
    # Re-entered on the day: the scope is corrected.
    assert "镇政务公开栏" in _ok(
        proposed("grade", "publish", "--on", "2012-04-28", "--scope", "各村村务公开栏")
    )
    rows = _json(proposed("grade", "list", "--format", "json"))
    assert list(rows[0]) == ["branch", "category", "score", "proposed", "grade", "flags", "scope"]
    assert {r["scope"] for r in rows} == {"各村村务公开栏"}
    before = _json(proposed("grade", "list", "--as-of", "2012-04-27", "--format", "json"))
    assert {r["scope"] for r in before} == {None}  # not yet published that day
    history = _json(proposed("grade", "history", "五夫村", "--format", "json"))["events"]
    assert [(e["step"], e["scope"]) for e in history][-1] == ("published", "各村村务公开栏")
    assert all(e["scope"] is None for e in history if e["step"] != "published")
    early = _json(proposed("grade", "history", "五夫村", "--as-of", "2012-04-27", "--format", "json"))
    assert all(e["scope"] is None for e in early["events"])
    table = proposed("grade", "history", "五夫村").stdout
    assert "公开范围：各村村务公开栏" in table
    csv_rows = list(csv.DictReader(io.StringIO(proposed("grade", "list", "--format", "csv").stdout)))
    assert {r["scope"] for r in csv_rows} == {"各村村务公开栏"}
    # A grade changed after publication is no longer the published one: no scope until re-published.
    _ok(
        proposed(
            "grade",
            "change",
            "五夫村",
            "较差",
            "--reason",
            "复核",
            "--on",
            "2012-05-03",
            "--override",
            "测试",
        )
    )
    wufu = next(
        r for r in _json(proposed("grade", "list", "--format", "json")) if r["branch"].startswith("五夫村")
    )
    assert wufu["scope"] is None


# --- the town's 动员大会 first in status for 动员部署 ----------------------------------------------


def test_status_shows_the_towns_rally_first_for_mobilisation(seeded) -> None:  # type: ignore[no-untyped-def]
    def rally(on: str) -> dict:  # type: ignore[type-arg]
        return _json(seeded("status", "--as-of", on, "--format", "json"))["rally"]

    assert rally("2012-04-20") == {
        "held_on": None,
        "attendance": None,
        "done": False,
        "due": "2012-04-25",
        "overdue": False,
        "late_days": None,
    }
    assert rally("2012-04-26")["overdue"] is True  # 动员部署 ended without it
    assert seeded("rally", "set", "--on", "2012-04-27", "--attendance", "0").exit_code == 1  # refused
    assert rally("2012-04-30")["held_on"] is None  # nothing written
    _ok(seeded("rally", "set", "--on", "2012-04-27", "--attendance", "120"))
    _ok(seeded("rally", "set", "--on", "2012-04-24"))  # corrected: the attendance given before is kept
    assert rally("2012-04-23")["done"] is False
    after = rally("2012-04-24")
    assert (after["held_on"], after["attendance"], after["done"], after["overdue"]) == (
        "2012-04-24",
        120,
        True,
        False,
    )
    _ok(seeded("rally", "set", "--on", "2012-04-28"))
    assert rally("2012-04-30")["late_days"] == 3
    table = seeded("status", "--as-of", "2012-04-30").stdout
    deliverables = table[table.index("各项交付") :]
    rows = [line for line in deliverables.splitlines() if line.startswith("│ 动员部署")]
    assert "镇党委召开动员大会（2012-04-28，120 人）" in rows[0] and "1/1" in rows[0]


# --- the workbook's sheets of 三 and 四 ------------------------------------------------------------

ACTIVITY_SHEETS = (
    "一句话承诺",
    "闪光言行",
    "五个一",
    "主题轮训",
    "书记",
    "村干部承诺",
    "集体经济",
    "组织机构",
)


def _table(ws) -> tuple[tuple, list[tuple]]:  # type: ignore[no-untyped-def,type-arg]
    """A sheet's main table: the header row its printed pages repeat, and the rows under it."""
    header = int(ws.print_title_rows.split(":")[0].strip("$"))
    rows = list(ws.iter_rows(min_row=header, values_only=True))
    body = []
    for r in rows[1:]:
        if not any(v is not None for v in r):
            break
        body.append(r)
    return rows[0], body


def test_the_workbook_has_the_activities_sheets_as_of_the_month(demo_ledger: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def book(month: str) -> openpyxl.Workbook:
        out = tmp_path / f"{month}.xlsx"
        result = runner.invoke(app, ["--db", demo_ledger, "export", "xlsx", "--month", month, "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        return openpyxl.load_workbook(out)

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return _json(runner.invoke(app, ["--db", demo_ledger, *args, "--format", "json"]))

    april, june, september = book("2012-04"), book("2012-06"), book("2012-09")
    for wb in (april, september):
        assert wb.sheetnames[-len(ACTIVITY_SHEETS) :] == list(ACTIVITY_SHEETS)
        for name in ACTIVITY_SHEETS:
            ws = wb[name]
            assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage, name
            assert ws.print_title_rows and ws.auto_filter.ref, name  # header on every page
    # 一句话承诺: none before May, every branch's by September, as pledge coverage says.
    head, rows = _table(april["一句话承诺"])
    assert head[:3] == ("党组织名称", "党组织的一句话承诺", "党员承诺（条）")
    assert len(rows) == 32 and all(r[1] is None and r[2] == 0 for r in rows)
    cover = cli("pledge", "coverage", "--as-of", "2012-09-30")
    _, rows = _table(september["一句话承诺"])
    assert [(r[0], r[2]) for r in rows] == [(c["branch"], c["members"]) for c in cover]
    assert all(r[1] for r in rows)
    # 闪光言行: the July selections, with their dates.
    _, rows = _table(september["闪光言行"])
    deeds = cli("deed", "list", "--as-of", "2012-09-30")
    assert [(r[0], r[1], r[2]) for r in rows] == [(d["branch"], d["person"], d["deed"]) for d in deeds]
    assert sum(1 for r in rows if r[4] is not None) == 3
    _, rows = _table(june["闪光言行"])
    assert all(r[4] is None for r in rows)  # selected on 07-01
    # 五个一: assessed on 08-20, blank before.
    head, rows = _table(june["五个一"])
    assert head[1:6] == ("领导班子", "工作思路", "工作机制", "活动阵地", "工作业绩")
    assert len(rows) == 16 and all(set(r[1:6]) == {None} for r in rows)
    five = cli("fiveone", "show", "--as-of", "2012-09-30")
    _, rows = _table(september["五个一"])
    assert [(r[0], r[6]) for r in rows] == [(f["branch"], f["met"]) for f in five]
    # 轮训: one village missed it; its secretary of the day is named.
    _, rows = _table(september["主题轮训"])
    assert [r[4] for r in rows].count("未参训") == 1 and [r[4] for r in rows].count("已参训") == 15
    # 书记: the change of 06-18 appears from June on, the successor named.
    _, before = _table(april["书记"])
    _, after = _table(june["书记"])
    changed = next(r for r in after if r[3])
    assert "→" in changed[3] and changed[3].startswith("2012-06-18")
    assert changed[2] == changed[3].split("→")[1].split("：")[0].strip()
    was = next(r for r in before if r[0] == changed[0])
    assert was[3] is None and was[2] != changed[2]
    # 村干部承诺 and 季考核; 集体经济; the bodies.
    _, rows = _table(september["村干部承诺"])
    assert len(rows) == len(cli("cadre", "list", "--as-of", "2012-09-30"))
    _, rows = _table(april["村干部承诺"])
    assert rows == []  # pledged on 05-10
    _, rows = _table(september["集体经济"])
    assert len(rows) == 16 and all(r[1] == 2011 and r[3] == 2016 for r in rows)
    _, rows = _table(september["组织机构"])
    members = cli("group", "list", "--as-of", "2012-09-30")
    assert [(r[0], r[1], r[2]) for r in rows] == [(m["body"], m["name"], m["role"]) for m in members]
    assert any(r[0] == "督导检查组" for r in rows)
    notes = [r[0] for r in september["组织机构"].iter_rows(max_row=3, values_only=True) if r[0]]
    assert any("2012-04-24" in n and "126" in n for n in notes)  # the town's rally


# --- supervision records name the body that did them (四、(二)) ------------------------------------


def test_a_supervision_names_the_body_that_did_it(seeded) -> None:  # type: ignore[no-untyped-def]
    _lagging_project(seeded)

    def supervise(*extra: str):  # type: ignore[no-untyped-def]
        return seeded("project", "supervise", "五夫村", "--form", "现场会", "--on", "2012-05-20", *extra)

    refused = supervise("--group", "督导检查组")
    assert refused.exit_code == 1 and "group set" in refused.stderr  # no member recorded yet
    _ok(seeded("group", "set", "督导检查组", "王国尧", "--role", "组长", "--on", "2012-05-21"))
    assert supervise("--group", "督导检查组").exit_code == 1  # the group had no member yet that day
    assert supervise("--group", "巡视组").exit_code == 1  # not a body of the campaign
    _ok(seeded("group", "set", "督导检查组", "王国尧", "--role", "组长", "--on", "2012-04-25"))
    _ok(supervise("--group", "检查组", "--project", "阵地改造"))  # a unique part names it
    _ok(supervise("--note", "推广阵地建设经验"))  # corrected: the body given before is kept
    _ok(seeded("project", "supervise", "五夫村", "--form", "督查", "--on", "2012-06-10"))
    shown = _json(seeded("project", "show", "阵地改造", "--as-of", "2012-06-30", "--format", "json"))
    assert shown["supervisions"] == [
        {
            "on": "2012-05-20",
            "form": "现场会",
            "body": "督导检查组",
            "about_project": True,
            "note": "推广阵地建设经验",
        },
        {"on": "2012-06-10", "form": "督查", "body": None, "about_project": False, "note": None},
    ]
    early = _json(seeded("project", "show", "阵地改造", "--as-of", "2012-05-19", "--format", "json"))
    assert early["supervisions"] == []
    table = seeded("project", "show", "阵地改造", "--as-of", "2012-06-30").stdout
    assert "督促指导" in table and "督导检查组" in table
    rows = _json(seeded("export", "json", "supervision"))
    assert {r["body"] for r in rows} == {"督导检查组", None}


def test_the_demo_names_the_group_on_its_supervisions(demo_ledger: str) -> None:
    rows = _json(CliRunner().invoke(app, ["--db", demo_ledger, "export", "json", "supervision"]))
    assert rows and {r["body"] for r in rows} == {"督导检查组"}


def test_the_backward_list_names_each_villages_secretary_and_its_adjustment(demo_ledger: str) -> None:
    """三、三: a backward village is turned round by 调整不胜任书记; the list shows who leads it
    that day and the change with its reason (the demo replaces 五夫村's secretary on 6-18)."""
    runner = CliRunner()

    def entries(as_of: str) -> dict[str, dict]:  # type: ignore[type-arg]
        result = runner.invoke(
            app, ["--db", demo_ledger, "grade", "backward", "--as-of", as_of, "--format", "json"]
        )
        assert result.exit_code == 0, result.stderr
        return {e["branch"]: e for e in json.loads(result.stdout)["entries"]}

    before, after = entries("2012-06-17"), entries("2012-09-30")
    assert before.keys() == after.keys() and "五夫村党总支" in after
    changed = after["五夫村党总支"]
    assert changed["secretary_changes"] and changed["secretary_changes"][0].startswith("2012-06-18")
    assert before["五夫村党总支"]["secretary_changes"] == []
    assert before["五夫村党总支"]["secretary"] != changed["secretary"]
    assert all(e["secretary"] for e in after.values())


def test_the_workbooks_backward_sheet_names_the_secretary_and_the_adjustment(
    demo_ledger: str, tmp_path: Path
) -> None:
    def backward_rows(month: str) -> dict[str, dict[str, object]]:
        out = tmp_path / f"{month}.xlsx"
        result = CliRunner().invoke(
            app, ["--db", demo_ledger, "export", "xlsx", "--month", month, "-o", str(out)]
        )
        assert result.exit_code == 0, result.stderr
        rows = list(openpyxl.load_workbook(out, read_only=True)["后进整顿"].iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r and r[0] == "倒排名次")
        keys = rows[header]
        return {r[1]: dict(zip(keys, r, strict=False)) for r in rows[header + 1 :] if r and r[1]}

    june, may = backward_rows("2012-06"), backward_rows("2012-05")
    assert june["五夫村党总支"]["调整书记"].startswith("2012-06-18")  # type: ignore[union-attr]
    assert may["五夫村党总支"]["调整书记"] is None
    assert may["五夫村党总支"]["书记"] != june["五夫村党总支"]["书记"]
    assert all(row["书记"] for row in june.values())
