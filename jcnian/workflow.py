"""The four phases in the ledger: what each branch has done, and the status on a day.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. The rules (windows, what is due and late, gates) live in
``jcnian.phases``; this module gathers facts from the ledger and records what clerks enter.

Recording is idempotent: entering the same thing twice changes nothing, and entering a
different value for the same slot replaces it and reports the previous one, so nothing a
clerk entered disappears without a word.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from jcnian import ledger as _ledger
from jcnian import phases as rules
from jcnian.errors import Conflict, GateError, InvalidInput, NotFound
from jcnian.models import (
    AcceptanceDecision,
    AcceptanceStep,
    Branch,
    BranchPlan,
    BranchRegulation,
    Campaign,
    Category,
    DatedRule,
    EnterpriseCoverage,
    GateOverride,
    MobilisationMeeting,
    MonthlyAssessment,
    MonthlyReport,
    Person,
    PhaseWindow,
    Pledge,
    Problem,
    ProgressUpdate,
    Project,
    ProjectTask,
    Publicity,
    Rectification,
    Supervision,
    SurveyMethod,
    Visit,
)
from jcnian.names import normalise, resolve
from jcnian.phases import Window


def current_campaign(session: Session) -> Campaign:
    """The ledger's campaign, looked up once per session (one command makes many calls)."""
    cached = session.info.get("jcnian.campaign")
    if cached is None:
        cached = session.info["jcnian.campaign"] = _ledger.current_campaign(session)
    return cached


def find_branch(session: Session, query: str) -> Branch:
    """A branch by its exact name in one query, else by alias or unique part (ledger rules)."""
    exact = session.exec(
        select(Branch).where(
            Branch.campaign_id == current_campaign(session).id, Branch.name == normalise(query)
        )
    ).first()
    return exact if exact is not None else _ledger.find_branch(session, query)


@dataclass(frozen=True)
class Saved:
    """What a recording command did: created, updated (with the old value) or unchanged."""

    branch: str
    what: str
    status: str  # created | updated | unchanged
    previous: str | None = None
    override: str | None = None


def _text(value: str | None, field_name: str, *, required: bool = True) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(f"{field_name}不能为空。")
    return cleaned or None


def _gate(
    session: Session,
    branch: Branch | None,
    gate: str,
    action: str,
    reasons: list[str],
    override: str | None,
    on: date,
) -> str | None:
    """Refuse a step taken out of order, or record the committee's reason for taking it."""
    if not reasons:
        return None
    who = f"{branch.name}：" if branch else ""
    reason = (override or "").strip()
    if not reason:
        raise GateError(
            f"{who}现在不能{action}：{'；'.join(reasons)}。如委员会决定先行，请加 --override 理由。"
        )
    session.add(
        GateOverride(
            campaign_id=current_campaign(session).id,  # type: ignore[arg-type]
            branch_id=branch.id if branch else None,
            gate=gate,
            refused="；".join(reasons),
            reason=reason,
            on=on,
        )
    )
    return reason


# --- campaign windows and dated rules -------------------------------------------------


@dataclass(frozen=True)
class WindowView:
    phase: str
    label: str
    start: date
    end: date
    state: str


@dataclass(frozen=True)
class RuleView:
    rule: str
    label: str
    due: date
    category: str
    state: str


@dataclass(frozen=True)
class CampaignView:
    campaign: str
    as_of: date
    windows: list[WindowView]
    rules: list[RuleView]


def windows(session: Session, campaign: Campaign | None = None) -> dict[str, Window]:
    """The campaign's windows in the seed's order; a phase without a row has the seed's dates."""
    campaign = campaign or current_campaign(session)
    found = {
        w.phase: Window(w.phase, w.start, w.end)
        for w in session.exec(select(PhaseWindow).where(PhaseWindow.campaign_id == campaign.id))
    }
    defaults = rules.default_windows(campaign.year)
    return {code: found.get(code, defaults[code]) for code in rules.PHASE_CODES}


def dated_rules(session: Session, campaign: Campaign | None = None) -> dict[str, date]:
    campaign = campaign or current_campaign(session)
    found = {
        r.code: r.due for r in session.exec(select(DatedRule).where(DatedRule.campaign_id == campaign.id))
    }
    return rules.default_rules(campaign.year) | found


def show_campaign(session: Session, on: date) -> CampaignView:
    from jcnian.ledger import campaign_label

    campaign = current_campaign(session)
    return CampaignView(
        campaign=campaign_label(campaign),
        as_of=on,
        windows=[
            WindowView(w.phase, w.label, w.start, w.end, w.state(on))
            for w in windows(session, campaign).values()
        ],
        rules=[
            RuleView(
                code,
                rules.RULE_LABELS[code],
                due,
                rules.RULE_CATEGORY[code],
                "已到期" if on > due else "未到期",
            )
            for code, due in dated_rules(session, campaign).items()
        ],
    )


def set_window(session: Session, phase: str, start: date, end: date) -> tuple[WindowView, WindowView]:
    """Give a phase another year's dates; returns (before, after)."""
    code = rules.parse_phase(phase)
    rules.check_window(code, start, end)
    campaign = current_campaign(session)
    before = windows(session, campaign)[code]
    row = session.exec(
        select(PhaseWindow).where(PhaseWindow.campaign_id == campaign.id, PhaseWindow.phase == code)
    ).first()
    if row is None:
        row = PhaseWindow(campaign_id=campaign.id, phase=code, start=start, end=end)  # type: ignore[arg-type]
    row.start, row.end = start, end
    session.add(row)
    session.flush()
    today = date.today()
    return (
        WindowView(code, before.label, before.start, before.end, before.state(today)),
        WindowView(code, before.label, start, end, rules.window_state(start, end, today)),
    )


def set_rule(session: Session, rule: str, due: date) -> tuple[date, date]:
    code = rules.parse_rule(rule)
    campaign = current_campaign(session)
    before = dated_rules(session, campaign)[code]
    row = session.exec(
        select(DatedRule).where(DatedRule.campaign_id == campaign.id, DatedRule.code == code)
    ).first()
    if row is None:
        row = DatedRule(campaign_id=campaign.id, code=code, due=due)  # type: ignore[arg-type]
    row.due = due
    session.add(row)
    session.flush()
    return before, due


# --- 动员部署 --------------------------------------------------------------------------


def record_meeting(
    session: Session, branch_name: str, held_on: date, attendance: int | None = None, note: str | None = None
) -> Saved:
    branch = find_branch(session, branch_name)
    if attendance is not None and attendance < 0:
        raise InvalidInput("参会人数不能为负数。")
    row = session.exec(select(MobilisationMeeting).where(MobilisationMeeting.branch_id == branch.id)).first()
    new = (held_on, attendance, (note or "").strip() or None)
    if row is not None:
        old = (row.held_on, row.attendance, row.note)
        if old == new:
            return Saved(branch.name, "动员会议", "unchanged")
        previous = f"{row.held_on}" + (f"，{row.attendance} 人" if row.attendance is not None else "")
        row.held_on, row.attendance, row.note = new
        session.add(row)
        return Saved(branch.name, "动员会议", "updated", previous)
    session.add(MobilisationMeeting(branch_id=branch.id, held_on=held_on, attendance=attendance, note=new[2]))  # type: ignore[arg-type]
    return Saved(branch.name, "动员会议", "created")


def record_survey(
    session: Session, branch_name: str, methods: Sequence[str], on: date, note: str | None = None
) -> list[Saved]:
    """Survey methods a branch has used; several at once, each kept with its date."""
    branch = find_branch(session, branch_name)
    if not methods:
        raise InvalidInput(f"请至少给出一种调查方式：{'、'.join(rules.SURVEY_METHODS)}。")
    chosen = [rules.parse_choice(m, rules.SURVEY_METHODS, "调查方式") for m in methods]
    saved = []
    for method in dict.fromkeys(chosen):
        row = session.exec(
            select(SurveyMethod).where(SurveyMethod.branch_id == branch.id, SurveyMethod.method == method)
        ).first()
        if row is None:
            session.add(SurveyMethod(branch_id=branch.id, method=method, done_on=on, note=note))  # type: ignore[arg-type]
            saved.append(Saved(branch.name, method, "created"))
        elif row.done_on == on and (note is None or row.note == note):
            saved.append(Saved(branch.name, method, "unchanged"))
        else:
            previous = str(row.done_on)
            row.done_on = on
            row.note = note if note is not None else row.note
            session.add(row)
            saved.append(Saved(branch.name, method, "updated", previous))
    return saved


PROBLEM_SOURCES = (*rules.SURVEY_METHODS, "调研走访", "回头看", "督查", "其他")


@dataclass(frozen=True)
class ProblemView:
    id: int
    branch: str
    text: str
    source: str
    found_on: date
    status: str
    resolved_on: date | None
    note: str | None


def _problem_view(p: Problem, branch: str) -> ProblemView:
    return ProblemView(p.id, branch, p.text, p.source, p.found_on, p.status, p.resolved_on, p.note)  # type: ignore[arg-type]


def add_problem(
    session: Session, branch_name: str, text: str, source: str, found_on: date
) -> tuple[ProblemView, bool]:
    """Enter a problem in the 问题台账; the same text for the same branch is not entered twice."""
    branch = find_branch(session, branch_name)
    body = _text(text, "问题内容")
    src = rules.parse_choice(source, PROBLEM_SOURCES, "问题来源")
    row = session.exec(select(Problem).where(Problem.branch_id == branch.id, Problem.text == body)).first()
    if row is not None:
        return _problem_view(row, branch.name), False
    row = Problem(branch_id=branch.id, text=body, source=src, found_on=found_on)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return _problem_view(row, branch.name), True


def list_problems(
    session: Session, branch_name: str | None = None, status: str | None = None
) -> list[ProblemView]:
    campaign = current_campaign(session)
    stmt = (
        select(Problem, Branch.name)
        .join(Branch, Problem.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq, Problem.id)
    )
    if branch_name:
        stmt = stmt.where(Branch.id == find_branch(session, branch_name).id)
    if status:
        stmt = stmt.where(Problem.status == rules.parse_choice(status, rules.PROBLEM_STATES, "状态"))
    return [_problem_view(p, name) for p, name in session.exec(stmt)]


def update_problem(
    session: Session, problem_id: int, status: str, on: date, note: str | None = None
) -> tuple[ProblemView, str]:
    """Move a problem to 整改中 or 已解决 (or back); returns the view and the old status."""
    row = session.get(Problem, problem_id)
    branch = session.get(Branch, row.branch_id) if row else None
    if row is None or branch is None or branch.campaign_id != current_campaign(session).id:
        raise NotFound(f"问题台账里没有编号 {problem_id}，请用 jcnian problem list 查看编号。")
    new = rules.parse_choice(status, rules.PROBLEM_STATES, "状态")
    if new == "已解决" and on < row.found_on:
        raise InvalidInput(f"解决日期 {on} 早于发现日期 {row.found_on}。")
    old = row.status
    row.status = new
    row.resolved_on = on if new == "已解决" else None
    if note:
        row.note = note.strip()
    session.add(row)
    return _problem_view(row, branch.name), old


# --- grades (read from the grading issue's records) -----------------------------------


@dataclass(frozen=True)
class GradeFacts:
    scored: bool = False
    steps: dict[str, date] = field(default_factory=dict)
    initial: str | None = None
    final: str | None = None


def _grade_facts(session: Session, campaign: Campaign) -> dict[int, GradeFacts]:
    """Each branch's 分类定级 as the grading records give it: step dates, initial and final grade.

    Step dates come from the grade events (the first of each step), so the status of an
    earlier day can be replayed; the grades themselves are the gradebook's current ones.
    """
    from jcnian import gradebook
    from jcnian.models import GradeEvent

    states = gradebook.grade_states(session)
    steps: dict[int, dict[str, date]] = defaultdict(dict)
    for bid, step, on, at in session.exec(
        select(GradeEvent.branch_id, GradeEvent.step, GradeEvent.on, GradeEvent.at)
        .join(Branch, GradeEvent.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(GradeEvent.id)  # type: ignore[arg-type]
    ):
        day = on or at.date()
        steps[bid].setdefault(step, day)
    return {
        bid: GradeFacts(
            scored=s.score is not None,
            steps=steps.get(bid, {}),
            initial=s.initial.value if s.initial else None,
            final=s.final.value if s.final else None,
        )
        for bid, s in states.items()
    }


def _backward_ids(session: Session) -> set[int]:
    from jcnian import gradebook

    return {int(row.branch_id) for row in gradebook.backward_list(session)}


# --- 深入实施 --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    branch: str
    goal: str | None
    goal_on: date | None
    measures: str | None
    measures_on: date | None
    plan: str | None
    plan_on: date | None
    pledge: str | None
    pledge_on: date | None
    pledge_medium: str | None


def _plan_row(session: Session, branch: Branch) -> BranchPlan | None:
    return session.exec(select(BranchPlan).where(BranchPlan.branch_id == branch.id)).first()


def show_plan(session: Session, branch_name: str) -> PlanView:
    branch = find_branch(session, branch_name)
    row = _plan_row(session, branch) or BranchPlan(branch_id=branch.id)  # type: ignore[arg-type]
    pledge = session.exec(select(Pledge).where(Pledge.branch_id == branch.id)).first()
    return PlanView(
        branch.name,
        row.goal,
        row.goal_on,
        row.measures,
        row.measures_on,
        row.plan,
        row.plan_on,
        pledge.text if pledge else None,
        pledge.pledged_on if pledge else None,
        pledge.medium if pledge else None,
    )


def set_plan(
    session: Session,
    branch_name: str,
    on: date,
    *,
    goal: str | None = None,
    measures: str | None = None,
    plan: str | None = None,
    override: str | None = None,
) -> list[Saved]:
    """Set a branch's 争创目标, 整改措施 and/or 实施方案; each part keeps its own date."""
    branch = find_branch(session, branch_name)
    parts = [
        (k, v.strip()) for k, v in (("goal", goal), ("measures", measures), ("plan", plan)) if v is not None
    ]
    if not parts:
        raise InvalidInput("请至少给出 --goal、--measures 或 --plan 之一。")
    for key, value in parts:
        if not value:
            raise InvalidInput(f"{PLAN_LABELS[key]}不能为空。")
    row = _plan_row(session, branch) or BranchPlan(branch_id=branch.id)  # type: ignore[arg-type]
    changes = [(k, v) for k, v in parts if getattr(row, k) != v]
    saved = [Saved(branch.name, PLAN_LABELS[k], "unchanged") for k, v in parts if getattr(row, k) == v]
    if not changes:
        return saved
    facts = _grade_facts(session, current_campaign(session)).get(branch.id, GradeFacts())  # type: ignore[arg-type]
    used = _gate(
        session,
        branch,
        "plan",
        "制定争创目标和实施方案",
        rules.plan_gate(facts.final is not None),
        override,
        on,
    )
    for key, value in changes:
        old = getattr(row, key)
        setattr(row, key, value)
        # The date says since when the branch has had one: a later rewording keeps it.
        since = getattr(row, f"{key}_on")
        setattr(row, f"{key}_on", min(since, on) if since else on)
        saved.append(Saved(branch.name, PLAN_LABELS[key], "updated" if old else "created", old, used))
    session.add(row)
    return saved


PLAN_LABELS = {"goal": "争创目标", "measures": "整改措施", "plan": "实施方案"}


def record_pledge(
    session: Session,
    branch_name: str,
    text: str,
    on: date,
    medium: str | None = None,
    override: str | None = None,
) -> Saved:
    branch = find_branch(session, branch_name)
    body = _text(text, "承诺内容")
    row = session.exec(select(Pledge).where(Pledge.branch_id == branch.id)).first()
    medium = (medium or "").strip() or None
    if row is not None and (row.text, row.pledged_on, row.medium) == (body, on, medium):
        return Saved(branch.name, "公开承诺", "unchanged")
    plan = _plan_row(session, branch)
    reasons = rules.pledge_gate(
        bool(plan and plan.goal), bool(plan and plan.measures), bool(plan and plan.plan)
    )
    used = _gate(session, branch, "pledge", "公开承诺", reasons, override, on)
    if row is None:
        session.add(Pledge(branch_id=branch.id, text=body, pledged_on=on, medium=medium))  # type: ignore[arg-type]
        return Saved(branch.name, "公开承诺", "created", override=used)
    previous = f"{row.pledged_on}：{row.text}"
    row.text, row.pledged_on, row.medium = body, on, medium  # type: ignore[assignment]
    session.add(row)
    return Saved(branch.name, "公开承诺", "updated", previous, used)


def _person(session: Session, campaign: Campaign, name: str) -> Person:
    key = normalise(name)
    if not key:
        raise InvalidInput("责任人姓名不能为空。")
    person = session.exec(select(Person).where(Person.campaign_id == campaign.id, Person.name == key)).first()
    if person is None:
        person = Person(campaign_id=campaign.id, name=key)  # type: ignore[arg-type]
        session.add(person)
        session.flush()
    return person


@dataclass(frozen=True)
class ProjectView:
    id: int
    branch: str
    name: str
    owner: str | None
    start: date
    due: date
    quality: str | None
    effect: str | None
    one_village: bool
    percent: int
    expected: int
    state: str
    reason: str
    tasks: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)


def add_project(
    session: Session,
    branch_name: str,
    name: str,
    *,
    owner: str,
    start: date,
    due: date,
    on: date,
    quality: str | None = None,
    effect: str | None = None,
    one_village: bool = False,
) -> Saved:
    """A 工程项目 put on a named owner (项目责任化、责任具体化)."""
    branch = find_branch(session, branch_name)
    title = _text(name, "项目名称")
    if due < start:
        raise InvalidInput(f"项目完成期限 {due} 早于开始日期 {start}。")
    campaign = current_campaign(session)
    person = _person(session, campaign, owner)
    row = session.exec(select(Project).where(Project.branch_id == branch.id, Project.name == title)).first()
    values = dict(
        owner_id=person.id,
        start=start,
        due=due,
        quality=(quality or "").strip() or None,
        effect=(effect or "").strip() or None,
        one_village=one_village,
    )
    if row is None:
        # A project entered after its start existed from its start: the ledger is often filled in late.
        session.add(Project(branch_id=branch.id, name=title, created_on=min(on, start), **values))  # type: ignore[arg-type]
        return Saved(branch.name, f"工程项目“{title}”", "created")
    old = {k: getattr(row, k) for k in values}
    if old == values:
        return Saved(branch.name, f"工程项目“{title}”", "unchanged")
    changed = [k for k in values if old[k] != values[k] and k != "owner_id"]
    previous = "，".join(f"{k}={old[k]}" for k in changed)
    if old["owner_id"] != values["owner_id"]:
        prev_owner = session.get(Person, old["owner_id"]) if old["owner_id"] else None
        previous = "，".join(filter(None, [previous, f"责任人={prev_owner.name if prev_owner else '无'}"]))
    for k, v in values.items():
        setattr(row, k, v)
    session.add(row)
    return Saved(branch.name, f"工程项目“{title}”", "updated", previous)


def _projects(session: Session, campaign: Campaign) -> list[tuple[Project, Branch]]:
    return list(
        session.exec(
            select(Project, Branch)
            .join(Branch, Project.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id)
            .order_by(Branch.seq, Project.id)
        ).all()
    )


def find_project(session: Session, query: str) -> tuple[Project, Branch]:
    """A project by its number, ``BRANCH/NAME``, or a unique part of either."""
    campaign = current_campaign(session)
    text = query.replace("／", "/")
    if "/" in text:
        branch_part, project_part = text.split("/", 1)
        branch = find_branch(session, branch_part)
        own = {
            normalise(p.name): p for p in session.exec(select(Project).where(Project.branch_id == branch.id))
        }
        return resolve(project_part, own, f"{branch.name}的工程项目"), branch
    pairs = _projects(session, campaign)
    if query.strip().isdigit():
        for project, branch in pairs:
            if project.id == int(query):
                return project, branch
        raise NotFound(f"没有编号为 {query} 的工程项目，请用 jcnian project list 查看编号。")
    keyed = {normalise(f"{b.name}/{p.name}"): (p, b) for p, b in pairs}
    return resolve(text, keyed, "工程项目")


def add_task(session: Session, project_query: str, name: str, unit: str, on: date) -> Saved:
    """A task scheduled to a week (安排到周: stored as its Monday) or a day (具体到天)."""
    project, branch = find_project(session, project_query)
    title = _text(name, "任务名称")
    unit = rules.parse_choice(unit, ("week", "day"), "安排方式", {"周": "week", "天": "day", "日": "day"})
    day = rules.week_monday(on) if unit == "week" else on
    row = session.exec(
        select(ProjectTask).where(ProjectTask.project_id == project.id, ProjectTask.name == title)
    ).first()
    what = f"“{project.name}”的任务“{title}”"
    if row is None:
        session.add(ProjectTask(project_id=project.id, name=title, unit=unit, on=day))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.unit, row.on) == (unit, day):
        return Saved(branch.name, what, "unchanged")
    previous = f"{'周' if row.unit == 'week' else '天'} {row.on}"
    row.unit, row.on = unit, day
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


def finish_task(session: Session, project_query: str, name: str, on: date) -> Saved:
    project, branch = find_project(session, project_query)
    tasks = {t.name: t for t in session.exec(select(ProjectTask).where(ProjectTask.project_id == project.id))}
    task = resolve(name, tasks, "任务")
    what = f"任务“{task.name}”完成"
    if task.done_on == on:
        return Saved(branch.name, what, "unchanged")
    previous = str(task.done_on) if task.done_on else None
    task.done_on = on
    session.add(task)
    return Saved(branch.name, what, "updated" if previous else "created", previous)


def record_progress(
    session: Session, project_query: str, percent: int, on: date, note: str | None = None
) -> Saved:
    project, branch = find_project(session, project_query)
    if not 0 <= percent <= 100:
        raise InvalidInput(f"进度 {percent} 无效，应为 0 到 100 之间的整数。")
    if on < project.start:
        raise InvalidInput(f"进度日期 {on} 早于项目开始日期 {project.start}。")
    row = session.exec(
        select(ProgressUpdate).where(ProgressUpdate.project_id == project.id, ProgressUpdate.on == on)
    ).first()
    what = f"“{project.name}”进度 {percent}%"
    note = (note or "").strip() or None
    if row is None:
        session.add(ProgressUpdate(project_id=project.id, on=on, percent=percent, note=note))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.percent, row.note) == (percent, note):
        return Saved(branch.name, what, "unchanged")
    previous = f"{row.percent}%"
    row.percent, row.note = percent, note
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


def assess_month(
    session: Session, project_query: str, month: str, result: str, on: date, note: str | None = None
) -> Saved:
    """考核到月: one assessment of a project per month, 好/较好/一般/较差."""
    project, branch = find_project(session, project_query)
    key = rules.parse_month(month)
    grade = rules.parse_choice(result, rules.ASSESSMENT_RESULTS, "考核结果")
    if key not in rules.months_between(project.start, project.due):
        raise InvalidInput(f"{key} 不在项目“{project.name}”的周期（{project.start} 至 {project.due}）内。")
    row = session.exec(
        select(MonthlyAssessment).where(
            MonthlyAssessment.project_id == project.id, MonthlyAssessment.month == key
        )
    ).first()
    what = f"“{project.name}”{key} 月度考核"
    note = (note or "").strip() or None
    if row is None:
        session.add(
            MonthlyAssessment(project_id=project.id, month=key, result=grade, assessed_on=on, note=note)
        )  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.result, row.assessed_on, row.note) == (grade, on, note):
        return Saved(branch.name, what, "unchanged")
    previous = f"{row.result}（{row.assessed_on}）"
    row.result, row.assessed_on, row.note = grade, on, note
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


def record_supervision(
    session: Session,
    branch_name: str,
    form: str,
    on: date,
    project_query: str | None = None,
    note: str | None = None,
) -> Saved:
    """督促指导 of a branch (现场会、工作推进会、交流座谈会、督查), optionally about one project."""
    branch = find_branch(session, branch_name)
    kind = rules.parse_choice(form, rules.SUPERVISION_FORMS, "督导形式")
    project_id = None
    if project_query:
        project, owner_branch = find_project(session, project_query)
        if owner_branch.id != branch.id:
            raise InvalidInput(f"项目“{project.name}”属于{owner_branch.name}，不属于{branch.name}。")
        project_id = project.id
    note = (note or "").strip() or None
    row = session.exec(
        select(Supervision).where(
            Supervision.branch_id == branch.id, Supervision.on == on, Supervision.form == kind
        )
    ).first()
    what = f"{on} {kind}"
    if row is None:
        session.add(Supervision(branch_id=branch.id, project_id=project_id, on=on, form=kind, note=note))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.project_id, row.note) == (project_id, note):
        return Saved(branch.name, what, "unchanged")
    previous = row.note
    row.project_id, row.note = project_id, note
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


def list_projects(session: Session, on: date, branch_name: str | None = None) -> list[ProjectView]:
    campaign = current_campaign(session)
    only = find_branch(session, branch_name).id if branch_name else None
    facts = _project_facts(session, campaign)
    views = []
    for project, branch in _projects(session, campaign):
        if only is not None and branch.id != only:
            continue
        pf = facts[project.id]  # type: ignore[index]
        views.append(_project_view(project, branch, pf, on))
    return views


def show_project(session: Session, query: str, on: date) -> ProjectView:
    project, branch = find_project(session, query)
    pf = _project_facts(session, current_campaign(session), project.id)[project.id]  # type: ignore[index]
    view = _project_view(project, branch, pf, on)
    view.tasks.extend(
        {"name": t.name, "unit": t.unit, "on": t.on, "due": t.due, "done_on": t.done_on} for t in pf.tasks
    )
    view.progress.extend({"on": d, "percent": p} for d, p in sorted(pf.progress))
    results = {
        m.month: m
        for m in session.exec(select(MonthlyAssessment).where(MonthlyAssessment.project_id == project.id))
    }
    view.assessments.extend(
        {"month": k, "result": m.result, "on": m.assessed_on} for k, m in sorted(results.items())
    )
    return view


def _project_view(project: Project, branch: Branch, pf: rules.ProjectFacts, on: date) -> ProjectView:
    st = rules.project_state(pf, on)
    if on < project.start:
        label = "未开始"
    elif st.finished:
        label = "已完成"
    elif st.overdue:
        label = "逾期"
    elif st.lagging:
        label = "滞后"
    else:
        label = "推进中"
    return ProjectView(
        project.id,  # type: ignore[arg-type]
        branch.name,
        project.name,
        pf.owner,
        project.start,
        project.due,
        project.quality,
        project.effect,
        project.one_village,
        st.percent,
        st.expected,
        label,
        st.reason,
    )


def _project_facts(
    session: Session, campaign: Campaign, only: int | None = None
) -> dict[int, rules.ProjectFacts]:
    """Every project's facts, from one query per table."""
    stmt = (
        select(Project, Person.name)
        .join(Branch, Project.branch_id == Branch.id)
        .join(Person, Project.owner_id == Person.id, isouter=True)
        .where(Branch.campaign_id == campaign.id)
    )
    if only is not None:
        stmt = stmt.where(Project.id == only)
    rows = session.exec(stmt).all()
    ids = [p.id for p, _ in rows]
    progress: dict[int, list[tuple[date, int]]] = defaultdict(list)
    assessed: dict[int, list[tuple[str, date]]] = defaultdict(list)
    tasks: dict[int, list[rules.TaskFacts]] = defaultdict(list)
    if ids:
        for u in session.exec(select(ProgressUpdate).where(ProgressUpdate.project_id.in_(ids))):  # type: ignore[attr-defined]
            progress[u.project_id].append((u.on, u.percent))
        for a in session.exec(select(MonthlyAssessment).where(MonthlyAssessment.project_id.in_(ids))):  # type: ignore[attr-defined]
            assessed[a.project_id].append((a.month, a.assessed_on))
        for t in session.exec(
            select(ProjectTask)
            .where(ProjectTask.project_id.in_(ids))
            .order_by(ProjectTask.on, ProjectTask.id)  # type: ignore[attr-defined]
        ):
            tasks[t.project_id].append(rules.TaskFacts(t.name, t.unit, t.on, t.done_on))
    return {
        p.id: rules.ProjectFacts(  # type: ignore[misc]
            name=p.name,
            owner=owner,
            start=p.start,
            due=p.due,
            created_on=p.created_on,
            one_village=p.one_village,
            progress=tuple(progress[p.id]),  # type: ignore[index]
            assessed=tuple(assessed[p.id]),  # type: ignore[index]
            tasks=tuple(tasks[p.id]),  # type: ignore[index]
        )
        for p, owner in rows
    }


# --- other requirements: visits, reports, regulations, publicity, coverage -------------


def record_visit(
    session: Session,
    branch_name: str,
    on: date,
    kind: str = "走访",
    by: str | None = None,
    findings: str | None = None,
) -> Saved:
    """调研走访 (every branch must be visited) or the 回头看 of a village's election."""
    branch = find_branch(session, branch_name)
    kind = rules.parse_choice(kind, rules.VISIT_KINDS, "走访类型")
    by = normalise(by) if by else None
    findings = (findings or "").strip() or None
    row = session.exec(
        select(Visit).where(Visit.branch_id == branch.id, Visit.kind == kind, Visit.on == on)
    ).first()
    what = f"{on} {kind}"
    if row is None:
        session.add(Visit(branch_id=branch.id, kind=kind, on=on, by=by, findings=findings))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.by, row.findings) == (by, findings):
        return Saved(branch.name, what, "unchanged")
    previous = "，".join(filter(None, [row.by, row.findings])) or None
    row.by, row.findings = by, findings
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


def record_report(
    session: Session, branch_name: str, month: str, on: date, summary: str | None = None
) -> Saved:
    """月度书面汇报: one per branch and month; a second one for the month replaces the first."""
    branch = find_branch(session, branch_name)
    key = rules.parse_month(month)
    if on < date.fromisoformat(f"{key}-01"):
        raise InvalidInput(f"{key} 的汇报不能早于该月（提交日期 {on}）。")
    summary = (summary or "").strip() or None
    row = session.exec(
        select(MonthlyReport).where(MonthlyReport.branch_id == branch.id, MonthlyReport.month == key)
    ).first()
    what = f"{key} 月度书面汇报"
    if row is None:
        session.add(MonthlyReport(branch_id=branch.id, month=key, submitted_on=on, summary=summary))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if (row.submitted_on, row.summary) == (on, summary):
        return Saved(branch.name, what, "unchanged")
    previous = f"{row.submitted_on}" + (f"：{row.summary}" if row.summary else "")
    row.submitted_on, row.summary = on, summary
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


@dataclass(frozen=True)
class MissingReport:
    branch: str
    month: str
    due: date


def missing_reports(session: Session, on: date) -> list[MissingReport]:
    campaign = current_campaign(session)
    months = rules.ended_months(rules.campaign_months(windows(session, campaign)), on)
    have = {
        (b, m)
        for b, m, d in session.exec(
            select(MonthlyReport.branch_id, MonthlyReport.month, MonthlyReport.submitted_on)
            .join(Branch, MonthlyReport.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id)
        )
        if d <= on
    }
    branches = session.exec(
        select(Branch).where(Branch.campaign_id == campaign.id).order_by(Branch.seq)
    ).all()
    return [
        MissingReport(b.name, m, rules.month_end(m))
        for b in branches
        for m in months
        if (b.id, m) not in have
    ]


def add_regulation(session: Session, branch_name: str, name: str, on: date) -> Saved:
    """One of the 1–2 practical rules (制度) each branch sets up; a third is refused."""
    branch = find_branch(session, branch_name)
    title = _text(name, "制度名称")
    rows = session.exec(select(BranchRegulation).where(BranchRegulation.branch_id == branch.id)).all()
    same = next((r for r in rows if r.name == title), None)
    what = f"制度“{title}”"
    if same is not None:
        if same.adopted_on == on:
            return Saved(branch.name, what, "unchanged")
        previous = str(same.adopted_on)
        same.adopted_on = on
        session.add(same)
        return Saved(branch.name, what, "updated", previous)
    if len(rows) >= 2:
        names = "、".join(r.name for r in rows)
        raise Conflict(f"{branch.name}已建立 2 项制度（{names}），活动要求 1–2 项务实管用的制度。")
    session.add(BranchRegulation(branch_id=branch.id, name=title, adopted_on=on))  # type: ignore[arg-type]
    return Saved(branch.name, what, "created")


PUBLICITY_KINDS = {"slogan": "宣传标语", "column": "活动专栏"}


def add_publicity(session: Session, branch_name: str, kind: str, text: str, on: date) -> Saved:
    branch = find_branch(session, branch_name)
    body = _text(text, "内容")
    row = session.exec(
        select(Publicity).where(
            Publicity.branch_id == branch.id, Publicity.kind == kind, Publicity.text == body
        )
    ).first()
    what = f"{PUBLICITY_KINDS[kind]}“{body}”"
    if row is None:
        session.add(Publicity(branch_id=branch.id, kind=kind, text=body, on=on))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created")
    if row.on == on:
        return Saved(branch.name, what, "unchanged")
    previous = str(row.on)
    row.on = on
    session.add(row)
    return Saved(branch.name, what, "updated", previous)


@dataclass(frozen=True)
class CoverageView:
    enterprise: str
    found_on: date
    branch: str | None
    covered_on: date | None
    note: str | None


@dataclass(frozen=True)
class CoverageReport:
    due: date
    as_of: date
    total: int
    covered: int
    overdue: bool
    enterprises: list[CoverageView]


def record_enterprise(
    session: Session,
    name: str,
    found_on: date,
    branch_name: str | None = None,
    covered_on: date | None = None,
    note: str | None = None,
) -> Saved:
    """An enterprise from the 摸排; with a covering branch it counts as covered (全覆盖)."""
    campaign = current_campaign(session)
    key = normalise(name)
    if not key:
        raise InvalidInput("企业名称不能为空。")
    branch = find_branch(session, branch_name) if branch_name else None
    if branch is not None and covered_on is None:
        covered_on = found_on
    if covered_on is not None and branch is None:
        raise InvalidInput("登记覆盖日期时请用 --branch 说明由哪个党组织覆盖（单独组建或联合组建）。")
    row = session.exec(
        select(EnterpriseCoverage).where(
            EnterpriseCoverage.campaign_id == campaign.id, EnterpriseCoverage.name == key
        )
    ).first()
    what = f"企业“{key}”" + ("已覆盖" if branch else "（未覆盖）")
    branch_id = branch.id if branch else None
    note = (note or "").strip() or None
    if row is None:
        session.add(
            EnterpriseCoverage(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                name=key,
                found_on=found_on,
                branch_id=branch_id,
                covered_on=covered_on,
                note=note,
            )
        )
        return Saved(branch.name if branch else "", what, "created")
    if branch is None and row.branch_id is not None:
        # A re-entry of the 摸排 does not undo a coverage already recorded.
        return Saved("", f"企业“{key}”", "unchanged")
    new = (row.found_on, branch_id, covered_on, note if note is not None else row.note)
    if (row.found_on, row.branch_id, row.covered_on, row.note) == new:
        return Saved(branch.name if branch else "", what, "unchanged")
    previous = f"覆盖于 {row.covered_on}" if row.covered_on else "未覆盖"
    row.branch_id, row.covered_on, row.note = branch_id, covered_on, new[3]
    session.add(row)
    return Saved(branch.name if branch else "", what, "updated", previous)


def coverage_report(session: Session, on: date) -> CoverageReport:
    campaign = current_campaign(session)
    due = dated_rules(session, campaign)["coverage"]
    rows = session.exec(
        select(EnterpriseCoverage, Branch.name)
        .join(Branch, EnterpriseCoverage.branch_id == Branch.id, isouter=True)
        .where(EnterpriseCoverage.campaign_id == campaign.id, EnterpriseCoverage.found_on <= on)
        .order_by(EnterpriseCoverage.id)
    ).all()
    views = [
        CoverageView(
            e.name,
            e.found_on,
            bname if e.covered_on and e.covered_on <= on else None,
            e.covered_on if e.covered_on and e.covered_on <= on else None,
            e.note,
        )
        for e, bname in rows
    ]
    covered = sum(1 for v in views if v.covered_on)
    return CoverageReport(due, on, len(views), covered, on > due and covered < len(views), views)


# --- 总结验收 --------------------------------------------------------------------------


def _decisions(session: Session, branch: Branch) -> list[AcceptanceDecision]:
    return list(
        session.exec(
            select(AcceptanceDecision)
            .where(AcceptanceDecision.branch_id == branch.id)
            .order_by(AcceptanceDecision.round)
        ).all()
    )


def _round(decisions: Sequence[AcceptanceDecision]) -> int:
    if decisions and decisions[-1].passed:
        return decisions[-1].round
    return 1 + sum(1 for d in decisions if not d.passed)


def _parse_rate(rate: float | None) -> float | None:
    if rate is None:
        return None
    value = rate / 100 if rate > 1 else rate
    if not 0 <= value <= 1:
        raise InvalidInput(f"满意率 {rate} 无效，应为 0–1 的比例或 0–100 的百分数。")
    return round(value, 4)


def record_step(
    session: Session,
    branch_name: str,
    method: str,
    on: date,
    *,
    rate: float | None = None,
    note: str | None = None,
    override: str | None = None,
) -> Saved:
    """One of 自查初评、实地调查、满意度测评、组织评审 in the branch's current round."""
    branch = find_branch(session, branch_name)
    kind = rules.parse_choice(method, rules.ACCEPTANCE_METHODS, "验收方式", rules.ACCEPTANCE_ALIASES)
    value = _parse_rate(rate)
    if kind == "满意度测评" and value is None:
        raise InvalidInput("党员群众满意度测评须用 --rate 给出满意率，如 0.93 或 93。")
    if kind != "满意度测评" and value is not None:
        raise InvalidInput("--rate 只用于满意度测评。")
    decisions = _decisions(session, branch)
    if decisions and decisions[-1].passed:
        raise Conflict(f"{branch.name}已于 {decisions[-1].on} 通过验收，不再登记验收步骤。")
    rnd = _round(decisions)
    note = (note or "").strip() or None
    row = session.exec(
        select(AcceptanceStep).where(
            AcceptanceStep.branch_id == branch.id, AcceptanceStep.round == rnd, AcceptanceStep.method == kind
        )
    ).first()
    what = f"第 {rnd} 轮{kind}" + (f"（满意率 {value:.0%}）" if value is not None else "")
    if row is not None and (row.on, row.rate, row.note) == (on, value, note):
        return Saved(branch.name, what, "unchanged")
    accept = windows(session)["accept"]
    used = _gate(session, branch, "accept-step", f"登记{kind}", rules.step_gate(on, accept), override, on)
    if row is None:
        session.add(AcceptanceStep(branch_id=branch.id, round=rnd, method=kind, on=on, rate=value, note=note))  # type: ignore[arg-type]
        return Saved(branch.name, what, "created", override=used)
    previous = f"{row.on}" + (f"，满意率 {row.rate:.0%}" if row.rate is not None else "")
    row.on, row.rate, row.note = on, value, note
    session.add(row)
    return Saved(branch.name, what, "updated", previous, used)


@dataclass(frozen=True)
class DecisionView:
    branch: str
    round: int
    on: date
    passed: bool
    grade: str | None
    reason: str | None
    override: str | None
    opinion: str | None
    deadline: date | None
    status: str  # created | unchanged


def decide(
    session: Session,
    branch_name: str,
    *,
    passed: bool,
    on: date,
    grade: str | None = None,
    reason: str | None = None,
    opinion: str | None = None,
    deadline: date | None = None,
    override: str | None = None,
) -> DecisionView:
    """Pass or fail a branch's acceptance round and re-assess its grade (重新评定级次).

    A fail carries a rectification opinion with a deadline; the branch is accepted again
    in the next round once the rectification is done.
    """
    from jcnian import grade_steps
    from jcnian.grading import parse_grade

    branch = find_branch(session, branch_name)
    new_grade = parse_grade(grade) if grade else None
    if passed and new_grade is None:
        raise InvalidInput("验收通过须用 --grade 重新评定级次（好/较好/一般/较差）。")
    opinion = (opinion or "").strip() or None
    if not passed and (opinion is None or deadline is None):
        raise InvalidInput("未通过验收须给出整改意见 --opinion 和整改期限 --deadline。")
    if deadline is not None and deadline <= on:
        raise InvalidInput(f"整改期限 {deadline} 应晚于验收日期 {on}。")
    decisions = _decisions(session, branch)
    if decisions and decisions[-1].passed:
        last = decisions[-1]
        if passed and (last.on, last.grade) == (on, new_grade):
            return _decision_view(session, branch, last, "unchanged")
        raise Conflict(f"{branch.name}已于 {last.on} 通过验收（{last.grade}），不能再次决定。")
    rnd = _round(decisions)
    campaign = current_campaign(session)
    facts = _grade_facts(session, campaign).get(branch.id, GradeFacts())  # type: ignore[arg-type]
    plan = _plan_row(session, branch)
    steps = session.exec(
        select(AcceptanceStep.method).where(
            AcceptanceStep.branch_id == branch.id, AcceptanceStep.round == rnd
        )
    ).all()
    backward = branch.id in _backward_ids(session)
    one_village = bool(
        session.exec(select(Project.id).where(Project.branch_id == branch.id, Project.one_village)).first()
    )
    open_rect = session.exec(
        select(Rectification).where(Rectification.branch_id == branch.id, Rectification.closed_on.is_(None))  # type: ignore[union-attr]
    ).first()
    reasons = rules.decision_gate(
        on=on,
        accept=windows(session, campaign)["accept"],
        has_final_grade=facts.final is not None,
        has_plan=bool(plan and plan.plan),
        methods_done=steps,
        backward=backward,
        has_one_village=one_village,
        passing=passed,
        open_rectification=open_rect.deadline if open_rect else None,
    )
    used = _gate(session, branch, "accept-decision", "作出验收决定", reasons, override, on)
    row = AcceptanceDecision(
        branch_id=branch.id,  # type: ignore[arg-type]
        round=rnd,
        on=on,
        passed=passed,
        grade=new_grade.value if new_grade else None,
        reason=(reason or "").strip() or None,
        override=used,
    )
    session.add(row)
    session.flush()
    if new_grade is not None:
        why = reason or f"第 {rnd} 轮总结验收{'通过' if passed else '未通过'}，重新评定级次"
        grade_steps.record_regrade(session, branch.id, new_grade, on, why, override=used)
    if not passed:
        if open_rect is not None:
            open_rect.closed_on = on
            open_rect.note = f"第 {rnd} 轮验收未通过，由新的整改意见取代"
            session.add(open_rect)
        session.add(
            Rectification(
                branch_id=branch.id,  # type: ignore[arg-type]
                decision_id=row.id,  # type: ignore[arg-type]
                opinion=opinion,  # type: ignore[arg-type]
                deadline=deadline,  # type: ignore[arg-type]
                opened_on=on,
            )
        )
        session.flush()
    return _decision_view(session, branch, row, "created")


def _decision_view(session: Session, branch: Branch, row: AcceptanceDecision, status: str) -> DecisionView:
    rect = session.exec(select(Rectification).where(Rectification.decision_id == row.id)).first()
    return DecisionView(
        branch.name,
        row.round,
        row.on,
        row.passed,
        row.grade,
        row.reason,
        row.override,
        rect.opinion if rect else None,
        rect.deadline if rect else None,
        status,
    )


def close_rectification(session: Session, branch_name: str, on: date, note: str | None = None) -> Saved:
    """Mark a branch's open rectification done, so it can be accepted again."""
    branch = find_branch(session, branch_name)
    row = session.exec(
        select(Rectification)
        .where(Rectification.branch_id == branch.id, Rectification.closed_on.is_(None))  # type: ignore[union-attr]
        .order_by(Rectification.id.desc())  # type: ignore[union-attr]
    ).first()
    if row is None:
        raise Conflict(f"{branch.name}没有未完成的整改意见。")
    if on < row.opened_on:
        raise InvalidInput(f"整改完成日期 {on} 早于提出整改意见的日期 {row.opened_on}。")
    row.closed_on = on
    row.note = (note or "").strip() or row.note
    session.add(row)
    late = f"（超过期限 {row.deadline}）" if on > row.deadline else ""
    return Saved(branch.name, f"整改完成{late}", "created")


@dataclass(frozen=True)
class AcceptanceRow:
    branch: str
    category: str
    initial: str | None
    final: str | None
    moved: str
    result: str
    rounds: int
    satisfaction: float | None
    rectification: str | None


@dataclass(frozen=True)
class AcceptanceReport:
    as_of: date
    rows: list[AcceptanceRow]
    moved_up: list[str]
    moved_down: list[str]
    failed: list[str]
    open_rectifications: list[dict[str, Any]]
    pending: list[str]
    overrides: list[dict[str, Any]]


def acceptance_report(session: Session, on: date) -> AcceptanceReport:
    """Initial against final grade per branch, who moved up, who failed, what is still open."""
    campaign = current_campaign(session)
    grades = _grade_facts(session, campaign)
    branches = _branches(session, campaign)
    decisions: dict[int, list[AcceptanceDecision]] = defaultdict(list)
    for d in session.exec(
        select(AcceptanceDecision)
        .join(Branch, AcceptanceDecision.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, AcceptanceDecision.on <= on)
        .order_by(AcceptanceDecision.round)
    ):
        decisions[d.branch_id].append(d)
    rates: dict[int, tuple[int, float]] = {}
    for s in session.exec(
        select(AcceptanceStep)
        .join(Branch, AcceptanceStep.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, AcceptanceStep.rate.is_not(None), AcceptanceStep.on <= on)  # type: ignore[union-attr]
    ):
        if s.branch_id not in rates or rates[s.branch_id][0] < s.round:
            rates[s.branch_id] = (s.round, s.rate)  # type: ignore[assignment]
    rects: dict[int, list[Rectification]] = defaultdict(list)
    for r in session.exec(
        select(Rectification)
        .join(Branch, Rectification.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, Rectification.opened_on <= on)
        .order_by(Rectification.id)
    ):
        rects[r.branch_id].append(r)
    rows, moved_up, moved_down, failed, open_rects, pending = [], [], [], [], [], []
    for branch, category in branches:
        g = grades.get(branch.id, GradeFacts())  # type: ignore[arg-type]
        ds = decisions.get(branch.id, [])  # type: ignore[arg-type]
        final = next((d.grade for d in reversed(ds) if d.grade), None)
        if ds and ds[-1].passed:
            result = "通过" + (f"（第 {ds[-1].round} 轮）" if ds[-1].round > 1 else "")
        elif ds:
            result = "未通过"
            failed.append(branch.name)
        else:
            result = "未验收"
            pending.append(branch.name)
        moved = rules.grade_moved(g.initial, final)
        if moved == "升级":
            moved_up.append(branch.name)
        elif moved == "降级":
            moved_down.append(branch.name)
        still = [r for r in rects.get(branch.id, []) if r.closed_on is None or r.closed_on > on]  # type: ignore[arg-type]
        for r in still:
            open_rects.append(
                {
                    "branch": branch.name,
                    "opinion": r.opinion,
                    "deadline": r.deadline,
                    "overdue": on > r.deadline,
                }
            )
        rect_note = f"整改中，期限 {still[-1].deadline}" if still else None
        if rects.get(branch.id) and not still:  # type: ignore[arg-type]
            rect_note = f"已整改（{rects[branch.id][-1].closed_on}）"  # type: ignore[index]
        rows.append(
            AcceptanceRow(
                branch.name,
                category,
                g.initial,
                final,
                moved,
                result,
                len(ds),
                rates[branch.id][1] if branch.id in rates else None,
                rect_note,
            )
        )
    overrides = [
        {"branch": name, "gate": o.gate, "refused": o.refused, "reason": o.reason, "on": o.on}
        for o, name in session.exec(
            select(GateOverride, Branch.name)
            .join(Branch, GateOverride.branch_id == Branch.id, isouter=True)
            .where(GateOverride.campaign_id == campaign.id, GateOverride.on <= on)
            .order_by(GateOverride.on, GateOverride.id)
        )
    ]
    return AcceptanceReport(on, rows, moved_up, moved_down, failed, open_rects, pending, overrides)


# --- status ---------------------------------------------------------------------------


def _branches(session: Session, campaign: Campaign) -> list[tuple[Branch, str]]:
    return list(
        session.exec(
            select(Branch, Category.name)
            .join(Category, Branch.category_id == Category.id)
            .where(Branch.campaign_id == campaign.id)
            .order_by(Branch.seq)
        ).all()
    )


def _by_branch(session: Session, stmt: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in session.exec(stmt):
        grouped[row[0]].append(tuple(row[1:]))
    return grouped


def branch_facts(session: Session, campaign: Campaign) -> list[rules.BranchFacts]:
    """Every branch's facts for the rules, gathered with one query per table."""
    in_campaign = Branch.campaign_id == campaign.id

    def grouped(*cols: Any) -> dict[int, list[Any]]:
        model = cols[0].class_
        return _by_branch(
            session, select(*cols).join(Branch, model.branch_id == Branch.id).where(in_campaign)
        )

    meetings = grouped(MobilisationMeeting.branch_id, MobilisationMeeting.held_on)
    surveys = grouped(SurveyMethod.branch_id, SurveyMethod.method, SurveyMethod.done_on)
    problems = grouped(Problem.branch_id, Problem.found_on, Problem.resolved_on)
    plans = {p.branch_id: p for p in session.exec(select(BranchPlan).join(Branch).where(in_campaign))}
    pledges = grouped(Pledge.branch_id, Pledge.pledged_on)
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
    project_facts = _project_facts(session, campaign)
    projects: dict[int, list[rules.ProjectFacts]] = defaultdict(list)
    for pid, bid in session.exec(
        select(Project.id, Project.branch_id).join(Branch).where(in_campaign).order_by(Project.id)
    ):
        projects[bid].append(project_facts[pid])  # type: ignore[index]
    grades = _grade_facts(session, campaign)
    backward = _backward_ids(session)
    facts = []
    for branch, category in _branches(session, campaign):
        bid: int = branch.id  # type: ignore[assignment]
        plan = plans.get(bid)
        g = grades.get(bid, GradeFacts())
        facts.append(
            rules.BranchFacts(
                name=branch.name,
                category=category,
                backward=bid in backward,
                meeting_on=meetings[bid][0][0] if meetings.get(bid) else None,
                survey={m: d for m, d in surveys.get(bid, [])},
                problems=tuple(problems.get(bid, [])),
                scored=g.scored,
                grade_steps=g.steps,
                goal_on=plan.goal_on if plan else None,
                measures_on=plan.measures_on if plan else None,
                plan_on=plan.plan_on if plan else None,
                pledge_on=pledges[bid][0][0] if pledges.get(bid) else None,
                projects=tuple(projects.get(bid, [])),
                visits=tuple(visits.get(bid, [])),
                reports=tuple(reports.get(bid, [])),
                regulations=tuple(d for (d,) in regulations.get(bid, [])),
                slogans=tuple(d for k, d in publicity.get(bid, []) if k == "slogan"),
                columns=tuple(d for k, d in publicity.get(bid, []) if k == "column"),
                acceptance=rules.AcceptanceFacts(
                    steps=tuple(steps.get(bid, [])),
                    decisions=tuple(decisions.get(bid, [])),
                    rectifications=tuple(rects.get(bid, [])),
                ),
            )
        )
    return facts


@dataclass(frozen=True)
class OverdueRow:
    branch: str
    phase: str
    item: str
    due: date
    days: int
    detail: str


@dataclass(frozen=True)
class StatusView:
    campaign: str
    as_of: date
    phases: list[rules.PhaseSummary]
    overdue: list[OverdueRow]
    deadlines: list[rules.Deadline]
    coverage: CoverageReport
    branch: str | None = None
    checklist: list[rules.Item] = field(default_factory=list)


def _overdue_rows(items_by_branch: dict[str, list[rules.Item]], on: date) -> list[OverdueRow]:
    rows = [
        OverdueRow(name, i.phase_label, i.label, i.due, (on - i.due).days, i.detail)  # type: ignore[arg-type,operator]
        for name, items in items_by_branch.items()
        for i in items
        if i.overdue
    ]
    return rows


def status(session: Session, on: date, branch_name: str | None = None) -> StatusView:
    """The morning dashboard: every window against ``on``, counts per deliverable, what is late."""
    from jcnian.ledger import campaign_label

    campaign = current_campaign(session)
    wins = windows(session, campaign)
    dated = dated_rules(session, campaign)
    facts = branch_facts(session, campaign)
    only = find_branch(session, branch_name).name if branch_name else None
    if only:
        facts = [f for f in facts if f.name == only]
    lists = {f.name: rules.checklist(f, wins, dated, on) for f in facts}
    return StatusView(
        campaign=campaign_label(campaign),
        as_of=on,
        phases=rules.summarise(lists, wins, on),
        overdue=_overdue_rows(lists, on),
        deadlines=rules.next_deadlines(lists, wins, dated, on),
        coverage=coverage_report(session, on),
        branch=only,
        checklist=lists[only] if only else [],
    )


def overdue(session: Session, on: date) -> list[OverdueRow]:
    """Everything late on ``on``: per branch and deliverable, then per project, task and month."""
    campaign = current_campaign(session)
    wins = windows(session, campaign)
    dated = dated_rules(session, campaign)
    rows = []
    for f in branch_facts(session, campaign):
        for item in rules.checklist(f, wins, dated, on):
            if not item.overdue or item.code in ("monthly", "schedule", "reports"):
                continue
            rows.append(
                OverdueRow(f.name, item.phase_label, item.label, item.due, (on - item.due).days, item.detail)
            )  # type: ignore[arg-type,operator]
        for p in f.projects:
            if p.created_on > on:
                continue
            st = rules.project_state(p, on)
            if st.overdue:
                detail = f"责任人 {p.owner or '未定'}，进度 {st.percent}%"
                rows.append(
                    OverdueRow(f.name, "深入实施", f"项目“{p.name}”", p.due, (on - p.due).days, detail)
                )
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
                due = rules.month_end(m)
                rows.append(
                    OverdueRow(f.name, "深入实施", f"月度考核 {m}（{p.name}）", due, (on - due).days, "")
                )
        reported = {m for m, d in f.reports if d <= on}
        for m in rules.ended_months(rules.campaign_months(wins), on):
            if m not in reported:
                due = rules.month_end(m)
                rows.append(
                    OverdueRow(f.name, rules.OTHER_LABEL, f"月度书面汇报 {m}", due, (on - due).days, "")
                )
    cov = coverage_report(session, on)
    if cov.overdue:
        rows.append(
            OverdueRow(
                "（全镇）",
                rules.OTHER_LABEL,
                rules.RULE_LABELS["coverage"],
                cov.due,
                (on - cov.due).days,
                f"已覆盖 {cov.covered}/{cov.total}",
            )
        )
    return rows


@dataclass(frozen=True)
class LagRow:
    owner: str
    branch: str
    project: str
    percent: int
    expected: int
    due: date
    reason: str


def lagging(session: Session, on: date) -> list[LagRow]:
    """问责 candidates: owners whose projects are late or trail the schedule on ``on``."""
    campaign = current_campaign(session)
    rows = []
    for f in branch_facts(session, campaign):
        for p in f.projects:
            if p.created_on > on or on < p.start:
                continue
            st = rules.project_state(p, on)
            if st.lagging or st.late_tasks:
                rows.append(
                    LagRow(p.owner or "（未定）", f.name, p.name, st.percent, st.expected, p.due, st.reason)
                )
    rows.sort(key=lambda r: (r.owner, r.branch, r.project))
    return rows
