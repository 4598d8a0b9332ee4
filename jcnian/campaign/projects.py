"""深入实施's 工程项目 in the ledger: projects put on named owners, tasks scheduled by week or
day, progress updates, the monthly assessment (考核到月) and the committee's supervision.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``); where a project
stands on a day is ``jcnian.checklist.project_state``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, required_text, upsert
from jcnian.campaign.tables import MonthlyAssessment, ProgressUpdate, Project, ProjectTask, Supervision
from jcnian.errors import InvalidInput, NotFound
from jcnian.grading import GRADE_OPTIONS
from jcnian.ledger import current_campaign, ensure_person, find_branch
from jcnian.models import Branch, Campaign, Person
from jcnian.names import normalise, resolve
from jcnian.project_rules import ProjectFacts, TaskFacts, project_state


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
    supervisions: list[dict[str, Any]] = field(default_factory=list)  # project show only


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
    one_village: bool | None = None,
) -> Saved:
    """A 工程项目 put on a named owner (项目责任化、责任具体化).

    Re-entering a project changes what is given and keeps the rest (质量标准, 预期效果 and
    the 一村一策 flag when they are left out), as every recording command does.
    """
    branch = find_branch(session, branch_name)
    title = required_text(name, "项目名称")
    in_campaign_year(session, start, "--start")
    in_campaign_year(session, due, "--due")
    # ``on`` only dates the entry back to the start, so only an earlier ``on`` is recorded.
    in_campaign_year(session, min(on, start), "--on")
    if due < start:
        raise InvalidInput(f"项目完成期限 {due} 早于开始日期 {start}。")
    campaign = current_campaign(session)
    warnings: list[str] = []
    person = ensure_person(session, campaign, owner, "责任人姓名", warnings)
    values = {
        "owner_id": person.id,
        "start": start,
        "due": due,
        "quality": optional_text(quality),
        "effect": optional_text(effect),
        "one_village": one_village,
    }
    labels = {
        "start": "开始",
        "due": "期限",
        "quality": "质量标准",
        "effect": "预期效果",
        "one_village": "一村一策",
    }

    def previous(row: Project) -> str | None:
        changed = [
            f"{label}={getattr(row, k)}"
            for k, label in labels.items()
            if values[k] is not None and getattr(row, k) != values[k]
        ]
        if row.owner_id != person.id:
            prev_owner = session.get(Person, row.owner_id) if row.owner_id else None
            changed.append(f"责任人={prev_owner.name if prev_owner else '无'}")
        return "，".join(changed) or None

    return upsert(
        session,
        Project,
        {"branch_id": branch.id, "name": title},
        values,
        branch=branch.name,
        what=f"工程项目“{title}”",
        previous=previous,
        # A project entered after its start existed from its start: the ledger is often filled in late.
        defaults={"created_on": min(on, start), "one_village": False},
        warnings=warnings,
    )


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
    if query.strip().isdigit():
        project = session.get(Project, int(query))
        owner = session.get(Branch, project.branch_id) if project else None
        if project is None or owner is None or owner.campaign_id != campaign.id:
            raise NotFound(f"没有编号为 {query} 的工程项目，请用 jcnian project list 查看编号。")
        return project, owner
    keyed = {normalise(f"{b.name}/{p.name}"): (p, b) for p, b in _projects(session, campaign)}
    return resolve(text, keyed, "工程项目")


def add_task(session: Session, project_query: str, name: str, unit: str, on: date) -> Saved:
    """A task scheduled to a week (安排到周: stored as its Monday) or a day (具体到天)."""
    in_campaign_year(session, on, "--week" if unit.strip() in ("week", "周") else "--day")
    project, branch = find_project(session, project_query)
    title = required_text(name, "任务名称")
    unit = phases.parse_choice(unit, ("week", "day"), "安排方式", {"周": "week", "天": "day", "日": "day"})
    return upsert(
        session,
        ProjectTask,
        {"project_id": project.id, "name": title},
        {"unit": unit, "on": phases.week_monday(on) if unit == "week" else on},
        branch=branch.name,
        what=f"“{project.name}”的任务“{title}”",
        previous=lambda row: f"{'周' if row.unit == 'week' else '天'} {row.on}",
    )


def finish_task(session: Session, project_query: str, name: str, on: date) -> Saved:
    in_campaign_year(session, on, "--on")
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
    in_campaign_year(session, on, "--on")
    project, branch = find_project(session, project_query)
    if not 0 <= percent <= 100:
        raise InvalidInput(f"进度 {percent} 无效，应为 0 到 100 之间的整数。")
    if on < project.start:
        raise InvalidInput(f"进度日期 {on} 早于项目开始日期 {project.start}。")
    return upsert(
        session,
        ProgressUpdate,
        {"project_id": project.id, "on": on},
        {"percent": percent, "note": optional_text(note)},
        branch=branch.name,
        what=f"“{project.name}”进度 {percent}%",
        previous=lambda row: f"{row.percent}%",
    )


def assess_month(
    session: Session, project_query: str, month: str, result: str, on: date, note: str | None = None
) -> Saved:
    """考核到月: one assessment of a project per month, 好/较好/一般/较差."""
    in_campaign_year(session, on, "--on")
    project, branch = find_project(session, project_query)
    key = phases.parse_month(month)
    # A monthly assessment uses the four grades.
    grade = phases.parse_choice(result, GRADE_OPTIONS, "考核结果")
    if key not in phases.months_between(project.start, project.due):
        raise InvalidInput(f"{key} 不在项目“{project.name}”的周期（{project.start} 至 {project.due}）内。")
    return upsert(
        session,
        MonthlyAssessment,
        {"project_id": project.id, "month": key},
        {"result": grade, "assessed_on": on, "note": optional_text(note)},
        branch=branch.name,
        what=f"“{project.name}”{key} 月度考核",
        previous=lambda row: f"{row.result}（{row.assessed_on}）",
    )


def record_supervision(
    session: Session,
    branch_name: str,
    form: str,
    on: date,
    project_query: str | None = None,
    note: str | None = None,
    body: str | None = None,
) -> Saved:
    """督促指导 of a branch (现场会、工作推进会、交流座谈会、督查), optionally about one project,
    and by which body (the 督导检查组 …; re-entry without it keeps the one recorded)."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    kind = phases.parse_choice(form, phases.SUPERVISION_FORMS, "督导形式")
    by = _known_body(session, body, on) if body is not None else None
    project_id = None
    if project_query:
        project, owner_branch = find_project(session, project_query)
        if owner_branch.id != branch.id:
            raise InvalidInput(f"项目“{project.name}”属于{owner_branch.name}，不属于{branch.name}。")
        project_id = project.id
    return upsert(
        session,
        Supervision,
        {"branch_id": branch.id, "on": on, "form": kind},
        {"project_id": project_id, "note": optional_text(note), "body": by},
        branch=branch.name,
        what=f"{on} {kind}" + (f"（{by}）" if by else ""),
        previous=lambda row: "，".join(x for x in (row.body, row.note) if x) or None,
    )


def _known_body(session: Session, text: str, on: date) -> str:
    """A body of the campaign (四、(一)(二)) by its name or a unique part (检查组), refused
    unless the ledger has a member of it by ``on`` (``group set``)."""
    from jcnian.campaign.activities_tables import GroupMember
    from jcnian.campaign.guarantees import BODIES

    name = phases.parse_choice(text, BODIES, "督导机构（--group）")
    campaign = current_campaign(session)
    since = session.exec(
        select(GroupMember.on)
        .where(GroupMember.campaign_id == campaign.id, GroupMember.body == name)
        .order_by(GroupMember.on)  # type: ignore[arg-type]
    ).first()
    if since is None:
        raise InvalidInput(
            f"账本中还没有{name}的成员，请先用 jcnian group set {name} 姓名 --role 职务 登记。"
        )
    if since > on:
        raise InvalidInput(f"{name}的成员 {since} 才登记，{on} 的督促指导不能记在它名下。")
    return name


def list_projects(
    session: Session, on: date, branch_name: str | None = None, *, month: str | None = None
) -> list[ProjectView]:
    """Every project (or one branch's) as it stands on ``on``: projects registered later and
    assessments made later are left out.

    With ``month`` (``YYYY-MM``) each view's ``assessments`` holds that month's assessment,
    if there is one, so that a monthly report needs no further query per project.
    """
    campaign = current_campaign(session)
    only = find_branch(session, branch_name).id if branch_name else None
    facts = project_facts(session, campaign)
    assessed: dict[int, dict[str, Any]] = {}
    if month is not None:
        for pid, result, assessed_on in session.exec(
            select(MonthlyAssessment.project_id, MonthlyAssessment.result, MonthlyAssessment.assessed_on)
            .join(Project, MonthlyAssessment.project_id == Project.id)
            .join(Branch, Project.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id, MonthlyAssessment.month == month)
        ):
            if assessed_on <= on:
                assessed[pid] = {"month": month, "result": result, "on": assessed_on}
    views = []
    for project, branch in _projects(session, campaign):
        if (only is not None and branch.id != only) or project.created_on > on:
            continue
        view = _project_view(project, branch, facts[project.id], on)  # type: ignore[index]
        if project.id in assessed:
            view.assessments.append(assessed[project.id])  # type: ignore[index]
        views.append(view)
    return views


def show_project(session: Session, query: str, on: date) -> ProjectView:
    project, branch = find_project(session, query)
    pf = project_facts(session, current_campaign(session), project.id)[project.id]  # type: ignore[index]
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
    # The committee's 督促指导 of this project, and of its branch as a whole, up to ``on``.
    view.supervisions.extend(
        {
            "on": v.on,
            "form": v.form,
            "body": v.body,
            "about_project": v.project_id == project.id,
            "note": v.note,
        }
        for v in session.exec(
            select(Supervision)
            .where(
                Supervision.branch_id == branch.id,
                Supervision.on <= on,
                (Supervision.project_id == project.id) | (Supervision.project_id == None),  # noqa: E711
            )
            .order_by(Supervision.on, Supervision.id)  # type: ignore[arg-type]
        )
    )
    return view


def _project_view(project: Project, branch: Branch, pf: ProjectFacts, on: date) -> ProjectView:
    st = project_state(pf, on)
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


def project_facts(session: Session, campaign: Campaign, only: int | None = None) -> dict[int, ProjectFacts]:
    """Every project's facts (or one project's), from one query per table, in plain columns."""

    def scoped(stmt: Any, project_id: Any) -> Any:
        stmt = stmt.join(Project, project_id == Project.id) if project_id is not None else stmt
        stmt = stmt.join(Branch, Project.branch_id == Branch.id).where(Branch.campaign_id == campaign.id)
        return stmt.where(Project.id == only) if only is not None else stmt

    rows = session.exec(
        scoped(
            select(
                Project.id,
                Project.name,
                Person.name,
                Project.start,
                Project.due,
                Project.created_on,
                Project.one_village,
            ).join(Person, Project.owner_id == Person.id, isouter=True),
            None,
        )
    ).all()
    progress: dict[int, list[tuple[date, int]]] = defaultdict(list)
    assessed: dict[int, list[tuple[str, date]]] = defaultdict(list)
    tasks: dict[int, list[TaskFacts]] = defaultdict(list)
    if rows:
        u, a, t = ProgressUpdate, MonthlyAssessment, ProjectTask
        for pid, day, percent in session.exec(scoped(select(u.project_id, u.on, u.percent), u.project_id)):
            progress[pid].append((day, percent))
        for pid, month, day in session.exec(
            scoped(select(a.project_id, a.month, a.assessed_on), a.project_id)
        ):
            assessed[pid].append((month, day))
        for pid, name, unit, day, done_on in session.exec(
            scoped(select(t.project_id, t.name, t.unit, t.on, t.done_on), t.project_id).order_by(t.on, t.id)  # type: ignore[arg-type]
        ):
            tasks[pid].append(TaskFacts(name, unit, day, done_on))
    return {
        pid: ProjectFacts(
            name=name,
            owner=owner,
            start=start,
            due=due,
            created_on=created_on,
            one_village=one_village,
            progress=tuple(progress[pid]),
            assessed=tuple(assessed[pid]),
            tasks=tuple(tasks[pid]),
        )
        for pid, name, owner, start, due, created_on, one_village in rows
    }
