"""The score tables summed in SQL: each branch's weighted total, per-source totals, and gaps.

The survey import writes hundreds of thousands of score rows with Core inserts; building
ORM objects for them would be an order of magnitude slower than the database's own
GROUP BY, so jcnian.gradebook.reads gets its totals here and applies the pure rules to them.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from jcnian.gradebook.tables import Deduction, Score
from jcnian.grading import Rubric

# One GROUP BY over the score table gives each branch's weighted total and how many
# (source, indicator) scores it has (the weight is NULL for a source not in the rubric, so
# such rows count nowhere). That is exact wherever a (branch, source, indicator)
# has a single row. The keys with survey respondents (several rows, averaged) or with
# deductions are found through the partial index ix_score_survey (or the deduction table)
# and corrected by two more queries: their plain sum is taken out and their mean (after
# deductions, floored at 0 per respondent) put in.
# Every query reads only the chosen campaign's branches ({mine}): a clerk of one town in a
# city's ledger sums 32 branches' scores, not 100,000.
_MINE = "branch_id IN (SELECT id FROM branch WHERE campaign_id = :campaign)"

_TOTALS_SQL = """
SELECT branch_id, SUM(points * ({weight})), COUNT({weight})
FROM score
WHERE indicator IN ({indicators}) AND {mine}
GROUP BY branch_id
"""

_SOURCE_SQL = """
SELECT branch_id, source, SUM(points), COUNT(*)
FROM score
WHERE source IN ({sources}) AND indicator IN ({indicators}) AND {mine}
GROUP BY branch_id, source
"""

# Keys with survey respondents and no deduction: the mean of the points. The partial index
# gives the keys in order, and the unique index the rows of each key (its "" row included).
_SURVEY_SQL = """
SELECT branch_id, source, SUM(m), COUNT(*), SUM(raw_sum), SUM(raw_n) FROM (
    SELECT k.branch_id, k.source, k.indicator,
           AVG(s.points) AS m, SUM(s.points) AS raw_sum, COUNT(*) AS raw_n
    FROM (SELECT DISTINCT branch_id, source, indicator FROM score WHERE respondent <> '' AND {mine}) k
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
    SELECT DISTINCT branch_id, source, indicator FROM deduction WHERE {mine}
),
ded AS (
    SELECT branch_id, source, indicator, respondent, SUM(points) AS ded
    FROM deduction
    WHERE {mine}
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
class Totals:
    weighted: dict[int, float]
    counts: dict[int, int]
    # With detail: each branch's total per source, in the rubric's source order (None where
    # a source has no score). One short list a branch, not a dict: 100,000 dicts of source
    # names cost a city's export 70 MB more.
    by_source: dict[int, list[float | None]]


class SourceTotals(Mapping[str, float]):
    """One branch's total per source (各主体得分), read-only: the rubric's source names are
    shared by every branch, the values one tuple (a dict a branch cost 100,000 branches 70 MB)."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: tuple[float | None, ...]) -> None:
        self._names, self._values = names, values

    def __getitem__(self, source: str) -> float:
        try:
            value = self._values[self._names.index(source)]
        except ValueError:
            raise KeyError(source) from None
        if value is None:
            raise KeyError(source)
        return value

    def __iter__(self) -> Iterator[str]:
        return (n for n, v in zip(self._names, self._values, strict=True) if v is not None)

    def __len__(self) -> int:
        return sum(v is not None for v in self._values)

    def __repr__(self) -> str:
        return f"SourceTotals({dict(self)!r})"


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


def weighted_totals(session: Session, rubric: Rubric, campaign_id: int, *, detail: bool) -> Totals:
    """Weighted totals and score counts per branch of a campaign (and per source with ``detail``)."""
    parts, params = _sql_names(rubric)
    parts["mine"], params["campaign"] = _MINE, campaign_id
    session.flush()
    conn = session.connection()
    weighted: dict[int, float] = {}
    counts: dict[int, int] = {}
    for branch_id, total, count in conn.execute(text(_TOTALS_SQL.format(**parts)), params):
        weighted[branch_id], counts[branch_id] = total, count
    by_source: dict[int, list[float | None]] = {}
    place = {name: i for i, name in enumerate(rubric.sources)}
    blank = [None] * len(place)
    if detail:
        for branch_id, source, total, _count in conn.execute(text(_SOURCE_SQL.format(**parts)), params):
            by_source.setdefault(branch_id, blank.copy())[place[source]] = total
    survey = conn.execute(
        text(f"SELECT 1 FROM score WHERE respondent <> '' AND {_MINE} LIMIT 1"), params
    ).first()
    deducted = conn.execute(text(f"SELECT 1 FROM deduction WHERE {_MINE} LIMIT 1"), params).first()
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
                values = by_source.setdefault(branch_id, blank.copy())
                values[place[source]] = (values[place[source]] or 0.0) + delta
    return Totals(weighted, counts, by_source)


def present_parts(session: Session, branch_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
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
