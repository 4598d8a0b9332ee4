"""The phase rules as pure functions: window states at the edges, what is due, late and lagging."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcnian import phases
from jcnian.errors import InvalidInput
from jcnian.phases import (
    ACTIVE,
    ENDED,
    NOT_STARTED,
    AcceptanceFacts,
    BranchFacts,
    ProjectFacts,
    TaskFacts,
    checklist,
    default_rules,
    default_windows,
    project_state,
    summarise,
)

W = default_windows(2012)
R = default_rules(2012)


def d(text: str) -> date:
    return date.fromisoformat(f"2012-{text}")


def states(on: str) -> dict[str, str]:
    return {code: w.state(d(on)) for code, w in W.items()}


def test_phases_constant_keeps_the_seed_order_and_dates() -> None:
    assert [label for _c, label, *_ in phases.PHASES] == ["动员部署", "分类定级", "深入实施", "总结验收"]
    assert (W["mobilize"].start, W["mobilize"].end) == (d("03-01"), d("04-25"))
    assert (W["accept"].start, W["accept"].end) == (d("08-01"), d("09-30"))
    assert {"revisit": d("06-30"), "coverage": d("06-30")} == R


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("02-29", {"mobilize": NOT_STARTED, "classify": NOT_STARTED}),
        ("03-01", {"mobilize": ACTIVE, "classify": ACTIVE, "implement": NOT_STARTED}),
        ("04-25", {"mobilize": ACTIVE, "classify": ACTIVE}),
        ("04-26", {"mobilize": ENDED, "classify": ACTIVE}),
        ("04-30", {"classify": ACTIVE, "implement": NOT_STARTED}),
        ("05-01", {"classify": ENDED, "implement": ACTIVE}),
        ("07-31", {"implement": ACTIVE, "accept": NOT_STARTED}),
        ("08-01", {"implement": ACTIVE, "accept": ACTIVE}),
        ("08-31", {"implement": ACTIVE, "accept": ACTIVE}),
        ("09-01", {"implement": ENDED, "accept": ACTIVE}),
        ("09-30", {"accept": ACTIVE}),
        ("10-01", {"accept": ENDED, "mobilize": ENDED}),
    ],
)
def test_window_states_at_the_edges_are_inclusive(on: str, expected: dict[str, str]) -> None:
    got = states(on)
    assert {k: got[k] for k in expected} == expected


def test_overlapping_windows_are_both_under_way() -> None:
    # The seed starts grading in March, before mobilisation ends; and acceptance in August.
    assert [c for c, s in states("04-01").items() if s == ACTIVE] == ["mobilize", "classify"]
    assert [c for c, s in states("08-15").items() if s == ACTIVE] == ["implement", "accept"]


@given(
    start=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    length=st.integers(0, 400),
    offset=st.integers(-500, 900),
)
def test_window_state_partitions_time(start: date, length: int, offset: int) -> None:
    end = start + timedelta(days=length)
    on = start + timedelta(days=offset)
    state = phases.window_state(start, end, on)
    assert (state == NOT_STARTED) == (on < start)
    assert (state == ENDED) == (on > end)
    assert (state == ACTIVE) == (start <= on <= end)


def test_phase_names_accept_labels_codes_and_the_seeds_other_name() -> None:
    assert phases.parse_phase("动员部署") == "mobilize"
    assert phases.parse_phase("accept") == "accept"
    assert phases.parse_phase("总结考评") == "accept"  # the seed's name in 二、
    assert phases.parse_phase("深入实施阶段") == "implement"
    with pytest.raises(InvalidInput, match="没有“收尾”这个阶段"):
        phases.parse_phase("收尾")


def test_a_window_may_not_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput, match="早于开始日期"):
        phases.check_window("mobilize", d("04-25"), d("03-01"))
    phases.check_window("mobilize", d("04-25"), d("04-25"))  # one day is fine


def test_months_parse_and_fall_due_after_their_last_day() -> None:
    assert phases.parse_month("2012年5月") == "2012-05"
    assert phases.parse_month("2012-5") == "2012-05"
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        phases.parse_month("2012-13")
    assert phases.campaign_months(W) == [f"2012-{m:02d}" for m in range(3, 10)]
    assert phases.ended_months(["2012-05", "2012-06"], d("05-31")) == []
    assert phases.ended_months(["2012-05", "2012-06"], d("06-01")) == ["2012-05"]


# --- projects -------------------------------------------------------------------------


def project(**kw: object) -> ProjectFacts:
    base: dict[str, object] = dict(
        name="阵地改造", owner="朱高华", start=d("05-01"), due=d("05-31"), created_on=d("05-01")
    )
    return ProjectFacts(**(base | kw))  # type: ignore[arg-type]


def test_progress_is_measured_against_the_straight_line_to_the_due_date() -> None:
    p = project(progress=((d("05-16"), 30),))
    s = project_state(p, d("05-16"))
    assert (s.percent, s.expected) == (30, 50)
    assert not s.lagging  # 20 points behind is tolerated …
    behind = project_state(project(progress=((d("05-16"), 29),)), d("05-16"))
    assert behind.lagging and "应达 50%" in behind.reason  # … one more is not
    # … and an update after the day asked about does not count yet.
    assert project_state(project(progress=((d("05-20"), 90),)), d("05-16")).percent == 0


def test_a_project_is_overdue_the_day_after_its_due_date_unless_finished() -> None:
    p = project(progress=((d("05-30"), 90),))
    assert not project_state(p, d("05-31")).overdue
    s = project_state(p, d("06-01"))
    assert s.overdue and s.lagging and "逾期未完成" in s.reason
    done = project(progress=((d("05-30"), 100),))
    assert not project_state(done, d("07-01")).overdue


def test_monthly_assessments_and_tasks_fall_due() -> None:
    p = project(
        due=d("07-15"),
        assessed=(("2012-05", d("05-31")),),
        tasks=(TaskFacts("设计图", "week", d("05-07")), TaskFacts("验收", "day", d("06-05"), d("06-05"))),
    )
    s = project_state(p, d("07-01"))
    assert s.missing_months == ("2012-06",)
    # A week's task is due on its Sunday.
    assert [t.name for t in project_state(p, d("05-13")).late_tasks] == []
    assert [t.name for t in project_state(p, d("05-14")).late_tasks] == ["设计图"]
    finished = project(due=d("07-15"), progress=((d("06-10"), 100),), tasks=p.tasks)
    assert project_state(finished, d("08-01")).late_tasks == ()
    assert project_state(finished, d("08-01")).missing_months == ("2012-05", "2012-06")


# --- checklists -----------------------------------------------------------------------


def items(facts: BranchFacts, on: str) -> dict[str, phases.Item]:
    return {i.code: i for i in checklist(facts, W, R, d(on))}


def test_mobilisation_is_late_from_the_day_after_04_25() -> None:
    nothing = BranchFacts("五夫村党总支", "农村")
    assert not items(nothing, "04-25")["meeting"].overdue
    assert items(nothing, "04-26")["meeting"].overdue
    met = BranchFacts("五夫村党总支", "农村", meeting_on=d("04-28"))
    assert not items(met, "04-27")["meeting"].done  # recorded for a later day
    assert items(met, "04-28")["meeting"].done


def test_what_applies_depends_on_category_and_backward_list() -> None:
    village = items(BranchFacts("杨溪村党支部", "农村", backward=True), "05-10")
    firm = items(BranchFacts("浙江永庆家具有限公司党支部", "非公制企业"), "05-10")
    assert "one_village" in village and "one_village" not in firm
    assert "revisit" in village and "revisit" not in firm
    assert village["revisit"].due == d("06-30")
    late = items(BranchFacts("杨溪村党支部", "农村", visits=(("回头看", d("07-02")),)), "07-01")
    assert late["revisit"].overdue


def test_monthly_reports_missing_after_the_month_ends() -> None:
    f = BranchFacts("五夫村党总支", "农村", reports=(("2012-03", d("03-30")),))
    assert items(f, "04-30")["reports"].done
    got = items(f, "05-01")["reports"]
    assert got.overdue and got.detail == "缺 2012-04" and got.due == d("04-30")


def test_acceptance_rounds_and_rectification() -> None:
    acc = AcceptanceFacts(
        steps=tuple((1, m, d("08-10")) for m in phases.ACCEPTANCE_METHODS),
        decisions=((1, d("09-01"), False),),
        rectifications=((d("09-01"), d("09-20"), None),),
    )
    f = BranchFacts("孝丰村党支部", "农村", acceptance=acc)
    before = items(f, "08-31")
    assert before["自查初评"].done and not before["passed"].done and "rectified" not in before
    after = items(f, "09-21")
    assert not after["自查初评"].done  # round 2 has not started
    assert after["rectified"].overdue and after["rectified"].due == d("09-20")


def test_summary_counts_branches_done_and_late_per_phase() -> None:
    lists = {
        "甲": checklist(BranchFacts("甲", "农村", meeting_on=d("04-01")), W, R, d("05-01")),
        "乙": checklist(
            BranchFacts(
                "乙",
                "农村",
                meeting_on=d("04-01"),
                survey={"座谈会": d("04-02")},
                problems=((d("04-03"), None),),
            ),
            W,
            R,
            d("05-01"),
        ),
    }
    mob = next(s for s in summarise(lists, W, d("05-01")) if s.phase == "mobilize")
    assert (mob.state, mob.done, mob.total, mob.overdue) == (ENDED, 1, 2, 1)
    meeting = next(c for c in mob.deliverables if c.code == "meeting")
    assert (meeting.done, meeting.total, meeting.overdue) == (2, 2, 0)


def test_decision_gate_gives_every_reason() -> None:
    reasons = phases.decision_gate(
        on=d("07-30"),
        accept=W["accept"],
        has_final_grade=False,
        has_plan=False,
        methods_done=["自查初评"],
        backward=True,
        has_one_village=False,
        passing=True,
        open_rectification=d("09-20"),
    )
    text = "；".join(reasons)
    for part in ("08-01 才开始", "组织考评定级", "实施方案", "一村一策", "实地调查", "整改意见尚未完成"):
        assert part in text
    ok = phases.decision_gate(
        on=d("09-01"),
        accept=W["accept"],
        has_final_grade=True,
        has_plan=True,
        methods_done=phases.ACCEPTANCE_METHODS,
        backward=False,
        has_one_village=False,
        passing=True,
        open_rectification=None,
    )
    assert ok == []


def test_grade_movement() -> None:
    assert phases.grade_moved("一般", "较好") == "升级"
    assert phases.grade_moved("好", "较好") == "降级"
    assert phases.grade_moved("一般", "一般") == "持平"
    assert phases.grade_moved(None, "好") == ""
