"""When a 工程项目 lags, as pure rules: progress against the straight line from start to due,
the due date passed, tasks late by their week or day, monthly assessments missing.

The facts are plain data gathered by ``jcnian.campaign.projects``; dates are judged *as of* a day, as
in ``jcnian.phases``. The checklist, ``overdue`` and ``lagging`` all judge projects here.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from jcnian.phases import done_by, ended_months, months_between

# A project lags when its progress trails the straight line from start to due by more than
# this many points (*default*; the seed only says 推进不力 is held to account).
LAG_TOLERANCE = 20


@dataclass(frozen=True, slots=True)
class TaskFacts:
    name: str
    unit: str  # week | day
    on: date
    done_on: date | None = None

    @property
    def due(self) -> date:
        """A week's task is due by its Sunday; a day's task on that day."""
        return self.on + timedelta(days=6) if self.unit == "week" else self.on


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    name: str
    owner: str | None
    start: date
    due: date
    created_on: date
    one_village: bool = False
    progress: tuple[tuple[date, int], ...] = ()
    assessed: tuple[tuple[str, date], ...] = ()  # (month, assessed_on)
    tasks: tuple[TaskFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectState:
    """Where a project stands on a day: progress against the straight line from start to due."""

    percent: int
    expected: int
    finished: bool
    overdue: bool
    lagging: bool
    missing_months: tuple[str, ...]
    late_tasks: tuple[TaskFacts, ...]

    @property
    def reason(self) -> str:
        parts = []
        if self.overdue:
            parts.append("逾期未完成")
        elif self.lagging:
            parts.append(f"进度滞后（应达 {self.expected}%）")
        if self.missing_months:
            parts.append(f"缺月度考核 {'、'.join(self.missing_months)}")
        if self.late_tasks:
            parts.append(f"{len(self.late_tasks)} 项任务逾期")
        return "；".join(parts)


def project_state(project: ProjectFacts, on: date) -> ProjectState:
    updates = sorted((d, p) for d, p in project.progress if d <= on)
    percent = updates[-1][1] if updates else 0
    finished = percent >= 100
    span = (project.due - project.start).days
    elapsed = (on - project.start).days
    if on < project.start:
        expected = 0
    elif span <= 0 or on >= project.due:
        expected = 100
    else:
        expected = round(100 * elapsed / span)
    overdue = not finished and on > project.due
    lagging = not finished and (overdue or expected - percent > LAG_TOLERANCE)
    assessed = {m for m, d in project.assessed if d <= on}
    finished_on = next((d for d, p in updates if p >= 100), None)
    last = min(project.due, finished_on) if finished_on else project.due
    months = months_between(project.start, last)
    missing = tuple(m for m in ended_months(months, on) if m not in assessed)
    late = () if finished else tuple(t for t in project.tasks if on > t.due and not done_by(t.done_on, on))
    return ProjectState(percent, expected, finished, overdue, lagging, missing, late)
