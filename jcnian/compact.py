"""Holding a city's rows in memory once: folded per branch as they stream, repeated values shared.

A ledger of 100,000 branches gives the monthly export 400,000 ballots, 200,000 grade events and
hundreds of thousands of dated records. Each row the driver hands over is a fresh tuple with
fresh copies of its texts and dates, though most of them repeat (the same few dates, steps,
months and kinds in every branch). Kept as read, they cost the export more than every sheet
it writes (issue 16: 589 MB, target < 300 MB); folded and shared, a few MB.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

T = TypeVar("T", bound=Hashable)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def folded(
    rows: Iterable[tuple[Any, ...]], fold: Callable[[Iterator[tuple[Any, ...]]], Any]
) -> dict[Any, Any]:
    """Rows ordered by their first column (a branch id), each run of one key folded into one
    value as the rows stream past: only what the fold keeps of them is ever held."""
    return {key: fold(run) for key, run in groupby(rows, key=itemgetter(0))}


class Shared:
    """One object for each distinct value: ``same(v)`` returns the first value equal to ``v``
    seen by this instance. For values that repeat across branches (dates, kinds, months, whole
    tuples of them); it holds each distinct value, so make one per read and let it go."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: T) -> T:
        return self._seen.setdefault(value, value)  # type: ignore[no-any-return]

    def by(self, key: K, make: Callable[[K], V]) -> V:
        """The value kept for ``key``, made by ``make(key)`` the first time: for values that
        cannot be hashed themselves (read-only maps). Keep such keys apart from plain values:
        one instance for each kind."""
        if key not in self._seen:
            self._seen[key] = make(key)
        return self._seen[key]  # type: ignore[no-any-return]
