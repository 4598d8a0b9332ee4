"""Year over year: each branch's final grade in two campaigns, 升级/降级/持平, new and gone.

The campaign recurs (the seed asks for 长效机制), so a town wants to see which branches moved
since last year. The two campaigns' branches are matched by name and by alias, either way
round (last year's 耀华管桩 is this year's 浙江耀华高翔管桩有限公司党支部 when either year
registered that alias), and the grades are each year's as ``grade list`` shows them now:
the last of 终定, 改定 and 验收后重新评定. The movement is always read from the earlier year to
the later one, whichever of the two the clerk chose first, by the one rule
(``grading.movement``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from jcnian.errors import InvalidInput
from jcnian.gradebook.reads import GradeState, categories, grade_states
from jcnian.grading import movement
from jcnian.ledger import campaign_key, current_campaign, find_campaign, using_campaign
from jcnian.models import BranchAlias, Campaign
from jcnian.names import normalise

MATCHED, NEW, GONE = "两年都有", "新增", "不再有"
UP, DOWN, SAME = "升级", "降级", "持平"
UNGRADED = "未终定"  # matched, but a year has no final grade: no movement


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One branch in the two years; ``name`` is the later year's (the earlier's when gone)."""

    name: str
    category: str
    before_name: str | None  # the earlier year's name, when the branch was there
    before: str | None  # the earlier year's final grade
    after: str | None  # the later year's final grade
    movement: str  # 升级/降级/持平, 未终定, 新增 or 不再有
    matched_by: str | None = None  # 名称 or 别名 for a branch in both years


@dataclass(frozen=True, slots=True)
class CompareCount:
    """What moved in one category (``全部`` for all of them)."""

    category: str
    up: int = 0
    down: int = 0
    same: int = 0
    ungraded: int = 0
    new: int = 0
    gone: int = 0


@dataclass(frozen=True)
class Comparison:
    before: str  # 驿亭镇/2012
    after: str
    rows: list[CompareRow]
    counts: list[CompareCount]  # per category in the vocabulary's order, then 全部


def _aliases(session: Session, campaign: Campaign) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for branch_id, alias in session.exec(
        select(BranchAlias.branch_id, BranchAlias.alias).where(BranchAlias.campaign_id == campaign.id)
    ):
        out.setdefault(branch_id, []).append(alias)
    return out


def _states(session: Session, campaign: Campaign) -> tuple[list[GradeState], dict[int, list[str]]]:
    with using_campaign(session, campaign):
        return list(grade_states(session).values()), _aliases(session, campaign)


def match(
    before: Iterable[GradeState],
    before_aliases: Mapping[int, list[str]],
    after: Iterable[GradeState],
    after_aliases: Mapping[int, list[str]],
) -> list[tuple[GradeState | None, GradeState | None, str | None]]:
    """Pairs (earlier, later, matched by) in the later year's order, then the gone ones.

    A name is matched first (the same name both years), then an alias either way: the
    later name as an earlier alias, the earlier name as a later alias, or an alias both years
    registered. Each branch is matched once; names are compared as ``names.normalise`` gives them.
    """
    before = list(before)
    after = list(after)
    by_name = {normalise(s.name): s for s in before}
    by_alias: dict[str, GradeState] = {}
    for s in before:
        for a in before_aliases.get(s.branch_id, ()):
            by_alias.setdefault(normalise(a), s)
    taken: set[int] = set()
    pairs: list[tuple[GradeState | None, GradeState | None, str | None]] = []
    found: dict[int, tuple[GradeState, str]] = {}
    # Names first, for every branch, so that an alias never takes a branch another name owns.
    for s in after:
        hit = by_name.get(normalise(s.name))
        if hit is not None and hit.branch_id not in taken:
            taken.add(hit.branch_id)
            found[s.branch_id] = (hit, "名称")
    for s in after:
        if s.branch_id in found:
            continue
        keys = [normalise(a) for a in after_aliases.get(s.branch_id, ())]
        candidates = [by_alias.get(normalise(s.name))]
        candidates += [by_name.get(k) for k in keys] + [by_alias.get(k) for k in keys]
        hit = next((c for c in candidates if c is not None and c.branch_id not in taken), None)
        if hit is not None:
            taken.add(hit.branch_id)
            found[s.branch_id] = (hit, "别名")
    for s in after:
        hit, how = found.get(s.branch_id, (None, None))
        pairs.append((hit, s, how))
    pairs += [(s, None, None) for s in before if s.branch_id not in taken]
    return pairs


def _row(before: GradeState | None, after: GradeState | None, how: str | None) -> CompareRow:
    if after is None:
        assert before is not None
        grade = before.final.value if before.final else None
        return CompareRow(before.name, before.category, before.name, grade, None, GONE)
    graded_after = after.final.value if after.final else None
    if before is None:
        return CompareRow(after.name, after.category, None, None, graded_after, NEW)
    graded_before = before.final.value if before.final else None
    moved = movement(graded_before, graded_after) or UNGRADED
    return CompareRow(after.name, after.category, before.name, graded_before, graded_after, moved, how)


_FIELD = {UP: "up", DOWN: "down", SAME: "same", UNGRADED: "ungraded", NEW: "new", GONE: "gone"}


def count(rows: Iterable[CompareRow], vocabulary: Iterable[str]) -> list[CompareCount]:
    """Per category (every one of the vocabulary, then any other a row has), then 全部."""
    tally: dict[str, dict[str, int]] = {c: {} for c in vocabulary}
    total: dict[str, int] = {}
    for r in rows:
        key = _FIELD[r.movement]
        per = tally.setdefault(r.category, {})
        per[key] = per.get(key, 0) + 1
        total[key] = total.get(key, 0) + 1
    return [CompareCount(c, **t) for c, t in tally.items()] + [CompareCount("全部", **total)]


def compare(session: Session, other: str) -> Comparison:
    """The chosen campaign against ``other`` (``驿亭镇/2013``), earlier year first."""
    mine = current_campaign(session)
    theirs = find_campaign(session, other)
    if theirs.id == mine.id:
        raise InvalidInput(f"--with 写的是当前活动 {campaign_key(mine)} 本身，请写另一年度的活动。")
    if theirs.year == mine.year:
        raise InvalidInput(
            f"{campaign_key(mine)} 与 {campaign_key(theirs)} 是同一年度，升级、降级要比较不同年度的活动。"
        )
    early, late = sorted((mine, theirs), key=lambda c: c.year)
    before, before_aliases = _states(session, early)
    after, after_aliases = _states(session, late)
    rows = [_row(b, a, how) for b, a, how in match(before, before_aliases, after, after_aliases)]
    return Comparison(campaign_key(early), campaign_key(late), rows, count(rows, categories(session)))
