"""Scores and deductions from long and wide files, checked against the rubric and written in bulk.

Each checked row is staged (see ``staging``); when the whole file is read, repeats within the
file and conflicts with the ledger are found in SQL and reported with both places. Re-import
is idempotent by natural key (branch, source, indicator, respondent, item): rows the ledger
already holds with the same points are left alone, new ones are added, different ones are a
conflict unless ``--replace``, which replaces the earlier rows of the file's (branch, source)
pairs only.
"""

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import Integer, Table, and_, delete, exists, func, insert, literal, select

from jcnian import models
from jcnian.gradebook.tables import Deduction, Score, SurveyImport
from jcnian.problems import column_letter
from jcnian.survey.cells import fmt_number
from jcnian.survey.context import FileReport, ImportContext, report_for, score_shape
from jcnian.survey.direct import Restart, import_direct
from jcnian.survey.log import record_import
from jcnian.survey.records import SurveyFile
from jcnian.survey.staging import PAIRS, STAGE, insert_sql, repeated_keys, same_key, staging_tables

STAGE_CHUNK = 20_000
_EPS = 1e-9
_score = Score.__table__  # type: ignore[attr-defined]
_deduction = Deduction.__table__  # type: ignore[attr-defined]
_imports = SurveyImport.__table__  # type: ignore[attr-defined]


def import_scores(
    ctx: ImportContext, survey: SurveyFile, reopen: Callable[[], SurveyFile | None] | None = None
) -> FileReport | None:
    """Check and (unless a dry run) write one long or wide file; None when it has problems.

    A file of new scores takes the fast path (jcnian.survey.direct) when ``reopen`` can
    open it again for the staged path, should it need that.
    """
    before = ctx.problems.count
    if survey.columns.source is None:
        if not ctx.default_source:
            ctx.problems.add(
                survey.problem("文件没有“评价主体”列，请用 --source 指定，如 --source 群众初评。")
            )
            return None
        if ctx.lookup.source(ctx.default_source) is None:
            ctx.problems.add(survey.problem(f"--source {ctx.lookup.source_help(ctx.default_source)}。"))
            return None
    if survey.layout == "wide":
        _check_indicator_columns(ctx, survey)
    with staging_tables(ctx.conn):
        if reopen is not None and not ctx.replace and not ctx.dry_run:
            try:
                return import_direct(ctx, survey, before)
            except Restart:
                survey.close()
                again = reopen()
                if again is None:
                    return None
                survey = again
        with survey:
            return _stage_scores(ctx, survey, before)


def _check_indicator_columns(ctx: ImportContext, survey: SurveyFile) -> None:
    """A wide file's indicator headers, each reported once here rather than on every row."""
    seen: dict[str, int] = {}
    for col, raw in survey.columns.indicators.items():
        name = ctx.lookup.indicator(raw)
        if name is None:
            message = f"{ctx.lookup.indicator_help(survey.headers[col])}（不是分数的列请删去或改名）"
        elif name in seen:
            message = f"指标“{name}”与 {column_letter(seen[name])} 列重复"
        else:
            seen[name] = col
            continue
        ctx.problems.add(survey.problem(message, survey.header_cell(col), col))


def _stage_scores(ctx: ImportContext, survey: SurveyFile, before: int) -> FileReport | None:
    """Read the file once, checking each row and staging the good ones in chunks."""
    conn, lookup, problems = ctx.conn, ctx.lookup, ctx.problems
    cols = survey.columns
    branch_col, source_col, indicator_col = cols.branch, cols.source, cols.indicator
    wide = survey.layout == "wide"
    maxima = lookup.rubric.indicators
    branch_of, source_of, indicator_of = lookup.branch, lookup.source, lookup.indicator
    bcache, scache, icache = lookup.branch_cache, lookup.source_cache, lookup.indicator_cache
    sql = insert_sql(conn, STAGE)
    dbapi_insert = conn.exec_driver_sql
    chunk: list[tuple[Any, ...]] = []
    per_source: Counter[str] = Counter()
    pairs: set[tuple[int, str]] = set()
    staged = deductions = 0
    reported_sources: set[str] = set()
    # Hashes of the natural keys seen: a repeat sends the file to the exact (and slower) SQL
    # report, which names both rows; a hash collision only costs that query, never a false error.
    keys: set[int] = set()
    repeated = False

    for row, col, braw, sraw, iraw, respondent, points, item in survey.records(
        problems, default_source=ctx.default_source, progress=ctx.read_progress(survey)
    ):
        ok = True
        bid = bcache.get(braw)
        if bid is None:
            bid = branch_of(braw)
        if type(bid) is not int:
            problems.add(survey.problem(str(bid), row, branch_col))
            ok = False
        src = scache.get(sraw) or source_of(sraw)  # a miss or a name known to be wrong
        if src is None:
            if source_col is not None:
                problems.add(survey.problem(lookup.source_help(sraw), row, source_col))
            elif sraw not in reported_sources:
                reported_sources.add(sraw)
                problems.add(survey.problem(f"--source {lookup.source_help(sraw)}"))
            ok = False
        ind = icache.get(iraw) or indicator_of(iraw)
        if ind is None:
            if not wide:  # a wide file's unknown indicator was reported at its header
                problems.add(survey.problem(lookup.indicator_help(iraw), row, indicator_col))
            ok = False
        elif points > maxima[ind] + _EPS:
            what = "扣分" if item else "得分"
            problems.add(
                survey.problem(
                    f"{what} {fmt_number(points)} 超过“{ind}”的满分 {fmt_number(maxima[ind])}，"
                    f"应在 0 到 {fmt_number(maxima[ind])} 之间",
                    row,
                    col,
                )
            )
            ok = False
        elif item and points <= 0:
            problems.add(survey.problem("扣分应大于 0", row, col))
            ok = False
        if not ok:
            continue  # the good rows are still staged, so duplicates among them are found too
        chunk.append((row, col, bid, src, ind, respondent, item, points))
        per_source[src] += 1  # type: ignore[index]
        pairs.add((bid, src))  # type: ignore[arg-type]
        key = hash((bid, src, ind, respondent, item))
        if key in keys:
            repeated = True
        else:
            keys.add(key)
        if item:
            deductions += 1
        if len(chunk) >= STAGE_CHUNK:
            dbapi_insert(sql, chunk)
            staged += len(chunk)
            chunk = []
    if chunk:
        dbapi_insert(sql, chunk)
        staged += len(chunk)
    chunk = []
    if ctx.progress is not None and staged:
        ctx.progress(survey.name, "write", 0, 0)
    keys.clear()
    if repeated and _report_repeats(ctx, survey):
        return None
    if problems.count > before or staged == 0:
        return None
    conn.exec_driver_sql(insert_sql(conn, PAIRS), sorted(pairs))
    branches = len({b for b, _ in pairs})
    return _write_scores(ctx, survey, staged, deductions, per_source, branches)


def _report_repeats(ctx: ImportContext, survey: SurveyFile) -> bool:
    """The same branch, source, indicator (respondent, item) twice in one file, with both places."""
    rows = repeated_keys(ctx.conn, ctx.problems.limit + 1)
    hint = "" if survey.columns.respondent is not None else "；如是多名测评人的打分，请加一列“测评人”"
    for row, col, bid, src, ind, respondent, item, first_row, first_col in rows:
        what = f"“{ctx.lookup.names[bid]}”的“{src}”“{ind}”"
        if respondent:
            what += f"（测评人“{respondent}”）"
        if item:
            what += f"扣分事项“{item}”"
        where = (
            f"第 {first_row} 行" if first_col == col else f"第 {first_row} 行 {column_letter(first_col)} 列"
        )
        ctx.problems.add(survey.problem(f"{what}与{where}重复{hint}", row, col))
    return bool(rows)


def _write_scores(
    ctx: ImportContext,
    survey: SurveyFile,
    staged: int,
    deductions: int,
    per_source: Counter[str],
    branches: int,
) -> FileReport | None:
    """Compare the staged rows with the ledger's for the same pairs, then add or replace."""
    conn, replace = ctx.conn, ctx.replace
    s = STAGE.c
    p = PAIRS.c
    existing: dict[str, int] = {}
    for label, table in (("score", _score), ("deduction", _deduction)):
        existing[label] = conn.execute(
            select(func.count())
            .select_from(table)
            .join(PAIRS, and_(table.c.branch_id == p.branch_id, table.c.source == p.source))
        ).scalar_one()
    earlier_rows = sum(existing.values())
    identical = same_deductions = 0
    if earlier_rows:
        conflicts = 0
        for table, is_deduction in ((_score, False), (_deduction, True)):
            kind = s.item != "" if is_deduction else s.item == ""
            same = func.abs(table.c.points - s.points) <= _EPS
            found = conn.execute(
                select(func.count()).select_from(STAGE.join(table, same_key(table))).where(kind, same)
            ).scalar_one()
            identical += found
            if is_deduction:
                same_deductions = found
            if not replace:
                conflicts += _report_conflicts(ctx, survey, table, kind)
        if conflicts:
            return None
    added = staged - identical
    removed = earlier_rows - identical if replace else 0
    sources = list(ctx.lookup.rubric.sources)
    breakdown = sorted(per_source.items(), key=lambda kv: sources.index(kv[0]))
    report = partial(
        report_for(ctx, survey, records=staged, branches=branches, breakdown=breakdown),
        shape=_shape(conn, sources, new_only=bool(earlier_rows) and not replace),
        deductions=deductions - same_deductions,
    )
    if added == 0 and removed == 0:
        return report(added=0, unchanged=identical, replaced=None, status="unchanged")
    replaced = None
    if replace and earlier_rows:
        replaced = {
            "score": existing["score"],
            "deduction": existing["deduction"],
            "branches": branches,
            "sources": [src for src, _ in breakdown],
        }
    if ctx.dry_run:
        return report(added=added, unchanged=identical, replaced=replaced, status="dry-run")
    logged = staged if replace else added
    import_id = record_import(ctx.session, ctx.campaign_id, survey, per_source, logged, replaced)
    now = models.utc_now()
    if replace and earlier_rows:
        for table in (_score, _deduction):
            conn.execute(
                delete(table).where(
                    exists(
                        select(1)
                        .select_from(PAIRS)
                        .where(p.branch_id == table.c.branch_id, p.source == table.c.source)
                    )
                )
            )
    for table, is_deduction, count in ((_score, False, staged - deductions), (_deduction, True, deductions)):
        if not count:
            continue
        kind = s.item != "" if is_deduction else s.item == ""
        fields = ["branch_id", "source", "indicator", "respondent"]
        if is_deduction:
            fields.append("item")
        chosen = select(
            *(s[f] for f in fields),
            s.points,
            literal(import_id, Integer),
            literal(now, table.c.entered_at.type),
        ).where(kind)
        if earlier_rows and not replace:
            chosen = chosen.where(~exists(select(1).select_from(table).where(same_key(table))))
        conn.execute(insert(table).from_select([*fields, "points", "import_id", "entered_at"], chosen))
    return report(added=added, unchanged=identical, replaced=replaced, status="imported")


def _shape(conn: Any, sources: list[str], *, new_only: bool) -> str:
    """What is written, in the clerk's terms (context.score_shape), counted in SQL: the scores
    (the deductions when there are none), without those the ledger already holds alike when
    ``new_only``."""
    s = STAGE.c
    scores = conn.execute(select(func.count()).where(s.item == "")).scalar_one() > 0
    table = _score if scores else _deduction
    where = [s.item == "" if scores else s.item != ""]
    if new_only:
        same = func.abs(table.c.points - s.points) <= _EPS
        where.append(~exists(select(1).select_from(table).where(same_key(table), same)))
    branches, indicators, respondents = conn.execute(
        select(
            func.count(func.distinct(s.branch_id)),
            func.count(func.distinct(s.indicator)),
            func.count(func.distinct(func.nullif(s.respondent, ""))),
        ).where(*where)
    ).one()
    per_source = dict(conn.execute(select(s.source, func.count()).where(*where).group_by(s.source)).all())
    breakdown = sorted(per_source.items(), key=lambda kv: sources.index(kv[0]))
    return score_shape(sum(per_source.values()), branches, indicators, respondents, breakdown)


def _report_conflicts(ctx: ImportContext, survey: SurveyFile, table: Table, kind: Any) -> int:
    """Staged rows whose key the ledger holds with other points, naming where those came from."""
    s = STAGE.c
    rows = ctx.conn.execute(
        select(
            s.row_no,
            s.col_no,
            s.branch_id,
            s.source,
            s.indicator,
            s.points,
            table.c.points,
            _imports.c.file_name,
        )
        .select_from(
            STAGE.join(table, same_key(table)).outerjoin(_imports, _imports.c.id == table.c.import_id)
        )
        .where(kind, func.abs(table.c.points - s.points) > _EPS)
        .order_by(s.row_no, s.col_no)
        .limit(ctx.problems.limit + 1)
    ).all()
    for row, col, bid, src, ind, new, old, file_name in rows:
        origin = f"来自 {file_name}" if file_name else "手工录入"
        ctx.problems.add(
            survey.problem(
                f"账本中“{ctx.lookup.names[bid]}”的“{src}”“{ind}”已是 {fmt_number(old)}（{origin}），"
                f"本文件为 {fmt_number(new)}；如以本文件为准，请加 --replace",
                row,
                col,
            )
        )
    return len(rows)
