"""The day's picture of the campaign: ``status`` (the morning dashboard), ``overdue`` (what is
late) and ``lagging`` (owners whose projects lag, 问责 candidates), each as of a date.

All three read the facts pass (``jcnian.campaign.facts.gather``); a caller that wants more than
one of them for a day gathers once and hands the facts to each. Status and overdue for the
same day then share one pass through every branch's checklist (and the rows they have in
common); the checklists themselves are worked out one branch at a time and dropped, so a
city-wide ledger never holds them all at once.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session

from jcnian import phases
from jcnian.campaign.facts import CampaignFacts, gather
from jcnian.campaign.requirements import CoverageReport, coverage_report
from jcnian.campaign.scope import resolve
from jcnian.checklist import BranchFacts, Deadline, Item, PhaseSummary, Tally, checklists
from jcnian.ledger import campaign_label, find_branch
from jcnian.project_rules import project_state

# Checklist items that ``overdue`` lists in detail instead (per project, task and month).
DETAILED = frozenset({"monthly", "schedule", "reports"})


@dataclass(frozen=True, slots=True)
class OverdueRow:
    branch: str
    phase: str
    item: str
    due: date
    days: int
    detail: str
    kind: str = "逾期未完成"  # or LATE_DONE: done, but after the due date (``days`` late)


LATE_DONE = "逾期完成"


@dataclass(frozen=True)
class RallyState:
    """The town committee's 动员大会 (二、(一)), the first thing 动员部署 asks, on a day: held
    (``held_on``) or not, due by the phase's end."""

    held_on: date | None
    attendance: int | None
    due: date
    overdue: bool  # not held and the phase has ended

    @property
    def late_days(self) -> int | None:
        """Days after the phase's end it was held (逾期完成), None when on time or not held."""
        return (self.held_on - self.due).days if self.held_on and self.held_on > self.due else None


@dataclass(frozen=True)
class StatusView:
    campaign: str
    as_of: date
    phases: list[PhaseSummary]
    overdue: list[OverdueRow]
    deadlines: list[Deadline]
    coverage: CoverageReport
    branch: str | None = None
    checklist: list[Item] = field(default_factory=list)
    later_deadlines: int = 0  # owed deadlines beyond the nearest ones in ``deadlines``
    rally: RallyState | None = None  # the town's 动员大会, shown first for 动员部署


@dataclass(frozen=True)
class _Day:
    """One pass through the branches' checklists on a day: what status and overdue show."""

    tally: Tally
    late: list[OverdueRow]  # every late checklist item (status)
    listed: list[OverdueRow]  # the same but DETAILED ones, with the details (overdue)
    checklist: list[Item]  # the last branch's checklist (status of one branch)


def _pass(facts: CampaignFacts, branches: Iterable[BranchFacts], on: date) -> _Day:
    tally = Tally(on)
    late: list[OverdueRow] = []
    listed: list[OverdueRow] = []
    items: list[Item] = []
    for items, own_late, own_listed in _by_branch(facts, branches, on):
        tally.add(items)
        late.extend(own_late)
        listed.extend(own_listed)
    return _Day(tally, late, listed, items)


def _by_branch(
    facts: CampaignFacts, branches: Iterable[BranchFacts], on: date
) -> Iterator[tuple[list[Item], list[OverdueRow], list[OverdueRow]]]:
    """Each branch's checklist on ``on`` with its late items (status) and what ``overdue``
    lists for it, one branch at a time."""
    report_months = phases.ended_months(phases.report_months(facts.windows), on)
    for f, items in checklists(branches, facts.windows, facts.rules, on):
        late: list[OverdueRow] = []
        listed: list[OverdueRow] = []
        for i in items:
            if i.overdue:
                row = OverdueRow(f.name, i.phase_label, i.label, i.due, (on - i.due).days, i.detail)  # type: ignore[arg-type,operator]
                late.append(row)
                if i.code not in DETAILED:
                    listed.append(row)
            elif i.late_by is not None:
                done = f"{i.done_on} 完成" + (
                    f"；{i.detail}" if i.detail and i.detail != str(i.done_on) else ""
                )
                listed.append(OverdueRow(f.name, i.phase_label, i.label, i.due, i.late_by, done, LATE_DONE))  # type: ignore[arg-type]
        _detail(f, report_months, on, listed)
        yield items, late, listed


def _detail(f: BranchFacts, report_months: Sequence[str], on: date, rows: list[OverdueRow]) -> None:
    """What ``overdue`` lists for one branch beyond its checklist: projects, tasks, months."""
    for p in f.projects:
        if p.created_on > on:
            continue
        st = project_state(p, on)
        if st.overdue:
            detail = f"责任人 {p.owner or '未定'}，进度 {st.percent}%"
            rows.append(OverdueRow(f.name, "深入实施", f"项目“{p.name}”", p.due, (on - p.due).days, detail))
        for t in st.late_tasks:
            unit = "周" if t.unit == "week" else "天"
            rows.append(
                OverdueRow(
                    f.name,
                    "深入实施",
                    f"任务“{t.name}”（{p.name}）",
                    t.due,
                    (on - t.due).days,
                    f"安排到{unit}",
                )
            )
        for m in st.missing_months:
            due = phases.month_end(m)
            rows.append(OverdueRow(f.name, "深入实施", f"月度考核 {m}（{p.name}）", due, (on - due).days, ""))
    reported = {m for m, d in f.reports if d <= on}
    for m in report_months:
        if m not in reported:
            due = phases.month_end(m)
            rows.append(OverdueRow(f.name, phases.OTHER_LABEL, f"月度书面汇报 {m}", due, (on - due).days, ""))


def _day(facts: CampaignFacts, on: date) -> _Day:
    """The pass over every branch on ``on``, kept with the facts for the last day asked."""
    day = facts.memo.get(on)
    if day is None:
        day = _pass(facts, facts.branches, on)
        facts.memo.clear()
        facts.memo[on] = day
    return day


def status(
    session: Session, on: date, branch_name: str | None = None, *, facts: CampaignFacts | None = None
) -> StatusView:
    """The morning dashboard: every window against ``on``, counts per deliverable, what is late."""
    facts = facts or gather(session, as_of=on)
    only = find_branch(session, branch_name).name if branch_name else None
    day = _pass(facts, [f for f in facts.branches if f.name == only], on) if only else _day(facts, on)
    deadlines = day.tally.deadlines(facts.windows, facts.rules)
    return StatusView(
        rally=_rally(session, facts, on),
        campaign=campaign_label(facts.campaign),
        as_of=on,
        phases=day.tally.phases(facts.windows),
        overdue=list(day.late),
        deadlines=deadlines,
        coverage=coverage_report(session, on),
        branch=only,
        checklist=day.checklist if only else [],
        later_deadlines=day.tally.owed_dates() - sum(1 for d in deadlines if d.pending),
    )


def _rally(session: Session, facts: CampaignFacts, on: date) -> RallyState:
    from jcnian.campaign.activities import rally

    held = rally(session, on)
    due = facts.windows["mobilize"].end
    return RallyState(held.held_on, held.attendance, due, held.held_on is None and on > due)


def overdue(
    session: Session,
    on: date,
    *,
    facts: CampaignFacts | None = None,
    branch: str | None = None,
    category: str | None = None,
    phase: str | None = None,
) -> list[OverdueRow]:
    """Everything late on ``on``: per branch and deliverable, then per project, task and month;
    narrowed to a branch, category or phase (see ``campaign.scope``; the town-wide coverage
    rule belongs to its category, 非公制企业, and to 其他要求)."""
    facts = facts or gather(session, as_of=on)
    scope = resolve(session, branch, category, phase)
    rows = scope.narrow(_day(facts, on).listed)
    town = _town_row(coverage_report(session, on), on)
    if town is not None and scope.covers_town("coverage", phases.OTHER_LABEL):
        rows.append(town)
    return rows


def overdue_stream(
    session: Session, on: date, *, facts: CampaignFacts, phases_out: list[PhaseSummary] | None = None
) -> Iterator[OverdueRow]:
    """The rows ``overdue(session, on, facts=facts)`` returns for the whole town, made one
    branch at a time as they are taken, for a writer that needs each once: a city-sized ledger
    late in the campaign has a million of them, and ``overdue``'s list held them all. Once the
    stream is exhausted, ``phases_out`` (when given) holds ``status``'s phase counts of that
    day, from the same pass."""
    tally = Tally(on)
    for items, _late, listed in _by_branch(facts, facts.branches, on):
        tally.add(items)
        yield from listed
    town = _town_row(coverage_report(session, on), on)
    if town is not None:
        yield town
    if phases_out is not None:
        phases_out[:] = tally.phases(facts.windows)


def _town_row(cov: CoverageReport, on: date) -> OverdueRow | None:
    """The town-wide rule ``overdue`` lists after the branches (非公企业全覆盖), when it is late."""
    if not cov.overdue:
        return None
    return OverdueRow(
        "（全镇）",
        phases.OTHER_LABEL,
        phases.RULE_LABELS["coverage"],
        cov.due,
        (on - cov.due).days,
        f"已覆盖 {cov.covered}/{cov.total}",
    )


@dataclass(frozen=True)
class CategoryDay:
    """What ``status`` counts per phase and ``overdue --category`` lists, for one category."""

    phases: list[PhaseSummary]
    overdue: list[OverdueRow]


def by_category(session: Session, on: date, *, facts: CampaignFacts | None = None) -> dict[str, CategoryDay]:
    """``status``'s phase counts and ``overdue``'s rows per category on ``on`` (the city's
    roll-up), in one pass through the checklists. The categories partition the branches and a
    phase counts branches, so the categories' counts add up to the town's ``status``; the
    town-wide row goes to its rule's category, as ``overdue --category`` puts it."""
    facts = facts or gather(session, as_of=on)
    groups: dict[str, list[BranchFacts]] = {}
    for f in facts.branches:
        groups.setdefault(f.category, []).append(f)
    out: dict[str, CategoryDay] = {}
    for category, branches in groups.items():
        day = _pass(facts, branches, on)
        out[category] = CategoryDay(day.tally.phases(facts.windows), day.listed)
    town = _town_row(coverage_report(session, on), on)
    if town is not None:
        owner = phases.RULE_CATEGORY["coverage"]
        if owner not in out:
            out[owner] = CategoryDay(Tally(on).phases(facts.windows), [])
        out[owner].overdue.append(town)
    return out


@dataclass(frozen=True, slots=True)
class LagRow:
    owner: str
    branch: str
    project: str
    percent: int
    expected: int
    due: date
    reason: str
    secretary: str | None = None  # the branch's 负责人 (书记) that day, beside the owner


def lagging(
    session: Session,
    on: date,
    *,
    facts: CampaignFacts | None = None,
    branch: str | None = None,
    category: str | None = None,
) -> list[LagRow]:
    """问责 candidates: owners whose projects are late or trail the schedule on ``on``, of one
    branch or category if asked, each with the branch's 负责人 that day (二、(三): 对推进不力的
    党组织负责人、具体责任人将实行问责)."""
    facts = facts or gather(session, as_of=on)
    scope = resolve(session, branch, category)
    rows: list[LagRow] = []
    for f in facts.branches:
        if not scope.keep(f.name):
            continue
        for p in f.projects:
            if p.created_on > on or on < p.start:
                continue
            st = project_state(p, on)
            if st.lagging or st.late_tasks:
                rows.append(
                    LagRow(p.owner or "（未定）", f.name, p.name, st.percent, st.expected, p.due, st.reason)
                )
    if rows:
        from jcnian.campaign.secretaries import secretaries_on

        heads = secretaries_on(session, on)
        rows = [replace(r, secretary=heads.get(r.branch)) for r in rows]
    rows.sort(key=lambda r: (r.owner, r.branch, r.project))
    return rows
