"""分类定级 as the ledger holds it: the rubric in force, each branch's state, quota, ranks.

The rules live in jcnian.grading and jcnian.ranking; this module feeds them from the
database. Current grades are never stored as a column: they are derived from the
GradeEvent rows (proposed → deliberated → final → published → changed/regraded), so the
history is the single source of truth and nothing a clerk decided is overwritten.

Writing lives beside it: scores, ballots and vetoes in jcnian.gradebook.entry, the committee's
steps in jcnian.gradebook.steps; the SQL sums over the score tables in jcnian.gradebook.totals.
"""

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, select

from jcnian.campaign.tables import GateOverride
from jcnian.compact import Shared, folded
from jcnian.data_files import default_rubric_text
from jcnian.errors import InvalidInput, NotFound
from jcnian.gradebook.tables import Ballot, GradeEvent, RubricVersion, Veto
from jcnian.gradebook.totals import SourceTotals, present_parts, weighted_totals
from jcnian.grading import (
    MIDDLE_BAND,
    TOP_BAND,
    Grade,
    QuotaCheck,
    Rubric,
    assess_total,
    band_of,
    check_counts,
    largest_remainder,
    missing_parts,
    parse_rubric,
    round_score,
    satisfaction_rate,
    threshold_grade,
)
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Branch, Category
from jcnian.ranking import Tie, backward_count, backward_cut, forced_bands

FINAL_STEPS = ("final", "changed", "regraded")
# session.info[(_RUBRIC_KEY, campaign id)]: (row id, parsed rubric) of the rubric in force
_RUBRIC_KEY = "jcnian.rubric"


# --- rubric ---------------------------------------------------------------------------


def rubric_row(session: Session) -> RubricVersion:
    """The ledger's newest rubric row; the shipped default is stored on first use."""
    campaign = current_campaign(session)
    row = session.exec(
        select(RubricVersion)
        .where(RubricVersion.campaign_id == campaign.id)
        .order_by(RubricVersion.id.desc())  # type: ignore[union-attr]
    ).first()
    if row is None:
        row = RubricVersion(campaign_id=campaign.id, content=default_rubric_text())  # type: ignore[arg-type]
        session.add(row)
        session.flush()
    return row


def _in_force(session: Session) -> tuple[int, Rubric]:
    """Read and parse once per session: entering a campaign's scores calls this hundreds of times."""
    key = (_RUBRIC_KEY, current_campaign(session).id)
    cached = session.info.get(key)
    if cached is None:
        row = rubric_row(session)
        cached = session.info[key] = (row.id, parse_rubric(row.content, "账本中的评分办法"))
    return cached


def current_rubric(session: Session) -> Rubric:
    """The rubric in force for the ledger; the shipped default is stored on first use."""
    return _in_force(session)[1]


def current_rubric_id(session: Session) -> int:
    """The id of the rubric row in force, which each recorded proposal names."""
    return _in_force(session)[0]


def remember_rubric(session: Session, row_id: int, rubric: Rubric) -> None:
    """Make a rubric just set the one in force for the rest of the session."""
    session.info[(_RUBRIC_KEY, current_campaign(session).id)] = (row_id, rubric)


# --- branches and categories ----------------------------------------------------------


def lookup_branch(session: Session, ref: str | int) -> Branch:
    """A branch by id (from another step of the program) or by the name a clerk typed."""
    if isinstance(ref, int):
        branch = session.get(Branch, ref)
        if branch is None or branch.campaign_id != current_campaign(session).id:
            raise NotFound(f"找不到编号为 {ref} 的党组织。")
        return branch
    return find_branch(session, ref)


def categories(session: Session) -> list[str]:
    return list(session.exec(select(Category.name).order_by(Category.seq)).all())


def _category_name(session: Session, query: str) -> str:
    names = categories(session)
    key = query.strip()
    if key not in names:
        raise InvalidInput(f"分类“{query}”不存在，应为 {'/'.join(names)} 之一。")
    return key


# --- each branch's state --------------------------------------------------------------


_NOTHING: Mapping[str, Any] = MappingProxyType({})  # shared by every state without entries


@dataclass(frozen=True, slots=True)
class GradeState:
    """Where one branch stands in 分类定级, derived from its scores and grade events.

    Immutable: a step that moves a branch makes a new state (``dataclasses.replace``), and
    the flags are worked out from the state when they are read. The fields from ``final``
    on come from the grade events, in the order _history gives them.
    """

    branch_id: int
    name: str
    category: str
    seq: int
    score: float | None = None  # weighted total, two places; None while incomplete
    proposed: Grade | None = None
    threshold: Grade | None = None
    changes: tuple[str, ...] = ()
    source_totals: Mapping[str, float] = field(default_factory=lambda: _NOTHING)  # with detail=True
    missing: tuple[str, ...] = ()
    satisfaction: Fraction | None = None
    vetoes: tuple[str, ...] = ()
    final: Grade | None = None
    initial: Grade | None = None  # the first final grade (分类定级), before any re-grade
    deliberated: Grade | None = None
    published: Grade | None = None
    published_on: date | None = None
    recorded: tuple[float | None, str | None] | None = None  # the last recorded proposal
    override: str | None = None  # the reason a gate was passed for the current final grade
    republish: bool = False  # the final grade changed after it was published

    @property
    def counted(self) -> Grade | None:
        """The grade the quota counts: final where there is one, the proposal otherwise."""
        return self.final or self.proposed

    @property
    def flags(self) -> tuple[str, ...]:
        """What ``grade list`` shows beside the branch (flags_of)."""
        return flags_of(self)


def _rows(session: Session, stmt: object) -> Iterator[tuple]:  # type: ignore[type-arg]
    """Core rows (not ORM objects), streamed: reading 100,000 events must neither build 100,000
    objects nor hold the driver's rows beside the ones kept (a server-side cursor on PostgreSQL)."""
    from jcnian.db import streamed

    return streamed(session, stmt)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building one object per branch.

    The objects hold no cycles; with 100,000 branches the collector's repeated passes over
    them cost a quarter of ``grade_states``. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def grade_states(
    session: Session, category: str | None = None, *, detail: bool = False, as_of: date | None = None
) -> dict[int, GradeState]:
    """Every branch's score, proposed and final grade and flags, keyed by branch id (seed order).

    ``detail`` also fills each source's total, for lists; grading itself needs only the
    weighted total.

    ``as_of``: the ledger as it stood that day. Only grade events dated on or before it count
    (an event's date is its ``on``, or the day it was entered when it has none). Scores and
    ballots carry no date of their own, so for a past day (before today) the score and the
    proposed grade are those of the last proposal recorded by then (``grade compute``), and a
    branch with no proposal by then is unscored; on today or later, or with no ``as_of``, the
    scores are read as they are now.
    """
    with paused_gc():
        return _grade_states(session, category, detail, as_of)


def recorded_only(as_of: date | None) -> bool:
    """Whether a read as of ``as_of`` takes scores from the recorded proposals (a past day)."""
    return as_of is not None and as_of < date.today()


def event_dated_by(as_of: date) -> Any:
    """The SQL condition: a grade event dated on or before ``as_of``."""
    from datetime import UTC, datetime, time, timedelta

    from sqlalchemy import and_, or_

    next_day = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
    return or_(
        GradeEvent.on <= as_of,  # type: ignore[operator]
        and_(GradeEvent.on.is_(None), GradeEvent.at < next_day),  # type: ignore[union-attr]
    )


def _as_recorded(
    base: tuple[Any, ...],
    history: tuple[Any, ...],
    rubric: Rubric,
    satisfaction: Any,
    vetoed: tuple[str, ...],
    by_source: Any,
) -> GradeState:
    """A past day's state: the score and proposal as the last proposal by then recorded them."""
    recorded = history[5]
    score, grade = recorded if recorded is not None else (None, None)
    if score is None:
        return GradeState(*base, None, None, None, (), _NOTHING, (), None, vetoed, *history)
    proposed = Grade(grade) if grade else None
    threshold = threshold_grade(score, rubric.thresholds)
    changes: tuple[str, ...] = ()
    if satisfaction is not None or vetoed:
        result = assess_total(score, rubric, satisfaction=satisfaction, vetoes=vetoed)
        if result.proposed == proposed:
            changes = result.changes
    return GradeState(
        *base, score, proposed, threshold, changes, by_source, (), satisfaction, vetoed, *history
    )


def _grade_states(
    session: Session, category: str | None, detail: bool, as_of: date | None = None
) -> dict[int, GradeState]:
    rubric = current_rubric(session)
    campaign = current_campaign(session)
    in_campaign = Branch.campaign_id == campaign.id
    cat_names = dict(_rows(session, select(Category.id, Category.name)))
    stmt = select(Branch.id, Branch.name, Branch.seq, Branch.category_id).where(in_campaign)
    if category is not None:
        wanted = _category_name(session, category)
        stmt = stmt.where(Branch.category_id == next(k for k, v in cat_names.items() if v == wanted))
    rows = sorted(map(tuple, _rows(session, stmt)), key=itemgetter(2))  # the seed's order
    totals = weighted_totals(session, rubric, campaign.id, detail=detail)  # type: ignore[arg-type]
    same = Shared()
    satisfaction_of = folded(
        _rows(
            session,
            select(Ballot.branch_id, Ballot.option, Ballot.count)
            .join(Branch)
            .where(in_campaign)
            .order_by(Ballot.branch_id, Ballot.id),  # type: ignore[arg-type]
        ),
        lambda run: same(satisfaction_rate({option: count for _, option, count in run})),
    )
    vetoes = folded(
        _rows(
            session,
            select(Veto.branch_id, Veto.condition)
            .join(Branch)
            .where(in_campaign)
            .order_by(Veto.branch_id, Veto.id),  # type: ignore[arg-type]
        ),
        lambda run: tuple(same(condition) for _, condition in run),
    )
    histories = folded(
        _rows(
            session,
            select(
                GradeEvent.branch_id,
                GradeEvent.step,
                GradeEvent.grade,
                GradeEvent.score,
                GradeEvent.on,
                GateOverride.reason,
            )
            .join(Branch, GradeEvent.branch_id == Branch.id)  # type: ignore[arg-type]
            .join(GateOverride, GradeEvent.override_id == GateOverride.id, isouter=True)  # type: ignore[arg-type]
            .where(in_campaign, *([event_dated_by(as_of)] if as_of is not None else []))
            .order_by(GradeEvent.branch_id, GradeEvent.id),  # type: ignore[arg-type]
        ),
        lambda run: _history(run, same),
    )
    past = recorded_only(as_of)
    expected = len(rubric.sources) * len(rubric.indicators)
    incomplete = [] if past else [bid for bid, *_ in rows if totals.counts.get(bid, 0) != expected]
    present = present_parts(session, incomplete) if incomplete else {}
    sources = tuple(rubric.sources)
    states: dict[int, GradeState] = {}
    # Each branch's inputs are let go as its state is made: the states grow as they shrink.
    for bid, name, seq, cat in rows:
        vetoed = vetoes.pop(bid, ())
        by_source = _NOTHING
        if detail and bid in totals.by_source:
            values = totals.by_source.pop(bid)
            by_source = SourceTotals(sources, tuple(None if v is None else round_score(v) for v in values))
        history = histories.pop(bid, _NO_HISTORY)
        if past:
            satisfaction = satisfaction_of.pop(bid, None)
            base = (bid, name, cat_names[cat], seq)
            states[bid] = _as_recorded(base, history, rubric, satisfaction, vetoed, by_source)
            continue
        # Positional: the frozen __init__ takes keyword arguments a third slower, and this
        # runs once per branch (100,000 in bench/bench_grading.py).
        if totals.counts.get(bid, 0) != expected:
            missing = tuple(missing_parts(present.get(bid, {}), rubric))
            states[bid] = GradeState(
                bid,
                name,
                cat_names[cat],
                seq,
                None,
                None,
                None,
                (),
                by_source,
                missing,
                None,
                vetoed,
                *history,
            )
            continue
        satisfaction = satisfaction_of.pop(bid, None)
        if satisfaction is None and not vetoed:
            # Nothing can change the threshold grade: skip building an Assessment.
            score = round_score(totals.weighted[bid])
            threshold = proposed = threshold_grade(score, rubric.thresholds)
            changes: tuple[str, ...] = ()
        else:
            result = assess_total(totals.weighted[bid], rubric, satisfaction=satisfaction, vetoes=vetoed)
            score, threshold, proposed, changes = (
                result.score,
                result.threshold,
                result.proposed,
                result.changes,
            )
        states[bid] = GradeState(
            bid,
            name,
            cat_names[cat],
            seq,
            score,
            proposed,
            threshold,
            changes,
            by_source,
            (),
            satisfaction,
            vetoed,
            *history,
        )
    return states


_NO_HISTORY = (None, None, None, None, None, None, None, False)  # a branch without grade events


def _history(events: Iterable[tuple], same: Callable[[Any], Any] = lambda v: v) -> tuple:  # type: ignore[type-arg]
    """A branch's grade events (branch id first), oldest first, as GradeState's last eight fields
    (final … republish). ``same`` shares the texts and dates that repeat across branches."""
    final = initial = deliberated = published = published_on = recorded = override = None
    republish = False
    for _branch, step, grade, score, on, reason in events:
        if step == "proposed":
            recorded = (score, same(grade))
        elif step == "deliberated":
            deliberated = Grade(grade)
        elif step in FINAL_STEPS:
            final = Grade(grade)
            if step == "final" and initial is None:
                initial = final
            override = same(reason)
            republish = published is not None and final != published
        elif step == "published":
            published, published_on = Grade(grade), same(on)
            republish = False
    return final, initial, deliberated, published, published_on, recorded, override, republish


def flags_of(state: GradeState) -> tuple[str, ...]:
    """What ``grade list`` shows beside a branch: gaps, changes and their reasons, open steps."""
    flags = []
    if state.missing:
        flags.append("未完成：" + "；".join(state.missing))
    flags.extend(state.changes)
    if state.vetoes and not any(c.startswith("一票否决") for c in state.changes):
        flags.append(f"一票否决（{'、'.join(state.vetoes)}）")
    if state.recorded is not None and state.recorded != (
        state.score,
        state.proposed.value if state.proposed else None,
    ):
        flags.append("评分在上次 grade compute 之后有变动")
    if state.override:
        flags.append(f"越过检查：{state.override}")
    if state.republish:
        flags.append("公开后等级有改动，尚未重新公开")
    elif state.published_on is not None:
        flags.append(f"已公开（{state.published_on.isoformat()}）")
    return tuple(flags)


# --- quota ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaReport:
    overall: QuotaCheck
    categories: dict[str, QuotaCheck]

    @property
    def ok(self) -> bool:
        return self.overall.ok and all(c.ok for c in self.categories.values())


def quota_of(states: Iterable[GradeState], rubric: Rubric, all_categories: Sequence[str]) -> QuotaReport:
    """The quota check over the counted grades, overall and per category (empty ones too)."""
    tally: Counter[tuple[str, Grade]] = Counter()
    for s in states:
        if s.counted is not None:
            tally[(s.category, s.counted)] += 1
    by_cat: dict[str, Counter[Grade]] = {c: Counter() for c in all_categories}
    overall: Counter[Grade] = Counter()
    for (category, grade), number in tally.items():
        by_cat.setdefault(category, Counter())[grade] += number
        overall[grade] += number
    return QuotaReport(
        check_counts(overall, rubric.quota, rubric.tolerance),
        {c: check_counts(g, rubric.quota, rubric.tolerance) for c, g in by_cat.items()},
    )


def quota_report(session: Session, category: str | None = None, as_of: date | None = None) -> QuotaReport:
    """``grade quota``: over all branches and per category, or one category alone (as of a day)."""
    rubric = current_rubric(session)
    states = grade_states(session, category, as_of=as_of).values()
    cats = [_category_name(session, category)] if category else categories(session)
    return quota_of(states, rubric, cats)


# --- suggest and backward -------------------------------------------------------------


@dataclass(frozen=True)
class SuggestEntry:
    branch: str
    category: str
    score: float
    rank: int
    threshold: Grade
    current: Grade
    band: str | None  # the band a forced distribution gives; None inside a tie
    suggested: Grade | None
    tie: Tie | None
    vetoed: bool

    @property
    def moved(self) -> bool:
        return self.band is not None and self.band != band_of(self.current)


@dataclass(frozen=True)
class SuggestReport:
    targets: dict[str, int]
    entries: list[SuggestEntry]
    ungraded: list[str]


def _band_grade(band: str, threshold: Grade) -> Grade:
    if band == TOP_BAND:
        return threshold if threshold in (Grade.GOOD, Grade.FAIRLY_GOOD) else Grade.FAIRLY_GOOD
    return Grade.AVERAGE if band == MIDDLE_BAND else Grade.POOR


def suggest(session: Session, category: str | None = None, as_of: date | None = None) -> SuggestReport:
    """The bands a forced distribution by score would give, beside the current grades."""
    rubric = current_rubric(session)
    states = list(grade_states(session, category, as_of=as_of).values())
    graded = [s for s in states if s.score is not None and s.counted is not None]
    targets = largest_remainder(len(graded), rubric.quota)
    by_id = {s.branch_id: s for s in graded}
    placements = forced_bands(
        [(s.branch_id, s.score) for s in graded],  # type: ignore[misc]
        targets,
        last={s.branch_id for s in graded if s.vetoes},
    )
    entries = []
    for p in placements:
        s = by_id[p.key]
        assert s.threshold is not None and s.counted is not None
        entries.append(
            SuggestEntry(
                s.name,
                s.category,
                p.score,
                p.rank,
                s.threshold,
                s.counted,
                p.band,
                _band_grade(p.band, s.threshold) if p.band else None,
                p.tie,
                bool(s.vetoes),
            )
        )
    return SuggestReport(targets, entries, [s.name for s in states if s.score is None])


@dataclass(frozen=True)
class BackwardEntry:
    branch_id: int
    name: str
    score: float
    tie: bool
    rank: int = 0
    grade: Grade | None = None


@dataclass(frozen=True)
class BackwardReport:
    category: str
    ratio: Fraction
    population: int  # branches in the category
    count: int  # ratio × population, rounded half up
    entries: list[BackwardEntry]
    unscored: list[str]
    ungraded: list[str] = field(default_factory=list)  # branches of the category without a final grade

    @property
    def complete(self) -> bool:
        """The list stands once every branch of the category has its final grade (组织考评);
        until then it is 不完整 and no branch is held to an 一村一策 plan by it."""
        return not self.ungraded


def backward_report(
    session: Session, all_states: Iterable[GradeState] | None = None, as_of: date | None = None
) -> BackwardReport:
    """倒排 (seed 三、三): the bottom share of the rubric's category by score, ties at the cut kept.

    ``all_states``: every branch's grade state, when the caller has them already.
    """
    rubric = current_rubric(session)
    known = categories(session)
    if rubric.backward_category not in known:
        raise InvalidInput(f"评分办法 [backward] 的分类“{rubric.backward_category}”不存在。")
    if all_states is None:
        states = list(grade_states(session, rubric.backward_category, as_of=as_of).values())
    else:
        states = [s for s in all_states if s.category == rubric.backward_category]
    scored = [s for s in states if s.score is not None]
    by_id = {s.branch_id: s for s in scored}
    cut = backward_cut([(s.branch_id, s.score) for s in scored], rubric.backward_ratio, len(states))  # type: ignore[misc]
    entries = [
        BackwardEntry(c.key, by_id[c.key].name, c.score, c.tie, c.rank, by_id[c.key].counted) for c in cut
    ]
    count = backward_count(rubric.backward_ratio, len(states))
    return BackwardReport(
        rubric.backward_category,
        rubric.backward_ratio,
        len(states),
        count,
        entries,
        [s.name for s in states if s.score is None],
        [s.name for s in states if s.final is None],
    )


def backward_list(session: Session) -> list[BackwardEntry]:
    """The 后进党组织 list other steps (整顿转化, 一村一策) work from."""
    return backward_report(session).entries
