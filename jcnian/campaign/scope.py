"""Narrowing a long list to one branch, one category or one phase.

What ``--branch``, ``--category`` and ``--phase`` of ``overdue``, ``lagging``, ``problem list``,
``project list`` and ``report missing`` mean, decided once: names are resolved as everywhere
else (a unique part of a branch's name, a category of the ledger, a phase by code or label),
and a row is kept when its ``branch`` (and ``phase``, where rows have one) is in scope.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from jcnian import phases
from jcnian.ledger import find_branch, list_branches

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """The branches (None: all) and the phase label (None: all) a list is narrowed to, with
    the branch and category asked for."""

    branches: frozenset[str] | None = None
    branch: str | None = None
    category: str | None = None
    phase: str | None = None

    def keep(self, branch: str, phase: str | None = None) -> bool:
        return (self.branches is None or branch in self.branches) and (
            self.phase is None or phase is None or phase == self.phase
        )

    def covers_town(self, rule: str, phase: str) -> bool:
        """Whether a town-wide row (a dated rule of one category, as 非公企业全覆盖) is in scope:
        not when one branch was asked for, nor another category or phase."""
        return (
            self.branch is None
            and self.category in (None, phases.RULE_CATEGORY[rule])
            and self.phase in (None, phase)
        )

    def narrow(self, rows: Iterable[T]) -> list[T]:
        """The rows in scope, in their order (rows carry ``branch`` and maybe ``phase``)."""
        return [r for r in rows if self.keep(r.branch, getattr(r, "phase", None))]  # type: ignore[attr-defined]


def phase_label(text: str) -> str:
    """A phase (code, label or the seed's other name) or 其他要求 (other), as rows label it."""
    key = text.strip()
    if key in (phases.OTHER, phases.OTHER_LABEL):
        return phases.OTHER_LABEL
    return phases.PHASE_LABELS[phases.parse_phase(key)]


def resolve(
    session: Session, branch: str | None = None, category: str | None = None, phase: str | None = None
) -> Scope:
    """The scope the options name; an unknown branch, category or phase is refused as elsewhere."""
    names: set[str] | None = None
    one = find_branch(session, branch).name if branch else None
    if one:
        names = {one}
    if category:
        in_category = {b.name for b in list_branches(session, category)}
        names = in_category if names is None else names & in_category
    return Scope(
        branches=None if names is None else frozenset(names),
        branch=one,
        category=category.strip() if category else None,
        phase=phase_label(phase) if phase else None,
    )


def scoped(
    session: Session,
    rows_of: Callable[..., Iterable[T]],
    *args: Any,
    branch: str | None = None,
    category: str | None = None,
    phase: str | None = None,
    **kwargs: Any,
) -> list[T]:
    """Call a listing function with the session and keep the rows in scope (one transaction)."""
    scope = resolve(session, branch, category, phase)
    return scope.narrow(rows_of(session, *args, **kwargs))
