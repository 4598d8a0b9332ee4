"""The campaign's four phases and their dated rules (seed, 二、方法步骤), as pure functions.

Windows, dated rules, the choices a clerk picks from, months and the gates that keep steps in
the seed's order. What each branch owes on a day (its checklist) and the dashboard's counts
are in ``jcnian.checklist``. Everything here works on plain data and a date, never on the
database, so that the rules can be tested at the edges (04-25, 04-30, 05-01 …) without a
ledger; the domain modules (``jcnian.campaign.dates`` and the phase modules beside it) read
the ledger and hand the facts to these rules.

Dates are judged *as of* a day: a record dated after that day does not count yet, so the
status of any past day can be replayed from a finished ledger. Window ends are inclusive.
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

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

# The document (驿委〔2012〕38号) is dated 二0一二年四月二十五日: the monthly written report
# (四、(一) 每月向镇党委组织办书面汇报一次) is owed from the month after it.
DOCUMENT_DAY = "04-25"
ALL_BRANCHES = "全部"

# (code, label, due MM-DD, category it applies to). The seed dates 回头看 and 全覆盖; it sets
# no date for the slogans and column, the 调研走访 or the 1–2 rules, so those are defaults
# (DEFAULT_RULES, shown 默认) that give a branch at least a month after the document.
RULES: tuple[tuple[str, str, str, str], ...] = (
    ("revisit", "村级组织换届“回头看”（五个摸清）结束", "06-30", "农村"),
    ("coverage", "非公企业党组织基本实现全覆盖（“七一”前）", "06-30", "非公制企业"),
    ("publicity", "固定标语和活动专栏", "05-31", ALL_BRANCHES),
    ("visit", "调研走访", "08-31", ALL_BRANCHES),
    ("regulations", "建立 1–2 项制度", "08-31", ALL_BRANCHES),
)
DEFAULT_RULES = frozenset({"publicity", "visit", "regulations"})
RULE_LABELS: dict[str, str] = {code: label for code, label, *_ in RULES}
RULE_CATEGORY: dict[str, str] = {code: cat for code, _l, _d, cat in RULES}

SURVEY_METHODS = ("座谈会", "问卷调查", "个别访谈", "入户走访", "群众测评")
ACCEPTANCE_METHODS = ("自查初评", "实地调查", "满意度测评", "组织评审")
ACCEPTANCE_ALIASES = {"党员群众满意度测评": "满意度测评", "初评": "自查初评", "评审": "组织评审"}
SUPERVISION_FORMS = ("现场会", "工作推进会", "交流座谈会", "督查")
VISIT_KINDS = ("走访", "回头看")
PROBLEM_STATES = ("未解决", "整改中", "已解决")


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
    """One of ``choices`` by its name, an alias or a unique part (jcnian.typed.parse_choice)."""
    from jcnian import typed

    try:
        return typed.parse_choice(text, choices, kind, aliases)
    except typed.BadValue as exc:
        raise InvalidInput(f"{exc}。") from None


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
    """``2012-05`` (also ``2012-5``, ``2012/5``, ``2012年5月``) as the canonical ``YYYY-MM``."""
    from jcnian import typed

    try:
        return typed.parse_month(text)
    except typed.BadValue:
        raise InvalidInput(f"月份“{text}”无效，应写成 YYYY-MM，如 2012-05。") from None


@cache
def month_end(key: str) -> date:
    """The last day of a ``YYYY-MM`` month; cached, as every branch's checklist asks again."""
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
    """The campaign's months: from the first window's start to the last's end."""
    return months_between(min(w.start for w in windows.values()), max(w.end for w in windows.values()))


def report_months(windows: Mapping[str, Window]) -> list[str]:
    """The months a branch reports on in writing (四、(一)): from the month after the document
    (dated DOCUMENT_DAY of the campaign's year, so May) to the campaign's last month."""
    first = min(w.start for w in windows.values())
    document = date.fromisoformat(f"{first.year}-{DOCUMENT_DAY}")
    after = date(document.year + document.month // 12, document.month % 12 + 1, 1)
    return months_between(max(after, first.replace(day=1)), max(w.end for w in windows.values()))


def ended_months(months: Iterable[str], on: date) -> list[str]:
    """Months whose last day is before ``on``: their report or assessment is due by now."""
    return [m for m in months if month_end(m) < on]


def done_by(day: date | None, on: date) -> bool:
    """Whether something dated ``day`` (None: not done) is done as of ``on``."""
    return day is not None and day <= on


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


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
    if passing and not has_plan:  # a fail sends the branch to rectify, plan or not
        reasons.append("还没有实施方案")
    if backward and not has_one_village:
        reasons.append("后进村还没有一村一策项目")
    missing = [m for m in ACCEPTANCE_METHODS if m not in set(methods_done)]
    if missing:
        reasons.append(f"本轮验收还缺{'、'.join(missing)}")
    if passing and open_rectification is not None:
        reasons.append(f"整改意见尚未完成（期限 {open_rectification}）")
    return reasons
