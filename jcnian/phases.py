"""The campaign's four phases and their dated rules (seed, 二、方法步骤), as pure functions.

Everything here works on plain data and a date, never on the database, so that "what is due,
what is done, what is late" can be tested at the edges (04-25, 04-30, 05-01 …) without a
ledger. ``jcnian.workflow`` gathers the facts from the ledger and hands them to these rules.

Dates are judged *as of* a day: a record dated after that day does not count yet, so the
status of any past day can be replayed from a finished ledger. Window ends are inclusive.
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from jcnian.errors import InvalidInput

# (code, label, start MM-DD, end MM-DD), in the seed's order. 动员部署 has only an end in the
# seed ("4月25日前"); it starts with the campaign, 03-01 by default, like 分类定级
# ("3月至4月底"). Window ends are inclusive.
PHASES: tuple[tuple[str, str, str, str], ...] = (
    ("mobilize", "动员部署", "03-01", "04-25"),
    ("classify", "分类定级", "03-01", "04-30"),
    ("implement", "深入实施", "05-01", "08-31"),
    ("accept", "总结验收", "08-01", "09-30"),
)
PHASE_CODES: tuple[str, ...] = tuple(code for code, *_ in PHASES)
PHASE_LABELS: dict[str, str] = {code: label for code, label, *_ in PHASES}
OTHER = "other"
OTHER_LABEL = "其他要求"
# The seed calls phase four 总结考评 once (二、开头) and 总结验收 in its heading.
PHASE_ALIASES: dict[str, str] = {"总结考评": "accept", "动员": "mobilize", "定级": "classify"}

NOT_STARTED, ACTIVE, ENDED = "未开始", "进行中", "已结束"

# (code, label, due MM-DD, category it applies to).
RULES: tuple[tuple[str, str, str, str], ...] = (
    ("revisit", "村级组织换届“回头看”（五个摸清）结束", "06-30", "农村"),
    ("coverage", "非公企业党组织基本实现全覆盖（“七一”前）", "06-30", "非公制企业"),
)
RULE_LABELS: dict[str, str] = {code: label for code, label, *_ in RULES}
RULE_CATEGORY: dict[str, str] = {code: cat for code, _l, _d, cat in RULES}

SURVEY_METHODS = ("座谈会", "问卷调查", "个别访谈", "入户走访", "群众测评")
ACCEPTANCE_METHODS = ("自查初评", "实地调查", "满意度测评", "组织评审")
ACCEPTANCE_ALIASES = {"党员群众满意度测评": "满意度测评", "初评": "自查初评", "评审": "组织评审"}
SUPERVISION_FORMS = ("现场会", "工作推进会", "交流座谈会", "督查")
VISIT_KINDS = ("走访", "回头看")
FIVE_CHECKS = ("村级组织运行情况", "村干部履职情况", "班子突出问题", "农村社会稳定隐患", "村民群众新需求")
ASSESSMENT_RESULTS = ("好", "较好", "一般", "较差")
PROBLEM_STATES = ("未解决", "整改中", "已解决")
GRADE_ORDER = ("较差", "一般", "较好", "好")

# A project lags when its progress trails the straight line from start to due by more than
# this many points (*default*; the seed only says 推进不力 is held to account).
LAG_TOLERANCE = 20


def parse_phase(text: str) -> str:
    """A phase code from its code, its Chinese label or the seed's other name for it."""
    key = text.strip()
    if key in PHASE_LABELS:
        return key
    for code, label in PHASE_LABELS.items():
        if key == label or key == label + "阶段":
            return code
    if key in PHASE_ALIASES:
        return PHASE_ALIASES[key]
    choices = "、".join(f"{label}（{code}）" for code, label in PHASE_LABELS.items())
    raise InvalidInput(f"没有“{text}”这个阶段，应为 {choices} 之一。")


def parse_rule(text: str) -> str:
    key = text.strip()
    if key in RULE_LABELS:
        return key
    for code, label in RULE_LABELS.items():
        if key and key in label:
            return code
    choices = "、".join(f"{code}（{label}）" for code, label in RULE_LABELS.items())
    raise InvalidInput(f"没有“{text}”这条规定，应为 {choices} 之一。")


def parse_choice(
    text: str, choices: Sequence[str], kind: str, aliases: Mapping[str, str] | None = None
) -> str:
    key = text.strip()
    if aliases and key in aliases:
        return aliases[key]
    if key in choices:
        return key
    raise InvalidInput(f"{kind}“{text}”无效，应为 {'、'.join(choices)} 之一。")


def window_state(start: date, end: date, on: date) -> str:
    """未开始 before the start, 进行中 from start to end inclusive, 已结束 after the end."""
    if on < start:
        return NOT_STARTED
    if on <= end:
        return ACTIVE
    return ENDED


@dataclass(frozen=True)
class Window:
    phase: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.phase]

    def state(self, on: date) -> str:
        return window_state(self.start, self.end, on)


def default_windows(year: int) -> dict[str, Window]:
    return {
        code: Window(code, date.fromisoformat(f"{year}-{start}"), date.fromisoformat(f"{year}-{end}"))
        for code, _label, start, end in PHASES
    }


def default_rules(year: int) -> dict[str, date]:
    return {code: date.fromisoformat(f"{year}-{due}") for code, _l, due, _c in RULES}


def check_window(phase: str, start: date, end: date) -> None:
    """A window must not end before it starts; overlapping other windows is allowed."""
    if end < start:
        raise InvalidInput(
            f"{PHASE_LABELS[phase]}的结束日期 {end} 早于开始日期 {start}，请检查（结束日当天仍算进行中）。"
        )


# --- months ---------------------------------------------------------------------------


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> str:
    """``2012-05`` (also ``2012-5``, ``2012年5月``) as the canonical ``YYYY-MM``."""
    raw = text.strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    parts = raw.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        if len(parts) != 2 or not 1 <= month <= 12 or not 1949 <= year <= 2100:
            raise ValueError
    except (ValueError, IndexError):
        raise InvalidInput(f"月份“{text}”无效，应写成 YYYY-MM，如 2012-05。") from None
    return f"{year:04d}-{month:02d}"


def month_end(key: str) -> date:
    year, month = int(key[:4]), int(key[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def months_between(start: date, end: date) -> list[str]:
    """Every month touched by [start, end], in order."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def campaign_months(windows: Mapping[str, Window]) -> list[str]:
    """The months a branch reports on in writing: from the first window's start to the last's end."""
    return months_between(min(w.start for w in windows.values()), max(w.end for w in windows.values()))


def ended_months(months: Iterable[str], on: date) -> list[str]:
    """Months whose last day is before ``on``: their report or assessment is due by now."""
    return [m for m in months if month_end(m) < on]


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- facts about one branch (plain data, built by jcnian.workflow) ---------------------


@dataclass(frozen=True)
class TaskFacts:
    name: str
    unit: str  # week | day
    on: date
    done_on: date | None = None

    @property
    def due(self) -> date:
        """A week's task is due by its Sunday; a day's task on that day."""
        return self.on + timedelta(days=6) if self.unit == "week" else self.on


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class AcceptanceFacts:
    steps: tuple[tuple[int, str, date], ...] = ()  # (round, method, on)
    decisions: tuple[tuple[int, date, bool], ...] = ()  # (round, on, passed)
    rectifications: tuple[tuple[date, date, date | None], ...] = ()  # (opened, deadline, closed)


@dataclass(frozen=True)
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
    acceptance: AcceptanceFacts = field(default_factory=AcceptanceFacts)


def _by(day: date | None, on: date) -> bool:
    return day is not None and day <= on


# --- projects -------------------------------------------------------------------------


@dataclass(frozen=True)
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
    late = () if finished else tuple(t for t in project.tasks if on > t.due and not _by(t.done_on, on))
    return ProjectState(percent, expected, finished, overdue, lagging, missing, late)


# --- the checklist of one branch ------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One deliverable of a branch on a day."""

    phase: str
    code: str
    label: str
    done: bool
    due: date | None
    overdue: bool
    detail: str = ""

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(self.phase, OTHER_LABEL)


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


def checklist(
    facts: BranchFacts, windows: Mapping[str, Window], rules: Mapping[str, date], on: date
) -> list[Item]:
    """Every deliverable that applies to the branch, done or not, and late or not, on ``on``.

    A deliverable is due at the end of its phase's window unless it carries its own date
    (a project's due date, a month's end, a dated rule, a rectification deadline).
    """
    items: list[Item] = []

    def add(phase: str, code: str, done: bool, due: date | None, detail: str = "") -> None:
        late = not done and due is not None and on > due
        items.append(Item(phase, code, DELIVERABLE_LABELS[(phase, code)], done, due, late, detail))

    # 动员部署
    end = windows["mobilize"].end
    add("mobilize", "meeting", _by(facts.meeting_on, on), end, _date_note(facts.meeting_on, on))
    methods = [m for m in SURVEY_METHODS if _by(facts.survey.get(m), on)]
    add(
        "mobilize", "survey", bool(methods), end, f"{len(methods)}/5：{'、'.join(methods)}" if methods else ""
    )
    found = [(f, r) for f, r in facts.problems if f <= on]
    solved = sum(1 for _f, r in found if _by(r, on))
    add("mobilize", "problems", bool(found), end, f"{len(found)} 个问题，已解决 {solved}" if found else "")

    # 分类定级
    end = windows["classify"].end
    add("classify", "scored", facts.scored, end)
    for step in ("proposed", "deliberated", "final", "published"):
        day = facts.grade_steps.get(step)
        add("classify", step, _by(day, on), end, _date_note(day, on))

    # 深入实施
    end = windows["implement"].end
    for code, day in (
        ("goal", facts.goal_on),
        ("measures", facts.measures_on),
        ("plan", facts.plan_on),
        ("pledge", facts.pledge_on),
    ):
        add("implement", code, _by(day, on), end, _date_note(day, on))
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
        day = next((d for r, m, d in acc.steps if r == rnd and m == method and d <= on), None)
        add(
            "accept", method, day is not None, end, (f"第 {rnd} 轮 " if rnd > 1 else "") + _date_note(day, on)
        )
    decided = sorted((r, d, p) for r, d, p in acc.decisions if d <= on)
    passed = bool(decided) and decided[-1][2]
    note = ""
    if decided:
        note = f"第 {decided[-1][0]} 轮{'通过' if passed else '未通过'}（{decided[-1][1]}）"
    add("accept", "passed", passed, end, note)
    opened = [(o, dl, c) for o, dl, c in acc.rectifications if o <= on]
    if opened:
        still = [(o, dl) for o, dl, c in opened if not _by(c, on)]
        due = min((dl for _o, dl in still), default=max(dl for _o, dl, _c in opened))
        add("accept", "rectified", not still, due, f"整改期限 {due}" if still else "已整改")

    # 其他要求 (seed 三、一 / 三、七 / 四、(一) / 四、(三))
    visited = [d for k, d in facts.visits if k == "走访" and d <= on]
    add(
        OTHER,
        "visit",
        bool(visited),
        end_of(windows, "implement"),
        _date_note(min(visited, default=None), on),
    )
    if facts.category == RULE_CATEGORY["revisit"]:
        back = [d for k, d in facts.visits if k == "回头看" and d <= on]
        add(OTHER, "revisit", bool(back), rules["revisit"], _date_note(min(back, default=None), on))
    reported = {m for m, d in facts.reports if d <= on}
    due_months = ended_months(campaign_months(windows), on)
    missing_reports = [m for m in due_months if m not in reported]
    add(
        OTHER,
        "reports",
        not missing_reports,
        month_end(missing_reports[0]) if missing_reports else None,
        f"缺 {'、'.join(missing_reports)}" if missing_reports else f"已报 {len(reported)} 个月",
    )
    regs = [d for d in facts.regulations if d <= on]
    add(OTHER, "regulations", bool(regs), end_of(windows, "implement"), f"{len(regs)} 项" if regs else "")
    slogans = [d for d in facts.slogans if d <= on]
    columns = [d for d in facts.columns if d <= on]
    detail = f"标语 {len(slogans)} 条，专栏 {len(columns)} 个"
    add(OTHER, "publicity", bool(slogans) and bool(columns), end_of(windows, "mobilize"), detail)
    return items


def end_of(windows: Mapping[str, Window], phase: str) -> date:
    return windows[phase].end


def _date_note(day: date | None, on: date) -> str:
    return day.isoformat() if day is not None and day <= on else ""


# --- the dashboard over all branches --------------------------------------------------


@dataclass(frozen=True)
class DeliverableCount:
    phase: str
    code: str
    label: str
    done: int
    total: int
    overdue: int
    due: date | None


@dataclass(frozen=True)
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


def summarise(
    checklists: Mapping[str, Sequence[Item]], windows: Mapping[str, Window], on: date
) -> list[PhaseSummary]:
    """Per phase (and 其他要求 last): branches with every deliverable done, and with one late.

    ``total`` counts the branches the phase applies to; a deliverable that does not apply
    to a branch (一村一策 for a village that is not backward) is left out of its counts.
    """
    summaries = []
    for phase in (*PHASE_CODES, OTHER):
        per_branch = {name: [i for i in items if i.phase == phase] for name, items in checklists.items()}
        per_branch = {name: items for name, items in per_branch.items() if items}
        counts = []
        for p, code, label in DELIVERABLES:
            if p != phase:
                continue
            found = [i for items in per_branch.values() for i in items if i.code == code]
            if not found:
                continue
            dues = [i.due for i in found if not i.done and i.due is not None]
            counts.append(
                DeliverableCount(
                    phase,
                    code,
                    label,
                    sum(i.done for i in found),
                    len(found),
                    sum(i.overdue for i in found),
                    min(dues, default=None),
                )
            )
        window = windows.get(phase)
        summaries.append(
            PhaseSummary(
                phase=phase,
                label=PHASE_LABELS.get(phase, OTHER_LABEL),
                start=window.start if window else None,
                end=window.end if window else None,
                state=window.state(on) if window else "",
                done=sum(all(i.done for i in items) for items in per_branch.values()),
                total=len(per_branch),
                overdue=sum(any(i.overdue for i in items) for items in per_branch.values()),
                deliverables=tuple(counts),
            )
        )
    return summaries


@dataclass(frozen=True)
class Deadline:
    on: date
    what: str
    pending: int


def next_deadlines(
    checklists: Mapping[str, Sequence[Item]],
    windows: Mapping[str, Window],
    rules: Mapping[str, date],
    on: date,
    limit: int = 5,
    horizon: int = 45,
) -> list[Deadline]:
    """The coming dates (today included) with how many branches still owe something by then.

    The nearest ``limit`` dates on which branches owe something, plus every window end and
    dated rule within ``horizon`` days (at least the next one), in date order.
    """
    pending: dict[tuple[date, str], set[str]] = {}
    for name, items in checklists.items():
        for item in items:
            if item.done or item.due is None or item.due < on:
                continue
            what = item.label if item.phase == OTHER else f"{item.phase_label}：{item.label}"
            pending.setdefault((item.due, what), set()).add(name)
    owed = sorted((Deadline(d, what, len(names)) for (d, what), names in pending.items()), key=_deadline_key)
    fixed = [Deadline(w.end, f"{w.label}阶段结束", 0) for w in windows.values() if w.end >= on]
    fixed += [Deadline(d, RULE_LABELS[c], 0) for c, d in rules.items() if d >= on]
    fixed.sort(key=_deadline_key)
    near = [d for d in fixed if (d.on - on).days <= horizon] or fixed[:1]
    return sorted(owed[:limit] + near, key=_deadline_key)


def _deadline_key(d: Deadline) -> tuple[date, int, str]:
    return (d.on, -d.pending, d.what)


# --- gates ----------------------------------------------------------------------------


def plan_gate(has_final_grade: bool) -> list[str]:
    """The 实施方案 follows the grade (seed 二、(三)：根据定级情况制定)."""
    return [] if has_final_grade else ["该党组织还没有组织考评定级（深入实施须根据定级情况制定实施方案）"]


def pledge_gate(has_goal: bool, has_measures: bool, has_plan: bool) -> list[str]:
    """A branch pledges in public what it has set: its goal, measures and plan."""
    missing = [
        label
        for ok, label in ((has_goal, "争创目标"), (has_measures, "整改措施"), (has_plan, "实施方案"))
        if not ok
    ]
    return [f"还没有制定{'、'.join(missing)}（公开承诺的是已定的目标和方案）"] if missing else []


def step_gate(on: date, accept: Window) -> list[str]:
    if on < accept.start:
        return [f"总结验收阶段 {accept.start} 才开始，{on} 不能登记验收步骤"]
    return []


def decision_gate(
    *,
    on: date,
    accept: Window,
    has_final_grade: bool,
    has_plan: bool,
    methods_done: Iterable[str],
    backward: bool,
    has_one_village: bool,
    passing: bool,
    open_rectification: date | None,
) -> list[str]:
    """Why an acceptance decision may not be taken yet; empty when it may.

    The seed's order: a grade (分类定级), a plan carried out (深入实施), then the four ways of
    验收 (自查初评、实地调查、满意度测评、组织评审); a failed branch passes only once its
    rectification is done.
    """
    reasons = []
    if on < accept.start:
        reasons.append(f"总结验收阶段 {accept.start} 才开始")
    if not has_final_grade:
        reasons.append("还没有组织考评定级")
    if not has_plan:
        reasons.append("还没有实施方案")
    if backward and not has_one_village:
        reasons.append("后进村还没有一村一策项目")
    missing = [m for m in ACCEPTANCE_METHODS if m not in set(methods_done)]
    if missing:
        reasons.append(f"本轮验收还缺{'、'.join(missing)}")
    if passing and open_rectification is not None:
        reasons.append(f"整改意见尚未完成（期限 {open_rectification}）")
    return reasons


def grade_moved(initial: str | None, final: str | None) -> str:
    """升级/降级/持平 between the grade of 分类定级 and the one after acceptance."""
    if initial not in GRADE_ORDER or final not in GRADE_ORDER:
        return ""
    diff = GRADE_ORDER.index(final) - GRADE_ORDER.index(initial)
    return "升级" if diff > 0 else "降级" if diff < 0 else "持平"
