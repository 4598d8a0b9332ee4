"""The fast path of a score file: rows go straight into the ledger's score table.

Most imports are a file of new scores: no repeated key, nothing the ledger already holds for
the same key, no deduction, no ``--replace``, not a dry run. For those the staging table
(``staging``) is a second copy of every row; here the checked rows are inserted into
``score`` in chunks as the file is read, inside a savepoint, and the table's own unique key
finds what the staged path would have: a repeat within the file or a key the ledger holds.
Then, and on the first deduction row, the savepoint is rolled back and the caller reads
the file again by the staged path, which names both rows of a repeat and where a ledger
value came from; so it does for a file with a problem, which the staged path reads to its
end to report every problem, repeats among the good rows too. Either way the ledger ends
as the staged path would leave it, and the clerk reads the same messages.
"""

from collections import Counter
from contextlib import suppress
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jcnian import models
from jcnian.gradebook.tables import Score
from jcnian.survey.context import FileReport, ImportContext, report_for, score_shape
from jcnian.survey.log import earlier_import, finish_import, start_import
from jcnian.survey.records import SurveyFile

CHUNK = 20_000
_EPS = 1e-9
_score = Score.__table__  # type: ignore[attr-defined]


class Restart(Exception):
    """The file needs the staged path: a repeated key, a key the ledger holds, a deduction."""


def insert_sql(conn: Any) -> str:
    """The score insert in the driver's own parameter style, for ``exec_driver_sql``."""
    columns = ("branch_id", "source", "indicator", "respondent", "points", "import_id", "entered_at")
    style = conn.dialect.paramstyle
    marks = ",".join("?" * len(columns)) if style == "qmark" else ",".join(["%s"] * len(columns))
    return f"INSERT INTO {_score.name} ({', '.join(columns)}) VALUES ({marks})"


def import_direct(ctx: ImportContext, survey: SurveyFile, before: int) -> FileReport:
    """Read and write one score file by the fast path.

    Raises Restart, with nothing written and the problems of this pass taken back, when
    the file needs the staged path (a problem, a repeat, a key the ledger holds, a deduction).
    """
    mark = ctx.problems.mark()
    savepoint = ctx.session.begin_nested()
    try:
        report = _read_and_insert(ctx, survey, before)
    except Restart:
        savepoint.rollback()
        ctx.problems.rollback(mark)
        raise
    except BaseException:
        # A storage fault (disk full) may have ended the whole transaction, savepoint and
        # all: the fault is what the clerk must hear about, not the rollback's complaint.
        with suppress(Exception):
            savepoint.rollback()
        raise
    savepoint.commit()
    return report


def _read_and_insert(ctx: ImportContext, survey: SurveyFile, before: int) -> FileReport:
    conn, lookup, problems = ctx.conn, ctx.lookup, ctx.problems
    maxima = lookup.rubric.indicators
    branch_of, source_of, indicator_of = lookup.branch, lookup.source, lookup.indicator
    bcache, scache, icache = lookup.branch_cache, lookup.source_cache, lookup.indicator_cache
    # An earlier import of the same bytes is looked up before this one is in the log.
    earlier = earlier_import(conn, ctx.campaign_id, survey.sha256)
    entry = start_import(ctx.session, ctx.campaign_id, survey)
    import_id = entry.id
    stamp = _score.c.entered_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    now = models.utc_now()
    entered = stamp(now) if stamp is not None else now
    sql = insert_sql(conn)
    run = conn.exec_driver_sql
    chunk: list[tuple[Any, ...]] = []
    per_source: Counter[str] = Counter()
    branches: set[int] = set()
    indicators: set[str] = set()
    written = 0
    # A sheet lists a branch's sources and indicators together, each for several respondents:
    # a row naming what the row before named reuses its look-ups.
    last_b = last_s = last_i = None
    bid: Any = None
    src: Any = None
    ind: Any = None
    top = 0.0
    for _row, _col, braw, sraw, iraw, respondent, points, item in survey.records(
        problems, default_source=ctx.default_source, progress=ctx.read_progress(survey)
    ):
        if item:
            raise Restart  # deductions have their own table: the staged path writes both
        if braw != last_b or sraw != last_s or iraw != last_i:
            bid = bcache.get(braw)
            if bid is None:
                bid = branch_of(braw)
            if type(bid) is not int:
                raise Restart  # the staged path reports every problem of the file
            src = scache.get(sraw) or source_of(sraw)
            ind = icache.get(iraw) or indicator_of(iraw)
            if src is None or ind is None:
                raise Restart
            top = maxima[ind] + _EPS
            last_b, last_s, last_i = braw, sraw, iraw
            branches.add(bid)
            indicators.add(ind)
        if points > top:
            raise Restart
        chunk.append((bid, src, ind, respondent, points, import_id, entered))
        per_source[src] += 1
        if len(chunk) >= CHUNK:
            if problems.count > before:
                raise Restart  # a cell the reader refused
            written += _insert(run, sql, chunk)
            chunk = []
    if problems.count > before:
        raise Restart
    if chunk:
        written += _insert(run, sql, chunk)
    if written == 0:
        raise Restart  # an empty file: the staged path says so in its words
    if ctx.progress is not None:
        ctx.progress(survey.name, "write", 0, 0)
    sources = list(lookup.rubric.sources)
    breakdown = sorted(per_source.items(), key=lambda kv: sources.index(kv[0]))
    finish_import(ctx.session, entry, per_source, written)
    seen = survey.respondents
    if seen is not None:
        distinct = len({r for r in seen.values() if r})
    else:
        distinct = conn.execute(
            select(func.count(func.distinct(func.nullif(_score.c.respondent, "")))).where(
                _score.c.import_id == import_id
            )
        ).scalar_one()
    report = report_for(ctx, survey, records=written, branches=len(branches), breakdown=breakdown)
    return report(
        earlier=earlier,
        shape=score_shape(written, len(branches), len(indicators), distinct, breakdown),
        added=written,
        unchanged=0,
        replaced=None,
        status="imported",
    )


def _insert(run: Any, sql: str, chunk: list[tuple[Any, ...]]) -> int:
    """One chunk into the score table; a key already there (in the file or the ledger) restarts."""
    try:
        run(sql, chunk)
    except IntegrityError:
        raise Restart from None
    return len(chunk)
