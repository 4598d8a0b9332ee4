"""Pure rules of 分类定级 (seed, 二、(二) and 三、二): rubric, scores, grades, quota.

Everything here is a function of plain data, with no database and no printing, so the rules
can be tested alone and the storage layer (jcnian.gradebook.reads) and the CLI only feed them;
ranking by score (forced bands, 倒排) is in jcnian.ranking.
Shares and ratios are exact Fractions: the quota's largest-remainder method compares
remainders such as 0.6 and 0.6, which floats would split by representation error.
"""

import math
import tomllib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from jcnian.errors import InvalidInput
from jcnian.problems import Problem


class Grade(StrEnum):
    """等级, best first; the value is the Chinese word stored in the ledger."""

    GOOD = "好"
    FAIRLY_GOOD = "较好"
    AVERAGE = "一般"
    POOR = "较差"

    @property
    def rank(self) -> int:
        """0 for 好 … 3 for 较差, so that ``a.rank < b.rank`` means a is the better grade."""
        return GRADE_OPTIONS.index(self.value)


GRADE_OPTIONS = ("好", "较好", "一般", "较差")
SATISFACTION_OPTIONS = ("满意", "基本满意", "不满意")
BALLOT_OPTIONS = GRADE_OPTIONS + SATISFACTION_OPTIONS
# Votes that count towards the mass satisfaction rate.
FAVOURABLE = frozenset({"好", "较好", "满意", "基本满意"})

_GRADE_ALIASES = {
    "good": Grade.GOOD,
    "fairly_good": Grade.FAIRLY_GOOD,
    "fairly-good": Grade.FAIRLY_GOOD,
    "average": Grade.AVERAGE,
    "poor": Grade.POOR,
}
_BALLOT_ALIASES = {
    **{k: v.value for k, v in _GRADE_ALIASES.items()},
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "basically-satisfied": "基本满意",
    "dissatisfied": "不满意",
    "unsatisfied": "不满意",
}

# The quota's three bands (seed: 好、较好 30%, 一般 60%, 较差 10%).
BANDS = ("好+较好", "一般", "较差")
TOP_BAND, MIDDLE_BAND, BOTTOM_BAND = BANDS
# Equal remainders go to the larger share first, then in this order: the middle band before
# the top, and 较差 last, so that a tie never enlarges the band that marks a branch as weak.
TIE_ORDER = (MIDDLE_BAND, TOP_BAND, BOTTOM_BAND)


def _strip(text: str) -> str:
    return "".join(str(text).split())


def parse_grade(text: str) -> Grade:
    """A grade as a clerk types it: 好/较好/一般/较差 or good/fairly_good/average/poor."""
    key = _strip(text)
    if key in GRADE_OPTIONS:
        return Grade(key)
    if key.lower() in _GRADE_ALIASES:
        return _GRADE_ALIASES[key.lower()]
    raise InvalidInput(
        f"等级“{text}”无效，应为 {'/'.join(GRADE_OPTIONS)}（或 good/fairly_good/average/poor）之一。"
    )


def parse_ballot_option(text: str) -> str:
    """A ballot option (好/较好/一般/较差 or 满意/基本满意/不满意, or their English names)."""
    key = _strip(text)
    if key in BALLOT_OPTIONS:
        return key
    if key.lower() in _BALLOT_ALIASES:
        return _BALLOT_ALIASES[key.lower()]
    raise InvalidInput(f"选票选项“{text}”无效，应为 {'/'.join(BALLOT_OPTIONS)} 之一。")


def movement(initial: Grade | str | None, final: Grade | str | None) -> str | None:
    """升级/降级/持平 from one grade to another (分类升级); None when either is not a grade."""
    if initial is None or final is None or initial not in GRADE_OPTIONS or final not in GRADE_OPTIONS:
        return None
    before, after = Grade(initial).rank, Grade(final).rank
    return "升级" if after < before else "降级" if after > before else "持平"


def band_of(grade: Grade) -> str:
    """The quota band a grade counts in: 好 and 较好 share one band."""
    if grade in (Grade.GOOD, Grade.FAIRLY_GOOD):
        return TOP_BAND
    return MIDDLE_BAND if grade is Grade.AVERAGE else BOTTOM_BAND


# --- rubric ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rubric:
    """评分办法. ``sources`` holds weights normalised to sum 1; ``raw_weights`` as written.

    Immutable, mappings included (read-only views), because the rubric in force is parsed
    once and shared by everything in the session (jcnian.gradebook.reads.current_rubric).
    """

    indicators: Mapping[str, float]
    sources: Mapping[str, float]
    raw_weights: Mapping[str, float]
    thresholds: Mapping[Grade, float]
    satisfaction_min: Fraction
    satisfaction_cap: Grade
    vetoes: tuple[str, ...]
    quota: Mapping[str, Fraction]
    tolerance: Fraction
    backward_category: str
    backward_ratio: Fraction
    text: str = field(default="", compare=False, repr=False)

    @property
    def total_points(self) -> float:
        return sum(self.indicators.values())


# Optional settings of each table, in the order a message lists them, with their defaults.
_SETTINGS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "satisfaction": MappingProxyType({"minimum": 0.9, "cap": "一般"}),
        "veto": MappingProxyType({"conditions": ()}),
        "quota": MappingProxyType({"shares": MappingProxyType({}), "tolerance": 0.05}),
        "backward": MappingProxyType({"category": "农村", "ratio": 0.1}),
    }
)
_TABLES = {"indicators", "sources", "thresholds", *_SETTINGS}
_NEEDED_THRESHOLDS = (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE)


def _number(value: Any) -> Fraction | None:
    """A TOML number as an exact fraction of what was written (0.3 is 3/10, not a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Fraction(str(value))


def _section(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A table of the rubric; empty when absent or not a table (a check names that)."""
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _setting(doc: Mapping[str, Any], table: str, key: str) -> Any:
    """An optional setting as written, or its default."""
    return _section(doc, table).get(key, _SETTINGS[table][key])


def _points(doc: Mapping[str, Any], name: str) -> dict[str, Fraction]:
    """The usable entries of a points table (indicators or sources): positive, named."""
    out: dict[str, Fraction] = {}
    for key, raw in _section(doc, name).items():
        value = _number(raw)
        if value is not None and value > 0 and _strip(key):
            out[_strip(key)] = value
    return out


def _ratio(raw: Any, *, low_open: bool = False) -> Fraction | None:
    """A share or rate in [0, 1] (in (0, 1] with ``low_open``); None when it is not one."""
    value = _number(raw)
    if value is None or value < 0 or value > 1 or (low_open and value == 0):
        return None
    return value


# --- rubric checks --------------------------------------------------------------------
# Each check looks at the parsed TOML document and returns what is wrong with one part of
# it; parse_rubric runs every check in RUBRIC_CHECKS and builds a rubric only when none
# finds a problem. A check never stops at the first problem.

RubricCheck = Callable[[Mapping[str, Any]], list[Problem]]


def _problem(message: str) -> Problem:
    """A rubric problem: the error listing it names the rubric, the message its table."""
    return Problem(None, message)


def _table_problems(doc: Mapping[str, Any], key: str) -> list[Problem]:
    value = doc.get(key)
    if value is None:
        return [_problem(f"缺少 [{key}] 表。")]
    if not isinstance(value, dict):
        return [_problem(f"[{key}] 应为一个表。")]
    return []


def _unknown(table: Mapping[str, Any], name: str, allowed: Collection[str]) -> list[Problem]:
    return [
        _problem(f"[{name}] 中的“{key}”无法识别，应为 {'、'.join(allowed)} 之一。")
        for key in table
        if key not in allowed
    ]


def _setting_problems(doc: Mapping[str, Any], table: str) -> list[Problem]:
    """An optional-settings table: present, a table, and nothing but its settings."""
    return _table_problems(doc, table) + _unknown(_section(doc, table), table, tuple(_SETTINGS[table]))


def _ratio_problems(raw: Any, where: str, *, low_open: bool = False) -> list[Problem]:
    if _ratio(raw, low_open=low_open) is not None:
        return []
    bound = "大于 0 且不超过 1" if low_open else "在 0 到 1 之间"
    return [_problem(f"{where} = {raw!r}：应为{bound}的小数。")]


def _points_problems(doc: Mapping[str, Any], name: str, label: str) -> list[Problem]:
    problems = _table_problems(doc, name)
    for key, raw in _section(doc, name).items():
        value = _number(raw)
        if value is None or value <= 0:
            problems.append(_problem(f"[{name}] {key} = {raw!r}：{label}应为正数。"))
        elif not _strip(key):
            problems.append(_problem(f"[{name}] 中有空名称。"))
    if not _points(doc, name) and name in doc:
        problems.append(_problem(f"[{name}] 至少要有一项。"))
    return problems


def check_tables(doc: Mapping[str, Any]) -> list[Problem]:
    """No table the rubric does not know."""
    return [
        _problem(f"无法识别的表 [{key}]，应为 {'、'.join(sorted(_TABLES))} 之一。")
        for key in doc
        if key not in _TABLES
    ]


def check_indicators(doc: Mapping[str, Any]) -> list[Problem]:
    """Indicators with positive full marks, 100 in all."""
    problems = _points_problems(doc, "indicators", "满分")
    indicators = _points(doc, "indicators")
    if indicators and sum(indicators.values()) != 100:
        problems.append(
            _problem(f"[indicators] 各项满分合计为 {float(sum(indicators.values())):g}，应为 100。")
        )
    return problems


def check_sources(doc: Mapping[str, Any]) -> list[Problem]:
    """Evaluation sources with positive weights (normalised later, so any sum will do)."""
    return _points_problems(doc, "sources", "权重")


def _threshold_grade(key: str) -> Grade | None:
    try:
        return parse_grade(key)
    except InvalidInput:
        return None


def check_thresholds(doc: Mapping[str, Any]) -> list[Problem]:
    """A score line for 好, 较好 and 一般, each in (0, 100], falling in that order."""
    problems = _table_problems(doc, "thresholds")
    written = _section(doc, "thresholds")
    lines: dict[Grade, float] = {}
    for key, raw in written.items():
        grade = _threshold_grade(key)
        value = _number(raw)
        if grade is None:
            problems.append(_problem(f"[thresholds] 中的“{key}”不是等级。"))
        elif grade is Grade.POOR:
            problems.append(_problem("[thresholds] 不需要“较差”：低于“一般”分数线的即为较差。"))
        elif value is None or not 0 < value <= 100:
            problems.append(_problem(f"[thresholds] {key} = {raw!r}：分数线应在 0 到 100 之间。"))
        else:
            lines[grade] = float(value)
    if written and all(g in lines for g in _NEEDED_THRESHOLDS):
        good, fair, avg = (lines[g] for g in _NEEDED_THRESHOLDS)
        if not good > fair > avg:
            problems.append(_problem("[thresholds] 分数线应依次降低：好 > 较好 > 一般。"))
    elif written:
        absent = [g.value for g in _NEEDED_THRESHOLDS if g not in lines]
        problems.append(_problem(f"[thresholds] 缺少 {'、'.join(absent)} 的分数线。"))
    return problems


def check_satisfaction(doc: Mapping[str, Any]) -> list[Problem]:
    """The satisfaction minimum is a rate; the cap is a grade below 好."""
    problems = _setting_problems(doc, "satisfaction")
    problems += _ratio_problems(_setting(doc, "satisfaction", "minimum"), "[satisfaction] minimum")
    cap = _setting(doc, "satisfaction", "cap")
    try:
        if parse_grade(cap) is Grade.GOOD:
            problems.append(_problem("[satisfaction] cap 不能是“好”。"))
    except InvalidInput:
        problems.append(_problem(f"[satisfaction] cap = {cap!r}：应为等级。"))
    return problems


def check_veto(doc: Mapping[str, Any]) -> list[Problem]:
    """Veto conditions are a list of distinct non-empty texts."""
    problems = _setting_problems(doc, "veto")
    conditions = _setting(doc, "veto", "conditions")
    if not isinstance(conditions, list | tuple):
        return [*problems, _problem("[veto] conditions 应为文字列表。")]
    seen: set[str] = set()
    for item in conditions:
        if not isinstance(item, str) or not item.strip():
            problems.append(_problem(f"[veto] conditions 中的 {item!r} 应为非空文字。"))
        elif item.strip() in seen:
            problems.append(_problem(f"[veto] conditions 中“{item.strip()}”重复。"))
        else:
            seen.add(item.strip())
    return problems


def check_quota(doc: Mapping[str, Any]) -> list[Problem]:
    """A tolerance, and a share for each of the three bands, summing to 1."""
    problems = _setting_problems(doc, "quota")
    problems += _ratio_problems(_setting(doc, "quota", "tolerance"), "[quota] tolerance")
    shares_raw = _setting(doc, "quota", "shares")
    if not isinstance(shares_raw, Mapping):
        problems.append(_problem("[quota.shares] 应为一个表。"))
        shares_raw = {}
    problems += _unknown(shares_raw, "quota.shares", BANDS)
    shares: dict[str, Fraction] = {}
    for band in BANDS:
        if band not in shares_raw:
            problems.append(_problem(f"[quota.shares] 缺少“{band}”的比例。"))
            continue
        problems += _ratio_problems(shares_raw[band], f"[quota.shares] {band}")
        shares[band] = _ratio(shares_raw[band]) or Fraction(0)
    if len(shares) == len(BANDS) and sum(shares.values()) != 1:
        problems.append(_problem(f"[quota.shares] 三档比例合计为 {float(sum(shares.values())):g}，应为 1。"))
    return problems


def check_backward(doc: Mapping[str, Any]) -> list[Problem]:
    """倒排: a category name and a ratio above 0."""
    problems = _setting_problems(doc, "backward")
    category = _setting(doc, "backward", "category")
    if not isinstance(category, str) or not category.strip():
        problems.append(_problem("[backward] category 应为分类名称，如 农村。"))
    problems += _ratio_problems(_setting(doc, "backward", "ratio"), "[backward] ratio", low_open=True)
    return problems


RUBRIC_CHECKS: tuple[RubricCheck, ...] = (
    check_tables,
    check_indicators,
    check_sources,
    check_thresholds,
    check_satisfaction,
    check_veto,
    check_quota,
    check_backward,
)


def rubric_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a rubric document, check by check in RUBRIC_CHECKS order."""
    return [problem for check in RUBRIC_CHECKS for problem in check(doc)]


def _build(doc: Mapping[str, Any], text: str) -> Rubric:
    """The rubric of a document every check has passed."""
    weights = _points(doc, "sources")
    total_weight = sum(weights.values())
    shares = _setting(doc, "quota", "shares")
    return Rubric(
        indicators=MappingProxyType({k: float(v) for k, v in _points(doc, "indicators").items()}),
        sources=MappingProxyType({k: float(v / total_weight) for k, v in weights.items()}),
        raw_weights=MappingProxyType({k: float(v) for k, v in weights.items()}),
        thresholds=MappingProxyType(
            {parse_grade(k): float(_number(v)) for k, v in _section(doc, "thresholds").items()}  # type: ignore[arg-type]
        ),
        satisfaction_min=_number(_setting(doc, "satisfaction", "minimum")),  # type: ignore[arg-type]
        satisfaction_cap=parse_grade(_setting(doc, "satisfaction", "cap")),
        vetoes=tuple(item.strip() for item in _setting(doc, "veto", "conditions")),
        quota=MappingProxyType({band: _number(shares[band]) for band in BANDS}),  # type: ignore[misc]
        tolerance=_number(_setting(doc, "quota", "tolerance")),  # type: ignore[arg-type]
        backward_category=_setting(doc, "backward", "category").strip(),
        backward_ratio=_number(_setting(doc, "backward", "ratio")),  # type: ignore[arg-type]
        text=text,
    )


def parse_rubric(text: str, origin: str = "评分办法") -> Rubric:
    """Read and validate a rubric; every problem is named, and a bad text yields no rubric."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{origin} 不是有效的 TOML 文件：{exc}。") from None
    problems = rubric_problems(doc)
    if problems:
        raise InvalidInput(f"{origin} 有 {len(problems)} 处错误，未作任何改动：", [str(p) for p in problems])
    return _build(doc, text)


# --- scores ---------------------------------------------------------------------------


def round_score(value: float) -> float:
    """Half up to two places, the way a score sheet is read (89.995 is 90.00).

    The small slack absorbs binary error in a weighted sum such as 0.3×90 + … + 0.3×90.
    """
    return math.floor(value * 100 + 0.5 + 1e-7) / 100


def indicator_points(full: float, points: float | None, deductions: Iterable[float] = ()) -> float:
    """One respondent's points on an indicator: given points (or full marks) less deductions, ≥ 0."""
    base = full if points is None else points
    return max(0.0, base - sum(deductions))


def mean(values: Sequence[float]) -> float:
    """Several respondents for one branch, source and indicator count as their mean."""
    return sum(values) / len(values)


def check_ballot_form(options: Collection[str]) -> None:
    """One ballot uses one set of options; mixing 好/较好/… with 满意/… makes the rate meaningless."""
    if set(options) & set(GRADE_OPTIONS) and set(options) & set(SATISFACTION_OPTIONS):
        raise InvalidInput(
            f"选票混用了两种选项（{'、'.join(options)}），未写入：一份选票只能用 "
            f"{'/'.join(GRADE_OPTIONS)} 或 {'/'.join(SATISFACTION_OPTIONS)} 中的一种。"
        )


def satisfaction_rate(counts: Mapping[str, int]) -> Fraction | None:
    """(好+较好, or 满意+基本满意) over all votes; None when there are no votes at all."""
    total = sum(counts.values())
    if total <= 0:
        return None
    return Fraction(sum(n for option, n in counts.items() if option in FAVOURABLE), total)


def percent(value: Fraction | float) -> str:
    return f"{float(value) * 100:.1f}%"


def threshold_grade(score: float, thresholds: Mapping[Grade, float]) -> Grade:
    """The grade the score reaches, read at two decimal places (exactly 90.00 is 好)."""
    shown = round_score(score)
    for grade in (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE):
        if shown >= thresholds[grade] - 1e-9:
            return grade
    return Grade.POOR


def weighted_total(source_totals: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ weight × source total over the rubric's sources; every source must be present."""
    return sum(w * source_totals[s] for s, w in weights.items())


def weighted_score(cell_points: Mapping[tuple[str, str], float], rubric: Rubric) -> float | None:
    """A branch's weighted total from its points per (source, indicator); None while one is missing.

    This is the rule for one branch (``grade show``); ``jcnian.gradebook.totals`` sums the same
    for every branch at once in SQL, and a property test on random ledgers checks they agree.
    """
    if any((s, i) not in cell_points for s in rubric.sources for i in rubric.indicators):
        return None
    totals = {s: sum(cell_points[(s, i)] for i in rubric.indicators) for s in rubric.sources}
    return weighted_total(totals, rubric.sources)


def missing_parts(present: Mapping[str, Collection[str]], rubric: Rubric) -> list[str]:
    """What keeps a branch from being graded: absent sources, or indicators absent in one."""
    out = []
    for source in rubric.sources:
        have = present.get(source)
        if not have:
            out.append(f"缺{source}")
            continue
        lacking = [i for i in rubric.indicators if i not in have]
        if lacking:
            out.append(f"{source}缺{'、'.join(lacking)}")
    return out


@dataclass(frozen=True)
class Assessment:
    """A branch's score and proposed grade, with every change from the threshold grade."""

    score: float
    threshold: Grade
    proposed: Grade
    changes: tuple[str, ...] = ()


def assess(
    source_totals: Mapping[str, float],
    rubric: Rubric,
    *,
    satisfaction: Fraction | None = None,
    vetoes: Sequence[str] = (),
) -> Assessment:
    """Weighted score → threshold grade → satisfaction cap → veto (each change with its reason)."""
    total = weighted_total(source_totals, rubric.sources)
    return assess_total(total, rubric, satisfaction=satisfaction, vetoes=vetoes)


def assess_total(
    total: float,
    rubric: Rubric,
    *,
    satisfaction: Fraction | None = None,
    vetoes: Sequence[str] = (),
) -> Assessment:
    """``assess`` from a weighted total already summed (by the database, for many branches)."""
    score = round_score(total)
    threshold = threshold_grade(score, rubric.thresholds)
    grade = threshold
    changes: list[str] = []
    cap = rubric.satisfaction_cap
    if satisfaction is not None and satisfaction < rubric.satisfaction_min and grade.rank < cap.rank:
        changes.append(
            f"群众满意率 {percent(satisfaction)} 低于 {percent(rubric.satisfaction_min)}，"
            f"由“{grade}”降为“{cap}”"
        )
        grade = cap
    if vetoes and grade is not Grade.POOR:
        changes.append(f"一票否决（{'、'.join(vetoes)}），由“{grade}”定为“较差”")
        grade = Grade.POOR
    return Assessment(score=score, threshold=threshold, proposed=grade, changes=tuple(changes))


def cap_breaches(
    grade: Grade, rubric: Rubric, *, satisfaction: Fraction | None = None, vetoes: Sequence[str] = ()
) -> list[str]:
    """Why a grade a person sets is above what the rules allow (empty when it is not).

    The same two rules as ``assess_total``: a satisfaction rate below the minimum caps the
    grade (群众满意率低于 90% 不能评为好、较好), and a veto makes it 较差. Every grade set by
    hand (审议、终定、改定、验收后重新评定) is held to them; passing one needs an override.
    """
    reasons = []
    cap = rubric.satisfaction_cap
    if satisfaction is not None and satisfaction < rubric.satisfaction_min and grade.rank < cap.rank:
        reasons.append(
            f"群众满意率 {percent(satisfaction)} 低于 {percent(rubric.satisfaction_min)}，不能评为“{grade}”"
            f"（最高“{cap}”）"
        )
    if vetoes and grade is not Grade.POOR:
        reasons.append(f"有一票否决情形（{'、'.join(vetoes)}），只能定为“较差”")
    return reasons


# --- quota ----------------------------------------------------------------------------


def _tie_position(band: str, priority: Sequence[str]) -> tuple[int, str]:
    return (priority.index(band), "") if band in priority else (len(priority), band)


def largest_remainder(
    n: int, shares: Mapping[str, Fraction], priority: Sequence[str] = TIE_ORDER
) -> dict[str, int]:
    """Whole targets for ``n`` branches: floors of share × n, the rest by largest remainder.

    Equal remainders go to the larger share, then by ``priority`` (see TIE_ORDER), then by
    name, so the result never depends on the order the shares are given in.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    exact = {band: Fraction(share) * n for band, share in shares.items()}
    if any(share < 0 for share in shares.values()) or sum(Fraction(s) for s in shares.values()) != 1:
        raise ValueError("shares must be non-negative and sum to 1")
    targets = {band: math.floor(value) for band, value in exact.items()}
    left = n - sum(targets.values())
    order = sorted(
        shares,
        key=lambda b: (-(exact[b] - targets[b]), -Fraction(shares[b]), _tie_position(b, priority)),
    )
    for band in order[:left]:
        targets[band] += 1
    return {band: targets[band] for band in shares}


@dataclass(frozen=True)
class BandCheck:
    band: str
    target_share: Fraction
    target: int
    min: int
    max: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.min <= self.actual <= self.max

    def as_dict(self) -> dict[str, object]:
        """The band as ``grade quota``'s JSON and the city's roll-up give it (one shape)."""
        return {
            "band": self.band,
            "target_share": float(self.target_share),
            "target": self.target,
            "min": self.min,
            "max": self.max,
            "actual": self.actual,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class QuotaCheck:
    graded: int
    bands: tuple[BandCheck, ...]

    @property
    def ok(self) -> bool:
        return all(b.ok for b in self.bands)


def allowed_range(target: int, share: Fraction, tolerance: Fraction, n: int) -> tuple[int, int]:
    """Counts within ``(share ± tolerance) × n``, always including the target itself."""
    low = min(target, max(0, math.ceil((share - tolerance) * n)))
    high = max(target, min(n, math.floor((share + tolerance) * n)))
    return low, high


def check_quota(grades: Iterable[Grade], shares: Mapping[str, Fraction], tolerance: Fraction) -> QuotaCheck:
    """Per band: target by largest remainder, allowed range, actual count and verdict."""
    return check_counts(Counter(grades), shares, tolerance)


def check_counts(
    per_grade: Mapping[Grade, int], shares: Mapping[str, Fraction], tolerance: Fraction
) -> QuotaCheck:
    """``check_quota`` from how many branches hold each grade."""
    counts: Counter[str] = Counter()
    for grade, number in per_grade.items():
        counts[band_of(grade)] += number
    n = sum(counts.values())
    targets = largest_remainder(n, shares)
    bands = []
    for band in BANDS:
        share = Fraction(shares[band])
        low, high = allowed_range(targets[band], share, tolerance, n)
        bands.append(BandCheck(band, share, targets[band], low, high, counts.get(band, 0)))
    return QuotaCheck(graded=n, bands=tuple(bands))
