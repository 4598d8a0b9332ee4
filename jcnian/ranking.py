"""Pure rules of ranking (seed, 三、三 and the 30/60/10 quota): forced bands and 倒排.

``grade suggest`` places branches into the quota's bands by rank and ``grade backward``
takes the lowest share of a category; both are functions of (key, score) pairs with no
database, and neither ever splits equal scores silently: a tie across a cut is reported.
"""

import math
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from jcnian.grading import BANDS, round_score

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Tie:
    """Branches with equal scores across a cut line, and the places they compete for."""

    size: int
    places: dict[str, int]


@dataclass(frozen=True)
class Placement(Generic[K]):
    key: K
    score: float
    rank: int
    band: str | None  # None when the branch is in a tie across a cut line
    tie: Tie | None = None


def forced_bands(
    entries: Sequence[tuple[K, float]], targets: Mapping[str, int], *, last: Collection[K] = ()
) -> list[Placement[K]]:
    """Bands a forced distribution by rank would give: best scores fill 好+较好 first.

    Branches in ``last`` (vetoed ones) rank below all others. Equal scores that straddle a
    cut line are returned as one tie with the places per band, never split.
    """
    if sum(targets.values()) != len(entries):
        raise ValueError("targets must add up to the number of entries")
    ranked = sorted(entries, key=lambda e: (e[0] in last, -round_score(e[1])))
    slots = [band for band in BANDS for _ in range(targets.get(band, 0))]
    out: list[Placement[K]] = []
    i = 0
    while i < len(ranked):
        j = i
        group_key = (ranked[i][0] in last, round_score(ranked[i][1]))
        while j < len(ranked) and (ranked[j][0] in last, round_score(ranked[j][1])) == group_key:
            j += 1
        places = Counter(slots[i:j])
        tie = Tie(size=j - i, places=dict(places)) if len(places) > 1 else None
        for key, score in ranked[i:j]:
            out.append(Placement(key, score, i + 1, None if tie else slots[i], tie))
        i = j
    return out


def round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def backward_count(ratio: Fraction, population: int) -> int:
    """How many branches the 倒排 takes: ratio × population, rounded half up (10% of 16 → 2)."""
    return min(round_half_up(Fraction(ratio) * population), population)


@dataclass(frozen=True)
class Backward(Generic[K]):
    key: K
    score: float
    rank: int  # 倒数第 rank 名; equal scores share it
    tie: bool  # an equal score at the cut line brought this branch in beyond the count


def backward_cut(
    entries: Sequence[tuple[K, float]], ratio: Fraction, population: int | None = None
) -> list[Backward[K]]:
    """倒排: the lowest ``ratio`` × population (rounded half up), with every tie at the cut."""
    size = len(entries) if population is None else population
    count = min(backward_count(ratio, size), len(entries))
    if count <= 0:
        return []
    ranked = sorted(entries, key=lambda e: round_score(e[1]))
    cut = round_score(ranked[count - 1][1])
    chosen = [e for e in ranked if round_score(e[1]) <= cut]
    tied = len(chosen) > count
    out: list[Backward[K]] = []
    rank = 0
    previous: float | None = None
    for position, (key, score) in enumerate(chosen, start=1):
        shown = round_score(score)
        if shown != previous:
            rank, previous = position, shown
        out.append(Backward(key, score, rank, tied and shown == cut))
    return out
