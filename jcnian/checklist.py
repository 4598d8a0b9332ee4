"""What each branch owes on a day, and the dashboard's counts over all branches, as pure rules.

The facts are plain data gathered by ``jcnian.campaign.facts``; the windows, dated rules and
months come from ``jcnian.phases``. A deliverable is due at the end of its phase's window
unless it carries its own date (a project's due date, a month's end, a dated rule, a
rectification deadline). Dates are judged *as of* a day, as in ``jcnian.phases``.

The dashboard is counted branch by branch (``Tally``), so a city-wide ledger never holds
every branch's checklist at once.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jcnian.phases import (
    ACCEPTANCE_METHODS,
    OTHER,
    OTHER_LABEL,
    PHASE_CODES,
    PHASE_LABELS,
    RULE_CATEGORY,
    RULE_LABELS,
    SURVEY_METHODS,
    Window,
    done_by,
    ended_months,
    month_end,
    report_months,
)
from jcnian.project_rules import ProjectFacts, project_state

# --- facts about one branch (plain data, built by jcnian.campaign.facts) -----------------


@dataclass(frozen=True, slots=True)
class AcceptanceFacts:
    steps: tuple[tuple[int, str, date], ...] = ()  # (round, method, on)
    decisions: tuple[tuple[int, date, bool], ...] = ()  # (round, on, passed)
    rectifications: tuple[tuple[date, date, date | None], ...] = ()  # (opened, deadline, closed)


NO_ACCEPTANCE = AcceptanceFacts()


@dataclass(frozen=True, slots=True)
class BranchFacts:
    name: str
    category: str
    backward: bool = False
    meeting_on: date | None = None
    survey: Mapping[str, date] = field(default_factory=dict)
    problems: tuple[tuple[date, date | None], ...] = ()  # (found_on, resolved_on)
    scored: bool = False
    grade_steps: Mapping[str, date] = field(default_factory=dict)  # proposed/deliberated/final/published
    goal_on: date | None = None
    measures_on: date | None = None
    plan_on: date | None = None
    pledge_on: date | None = None
    projects: tuple[ProjectFacts, ...] = ()
    visits: tuple[tuple[str, date], ...] = ()  # (kind, on)
    reports: tuple[tuple[str, date], ...] = ()  # (month, submitted_on)
    regulations: tuple[date, ...] = ()
    slogans: tuple[date, ...] = ()
    columns: tuple[date, ...] = ()
    acceptance: AcceptanceFacts = NO_ACCEPTANCE


# --- the checklist of one branch ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One deliverable of a branch on a day."""

    phase: str
    code: str
    label: str
    done: bool
    due: date | None
    overdue: bool
    detail: str = ""
    done_on: date | None = None  # the day it was done, where the records date it

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(self.phase, OTHER_LABEL)

    @property
    def late_by(self) -> int | None:
        """Days after its due date it was done (逾期完成); None when done on time or not done."""
        if self.done and self.done_on is not None and self.due is not None and self.done_on > self.due:
            return (self.done_on - self.due).days
        return None

    @property
    def state(self) -> str:
        """已完成 (on time), 逾期完成, 逾期 (late, not done) or 待办."""
        if self.done:
            return "逾期完成" if self.late_by else "已完成"
        return "逾期" if self.overdue else "待办"


# (phase, code, label) in the order the checklist shows them.
DELIVERABLES: tuple[tuple[str, str, str], ...] = (
    ("mobilize", "meeting", "召开动员会议"),
    ("mobilize", "survey", "调查摸底（征求意见）"),
    ("mobilize", "problems", "问题台账"),
    ("classify", "scored", "七项指标评分"),
    ("classify", "proposed", "初评定级"),
    ("classify", "deliberated", "群众党员会议审议"),
    ("classify", "final", "组织考评定级"),
    ("classify", "published", "定级结果公开"),
    ("implement", "goal", "争创目标"),
    ("implement", "measures", "整改措施"),
    ("implement", "plan", "实施方案"),
    ("implement", "pledge", "公开承诺"),
    ("implement", "project", "工程项目分解到人"),
    ("implement", "one_village", "一村一策（后进村）"),
    ("implement", "monthly", "考核到月"),
    ("implement", "schedule", "项目按期完成"),
    ("accept", "自查初评", "自查初评"),
    ("accept", "实地调查", "实地调查"),
    ("accept", "满意度测评", "党员群众满意度测评"),
    ("accept", "组织评审", "组织评审"),
    ("accept", "passed", "验收通过、重新定级"),
    ("accept", "rectified", "限期整改"),
    (OTHER, "visit", "调研走访"),
    (OTHER, "revisit", "换届“回头看”"),
    (OTHER, "reports", "月度书面汇报"),
    (OTHER, "regulations", "建立 1–2 项制度"),
    (OTHER, "publicity", "固定标语和活动专栏"),
)
DELIVERABLE_LABELS = {(p, c): label for p, c, label in DELIVERABLES}


def current_round(acc: AcceptanceFacts, on: date) -> int:
    """The acceptance round under way: one more than the rounds already failed by ``on``."""
    return 1 + sum(1 for _r, d, passed in acc.decisions if d <= on and not passed)


@dataclass(frozen=True, slots=True)
class Day:
    """What every branch's checklist shares on one day, worked out once for all of them."""

    on: date
    windows: Mapping[str, Window]
    rules: Mapping[str, date]
    report_months: tuple[str, ...]  # campaign months whose written report is due by ``on``

    @classmethod
    def of(cls, windows: Mapping[str, Window], rules: Mapping[str, date], on: date) -> "Day":
        return cls(on, windows, rules, tuple(ended_months(report_months(windows), on)))


def checklist(
    facts: BranchFacts, windows: Mapping[str, Window], rules: Mapping[str, date], on: date
) -> list[Item]:
    """Every deliverable that applies to the branch, done or not, and late or not, on ``on``."""
    return _checklist(facts, Day.of(windows, rules, on))


def checklists(
    branches: Iterable[BranchFacts], windows: Mapping[str, Window], rules: Mapping[str, date], on: date
) -> Iterator[tuple[BranchFacts, list[Item]]]:
    """Each branch with its checklist on ``on``, one at a time."""
    day = Day.of(windows, rules, on)
    for facts in branches:
        yield facts, _checklist(facts, day)


def _checklist(facts: BranchFacts, day: Day) -> list[Item]:
    on, windows = day.on, day.windows
    items: list[Item] = []

    def add(
        phase: str, code: str, done: bool, due: date | None, detail: str = "", done_on: date | None = None
    ) -> None:
        late = not done and due is not None and on > due
        when = done_on if done else None
        items.append(Item(phase, code, DELIVERABLE_LABELS[(phase, code)], done, due, late, detail, when))

    # 动员部署
    end = windows["mobilize"].end
    add(
        "mobilize",
        "meeting",
        done_by(facts.meeting_on, on),
        end,
        _date_note(facts.meeting_on, on),
        facts.meeting_on,
    )
    methods = [m for m in SURVEY_METHODS if done_by(facts.survey.get(m), on)]
    add(
        "mobilize",
        "survey",
        bool(methods),
        end,
        f"{len(methods)}/5：{'、'.join(methods)}" if methods else "",
        min((facts.survey[m] for m in methods), default=None),
    )
    found = [(f, r) for f, r in facts.problems if f <= on]
    solved = sum(1 for _f, r in found if done_by(r, on))
    add(
        "mobilize",
        "problems",
        bool(found),
        end,
        f"{len(found)} 个问题，已解决 {solved}" if found else "",
        min((f for f, _r in found), default=None),
    )

    # 分类定级
    end = windows["classify"].end
    add("classify", "scored", facts.scored, end)
    for step in ("proposed", "deliberated", "final", "published"):
        day_of = facts.grade_steps.get(step)
        add("classify", step, done_by(day_of, on), end, _date_note(day_of, on), day_of)

    # 深入实施
    end = windows["implement"].end
    for code, day_of in (
        ("goal", facts.goal_on),
        ("measures", facts.measures_on),
        ("plan", facts.plan_on),
        ("pledge", facts.pledge_on),
    ):
        add("implement", code, done_by(day_of, on), end, _date_note(day_of, on), day_of)
    projects = [p for p in facts.projects if p.created_on <= on]
    owned = [p for p in projects if p.owner]
    add("implement", "project", bool(owned), end, f"{len(projects)} 个项目" if projects else "")
    if facts.backward:
        one = [p for p in projects if p.one_village]
        add("implement", "one_village", bool(one), end, one[0].name if one else "后进村，须制定一村一策")
    if projects:
        states = [(p, project_state(p, on)) for p in projects]
        missing = [(p, m) for p, s in states for m in s.missing_months]
        due = min((month_end(m) for _p, m in missing), default=None)
        note = "、".join(f"{p.name} {m}" for p, m in missing)
        add("implement", "monthly", not missing, due or end, f"缺 {note}" if missing else "")
        open_ = [(p, s) for p, s in states if not s.finished]
        late_dates = [p.due for p, s in open_ if s.overdue] + [t.due for _p, s in open_ for t in s.late_tasks]
        due = min(late_dates, default=min((p.due for p, _s in open_), default=None))
        lag = [f"{p.name}：{s.reason}" for p, s in open_ if s.overdue or s.lagging or s.late_tasks]
        note = "；".join(lag) or (f"{len(open_)} 个项目推进中" if open_ else "全部完成")
        add("implement", "schedule", not open_, due, note)

    # 总结验收
    end = windows["accept"].end
    acc = facts.acceptance
    rnd = current_round(acc, on)
    for method in ACCEPTANCE_METHODS:
        day_of = next((d for r, m, d in acc.steps if r == rnd and m == method and d <= on), None)
        add(
            "accept",
            method,
            day_of is not None,
            end,
            (f"第 {rnd} 轮 " if rnd > 1 else "") + _date_note(day_of, on),
            day_of,
        )
    decided = sorted((r, d, p) for r, d, p in acc.decisions if d <= on)
    passed = bool(decided) and decided[-1][2]
    note = ""
    if decided:
        note = f"第 {decided[-1][0]} 轮{'通过' if passed else '未通过'}（{decided[-1][1]}）"
    add("accept", "passed", passed, end, note, decided[-1][1] if decided else None)
    opened = [(o, dl, c) for o, dl, c in acc.rectifications if o <= on]
    if opened:
        still = [(o, dl) for o, dl, c in opened if not done_by(c, on)]
        due = min((dl for _o, dl in still), default=max(dl for _o, dl, _c in opened))
        closed = max((c for _o, _dl, c in opened if c is not None), default=None)
        add("accept", "rectified", not still, due, f"整改期限 {due}" if still else "已整改", closed)

    # 其他要求 (seed 三、一 / 三、七 / 四、(一) / 四、(三))
    visited = [d for k, d in facts.visits if k == "走访" and d <= on]
    implement_end = windows["implement"].end
    first_visit = min(visited, default=None)
    visit_due = day.rules.get("visit", implement_end)
    add(OTHER, "visit", bool(visited), visit_due, _date_note(first_visit, on), first_visit)
    if facts.category == RULE_CATEGORY["revisit"]:
        back = [d for k, d in facts.visits if k == "回头看" and d <= on]
        first_back = min(back, default=None)
        add(OTHER, "revisit", bool(back), day.rules["revisit"], _date_note(first_back, on), first_back)
    reported = {m for m, d in facts.reports if d <= on}
    missing_reports = [m for m in day.report_months if m not in reported]
    add(
        OTHER,
        "reports",
        not missing_reports,
        month_end(missing_reports[0]) if missing_reports else None,
        f"缺 {'、'.join(missing_reports)}" if missing_reports else f"已报 {len(reported)} 个月",
    )
    regs = [d for d in facts.regulations if d <= on]
    add(
        OTHER,
        "regulations",
        bool(regs),
        day.rules.get("regulations", implement_end),
        f"{len(regs)} 项" if regs else "",
        min(regs, default=None),
    )
    slogans = [d for d in facts.slogans if d <= on]
    columns = [d for d in facts.columns if d <= on]
    detail = f"标语 {len(slogans)} 条，专栏 {len(columns)} 个"
    both = max(min(slogans), min(columns)) if slogans and columns else None
    publicity_due = day.rules.get("publicity", windows["mobilize"].end)
    add(OTHER, "publicity", bool(slogans) and bool(columns), publicity_due, detail, both)
    return items


def _date_note(day: date | None, on: date) -> str:
    return day.isoformat() if day is not None and day <= on else ""


# --- the dashboard over all branches --------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliverableCount:
    phase: str
    code: str
    label: str
    done: int
    total: int
    overdue: int
    due: date | None
    done_late: int = 0  # of ``done``, those done after their due date (逾期完成)

    @property
    def on_time(self) -> int:
        """按期完成: done by the due date."""
        return self.done - self.done_late


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    phase: str
    label: str
    start: date | None
    end: date | None
    state: str
    done: int
    total: int
    overdue: int
    deliverables: tuple[DeliverableCount, ...]


@dataclass(frozen=True, slots=True)
class Deadline:
    on: date
    what: str
    pending: int


class Tally:
    """The dashboard's counts on one day, fed one branch's checklist at a time.

    Per phase: the branches it applies to, those with every deliverable done and those with
    one late; per deliverable: done, total, late and the earliest open due date; per coming
    date (the day itself included): how many branches still owe something by then.
    """

    def __init__(self, on: date) -> None:
        self.on = on
        self._phases: dict[str, list[int]] = {}  # phase → [total, done, overdue]
        self._items: dict[tuple[str, str], list[Any]] = {}  # → [done, total, overdue, due]
        self._pending: dict[tuple[date, str], int] = {}

    def add(self, items: Iterable[Item]) -> None:
        seen: dict[str, list[bool]] = {}  # phase → [all done, any overdue]
        for i in items:
            flags = seen.get(i.phase)
            if flags is None:
                flags = seen[i.phase] = [True, False]
            flags[0] = flags[0] and i.done
            flags[1] = flags[1] or i.overdue
            count = self._items.get((i.phase, i.code))
            if count is None:
                count = self._items[(i.phase, i.code)] = [0, 0, 0, None, 0]
            count[0] += i.done
            count[1] += 1
            count[2] += i.overdue
            count[4] += i.late_by is not None
            if not i.done and i.due is not None:
                count[3] = i.due if count[3] is None else min(count[3], i.due)
                if i.due >= self.on:
                    # One item per deliverable and branch: counting them counts branches.
                    key = (i.due, i.label if i.phase == OTHER else f"{i.phase_label}：{i.label}")
                    self._pending[key] = self._pending.get(key, 0) + 1
        for phase, (done, late) in seen.items():
            totals = self._phases.setdefault(phase, [0, 0, 0])
            totals[0] += 1
            totals[1] += done
            totals[2] += late

    def phases(self, windows: Mapping[str, Window]) -> list[PhaseSummary]:
        """Per phase (and 其他要求 last); a deliverable that applies to no branch is left out."""
        summaries = []
        for phase in (*PHASE_CODES, OTHER):
            counts = tuple(
                DeliverableCount(phase, code, label, *self._items[(phase, code)])
                for p, code, label in DELIVERABLES
                if p == phase and (phase, code) in self._items
            )
            total, done, overdue = self._phases.get(phase, (0, 0, 0))
            window = windows.get(phase)
            summaries.append(
                PhaseSummary(
                    phase=phase,
                    label=PHASE_LABELS.get(phase, OTHER_LABEL),
                    start=window.start if window else None,
                    end=window.end if window else None,
                    state=window.state(self.on) if window else "",
                    done=done,
                    total=total,
                    overdue=overdue,
                    deliverables=counts,
                )
            )
        return summaries

    def owed_dates(self) -> int:
        """How many (date, deliverable) pairs branches still owe: what ``deadlines`` cuts to
        its nearest ``limit``."""
        return len(self._pending)

    def deadlines(
        self, windows: Mapping[str, Window], rules: Mapping[str, date], limit: int = 5, horizon: int = 45
    ) -> list[Deadline]:
        """The nearest ``limit`` dates on which branches owe something, plus every window end
        and dated rule within ``horizon`` days (at least the next one), in date order."""
        on = self.on
        owed = sorted((Deadline(d, what, n) for (d, what), n in self._pending.items()), key=_deadline_key)
        fixed = [Deadline(w.end, f"{w.label}阶段结束", 0) for w in windows.values() if w.end >= on]
        owing = {(d.on, d.what) for d in owed}
        fixed += [
            Deadline(d, RULE_LABELS[c], 0)
            for c, d in rules.items()
            if d >= on and (d, RULE_LABELS[c]) not in owing
        ]
        fixed.sort(key=_deadline_key)
        near = [d for d in fixed if (d.on - on).days <= horizon] or fixed[:1]
        return sorted(owed[:limit] + near, key=_deadline_key)


def _deadline_key(d: Deadline) -> tuple[date, int, str]:
    return (d.on, -d.pending, d.what)
