"""What each branch owes on a day, as pure rules: projects that lag, checklists, the dashboard's counts."""

from datetime import date

from jcnian import phases
from jcnian.checklist import AcceptanceFacts, BranchFacts, Item, Tally, checklist
from jcnian.phases import ENDED, default_rules, default_windows
from jcnian.project_rules import ProjectFacts, TaskFacts, project_state

W = default_windows(2012)
R = default_rules(2012)


def d(text: str) -> date:
    return date.fromisoformat(f"2012-{text}")


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


def items(facts: BranchFacts, on: str) -> dict[str, Item]:
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
    # Owed from May, the month after the document (2012-04-25); a March report is extra.
    f = BranchFacts("五夫村党总支", "农村", reports=(("2012-03", d("03-30")), ("2012-05", d("05-30"))))
    assert items(f, "05-31")["reports"].done
    assert items(f, "06-30")["reports"].done
    got = items(f, "07-01")["reports"]
    assert got.overdue and got.detail == "缺 2012-06" and got.due == d("06-30")


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
    tally = Tally(d("05-01"))
    for items in lists.values():
        tally.add(items)
    mob = next(s for s in tally.phases(W) if s.phase == "mobilize")
    assert (mob.state, mob.done, mob.total, mob.overdue) == (ENDED, 1, 2, 1)
    meeting = next(c for c in mob.deliverables if c.code == "meeting")
    assert (meeting.done, meeting.total, meeting.overdue) == (2, 2, 0)
