"""Issue 12: reports true to their date, and one grading rule everywhere.

The month-by-month workbook equality plays the demo once (the session's ``demo_ledger``) and
cuts a copy at each month's end with ``demo.forget_after`` — what ``demo --until`` does after
playing the same seed — and one real ``demo --until`` run checks the command itself.
"""

import json
import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from ledgerkit import RUBRIC, session_of
from typer.testing import CliRunner

from jcnian import checklist, phases
from jcnian.cli import app
from jcnian.grading import Grade, cap_breaches

MONTHS = ("2012-03", "2012-04", "2012-05", "2012-06", "2012-07", "2012-08", "2012-09")
EXPORT_TIME = "导出时间"


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        out[sheet.title] = [
            row
            for row in sheet.iter_rows(values_only=True)
            if not any(isinstance(v, str) and EXPORT_TIME in v for v in row)
        ]
    return out


def _export(db: str, month: str, target: Path) -> dict[str, list[tuple]]:
    result = CliRunner().invoke(app, ["--db", db, "export", "xlsx", "--month", month, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return _cells(target)


def _cut(source: str, until: date, target: Path) -> str:
    from jcnian.demo import forget_after

    shutil.copy(source, target)
    with session_of(str(target)) as session:
        forget_after(session, until)
    return str(target)


@pytest.fixture(scope="session")
def full_workbooks(demo_ledger, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("full-books")
    return {m: _export(demo_ledger, m, folder / f"{m}.xlsx") for m in MONTHS}


@pytest.mark.parametrize("month", MONTHS)
def test_a_months_workbook_is_the_same_from_the_ledger_as_it_stood(
    month, demo_ledger, full_workbooks, tmp_path
):  # type: ignore[no-untyped-def]
    until = phases.month_end(month)
    cut = _cut(demo_ledger, until, tmp_path / "cut.db")
    assert _export(cut, month, tmp_path / "cut.xlsx") == full_workbooks[month]


def test_demo_until_plays_up_to_the_day(demo_ledger, full_workbooks, tmp_path):  # type: ignore[no-untyped-def]
    db = str(tmp_path / "june.db")
    result = CliRunner().invoke(app, ["--db", db, "demo", "--until", "2012-06-30"])
    assert result.exit_code == 0, result.output
    assert _export(db, "2012-06", tmp_path / "june.xlsx") == full_workbooks["2012-06"]
    out = CliRunner().invoke(app, ["--db", db, "grade", "history", "白马湖村", "--format", "json"])
    assert all(e["on"] <= "2012-06-30" for e in json.loads(out.stdout)["events"])


# --- as-of reads between events -------------------------------------------------------


def _regraded_on_0927(db: str) -> str:
    from sqlmodel import select

    from jcnian.gradebook.tables import GradeEvent
    from jcnian.models import Branch

    with session_of(db) as session:
        return session.exec(
            select(Branch.name)
            .join(GradeEvent, GradeEvent.branch_id == Branch.id)
            .where(GradeEvent.step == "regraded", GradeEvent.on == date(2012, 9, 27))
        ).first()


def test_a_grade_changed_on_0927_is_the_old_grade_on_0926(demo_ledger):  # type: ignore[no-untyped-def]
    from jcnian.gradebook.reads import grade_states

    name = _regraded_on_0927(demo_ledger)
    assert name is not None
    with session_of(demo_ledger) as session:
        before = next(s for s in grade_states(session, as_of=date(2012, 9, 26)).values() if s.name == name)
        after = next(s for s in grade_states(session, as_of=date(2012, 9, 27)).values() if s.name == name)
        now = next(s for s in grade_states(session).values() if s.name == name)
    assert before.final == before.initial != after.final == now.final
    assert not before.republish


def test_grade_reads_take_as_of(demo_ledger):  # type: ignore[no-untyped-def]
    run = CliRunner()
    name = _regraded_on_0927(demo_ledger)
    rows = json.loads(
        run.invoke(
            app, ["--db", demo_ledger, "grade", "list", "--as-of", "2012-04-19", "--format", "json"]
        ).stdout
    )
    assert {r["score"] for r in rows} == {None} and {r["grade"] for r in rows} == {None}
    rows = json.loads(
        run.invoke(
            app, ["--db", demo_ledger, "grade", "list", "--as-of", "2012-09-26", "--format", "json"]
        ).stdout
    )
    assert all(r["grade"] for r in rows)
    history = json.loads(
        run.invoke(
            app, ["--db", demo_ledger, "grade", "history", name, "--as-of", "2012-09-26", "--format", "json"]
        ).stdout
    )
    assert [e["step"] for e in history["events"]][-1] != "regraded"
    quota = run.invoke(
        app, ["--db", demo_ledger, "grade", "quota", "--as-of", "2012-04-19", "--format", "json"]
    )
    assert json.loads(quota.stdout)["graded"] == 0
    backward = run.invoke(app, ["--db", demo_ledger, "grade", "backward", "--as-of", "2012-04-30"])
    assert backward.exit_code == 0


def test_may_quota_and_acceptance_agree(demo_ledger, full_workbooks):  # type: ignore[no-untyped-def]
    may = full_workbooks["2012-05"]
    acceptance = [r for r in may["验收"] if r and isinstance(r[0], str) and "尚未验收" in r[0]]
    assert not acceptance or "32" in acceptance[0][0]
    grading = [r for r in may["分类定级"] if r and r[7] is not None]  # 终定等级 as of May
    with session_of(demo_ledger) as session:
        from jcnian.gradebook.reads import grade_states

        april = {s.name: s.initial.value for s in grade_states(session).values() if s.initial}
    assert {r[1]: r[7] for r in grading if r[1] in april} == april  # the April grades, no re-grade yet


# --- late is not on time --------------------------------------------------------------


WINDOWS = phases.default_windows(2012)
RULES = phases.default_rules(2012)


def _items(facts: checklist.BranchFacts, on: date) -> dict[str, checklist.Item]:
    return {i.code: i for i in checklist.checklist(facts, WINDOWS, RULES, on)}


def test_a_deliverable_done_after_its_due_date_is_done_late():
    facts = checklist.BranchFacts("五夫村党总支", "农村", meeting_on=date(2012, 4, 28))
    meeting = _items(facts, date(2012, 5, 1))["meeting"]
    assert meeting.done and meeting.late_by == 3 and meeting.state == "逾期完成"
    on_time = _items(checklist.BranchFacts("x", "农村", meeting_on=date(2012, 4, 25)), date(2012, 5, 1))
    assert on_time["meeting"].late_by is None and on_time["meeting"].state == "已完成"
    back = _items(
        checklist.BranchFacts("x", "农村", visits=(("回头看", date(2012, 7, 5)),)), date(2012, 7, 10)
    )
    assert back["revisit"].late_by == 5
    tally = checklist.Tally(date(2012, 5, 1))
    tally.add(_items(facts, date(2012, 5, 1)).values())
    tally.add(
        _items(checklist.BranchFacts("x", "农村", meeting_on=date(2012, 4, 1)), date(2012, 5, 1)).values()
    )
    count = next(d for p in tally.phases(WINDOWS) for d in p.deliverables if d.code == "meeting")
    assert (count.done, count.done_late, count.on_time) == (2, 1, 1)


def test_overdue_lists_late_completions_as_their_own_kind(demo_ledger):  # type: ignore[no-untyped-def]
    run = CliRunner()
    result = run.invoke(app, ["--db", demo_ledger, "overdue", "--as-of", "2012-07-15", "--format", "json"])
    rows = json.loads(result.stdout)
    late = [r for r in rows if r["kind"] == "逾期完成"]
    assert any(r["item"] == "召开动员会议" and r["days"] == 3 for r in late)
    assert any("回头看" in r["item"] for r in late)
    status = run.invoke(app, ["--db", demo_ledger, "status", "--as-of", "2012-07-15", "--format", "json"])
    meeting = next(d for d in json.loads(status.stdout)["deliverables"] if d["item"] == "召开动员会议")
    assert meeting["done_late"] == 2 and meeting["on_time"] == meeting["done"] - 2


# --- one grading rule everywhere ------------------------------------------------------


def test_the_cap_and_the_vetoes_as_rules():
    low = Fraction(80, 100)
    assert cap_breaches(Grade.GOOD, RUBRIC, satisfaction=low)
    assert cap_breaches(Grade.FAIRLY_GOOD, RUBRIC, satisfaction=low)
    assert not cap_breaches(Grade.AVERAGE, RUBRIC, satisfaction=low)
    assert not cap_breaches(Grade.GOOD, RUBRIC, satisfaction=Fraction(9, 10))
    assert cap_breaches(Grade.AVERAGE, RUBRIC, vetoes=["发生重大违纪"])
    assert not cap_breaches(Grade.POOR, RUBRIC, vetoes=["发生重大违纪"])


@pytest.fixture
def low_satisfaction(run, seeded, db):  # type: ignore[no-untyped-def]
    """Every branch scored 85 (较好 by score); 五夫村 at 80% satisfaction, so 一般 at most."""
    from ledgerkit import SEED, fill

    fill(db, dict.fromkeys(SEED, 85.0))
    for name in SEED:
        ballots = ["满意=80", "不满意=20"] if name.startswith("五夫村") else ["满意=95", "不满意=5"]
        assert run("grade", "ballot", name, *ballots).exit_code == 0
    assert run("grade", "compute", "--as-of", "2012-04-20").exit_code == 0
    return db


def _overrides(db: str) -> list[str]:
    from sqlmodel import select

    from jcnian.campaign.tables import GateOverride

    with session_of(db) as session:
        return [o.gate for o in session.exec(select(GateOverride)).all()]


def test_deliberate_holds_the_cap(run, low_satisfaction):  # type: ignore[no-untyped-def]
    args = ("grade", "deliberate", "五夫村", "-g", "较好", "--reason", "会议认为", "--on", "2012-04-24")
    refused = run(*args)
    assert refused.exit_code == 1 and "满意率" in refused.stderr
    assert run(*args, "--override", "党员大会一致通过").exit_code == 0
    assert _overrides(low_satisfaction) == ["grade-cap"]
    history = json.loads(run("grade", "history", "五夫村", "--format", "json").stdout)
    assert history["events"][-1]["override"] == "党员大会一致通过"


def test_approve_above_the_cap_needs_an_override(run, low_satisfaction):  # type: ignore[no-untyped-def]
    assert run("grade", "deliberate", "--all", "--on", "2012-04-24").exit_code == 0
    args = ("grade", "approve", "五夫村", "-g", "较好", "--reason", "复核", "--on", "2012-04-27")
    refused = run(*args)
    assert refused.exit_code == 1 and "满意率" in refused.stderr
    assert _overrides(low_satisfaction) == []
    assert run(*args, "--override", "镇党委研究决定").exit_code == 0
    assert "grade-cap" in _overrides(low_satisfaction)
    wufu = next(
        r
        for r in json.loads(run("grade", "list", "--format", "json").stdout)
        if r["branch"].startswith("五夫村")
    )
    assert wufu["grade"] == "较好" and any("镇党委研究决定" in f for f in wufu["flags"])


def test_approve_and_change_hold_the_cap(run, low_satisfaction):  # type: ignore[no-untyped-def]
    assert run("grade", "deliberate", "--all", "--on", "2012-04-24").exit_code == 0
    approve = ("grade", "approve", "五夫村", "-g", "较好", "--reason", "复核", "--on", "2012-04-27")
    assert run(*approve).exit_code == 1
    assert run("grade", "approve", "--all", "--on", "2012-04-27", "--override", "比例").exit_code in (0, 1)
    change = ("grade", "change", "五夫村", "较好", "--reason", "复核", "--on", "2012-05-03")
    refused = run(*change)
    assert refused.exit_code == 1 and "满意率" in refused.stderr
    assert run(*change, "--override", "镇党委研究决定").exit_code == 0
    assert "grade-cap" in _overrides(low_satisfaction)
    listed = json.loads(run("grade", "list", "--format", "json").stdout)
    wufu = next(r for r in listed if r["branch"].startswith("五夫村"))
    assert any("镇党委研究决定" in f for f in wufu["flags"])


def test_acceptance_regrade_counts_the_rounds_satisfaction(demo_ledger, tmp_path):  # type: ignore[no-untyped-def]
    from jcnian.campaign import acceptance
    from jcnian.errors import GateError

    db = _cut(demo_ledger, date(2012, 8, 31), tmp_path / "aug.db")
    with session_of(db) as session:
        from jcnian.gradebook.reads import grade_states

        pending = [s for s in grade_states(session).values() if s.final is not None and s.final.rank < 2]
        names = {
            r.branch
            for r in acceptance.acceptance_report(session, date(2012, 8, 31)).rows
            if r.result == "未验收"
        }
        target = next(s for s in pending if s.name in names)
    run = CliRunner()
    for i, method in enumerate(phases.ACCEPTANCE_METHODS):
        extra = ["--rate", "0.8"] if method == "满意度测评" else []
        step = run.invoke(
            app, ["--db", db, "accept", "step", target.name, method, "--on", f"2012-09-0{i + 1}", *extra]
        )
        assert step.exit_code == 0, step.output
    decide = [
        "--db",
        db,
        "accept",
        "decide",
        target.name,
        "--pass",
        "--grade",
        str(target.final),
        "--on",
        "2012-09-10",
    ]
    refused = run.invoke(app, decide)
    assert refused.exit_code == 1 and "满意率" in refused.stderr
    assert run.invoke(app, [*decide, "--override", "测评样本偏少"]).exit_code == 0
    assert "grade-cap" in _overrides(db)
    with session_of(db) as session, pytest.raises(GateError):
        from jcnian.gradebook import steps

        state = grade_states(session)[target.branch_id]
        steps.cap_check(session, [(state, Grade.GOOD)], None, "x", Fraction(8, 10))


def test_the_demo_sets_no_grade_above_the_cap(demo_ledger):  # type: ignore[no-untyped-def]
    from jcnian.campaign import acceptance

    with session_of(demo_ledger) as session:
        report = acceptance.acceptance_report(session, date(2012, 9, 30))
    for row in report.rows:
        if row.final in ("好", "较好") and row.satisfaction is not None:
            assert row.satisfaction >= 0.9, row
    assert "grade-cap" not in _overrides(demo_ledger)


# --- dates the seed sets, and defaults ------------------------------------------------


def test_reports_are_due_from_the_month_after_the_document():
    assert phases.report_months(WINDOWS) == ["2012-05", "2012-06", "2012-07", "2012-08", "2012-09"]
    assert checklist.Day.of(WINDOWS, RULES, date(2012, 5, 31)).report_months == ()
    assert checklist.Day.of(WINDOWS, RULES, date(2012, 6, 1)).report_months == ("2012-05",)


def test_no_report_missing_before_may_and_defaults_marked(run, seeded):  # type: ignore[no-untyped-def]
    missing = run("report", "missing", "--as-of", "2012-04-20", "--format", "json")
    assert missing.exit_code == 0 and json.loads(missing.stdout) == []
    shown = json.loads(run("campaign", "show", "--format", "json").stdout)
    source = {r["rule"]: r["source"] for r in shown["rules"]}
    assert source == {
        "revisit": "原文",
        "coverage": "原文",
        "publicity": "默认",
        "visit": "默认",
        "regulations": "默认",
    }
    assert min(r["due"] for r in shown["rules"] if r["source"] == "默认") >= "2012-05-25"
    assert run("campaign", "set-rule", "publicity", "2012-06-15").exit_code == 0
    shown = json.loads(run("campaign", "show", "--format", "json").stdout)
    assert next(r for r in shown["rules"] if r["rule"] == "publicity")["source"] == "已改定"


def test_slogans_are_not_overdue_the_day_after_the_document():
    items = _items(checklist.BranchFacts("x", "农村"), date(2012, 4, 26))
    assert not items["publicity"].overdue and items["publicity"].due == date(2012, 5, 31)


# --- rules that fit their branches ----------------------------------------------------


def test_revisit_is_for_villages_only(run, seeded):  # type: ignore[no-untyped-def]
    from ledgerkit import FIRMS, VILLAGES

    assert run("visit", "add", VILLAGES[0], "--kind", "回头看", "--on", "2012-06-01").exit_code == 0
    refused = run("visit", "add", FIRMS[0], "--kind", "回头看", "--on", "2012-06-01")
    assert refused.exit_code == 1 and "农村" in refused.stderr
    firm = _items(checklist.BranchFacts(FIRMS[0], "非公制企业"), date(2012, 7, 1))
    assert "revisit" not in firm


def test_a_third_rule_is_recorded_with_a_note(run, seeded):  # type: ignore[no-untyped-def]
    from ledgerkit import VILLAGES

    for i, name in enumerate(("党员联系群众制度", "民主议事制度", "党员积分管理制度")):
        result = run("regulation", "add", VILLAGES[0], name, "--on", f"2012-06-0{i + 1}")
        assert result.exit_code == 0, result.output
    assert "1–2" in result.output
    none = _items(checklist.BranchFacts("x", "农村"), date(2012, 9, 1))["regulations"]
    assert none.overdue and not none.done


def test_a_fail_needs_no_implementation_plan():
    common = dict(
        on=date(2012, 9, 1),
        accept=WINDOWS["accept"],
        has_final_grade=True,
        has_plan=False,
        methods_done=phases.ACCEPTANCE_METHODS,
        backward=False,
        has_one_village=False,
        open_rectification=None,
    )
    assert phases.decision_gate(passing=False, **common) == []
    assert phases.decision_gate(passing=True, **common) == ["还没有实施方案"]


def test_the_backward_list_is_incomplete_until_every_village_has_its_final_grade(demo_ledger):  # type: ignore[no-untyped-def]
    from jcnian.campaign.facts import backward_ids
    from jcnian.gradebook.reads import backward_report, grade_states

    with session_of(demo_ledger) as session:
        proposed = grade_states(session, as_of=date(2012, 4, 26)).values()
        report = backward_report(session, proposed)
        assert report.entries and not report.complete and len(report.ungraded) == 16
        assert backward_ids(session, proposed) == set()  # no 一村一策 owed from it yet
        final = grade_states(session, as_of=date(2012, 4, 27)).values()
        assert backward_report(session, final).complete and backward_ids(session, final)
    out = CliRunner().invoke(
        app, ["--db", demo_ledger, "grade", "backward", "--as-of", "2012-04-26", "--format", "json"]
    )
    data = json.loads(out.stdout)
    assert (data["complete"], data["ungraded"]) == (False, 16)
