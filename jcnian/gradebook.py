"""分类定级 in the ledger: rubric, scores, ballots, vetoes, the grade steps and their history.

The rules live in jcnian.grading; this module feeds them from the database and records
what the committee decided. Current grades are never stored as a column: they are derived
from the GradeEvent rows (proposed → deliberated → final → published → changed/regraded),
so the history is the single source of truth and nothing a clerk decided is overwritten.

Scores are aggregated in SQL (per branch and source) because the survey import writes
hundreds of thousands of rows with Core inserts; building ORM objects for them would be
an order of magnitude slower than the database's own GROUP BY.
"""

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy import delete, insert, text
from sqlmodel import Session, select

from jcnian import models
from jcnian.errors import Conflict, GateError, InvalidInput, NotFound
from jcnian.grading import (
    BANDS,
    Grade,
    QuotaCheck,
    Rubric,
    Tie,
    assess_total,
    backward_cut,
    band_of,
    check_counts,
    forced_bands,
    indicator_points,
    largest_remainder,
    mean,
    missing_parts,
    parse_ballot_option,
    parse_rubric,
    percent,
    round_half_up,
    round_score,
    satisfaction_rate,
    threshold_grade,
)
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Ballot, Branch, Category, Deduction, GradeEvent, PhaseWindow, Score, Veto
from jcnian.names import resolve
from jcnian.seed import data_dir

STEP_LABELS = {
    "proposed": "拟定（计算）",
    "deliberated": "群众党员会议审议",
    "final": "组织考评（终定）",
    "published": "公开",
    "changed": "改定",
    "regraded": "验收后重新评定",
}
FINAL_STEPS = ("final", "changed", "regraded")
COMMITTEE = "镇党委"


# --- rubric ---------------------------------------------------------------------------


def default_rubric_text() -> str:
    return (data_dir() / "rubric.toml").read_text(encoding="utf-8")


def _rubric_row(session: Session) -> models.Rubric:
    campaign = current_campaign(session)
    row = session.exec(
        select(models.Rubric)
        .where(models.Rubric.campaign_id == campaign.id)
        .order_by(models.Rubric.id.desc())  # type: ignore[union-attr]
    ).first()
    if row is None:
        row = models.Rubric(campaign_id=campaign.id, content=default_rubric_text())  # type: ignore[arg-type]
        session.add(row)
        session.flush()
    return row


def current_rubric(session: Session) -> Rubric:
    """The rubric in force for the ledger; the shipped default is stored on first use."""
    return parse_rubric(_rubric_row(session).content, "账本中的评分办法")


@dataclass(frozen=True)
class RubricChange:
    rubric: Rubric
    changed: bool
    orphans: list[str]  # entered scores whose source or indicator the new rubric lacks


def set_rubric(session: Session, content: str, origin: str) -> RubricChange:
    """Replace the rubric after validating it; the old one stays in the ledger's history."""
    rubric = parse_rubric(content, origin)
    row = _rubric_row(session)
    if row.content == content:
        return RubricChange(rubric, False, [])
    session.add(models.Rubric(campaign_id=row.campaign_id, content=content))
    session.flush()
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
        "indicators": rubric.indicators,
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


# --- entering scores, ballots, vetoes -------------------------------------------------


def _branch(session: Session, ref: str | int) -> Branch:
    if isinstance(ref, int):
        branch = session.get(Branch, ref)
        if branch is None or branch.campaign_id != current_campaign(session).id:
            raise NotFound(f"找不到编号为 {ref} 的党组织。")
        return branch
    return find_branch(session, ref)


def _pick(query: str, names: Iterable[str], kind: str) -> str:
    return resolve(query, {n: n for n in names}, kind)


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
    b = _branch(session, branch)
    source = _pick(source, rubric.sources, "评价主体")
    indicator = _pick(indicator, rubric.indicators, "指标")
    full = rubric.indicators[indicator]
    if not 0 <= points <= full:
        raise InvalidInput(f"{indicator} 的得分 {points:g} 超出范围，应在 0 到 {full:g} 之间。")
    respondent = respondent.strip()
    row = session.exec(
        select(Score).where(
            Score.branch_id == b.id,
            Score.source == source,
            Score.indicator == indicator,
            Score.respondent == respondent,
        )
    ).first()
    previous = row.points if row else None
    if row is None:
        row = Score(branch_id=b.id, source=source, indicator=indicator, respondent=respondent, points=points)  # type: ignore[arg-type]
    else:
        row.points = points
        row.import_id = None
    session.add(row)
    session.flush()
    return ScoreEntry(b.name, source, indicator, respondent, points, None, previous)


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
    b = _branch(session, branch)
    source = _pick(source, rubric.sources, "评价主体")
    indicator = _pick(indicator, rubric.indicators, "指标")
    item = item.strip()
    if not item:
        raise InvalidInput("扣分须用 --item 写明扣分事项。")
    if points <= 0:
        raise InvalidInput(f"扣分 {points:g} 无效，应为正数。")
    respondent = respondent.strip()
    row = session.exec(
        select(Deduction).where(
            Deduction.branch_id == b.id,
            Deduction.source == source,
            Deduction.indicator == indicator,
            Deduction.respondent == respondent,
            Deduction.item == item,
        )
    ).first()
    previous = row.points if row else None
    if row is None:
        row = Deduction(
            branch_id=b.id,  # type: ignore[arg-type]
            source=source,
            indicator=indicator,
            respondent=respondent,
            item=item,
            points=points,
        )
    else:
        row.points = points
        row.import_id = None
    session.add(row)
    session.flush()
    return ScoreEntry(b.name, source, indicator, respondent, points, item, previous)


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
    rubric = current_rubric(session)
    b = _branch(session, branch)
    source = _pick(source, rubric.sources, "评价主体")
    indicator = _pick(indicator, rubric.indicators, "指标")
    respondent = respondent.strip()
    score = session.exec(
        select(Score).where(
            Score.branch_id == b.id,
            Score.source == source,
            Score.indicator == indicator,
            Score.respondent == respondent,
        )
    ).first()
    deductions = session.exec(
        select(Deduction).where(
            Deduction.branch_id == b.id,
            Deduction.source == source,
            Deduction.indicator == indicator,
            Deduction.respondent == respondent,
        )
    ).all()
    if score is None and not deductions:
        raise NotFound(f"{b.name} 的 {source} / {indicator} 没有可清除的记录。")
    result = ClearResult(
        b.name,
        source,
        indicator,
        respondent,
        score.points if score else None,
        [(d.item, d.points) for d in deductions],
    )
    if score is not None:
        session.delete(score)
    for d in deductions:
        session.delete(d)
    session.flush()
    return result


@dataclass(frozen=True)
class BallotEntry:
    branch: str
    counts: dict[str, int]
    previous: dict[str, int]
    rate: Fraction | None


def enter_ballot(session: Session, branch: str | int, counts: Mapping[str, int]) -> BallotEntry:
    """A branch's mass ballot counts; they replace the branch's earlier counts as a whole."""
    b = _branch(session, branch)
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
    b = _branch(session, branch)
    existing = {v.condition: v for v in session.exec(select(Veto).where(Veto.branch_id == b.id)).all()}
    if remove:
        name = _pick(condition, existing, "已登记的否决情形") if existing else None
        if name is None:
            raise NotFound(f"{b.name} 没有登记一票否决情形。")
        session.delete(existing[name])
        session.flush()
        return VetoEntry(b.name, name, False, True)
    if not rubric.vetoes:
        raise InvalidInput("评分办法中没有一票否决情形（[veto] conditions 为空）。")
    name = _pick(condition, rubric.vetoes, "一票否决情形")
    if name in existing:
        return VetoEntry(b.name, name, True, False)
    session.add(Veto(branch_id=b.id, condition=name, note=(note or "").strip() or None))  # type: ignore[arg-type]
    session.flush()
    return VetoEntry(b.name, name, True, True)


def score_sheet(session: Session, branch: str | int) -> dict[str, object]:
    """One branch's entries cell by cell (source × indicator), to check what was typed."""
    rubric = current_rubric(session)
    b = _branch(session, branch)
    scores = session.exec(select(Score).where(Score.branch_id == b.id)).all()
    deductions = session.exec(select(Deduction).where(Deduction.branch_id == b.id)).all()
    cells = []
    for source in rubric.sources:
        for indicator, full in rubric.indicators.items():
            given = {s.respondent: s.points for s in scores if (s.source, s.indicator) == (source, indicator)}
            taken: dict[str, list[Deduction]] = defaultdict(list)
            for d in deductions:
                if (d.source, d.indicator) == (source, indicator):
                    taken[d.respondent].append(d)
            respondents = sorted(set(given) | set(taken))
            values = [indicator_points(full, given.get(r), [d.points for d in taken[r]]) for r in respondents]
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
    return {
        "branch": b.name,
        "category": category.name if category else "",
        "cells": cells,
        "not_in_rubric": stray,
        "ballot": counts,
        "satisfaction": percent(rate) if rate is not None else None,
        "vetoes": [v.condition + (f"（{v.note}）" if v.note else "") for v in vetoes],
    }


# --- computing grades -----------------------------------------------------------------


@dataclass(slots=True)
class GradeState:
    """Where one branch stands in 分类定级, derived from its scores and grade events."""

    branch_id: int
    name: str
    category: str
    seq: int
    score: float | None = None  # weighted total, two places; None while incomplete
    proposed: Grade | None = None
    final: Grade | None = None
    initial: Grade | None = None  # the first final grade (分类定级), before any re-grade
    flags: list[str] = field(default_factory=list)
    threshold: Grade | None = None
    changes: tuple[str, ...] = ()
    source_totals: dict[str, float] = field(default_factory=dict)  # filled with detail=True
    missing: list[str] = field(default_factory=list)
    satisfaction: Fraction | None = None
    vetoes: list[str] = field(default_factory=list)
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


# One GROUP BY over the score table gives each branch's weighted total and how many
# (source, indicator) scores it has (the weight is NULL for a source not in the rubric, so
# such rows count nowhere). That is exact wherever a (branch, source, indicator)
# has a single row. The keys with survey respondents (several rows, averaged) or with
# deductions are found through the partial index ix_score_survey (or the deduction table)
# and corrected by two more queries: their plain sum is taken out and their mean (after
# deductions, floored at 0 per respondent) put in.
_TOTALS_SQL = """
SELECT branch_id, SUM(points * ({weight})), COUNT({weight})
FROM score
WHERE indicator IN ({indicators})
GROUP BY branch_id
"""

_SOURCE_SQL = """
SELECT branch_id, source, SUM(points), COUNT(*)
FROM score
WHERE source IN ({sources}) AND indicator IN ({indicators})
GROUP BY branch_id, source
"""

# Keys with survey respondents and no deduction: the mean of the points. The partial index
# gives the keys in order, and the unique index the rows of each key (its "" row included).
_SURVEY_SQL = """
SELECT branch_id, source, SUM(m), COUNT(*), SUM(raw_sum), SUM(raw_n) FROM (
    SELECT k.branch_id, k.source, k.indicator,
           AVG(s.points) AS m, SUM(s.points) AS raw_sum, COUNT(*) AS raw_n
    FROM (SELECT DISTINCT branch_id, source, indicator FROM score WHERE respondent <> '') k
    JOIN score s
      ON s.branch_id = k.branch_id AND s.source = k.source AND s.indicator = k.indicator
    WHERE k.source IN ({sources}) AND k.indicator IN ({indicators})
      AND NOT EXISTS (
        SELECT 1 FROM deduction d
        WHERE d.branch_id = k.branch_id AND d.source = k.source AND d.indicator = k.indicator)
    GROUP BY k.branch_id, k.source, k.indicator
) ind
GROUP BY branch_id, source
"""

# Keys with deductions: each respondent's points (full marks where only deductions were
# entered) less their deductions, floored at 0, then the mean over respondents.
_CORRECTION_SQL = """
WITH keys AS (
    SELECT DISTINCT branch_id, source, indicator FROM deduction
),
ded AS (
    SELECT branch_id, source, indicator, respondent, SUM(points) AS ded
    FROM deduction
    GROUP BY branch_id, source, indicator, respondent
),
resp AS (
    SELECT s.branch_id, s.source, s.indicator, s.points AS raw,
           s.points - COALESCE(d.ded, 0) AS v
    FROM keys k
    JOIN score s
      ON s.branch_id = k.branch_id AND s.source = k.source AND s.indicator = k.indicator
    LEFT JOIN ded d
      ON d.branch_id = s.branch_id AND d.source = s.source
     AND d.indicator = s.indicator AND d.respondent = s.respondent
    UNION ALL
    SELECT d.branch_id, d.source, d.indicator, NULL AS raw, ({full}) - d.ded AS v
    FROM ded d
    WHERE NOT EXISTS (
        SELECT 1 FROM score s
        WHERE s.branch_id = d.branch_id AND s.source = d.source
          AND s.indicator = d.indicator AND s.respondent = d.respondent)
),
ind AS (
    SELECT branch_id, source, indicator,
           AVG(CASE WHEN v < 0 THEN 0 ELSE v END) AS m, SUM(raw) AS raw_sum, COUNT(raw) AS raw_n
    FROM resp
    WHERE source IN ({sources}) AND indicator IN ({indicators})
    GROUP BY branch_id, source, indicator
)
SELECT branch_id, source, SUM(m), COUNT(*), SUM(raw_sum), SUM(raw_n)
FROM ind
GROUP BY branch_id, source
"""


@dataclass(slots=True)
class _Totals:
    weighted: dict[int, float]
    counts: dict[int, int]
    by_source: dict[int, dict[str, float]]


def _sql_names(rubric: Rubric) -> tuple[dict[str, str], dict[str, object]]:
    """The rubric's names as bound parameters, for SQL that works on SQLite and PostgreSQL."""
    params: dict[str, object] = {}
    sources, weight, indicators, full = [], ["CASE source"], [], ["CASE d.indicator"]
    for i, (name, w) in enumerate(rubric.sources.items()):
        params[f"s{i}"], params[f"w{i}"] = name, w
        sources.append(f":s{i}")
        weight.append(f"WHEN :s{i} THEN :w{i}")
    for i, (name, points) in enumerate(rubric.indicators.items()):
        params[f"i{i}"], params[f"f{i}"] = name, points
        indicators.append(f":i{i}")
        full.append(f"WHEN :i{i} THEN :f{i}")
    parts = {
        "sources": ", ".join(sources),
        "indicators": ", ".join(indicators),
        "weight": " ".join([*weight, "END"]),
        "full": " ".join([*full, "END"]),
    }
    return parts, params


def _totals(session: Session, rubric: Rubric, *, detail: bool) -> _Totals:
    """Weighted totals and score counts per branch (and per source with ``detail``)."""
    parts, params = _sql_names(rubric)
    session.flush()
    conn = session.connection()
    weighted: dict[int, float] = {}
    counts: dict[int, int] = {}
    for branch_id, total, count in conn.execute(text(_TOTALS_SQL.format(**parts)), params).all():
        weighted[branch_id], counts[branch_id] = total, count
    by_source: dict[int, dict[str, float]] = defaultdict(dict)
    if detail:
        for branch_id, source, total, _count in conn.execute(text(_SOURCE_SQL.format(**parts)), params):
            by_source[branch_id][source] = total
    survey = conn.execute(text("SELECT 1 FROM score WHERE respondent <> '' LIMIT 1")).first()
    deducted = conn.execute(text("SELECT 1 FROM deduction LIMIT 1")).first()
    corrections = []
    if survey is not None:
        corrections += conn.execute(text(_SURVEY_SQL.format(**parts)), params).all()
    if deducted is not None:
        corrections += conn.execute(text(_CORRECTION_SQL.format(**parts)), params).all()
    if corrections:
        for branch_id, source, mean_sum, groups, raw_sum, raw_n in corrections:
            delta = mean_sum - (raw_sum or 0.0)
            weighted[branch_id] = weighted.get(branch_id, 0.0) + rubric.sources[source] * delta
            counts[branch_id] = counts.get(branch_id, 0) + groups - raw_n
            if detail:
                by_source[branch_id][source] = by_source[branch_id].get(source, 0.0) + delta
    return _Totals(weighted, counts, by_source)


def _present(session: Session, branch_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
    """Which (source, indicator) pairs each of a few branches has, to name what is missing."""
    out: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for start in range(0, len(branch_ids), 500):
        chunk = list(branch_ids[start : start + 500])
        for model in (Score, Deduction):
            rows = session.exec(
                select(model.branch_id, model.source, model.indicator)  # type: ignore[attr-defined]
                .where(model.branch_id.in_(chunk))  # type: ignore[attr-defined]
                .distinct()
            ).all()
            for branch_id, source, indicator in rows:
                out[branch_id][source].add(indicator)
    return out


def _category_name(session: Session, query: str) -> str:
    names = session.exec(select(Category.name).order_by(Category.seq)).all()
    key = query.strip()
    if key not in names:
        raise InvalidInput(f"分类“{query}”不存在，应为 {'/'.join(names)} 之一。")
    return key


def categories(session: Session) -> list[str]:
    return list(session.exec(select(Category.name).order_by(Category.seq)).all())


def _rows(session: Session, stmt: object) -> list[tuple]:  # type: ignore[type-arg]
    """Core rows (not ORM objects): reading 100,000 events must not build 100,000 objects."""
    return session.connection().execute(stmt).all()  # type: ignore[arg-type]


def _grouped(rows: Iterable[tuple]) -> dict[int, list[tuple]]:  # type: ignore[type-arg]
    out: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for row in rows:
        out[row[0]].append(tuple(row[1:]))
    return out


@contextmanager
def _bulk() -> Iterator[None]:
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
    session: Session, category: str | None = None, *, detail: bool = False
) -> dict[int, GradeState]:
    """Every branch's score, proposed and final grade and flags, keyed by branch id (seed order).

    ``detail`` also fills each source's total, for lists; grading itself needs only the
    weighted total.
    """
    with _bulk():
        return _grade_states(session, category, detail)


def _grade_states(session: Session, category: str | None, detail: bool) -> dict[int, GradeState]:
    rubric = current_rubric(session)
    campaign = current_campaign(session)
    in_campaign = Branch.campaign_id == campaign.id
    cat_names = dict(_rows(session, select(Category.id, Category.name)))
    stmt = select(Branch.id, Branch.name, Branch.seq, Branch.category_id).where(in_campaign)
    if category is not None:
        wanted = _category_name(session, category)
        stmt = stmt.where(Branch.category_id == next(k for k, v in cat_names.items() if v == wanted))
    rows = sorted(_rows(session, stmt), key=lambda r: r[2])  # the seed's order
    states = {bid: GradeState(bid, name, cat_names[cat], seq) for bid, name, seq, cat in rows}
    totals = _totals(session, rubric, detail=detail)
    ballots = _grouped(
        _rows(session, select(Ballot.branch_id, Ballot.option, Ballot.count).join(Branch).where(in_campaign))
    )
    vetoes = _grouped(
        _rows(
            session,
            select(Veto.branch_id, Veto.condition).join(Branch).where(in_campaign).order_by(Veto.id),  # type: ignore[arg-type]
        )
    )
    events = _grouped(
        _rows(
            session,
            select(
                GradeEvent.branch_id,
                GradeEvent.step,
                GradeEvent.grade,
                GradeEvent.score,
                GradeEvent.on,
                GradeEvent.override,
            )
            .join(Branch)
            .where(in_campaign)
            .order_by(GradeEvent.id),  # type: ignore[arg-type]
        )
    )
    expected = len(rubric.sources) * len(rubric.indicators)
    incomplete: list[int] = []
    for bid, state in states.items():
        if detail:
            state.source_totals = {s: round_score(t) for s, t in totals.by_source.get(bid, {}).items()}
        if bid in vetoes:
            state.vetoes = [c for (c,) in vetoes[bid]]
        if totals.counts.get(bid, 0) != expected:
            incomplete.append(bid)
        else:
            if bid in ballots:
                state.satisfaction = satisfaction_rate(dict(ballots[bid]))  # type: ignore[arg-type]
            if state.satisfaction is None and not state.vetoes:
                # Nothing can change the threshold grade: skip building an Assessment.
                state.score = round_score(totals.weighted[bid])
                state.threshold = state.proposed = threshold_grade(state.score, rubric.thresholds)
            else:
                result = assess_total(
                    totals.weighted[bid], rubric, satisfaction=state.satisfaction, vetoes=state.vetoes
                )
                state.score, state.threshold, state.proposed = result.score, result.threshold, result.proposed
                state.changes = result.changes
        if bid in events:
            _apply_events(state, events[bid])
    if incomplete:
        present = _present(session, incomplete)
        for bid in incomplete:
            states[bid].missing = missing_parts(present.get(bid, {}), rubric)
    for state in states.values():
        state.flags = _flags(state)
    return states


def _apply_events(state: GradeState, events: Iterable[tuple]) -> None:  # type: ignore[type-arg]
    for step, grade, score, on, override in events:
        if step == "proposed":
            state.recorded = (score, grade)
        elif step == "deliberated":
            state.deliberated = Grade(grade)
        elif step in FINAL_STEPS:
            g = Grade(grade)
            if step == "final" and state.initial is None:
                state.initial = g
            state.final = g
            state.override = override
            state.republish = state.published is not None and g != state.published
        elif step == "published":
            state.published, state.published_on = Grade(grade), on
            state.republish = False


def _flags(state: GradeState) -> list[str]:
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
    return flags


@dataclass(frozen=True)
class ComputeResult:
    states: list[GradeState]
    recorded: int  # proposals recorded (new or changed since the last compute)


def _proposal_rows(states: Iterable[GradeState], on: date, rubric_id: int | None) -> list[dict[str, object]]:
    now = models._now()
    rows = []
    for s in states:
        if s.proposed is None:
            continue
        if s.recorded == (s.score, s.proposed.value):
            continue
        rows.append(
            {
                "branch_id": s.branch_id,
                "step": "proposed",
                "grade": s.proposed.value,
                "score": s.score,
                "on": on,
                "rubric_id": rubric_id,
                "at": now,
            }
        )
        s.recorded = (s.score, s.proposed.value)
    return rows


def _record_proposals(session: Session, states: Iterable[GradeState], on: date) -> int:
    rows = _proposal_rows(states, on, _rubric_row(session).id)
    if rows:
        session.execute(insert(GradeEvent), rows)
    return len(rows)


def compute(session: Session, on: date) -> ComputeResult:
    """Grade every complete branch and record each proposal that is new or has changed."""
    states = grade_states(session)
    with _bulk():
        rows = _proposal_rows(states.values(), on, _rubric_row(session).id)
        if rows:
            session.execute(insert(GradeEvent), rows)
            for s in states.values():
                s.flags = _flags(s)
    return ComputeResult(list(states.values()), len(rows))


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
        grade = s.final or s.proposed
        if grade is not None:
            tally[(s.category, grade)] += 1
    by_cat: dict[str, Counter[Grade]] = {c: Counter() for c in all_categories}
    overall: Counter[Grade] = Counter()
    for (category, grade), number in tally.items():
        by_cat.setdefault(category, Counter())[grade] += number
        overall[grade] += number
    return QuotaReport(
        check_counts(overall, rubric.quota, rubric.tolerance),
        {c: check_counts(g, rubric.quota, rubric.tolerance) for c, g in by_cat.items()},
    )


def quota_report(session: Session, category: str | None = None) -> QuotaReport:
    """``grade quota``: over all branches and per category, or one category alone."""
    rubric = current_rubric(session)
    states = grade_states(session, category).values()
    cats = [_category_name(session, category)] if category else categories(session)
    return quota_of(states, rubric, cats)


def quota_problems(report: QuotaReport) -> list[str]:
    out = []
    for where, check in (("全部", report.overall), *report.categories.items()):
        for b in check.bands:
            if not b.ok:
                out.append(
                    f"{where}：{b.band} 实有 {b.actual} 个，允许 {b.min}–{b.max} 个（目标 {b.target}）。"
                )
    return out


# --- the steps: deliberation, approval, publication, changes --------------------------


@dataclass(frozen=True)
class StepEntry:
    branch: str
    before: Grade | None
    grade: Grade
    recorded: bool  # False: the ledger already held exactly this step


@dataclass(frozen=True)
class StepResult:
    step: str
    on: date
    entries: list[StepEntry]
    quota: QuotaReport | None = None
    warnings: list[str] = field(default_factory=list)
    override: str | None = None

    @property
    def recorded(self) -> int:
        return sum(e.recorded for e in self.entries)


def _names(names: Sequence[str], limit: int = 8) -> str:
    """A list of branch names short enough to read in one error line."""
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个党组织" if len(names) > limit else "")


def _quota_gate(message: str, report: QuotaReport) -> GateError:
    error = GateError(message)
    error.problems = quota_problems(report)  # type: ignore[attr-defined]  # shown line by line
    return error


def _window_warning(session: Session, on: date, what: str) -> list[str]:
    campaign = current_campaign(session)
    window = session.exec(
        select(PhaseWindow).where(PhaseWindow.campaign_id == campaign.id, PhaseWindow.phase == "classify")
    ).first()
    if window and not window.start <= on <= window.end:
        return [f"{what}日期 {on.isoformat()} 不在分类定级阶段（{window.start} 至 {window.end}）内。"]
    return []


def _targets(
    session: Session, states: Mapping[int, GradeState], refs: Sequence[str | int]
) -> list[GradeState]:
    chosen: dict[int, GradeState] = {}
    for ref in refs:
        branch = _branch(session, ref)
        chosen[branch.id] = states[branch.id]  # type: ignore[index]
    return list(chosen.values())


def _need_complete(targets: Sequence[GradeState]) -> None:
    lacking = [f"{s.name}：{'；'.join(s.missing)}" for s in targets if s.proposed is None]
    if lacking:
        raise InvalidInput(f"{len(lacking)} 个党组织评分不全，尚无拟定等级，未作任何改动：", lacking)


def _reason(reason: str | None) -> str | None:
    return (reason or "").strip() or None


def _add_event(
    session: Session, state: GradeState, step: str, grade: Grade, on: date, **extra: object
) -> None:
    session.add(
        GradeEvent(branch_id=state.branch_id, step=step, grade=grade.value, score=state.score, on=on, **extra)  # type: ignore[arg-type]
    )


def deliberate(
    session: Session,
    refs: Sequence[str | int] | None,
    on: date,
    *,
    grade: Grade | None = None,
    reason: str | None = None,
    by: str | None = None,
) -> StepResult:
    """群众党员会议审议: agree with the proposal, or change it with a reason.

    ``refs=None`` agrees for every graded branch the meetings have not yet deliberated.
    """
    states = grade_states(session)
    reason = _reason(reason)
    if refs is None:
        if grade is not None:
            raise InvalidInput("改变等级须逐个指定党组织，不能与“全部”同用。")
        targets = [s for s in states.values() if s.proposed and s.deliberated is None and s.final is None]
    else:
        targets = _targets(session, states, refs)
    _need_complete(targets)
    done = [s.name for s in targets if s.final is not None]
    if done:
        raise Conflict(f"{'、'.join(done)} 已由镇党委终定等级，如需改动请用 jcnian grade change。")
    if grade is not None and reason is None and any(grade != s.proposed for s in targets):
        raise InvalidInput("审议改变了拟定等级，须用 --reason 写明理由。")
    _record_proposals(session, targets, on)
    entries = []
    for s in targets:
        chosen = grade or s.proposed
        assert chosen is not None
        same = s.deliberated == chosen
        if not same:
            _add_event(
                session,
                s,
                "deliberated",
                chosen,
                on,
                reason=reason if chosen != s.proposed else None,
                by=by,
            )
        entries.append(StepEntry(s.name, s.proposed, chosen, not same))
    session.flush()
    return StepResult("deliberated", on, entries, warnings=_window_warning(session, on, "审议"))


def approve(
    session: Session,
    refs: Sequence[str | int] | None,
    on: date,
    *,
    grade: Grade | None = None,
    reason: str | None = None,
    override: str | None = None,
    by: str | None = None,
) -> StepResult:
    """组织考评: the town committee's final grade, after deliberation and within the quota.

    Without deliberation, or when the list would fail the quota check, it needs
    ``override`` (the reason is recorded on every event it lets through).
    """
    states = grade_states(session)
    reason, override = _reason(reason), _reason(override)
    if refs is None:
        if grade is not None:
            raise InvalidInput("改变等级须逐个指定党组织，不能与“全部”同用。")
        targets = [s for s in states.values() if s.proposed and s.final is None]
    else:
        targets = _targets(session, states, refs)
    _need_complete(targets)
    changed = [
        f"{s.name}（{s.final}）" for s in targets if s.final is not None and s.final != (grade or s.final)
    ]
    if changed:
        raise Conflict(f"{'、'.join(changed)} 已有终定等级，如需改动请用 jcnian grade change 并写明理由。")
    undeliberated = [s.name for s in targets if s.final is None and s.deliberated is None]
    if undeliberated and override is None:
        raise GateError(
            f"{_names(undeliberated)} 尚未经群众党员会议审议（jcnian grade deliberate）；"
            "确需先行终定，请加 --override 写明理由。"
        )
    if grade is not None and reason is None and any(grade != (s.deliberated or s.proposed) for s in targets):
        raise InvalidInput("终定等级与审议（拟定）等级不同，须用 --reason 写明理由。")
    plan = {s.branch_id: grade or s.final or s.deliberated or s.proposed for s in targets}
    projected = [
        _replace_counted(s, plan[s.branch_id]) if s.branch_id in plan else s for s in states.values()
    ]
    report = quota_of(projected, current_rubric(session), categories(session))
    if not report.ok and override is None:
        raise _quota_gate("按此终定，等级比例不符合要求；确需批准，请加 --override 写明理由：", report)
    used = override if (undeliberated or not report.ok) else None
    _record_proposals(session, targets, on)
    entries = []
    for s in targets:
        chosen = plan[s.branch_id]
        assert chosen is not None
        if s.final is not None:
            entries.append(StepEntry(s.name, s.final, chosen, False))
            continue
        basis = s.deliberated or s.proposed
        _add_event(
            session,
            s,
            "final",
            chosen,
            on,
            reason=reason if chosen != basis else None,
            override=used,
            by=by or COMMITTEE,
        )
        entries.append(StepEntry(s.name, basis, chosen, True))
    session.flush()
    return StepResult("final", on, entries, report, _window_warning(session, on, "终定"), used)


def _replace_counted(state: GradeState, grade: Grade | None) -> GradeState:
    clone = GradeState(state.branch_id, state.name, state.category, state.seq, state.score)
    clone.proposed, clone.final = state.proposed, grade
    return clone


def publish(session: Session, on: date, *, override: str | None = None, by: str | None = None) -> StepResult:
    """公开: publish the final grades on a date; every branch needs one, and the quota must hold."""
    states = grade_states(session)
    override = _reason(override)
    pending = [s.name for s in states.values() if s.final is None]
    if pending and override is None:
        raise GateError(
            f"{_names(pending)} 尚无终定等级，不能公开；确需先公开已终定的，请加 --override 写明理由。"
        )
    report = quota_of(states.values(), current_rubric(session), categories(session))
    if not report.ok and override is None:
        raise _quota_gate("等级比例不符合要求；确需公开，请加 --override 写明理由：", report)
    used = override if (pending or not report.ok) else None
    entries = []
    for s in states.values():
        if s.final is None:
            continue
        fresh = s.published != s.final or s.republish
        if fresh:
            _add_event(session, s, "published", s.final, on, override=used, by=by or COMMITTEE)
        entries.append(StepEntry(s.name, s.published, s.final, fresh))
    if not entries:
        raise GateError("还没有任何终定等级可以公开（先用 jcnian grade approve）。")
    session.flush()
    return StepResult("published", on, entries, report, _window_warning(session, on, "公开"), used)


@dataclass(frozen=True)
class GradeChange:
    branch: str
    before: Grade | None
    after: Grade
    on: date
    published: bool  # the grade had been published before this change
    recorded: bool


def _change(
    session: Session,
    branch: Branch,
    step: str,
    grade: Grade,
    on: date,
    reason: str | None,
    override: str | None,
    by: str | None,
) -> GradeChange:
    reason = _reason(reason)
    if reason is None:
        raise InvalidInput("改定等级须用 --reason 写明理由。")
    state = grade_states_for(session, branch.id)
    last = session.exec(
        select(GradeEvent).where(GradeEvent.branch_id == branch.id).order_by(GradeEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    repeat = (
        last is not None
        and last.step == step
        and last.grade == grade.value
        and last.on == on
        and last.reason == reason
    )
    if not repeat:
        _add_event(session, state, step, grade, on, reason=reason, override=_reason(override), by=by)
        session.flush()
    return GradeChange(branch.name, state.final, grade, on, state.published is not None, not repeat)


def grade_states_for(session: Session, branch_id: int) -> GradeState:
    """One branch's state (the full computation is cheap next to a clerk's typing)."""
    return grade_states(session)[branch_id]


def change_grade(
    session: Session,
    branch: str | int,
    grade: Grade,
    on: date,
    reason: str | None,
    *,
    override: str | None = None,
    by: str | None = None,
) -> GradeChange:
    """改定 a final grade (after approval, before or after publication); always with a reason."""
    b = _branch(session, branch)
    state = grade_states_for(session, b.id)  # type: ignore[arg-type]
    if state.final is None:
        raise GateError(f"{b.name} 尚无终定等级，请先用 jcnian grade approve。")
    if state.final == grade:
        raise Conflict(f"{b.name} 的终定等级已是“{grade}”，无需改定。")
    return _change(session, b, "changed", grade, on, reason, override, by)


def record_regrade(
    session: Session, branch_id: int, grade: Grade, on: date, reason: str, override: str | None = None
) -> GradeChange:
    """重新评定级次 after acceptance (总结验收); kept in the branch's grade history."""
    b = _branch(session, branch_id)
    return _change(session, b, "regraded", grade, on, reason, override, None)


# --- history --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    step: str
    label: str
    grade: str | None
    score: float | None
    on: date | None
    reason: str | None
    override: str | None
    by: str | None


@dataclass(frozen=True)
class BranchHistory:
    branch: str
    category: str
    initial: Grade | None
    final: Grade | None
    events: list[HistoryEntry]

    @property
    def movement(self) -> str | None:
        """分类升级 (moved up) or 降级 since the first final grade."""
        if self.initial is None or self.final is None or self.initial == self.final:
            return None
        return "升级" if self.final.rank < self.initial.rank else "降级"


def history(session: Session, branch: str | int) -> BranchHistory:
    """Every grade event of one branch, oldest first."""
    b = _branch(session, branch)
    state = grade_states_for(session, b.id)  # type: ignore[arg-type]
    events = session.exec(
        select(GradeEvent).where(GradeEvent.branch_id == b.id).order_by(GradeEvent.id)  # type: ignore[arg-type]
    ).all()
    return BranchHistory(
        b.name,
        state.category,
        state.initial,
        state.final,
        [
            HistoryEntry(
                e.step, STEP_LABELS.get(e.step, e.step), e.grade, e.score, e.on, e.reason, e.override, e.by
            )
            for e in events
        ],
    )


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
    if band == BANDS[0]:
        return threshold if threshold in (Grade.GOOD, Grade.FAIRLY_GOOD) else Grade.FAIRLY_GOOD
    return Grade.AVERAGE if band == BANDS[1] else Grade.POOR


def suggest(session: Session, category: str | None = None) -> SuggestReport:
    """The bands a forced distribution by score would give, beside the current grades."""
    rubric = current_rubric(session)
    states = [s for s in grade_states(session, category).values()]
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


def backward_report(session: Session) -> BackwardReport:
    """倒排 (seed 三、三): the bottom share of the rubric's category by score, ties at the cut kept."""
    rubric = current_rubric(session)
    known = categories(session)
    if rubric.backward_category not in known:
        raise InvalidInput(f"评分办法 [backward] 的分类“{rubric.backward_category}”不存在。")
    states = list(grade_states(session, rubric.backward_category).values())
    scored = [s for s in states if s.score is not None]
    by_id = {s.branch_id: s for s in scored}
    cut = backward_cut([(s.branch_id, s.score) for s in scored], rubric.backward_ratio, len(states))  # type: ignore[misc]
    entries = [
        BackwardEntry(c.key, by_id[c.key].name, c.score, c.tie, c.rank, by_id[c.key].counted) for c in cut
    ]
    count = min(round_half_up(rubric.backward_ratio * len(states)), len(states))
    return BackwardReport(
        rubric.backward_category,
        rubric.backward_ratio,
        len(states),
        count,
        entries,
        [s.name for s in states if s.score is None],
    )


def backward_list(session: Session) -> list[BackwardEntry]:
    """The 后进党组织 list other steps (整顿转化, 一村一策) work from."""
    return backward_report(session).entries


def satisfaction_text(state: GradeState) -> str:
    return percent(state.satisfaction) if state.satisfaction is not None else ""
