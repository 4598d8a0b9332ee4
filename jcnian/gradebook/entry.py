"""What clerks enter for 分类定级: the rubric, scores, deductions, ballots and vetoes.

Every entry is keyed by what a survey import would key it by, so typing a value again, by
hand or from a file, replaces it (and says what it held) instead of adding a second one.
Respondents are identified as the survey import identifies them (jcnian.names.normalise):
"张 三" typed at the prompt and "张三" read from a spreadsheet are one respondent.
"""

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from jcnian import rows
from jcnian.errors import InvalidInput, NotFound
from jcnian.gradebook.reads import current_rubric, lookup_branch, remember_rubric, rubric_row
from jcnian.gradebook.tables import Ballot, Deduction, RubricVersion, Score, Veto
from jcnian.grading import (
    Rubric,
    check_ballot_form,
    indicator_points,
    mean,
    parse_ballot_option,
    parse_rubric,
    percent,
    round_score,
    satisfaction_rate,
    weighted_score,
)
from jcnian.ledger import current_campaign
from jcnian.models import Branch, Category
from jcnian.names import normalise, pick

# --- rubric ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricChange:
    rubric: Rubric
    changed: bool
    orphans: list[str]  # entered scores whose source or indicator the new rubric lacks


def set_rubric(session: Session, content: str, origin: str) -> RubricChange:
    """Replace the rubric after validating it; the old one stays in the ledger's history."""
    rubric = parse_rubric(content, origin)
    row = rubric_row(session)
    if row.content == content:
        return RubricChange(rubric, False, [])
    new = RubricVersion(campaign_id=row.campaign_id, content=content)
    session.add(new)
    session.flush()
    remember_rubric(session, new.id, rubric)  # type: ignore[arg-type]
    return RubricChange(rubric, True, _orphans(session, rubric))


def _orphans(session: Session, rubric: Rubric) -> list[str]:
    campaign = current_campaign(session)
    found = []
    for model, label in ((Score, "评分"), (Deduction, "扣分")):
        rows = session.exec(
            select(model.source, model.indicator)  # type: ignore[attr-defined]
            .join(Branch, Branch.id == model.branch_id)  # type: ignore[attr-defined]
            .where(Branch.campaign_id == campaign.id)
            .distinct()
        ).all()
        for source, indicator in rows:
            if source not in rubric.sources or indicator not in rubric.indicators:
                found.append(f"{label}：{source} / {indicator}")
    return sorted(set(found))


def rubric_as_dict(rubric: Rubric) -> dict[str, object]:
    """The rubric as plain data, for ``grade rubric show --format json``."""
    return {
        "indicators": dict(rubric.indicators),
        "sources": {s: {"weight": rubric.raw_weights[s], "share": w} for s, w in rubric.sources.items()},
        "thresholds": {g.value: v for g, v in rubric.thresholds.items()},
        "satisfaction": {"minimum": float(rubric.satisfaction_min), "cap": rubric.satisfaction_cap.value},
        "vetoes": list(rubric.vetoes),
        "quota": {
            "shares": {b: float(s) for b, s in rubric.quota.items()},
            "tolerance": float(rubric.tolerance),
        },
        "backward": {"category": rubric.backward_category, "ratio": float(rubric.backward_ratio)},
    }


# --- scores and deductions ------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """Where one record belongs: a branch, a source and an indicator of the rubric, a respondent."""

    branch: Branch
    source: str
    indicator: str
    respondent: str

    @property
    def key(self) -> dict[str, Any]:
        return {
            "branch_id": self.branch.id,
            "source": self.source,
            "indicator": self.indicator,
            "respondent": self.respondent,
        }


def _cell(
    session: Session, rubric: Rubric, branch: str | int, source: str, indicator: str, respondent: str
) -> _Cell:
    """What the clerk typed, resolved: names by a unique part, the respondent as the import keys it."""
    return _Cell(
        lookup_branch(session, branch),
        pick(source, rubric.sources, "评价主体"),
        pick(indicator, rubric.indicators, "指标"),
        normalise(respondent),
    )


def _put(
    session: Session, model: type[Score] | type[Deduction], key: Mapping[str, Any], points: float
) -> float | None:
    """Insert or replace one record's points, returning what it held before.

    A value typed by hand is no longer the survey import's, so a later re-import asks
    before overwriting it.
    """
    row = rows.find(session, model, key)
    previous = row.points if row else None
    rows.write(session, model, row, key, {"points": points, "import_id": None})
    session.flush()
    return previous


def _require_finite(points: float, what: str) -> None:
    """NaN slips past every comparison and would reach the database as an integrity error."""
    if not math.isfinite(points):
        raise InvalidInput(f"{what} {points} 不是有效的数字，请填写具体分值。")


@dataclass(frozen=True)
class ScoreEntry:
    branch: str
    source: str
    indicator: str
    respondent: str
    points: float  # points given, or the deduction's points
    item: str | None = None  # the deduction's item; None for points
    previous: float | None = None  # what the same record held before (replaced)


def enter_score(
    session: Session, branch: str | int, source: str, indicator: str, points: float, respondent: str = ""
) -> ScoreEntry:
    """Points on one indicator from one source (and respondent); a second entry replaces the first."""
    rubric = current_rubric(session)
    cell = _cell(session, rubric, branch, source, indicator, respondent)
    full = rubric.indicators[cell.indicator]
    _require_finite(points, "得分")
    if not 0 <= points <= full:
        raise InvalidInput(f"{cell.indicator} 的得分 {points:g} 超出范围，应在 0 到 {full:g} 之间。")
    previous = _put(session, Score, cell.key, points)
    return ScoreEntry(cell.branch.name, cell.source, cell.indicator, cell.respondent, points, None, previous)


def enter_deduction(
    session: Session,
    branch: str | int,
    source: str,
    indicator: str,
    points: float,
    item: str,
    respondent: str = "",
) -> ScoreEntry:
    """逐项扣分: one item off an indicator (from full marks, or from points given); same item replaces."""
    rubric = current_rubric(session)
    cell = _cell(session, rubric, branch, source, indicator, respondent)
    item = item.strip()
    if not item:
        raise InvalidInput("扣分须用 --item 写明扣分事项。")
    _require_finite(points, "扣分")
    if points <= 0:
        raise InvalidInput(f"扣分 {points:g} 无效，应为正数。")
    full = rubric.indicators[cell.indicator]
    if points > full:
        raise InvalidInput(
            f"扣分 {points:g} 超过 {cell.indicator} 的满分 {full:g}，应在 0 到 {full:g} 之间。"
        )
    previous = _put(session, Deduction, {**cell.key, "item": item}, points)
    return ScoreEntry(cell.branch.name, cell.source, cell.indicator, cell.respondent, points, item, previous)


@dataclass(frozen=True)
class ClearResult:
    branch: str
    source: str
    indicator: str
    respondent: str
    points: float | None
    deductions: list[tuple[str, float]]


def clear_score(
    session: Session, branch: str | int, source: str, indicator: str, respondent: str = ""
) -> ClearResult:
    """Remove the points and deductions of one record, reporting what was removed."""
    cell = _cell(session, current_rubric(session), branch, source, indicator, respondent)
    score = rows.find(session, Score, cell.key)
    deductions = session.exec(rows.matching(Deduction, cell.key)).all()
    if score is None and not deductions:
        raise NotFound(f"{cell.branch.name} 的 {cell.source} / {cell.indicator} 没有可清除的记录。")
    result = ClearResult(
        cell.branch.name,
        cell.source,
        cell.indicator,
        cell.respondent,
        score.points if score else None,
        [(d.item, d.points) for d in deductions],
    )
    if score is not None:
        session.delete(score)
    for d in deductions:
        session.delete(d)
    session.flush()
    return result


# --- ballots and vetoes ---------------------------------------------------------------


@dataclass(frozen=True)
class BallotEntry:
    branch: str
    counts: dict[str, int]
    previous: dict[str, int]
    rate: Fraction | None


def enter_ballot(session: Session, branch: str | int, counts: Mapping[str, int]) -> BallotEntry:
    """A branch's mass ballot counts; they replace the branch's earlier counts as a whole."""
    b = lookup_branch(session, branch)
    clean: dict[str, int] = {}
    problems = []
    for option, count in counts.items():
        key = parse_ballot_option(option)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append(f"{key} 的票数 {count!r} 无效，应为不小于 0 的整数。")
        elif key in clean:
            problems.append(f"选项“{key}”给了两次。")
        else:
            clean[key] = count
    if problems:
        raise InvalidInput("选票有误，未写入：", problems)
    if not clean:
        raise InvalidInput("请至少给出一个选项的票数，如 好=120。")
    check_ballot_form(clean)
    old = session.exec(select(Ballot).where(Ballot.branch_id == b.id)).all()
    previous = {r.option: r.count for r in old}
    session.exec(delete(Ballot).where(Ballot.branch_id == b.id))  # type: ignore[call-overload,arg-type]
    for option, count in clean.items():
        session.add(Ballot(branch_id=b.id, option=option, count=count))  # type: ignore[arg-type]
    session.flush()
    return BallotEntry(b.name, clean, previous, satisfaction_rate(clean))


@dataclass(frozen=True)
class VetoEntry:
    branch: str
    condition: str
    added: bool  # False: removed (or already absent/present)
    changed: bool


def set_veto(
    session: Session, branch: str | int, condition: str, note: str | None = None, *, remove: bool = False
) -> VetoEntry:
    """Record (or withdraw) a 一票否决 condition from the rubric's list for a branch."""
    rubric = current_rubric(session)
    b = lookup_branch(session, branch)
    existing = {v.condition: v for v in session.exec(select(Veto).where(Veto.branch_id == b.id)).all()}
    if remove:
        name = pick(condition, existing, "已登记的否决情形") if existing else None
        if name is None:
            raise NotFound(f"{b.name} 没有登记一票否决情形。")
        session.delete(existing[name])
        session.flush()
        return VetoEntry(b.name, name, False, True)
    if not rubric.vetoes:
        raise InvalidInput("评分办法中没有一票否决情形（[veto] conditions 为空）。")
    name = pick(condition, rubric.vetoes, "一票否决情形")
    if name in existing:
        return VetoEntry(b.name, name, True, False)
    session.add(Veto(branch_id=b.id, condition=name, note=(note or "").strip() or None))  # type: ignore[arg-type]
    session.flush()
    return VetoEntry(b.name, name, True, True)


# --- the score sheet ------------------------------------------------------------------


def score_sheet(session: Session, branch: str | int) -> dict[str, object]:
    """One branch's entries cell by cell (source × indicator), to check what was typed."""
    rubric = current_rubric(session)
    b = lookup_branch(session, branch)
    scores = session.exec(select(Score).where(Score.branch_id == b.id)).all()
    deductions = session.exec(select(Deduction).where(Deduction.branch_id == b.id)).all()
    cells = []
    exact: dict[tuple[str, str], float] = {}  # unrounded, as the totals sum them
    for source in rubric.sources:
        for indicator, full in rubric.indicators.items():
            given = {s.respondent: s.points for s in scores if (s.source, s.indicator) == (source, indicator)}
            taken: dict[str, list[Deduction]] = defaultdict(list)
            for d in deductions:
                if (d.source, d.indicator) == (source, indicator):
                    taken[d.respondent].append(d)
            respondents = sorted(set(given) | set(taken))
            values = [indicator_points(full, given.get(r), [d.points for d in taken[r]]) for r in respondents]
            if values:
                exact[(source, indicator)] = mean(values)
            cells.append(
                {
                    "source": source,
                    "indicator": indicator,
                    "full": full,
                    "points": round_score(mean(values)) if values else None,
                    "respondents": len([r for r in respondents if r]),
                    "deductions": [
                        {"item": d.item, "points": d.points, "respondent": r}
                        for r in respondents
                        for d in taken[r]
                    ],
                }
            )
    known = {(c["source"], c["indicator"]) for c in cells}
    stray = sorted(
        {
            f"{r.source} / {r.indicator}"
            for r in [*scores, *deductions]
            if (r.source, r.indicator) not in known
        }
    )
    counts = {r.option: r.count for r in session.exec(select(Ballot).where(Ballot.branch_id == b.id))}
    rate = satisfaction_rate(counts)
    vetoes = session.exec(select(Veto).where(Veto.branch_id == b.id).order_by(Veto.id)).all()  # type: ignore[arg-type]
    category = session.get(Category, b.category_id)
    total = weighted_score(exact, rubric)
    return {
        "branch": b.name,
        "category": category.name if category else "",
        "cells": cells,
        "score": None if total is None else round_score(total),
        "not_in_rubric": stray,
        "ballot": counts,
        "satisfaction": percent(rate) if rate is not None else None,
        "vetoes": [v.condition + (f"（{v.note}）" if v.note else "") for v in vetoes],
    }
