"""The facts pass: everything the phase rules need about every branch, read once.

``gather`` reads the ledger with one query per table and returns plain data
(``jcnian.checklist.BranchFacts`` per branch, in the seed's order, with the campaign's windows
and dated rules). ``status``, ``overdue`` and ``lagging`` take it, so a caller asking all
three for one day (the monthly export) reads the ledger and grades every branch once.
The grades come from the grading records (``jcnian.gradebook.reads``); a caller that has the grade
states already hands them in.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from jcnian.campaign.dates import dated_rules, windows
from jcnian.campaign.projects import project_facts
from jcnian.campaign.tables import (
    AcceptanceDecision,
    AcceptanceStep,
    BranchPlan,
    BranchRegulation,
    MobilisationMeeting,
    MonthlyReport,
    Pledge,
    Problem,
    Project,
    Publicity,
    Rectification,
    SurveyMethod,
    Visit,
)
from jcnian.checklist import NO_ACCEPTANCE, AcceptanceFacts, BranchFacts
from jcnian.compact import Shared, folded
from jcnian.db import streamed
from jcnian.gradebook.tables import GradeEvent
from jcnian.ledger import current_campaign
from jcnian.models import Branch, Campaign, Category
from jcnian.phases import Window
from jcnian.project_rules import ProjectFacts

if TYPE_CHECKING:
    from jcnian.gradebook.reads import GradeState

NOTHING: Mapping[str, date] = MappingProxyType({})  # shared by every branch without entries


# --- grades (read from the grading issue's records) -----------------------------------


def read_only(pairs: Iterable[tuple[str, date]]) -> Mapping[str, date]:
    return MappingProxyType(dict(pairs))


@dataclass(frozen=True, slots=True)
class GradeFacts:
    scored: bool = False
    steps: Mapping[str, date] = field(default_factory=dict)
    initial: str | None = None
    final: str | None = None


NO_GRADE = GradeFacts()


def grade_facts(
    session: Session,
    campaign: Campaign,
    states: "Mapping[int, GradeState] | None" = None,
    as_of: date | None = None,
) -> dict[int, GradeFacts]:
    """Each branch's 分类定级 as the grading records give it: step dates, initial and final grade.

    Step dates come from the grade events (the first of each step); with ``as_of`` only the
    events dated by then count, and the grades are those of that day (``states``, when the
    caller has them, must be of the same day).
    """
    if states is None:
        from jcnian.gradebook.reads import grade_states

        states = grade_states(session, as_of=as_of)
    maps, facts = Shared(), Shared()

    def dated_steps(run: Iterable[tuple[Any, ...]]) -> Mapping[str, date]:
        """The first day of each step (the maps repeat across branches: one object each)."""
        first_day: dict[str, date] = {}
        for _bid, step, on, at in run:
            day = on or at.date()
            if as_of is None or day <= as_of:
                first_day.setdefault(step, day)
        return maps.by(tuple(first_day.items()), read_only) if first_day else NOTHING

    steps = folded(
        streamed(
            session,
            select(GradeEvent.branch_id, GradeEvent.step, GradeEvent.on, GradeEvent.at)
            .join(Branch, GradeEvent.branch_id == Branch.id)  # type: ignore[arg-type]
            .where(Branch.campaign_id == campaign.id)
            .order_by(GradeEvent.branch_id, GradeEvent.id),  # type: ignore[arg-type]
        ),
        dated_steps,
    )

    def facts_of(s: "GradeState") -> GradeFacts:
        dated = steps.get(s.branch_id, NOTHING)
        initial = s.initial.value if s.initial else None
        final = s.final.value if s.final else None
        key = (s.score is not None, id(dated), initial, final)  # the maps are shared: by identity
        return facts.by(key, lambda k: GradeFacts(k[0], dated, initial, final))

    return {bid: facts_of(s) for bid, s in states.items()}


def backward_ids(session: Session, states: "Iterable[GradeState] | None" = None) -> set[int]:
    """The 后进党组织 (倒排) by branch id; none while the list is 不完整 (a branch of its
    category still without a final grade), so no 一村一策 plan is owed from it yet."""
    from jcnian.gradebook.reads import backward_report

    report = backward_report(session, states)
    return {int(e.branch_id) for e in report.entries} if report.complete else set()


# --- the facts pass -------------------------------------------------------------------


def branch_rows(session: Session, campaign: Campaign) -> list[tuple[int, str, str]]:
    """(id, name, category) of every branch in the seed's order, as plain columns."""
    return list(
        session.exec(
            select(Branch.id, Branch.name, Category.name)
            .join(Category, Branch.category_id == Category.id)
            .where(Branch.campaign_id == campaign.id)
            .order_by(Branch.seq)
        ).all()  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class CampaignFacts:
    """Every branch's facts with the campaign's windows and dated rules, for any as-of day."""

    campaign: Campaign
    windows: dict[str, Window]
    rules: dict[str, date]
    branches: list[BranchFacts]  # in the seed's order
    grades: dict[int, GradeFacts]  # by branch id
    # What the dashboard worked out for a day, so that status and overdue for the same day
    # go through every branch's checklist once (see jcnian.campaign.dashboard).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def forget(self) -> None:
        """Drop what the dashboard worked out for a day, once the caller has what it needs."""
        self.memo.clear()


def gather(
    session: Session, states: "Mapping[int, GradeState] | None" = None, as_of: date | None = None
) -> CampaignFacts:
    """Every branch's facts for the rules, with one query per table.

    ``states`` are the gradebook's grade states when the caller has them already
    (``grade_states(session, as_of=as_of)``, with or without detail); otherwise they are
    computed here. ``as_of``: the grades, their steps and the backward list as they stood
    that day (the phase rules judge every other dated record against the day themselves);
    facts gathered for one day are judged on that day only.
    """
    campaign = current_campaign(session)
    in_campaign = Branch.campaign_id == campaign.id

    # The driver's rows hold fresh copies of dates and texts that repeat in every branch
    # (the same few days, kinds, months): each distinct row, and each branch's tuple of them,
    # is kept once.
    same, maps = Shared(), Shared()

    def grouped(*cols: Any) -> dict[int, tuple[Any, ...]]:
        model = cols[0].class_
        stmt = select(*cols).join(Branch, model.branch_id == Branch.id).where(in_campaign)
        return folded(
            streamed(session, stmt.order_by(model.branch_id, model.id)),
            lambda run: same(tuple(same(tuple(row[1:])) for row in run)),
        )

    def first(*cols: Any) -> dict[int, Any]:
        model = cols[0].class_
        stmt = select(*cols).join(Branch, model.branch_id == Branch.id).where(in_campaign)
        return {bid: same(value) for bid, value in streamed(session, stmt)}

    meetings = first(MobilisationMeeting.branch_id, MobilisationMeeting.held_on)
    surveys = grouped(SurveyMethod.branch_id, SurveyMethod.method, SurveyMethod.done_on)
    problems = grouped(Problem.branch_id, Problem.found_on, Problem.resolved_on)
    plans = {
        bid: same(tuple(dates))
        for bid, *dates in streamed(
            session,
            select(BranchPlan.branch_id, BranchPlan.goal_on, BranchPlan.measures_on, BranchPlan.plan_on)
            .join(Branch, BranchPlan.branch_id == Branch.id)
            .where(in_campaign),
        )
    }
    pledges = first(Pledge.branch_id, Pledge.pledged_on)
    visits = grouped(Visit.branch_id, Visit.kind, Visit.on)
    reports = grouped(MonthlyReport.branch_id, MonthlyReport.month, MonthlyReport.submitted_on)
    regulations = grouped(BranchRegulation.branch_id, BranchRegulation.adopted_on)
    publicity = grouped(Publicity.branch_id, Publicity.kind, Publicity.on)
    steps = grouped(AcceptanceStep.branch_id, AcceptanceStep.round, AcceptanceStep.method, AcceptanceStep.on)
    decisions = grouped(
        AcceptanceDecision.branch_id,
        AcceptanceDecision.round,
        AcceptanceDecision.on,
        AcceptanceDecision.passed,
    )
    rects = grouped(
        Rectification.branch_id, Rectification.opened_on, Rectification.deadline, Rectification.closed_on
    )
    by_project = project_facts(session, campaign)
    projects: dict[int, list[ProjectFacts]] = defaultdict(list)
    for pid, bid in session.exec(
        select(Project.id, Project.branch_id).join(Branch).where(in_campaign).order_by(Project.id)
    ):
        projects[bid].append(by_project[pid])  # type: ignore[index]
    if states is None:
        from jcnian.gradebook.reads import grade_states

        states = grade_states(session, as_of=as_of)
    grades = grade_facts(session, campaign, states, as_of)
    backward = backward_ids(session, states.values())
    facts = []
    for bid, name, category in branch_rows(session, campaign):
        plan = plans.get(bid)
        g = grades.get(bid, NO_GRADE)
        acceptance = NO_ACCEPTANCE
        if bid in steps or bid in decisions or bid in rects:
            acceptance = AcceptanceFacts(
                steps=steps.get(bid, ()),
                decisions=decisions.get(bid, ()),
                rectifications=rects.get(bid, ()),
            )
        shown = publicity.get(bid, ())
        facts.append(
            BranchFacts(
                name=name,
                category=category,
                backward=bid in backward,
                meeting_on=meetings.get(bid),
                survey=maps.by(surveys[bid], read_only) if bid in surveys else NOTHING,
                problems=problems.get(bid, ()),
                scored=g.scored,
                grade_steps=g.steps,
                goal_on=plan[0] if plan else None,
                measures_on=plan[1] if plan else None,
                plan_on=plan[2] if plan else None,
                pledge_on=pledges.get(bid),
                projects=tuple(projects.get(bid, ())),
                visits=visits.get(bid, ()),
                reports=reports.get(bid, ()),
                regulations=same(tuple(d for (d,) in regulations.get(bid, ()))),
                slogans=same(tuple(d for k, d in shown if k == "slogan")),
                columns=same(tuple(d for k, d in shown if k == "column")),
                acceptance=acceptance,
            )
        )
    return CampaignFacts(campaign, windows(session, campaign), dated_rules(session, campaign), facts, grades)
