"""Batch import of survey results into the ledger: validate every row, then write all or nothing.

The reader (jcnian.survey_reader) turns a file into typed rows; this module resolves branch
names, checks sources, indicators and points against the rubric in force, and writes the
same Score, Deduction and Ballot records that ``grade score`` and ``grade ballot`` write,
each pointing back to a SurveyImport row that the import log lists.

Why it is built this way:

- Files of a million rows must import at a rate comparable to a raw ``executemany``, so no
  ORM object is made per row. Checked rows go in chunks through the DBAPI into a temporary
  staging table; duplicates, conflicts with what the ledger holds and the final insert are
  then set operations in SQL. Memory stays bounded: the staging table lives in the
  database, and Python keeps only a chunk and per-name caches.
- Every problem is collected (up to a limit) with file:row:column, and any problem means
  nothing is written: the caller's single transaction is rolled back.
- Re-import is idempotent by natural keys (branch, source, indicator, respondent, item for
  scores; the branch's whole ballot for ballots): rows the ledger already holds with the
  same values are left alone, new ones are added, different ones are a conflict unless
  ``replace``, which replaces the earlier rows of the same branches and sources only. The
  content hash names the earlier import of the same file in the messages and the log.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlmodel import Session

from jcnian.errors import Ambiguous, InvalidInput, NotFound
from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS, Rubric
from jcnian.ledger import current_campaign
from jcnian.models import Ballot, Branch, BranchAlias, Deduction, Score, SurveyImport
from jcnian.names import closest, normalise, resolve
from jcnian.survey_reader import (
    LAYOUT_LABELS,
    CountRow,
    Problem,
    Problems,
    SurveyFile,
    VoteRow,
    column_letter,
    fmt_number,
    open_survey,
)

# (file name, phase, done, total): phase "read" streams the file (bytes or rows), "write"
# is the set-based check and insert that follows, with no measurable progress (total 0).
Progress = Callable[[str, str, int, int], None]

STAGE_CHUNK = 20_000
SUGGESTION_LIMIT = 20  # distinct unknown names that get "closest candidates" (difflib is slow)
_EPS = 1e-9

_meta = MetaData()
_stage = Table(
    "survey_stage",
    _meta,
    Column("row_no", Integer, nullable=False),
    Column("col_no", Integer, nullable=False),
    Column("branch_id", Integer, nullable=False),
    Column("source", String, nullable=False),
    Column("indicator", String, nullable=False),
    Column("respondent", String, nullable=False),
    Column("item", String, nullable=False),  # "" for points, the 扣分事项 for a deduction
    Column("points", Float, nullable=False),
    prefixes=["TEMPORARY"],
)
_pairs = Table(
    "survey_pairs",
    _meta,
    Column("branch_id", Integer, primary_key=True),
    Column("source", String, primary_key=True),
    prefixes=["TEMPORARY"],
)
_score = Score.__table__  # type: ignore[attr-defined]
_deduction = Deduction.__table__  # type: ignore[attr-defined]
_ballot = Ballot.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FileReport:
    """What one file brought (or would bring) into the ledger."""

    file: str
    sha256: str
    layout: str  # long | wide | counts | ballots
    how: str  # how the file was read: layout, header row, encoding, sheet
    records: int  # scores/deductions, or branches with ballots
    branches: int
    added: int
    unchanged: int
    replaced: dict[str, Any] | None
    status: str  # imported | unchanged | dry-run
    earlier: str | None = None  # an earlier import of the same bytes
    notes: list[str] = field(default_factory=list)
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # per source or ballot option
    import_id: int | None = None

    @property
    def layout_label(self) -> str:
        return LAYOUT_LABELS[self.layout]


@dataclass(frozen=True)
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    replace: bool


@dataclass(frozen=True)
class LogEntry:
    """One line of ``survey log``."""

    id: int
    file: str
    sha256: str
    layout: str
    source: str | None
    rows: int
    replaced: str | None
    imported_at: datetime


# --- what the ledger knows --------------------------------------------------------------


class _Ledger:
    """Names and rubric loaded once per command; each distinct spelling is resolved once."""

    def __init__(self, session: Session, rubric: Rubric) -> None:
        self.campaign = current_campaign(session)
        conn = session.connection()
        rows = conn.execute(
            select(Branch.id, Branch.name)  # type: ignore[arg-type]
            .where(Branch.campaign_id == self.campaign.id)
            .order_by(Branch.seq)  # candidates in a message follow the seed's order
        ).all()
        self.by_name: dict[str, int] = {name: bid for bid, name in rows}
        self.names: dict[int, str] = {bid: name for bid, name in rows}
        self.aliases: dict[str, int] = dict(
            conn.execute(
                select(BranchAlias.alias, BranchAlias.branch_id).where(  # type: ignore[arg-type]
                    BranchAlias.campaign_id == self.campaign.id
                )
            ).all()
        )
        self.rubric = rubric
        self._sources = {normalise(s): s for s in rubric.sources}
        self._indicators = {normalise(i): i for i in rubric.indicators}
        self.branch_cache: dict[str, int | str] = {}
        self.source_cache: dict[str, str | None] = {}
        self.indicator_cache: dict[str, str | None] = {}
        self._failures = 0
        self._helps: dict[tuple[str, str], str] = {}

    def branch(self, raw: str) -> int | str:
        """The branch id, or the Chinese reason it cannot be found (with closest candidates)."""
        hit = self.branch_cache.get(raw)
        if hit is not None:
            return hit
        q = normalise(raw)
        found: int | str | None = self.by_name.get(q)
        if found is None:
            found = self.aliases.get(q)
        if found is None:
            partial = [name for name in self.by_name if q and q in name]
            if len(partial) == 1:
                found = self.by_name[partial[0]]
            elif self._failures < SUGGESTION_LIMIT or partial:
                self._failures += 1
                try:
                    found = resolve(raw, self.by_name, "党组织", self.aliases)
                except (NotFound, Ambiguous) as exc:
                    found = exc.message.rstrip("。")
            else:
                found = f"找不到党组织“{raw}”"
        if len(self.branch_cache) > 200_000:
            self.branch_cache.clear()
        self.branch_cache[raw] = found
        return found

    def source(self, raw: str) -> str | None:
        if raw not in self.source_cache:
            self.source_cache[raw] = self._sources.get(normalise(raw))
        return self.source_cache[raw]

    def indicator(self, raw: str) -> str | None:
        if raw not in self.indicator_cache:
            self.indicator_cache[raw] = self._indicators.get(normalise(raw))
        return self.indicator_cache[raw]

    def source_help(self, raw: str) -> str:
        return self._help("评价主体", raw, list(self.rubric.sources))

    def indicator_help(self, raw: str) -> str:
        return self._help("指标", raw, list(self.rubric.indicators))

    def _help(self, kind: str, raw: str, names: list[str]) -> str:
        """Why a name is refused, with the likeliest intended one; cached, as a bad file repeats it."""
        key = (kind, raw)
        if key not in self._helps:
            hint = closest(raw, names, limit=1)
            near = f"（是不是“{hint[0]}”？）" if hint else ""
            self._helps[key] = f"{kind}“{raw}”不在评分办法中{near}，应为 {'/'.join(names)} 之一"
        return self._helps[key]


# --- the import -------------------------------------------------------------------------


def import_surveys(
    session: Session,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    encoding: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import survey files into the caller's transaction; raise InvalidInput listing every problem.

    Files are taken in order, each seeing what the ones before it wrote. ``dry_run`` checks
    and counts everything but writes nothing (each file is then compared with the ledger as
    it stands).
    """
    from jcnian.gradebook import current_rubric

    ledger = _Ledger(session, current_rubric(session))
    problems = Problems()
    reports = []
    conn = session.connection()
    for path in paths:
        before = problems.count
        survey = open_survey(Path(path), problems, encoding=encoding, name=_display_name(path, paths))
        if survey is None:
            continue
        with survey:
            if survey.layout in ("long", "wide"):
                report = _import_scores(
                    session, conn, ledger, survey, problems, source, replace, dry_run, progress
                )
            else:
                report = _import_ballots(
                    session, conn, ledger, survey, problems, source, replace, dry_run, progress
                )
        if report is not None and problems.count == before:
            reports.append(report)
    if problems:
        files = {p.file for p in problems.items}
        raise InvalidInput(
            f"发现 {problems.count} 个问题（涉及 {len(files)} 个文件），未写入任何数据；请改正后重新导入：",
            problems.lines(),
        )
    return ImportReport(files=reports, dry_run=dry_run, replace=replace)


def _display_name(path: Path | str, paths: Sequence[Path | str]) -> str:
    """The file's name, or its path where two files given share a name."""
    name = Path(path).name
    return str(path) if sum(Path(p).name == name for p in paths) > 1 else name


def _earlier(conn: Connection, ledger: _Ledger, sha256: str) -> str | None:
    row = conn.execute(
        select(SurveyImport.file_name, SurveyImport.imported_at)  # type: ignore[call-overload]
        .where(SurveyImport.campaign_id == ledger.campaign.id, SurveyImport.sha256 == sha256)
        .order_by(SurveyImport.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return f"{row[0]}（{_local(row[1])} 导入）"


def _local(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _log(
    session: Session,
    ledger: _Ledger,
    survey: SurveyFile,
    sources: Iterable[str],
    rows: int,
    replaced: dict[str, Any] | None,
) -> int:
    entry = SurveyImport(
        campaign_id=ledger.campaign.id,  # type: ignore[arg-type]
        file_name=survey.name,
        sha256=survey.sha256,
        layout=survey.layout,
        source="、".join(sorted(set(sources))) or None,
        rows=rows,
        replaced=json.dumps(replaced, ensure_ascii=False) if replaced else None,
    )
    session.add(entry)
    session.flush()
    return entry.id  # type: ignore[return-value]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- scores and deductions ---------------------------------------------------------------


def _placeholders(conn: Connection, n: int) -> str:
    style = conn.dialect.paramstyle
    if style == "qmark":
        return ",".join("?" * n)
    if style == "numeric":
        return ",".join(f":{i + 1}" for i in range(n))
    if style in ("format", "pyformat"):
        return ",".join(["%s"] * n)
    raise NotImplementedError(style)  # pragma: no cover - "named" drivers are not used here


def _import_scores(
    session: Session,
    conn: Connection,
    ledger: _Ledger,
    survey: SurveyFile,
    problems: Problems,
    default_source: str | None,
    replace: bool,
    dry_run: bool,
    progress: Progress | None,
) -> FileReport | None:
    cols = survey.columns
    before = problems.count
    if cols.source is None:
        if not default_source:
            problems.add(survey.problem("文件没有“评价主体”列，请用 --source 指定，如 --source 群众初评。"))
            return None
        if ledger.source(default_source) is None:
            problems.add(survey.problem(f"--source {ledger.source_help(default_source)}。"))
            return None
    silent: set[str] = set()
    if survey.layout == "wide":
        seen: dict[str, int] = {}
        for col, raw in cols.indicators.items():
            name = ledger.indicator(raw)
            if name is None:
                problems.add(
                    survey.problem(
                        f"{ledger.indicator_help(survey.headers[col])}（不是分数的列请删去或改名）",
                        survey.header_cell(col),
                        col,
                    )
                )
                silent.add(raw)
            elif name in seen:
                problems.add(
                    survey.problem(
                        f"指标“{name}”与 {column_letter(seen[name])} 列重复", survey.header_cell(col), col
                    )
                )
                silent.add(raw)
            else:
                seen[name] = col

    _drop_temp(conn)
    _stage.create(conn)
    _pairs.create(conn)
    try:
        return _stage_scores(
            session,
            conn,
            ledger,
            survey,
            problems,
            before,
            silent,
            default_source,
            replace,
            dry_run,
            progress,
        )
    finally:
        _drop_temp(conn)


def _drop_temp(conn: Connection) -> None:
    _pairs.drop(conn, checkfirst=True)
    _stage.drop(conn, checkfirst=True)


def _stage_scores(
    session: Session,
    conn: Connection,
    ledger: _Ledger,
    survey: SurveyFile,
    problems: Problems,
    before: int,
    silent: set[str],
    default_source: str | None,
    replace: bool,
    dry_run: bool,
    progress: Progress | None,
) -> FileReport | None:
    cols = survey.columns
    name = survey.name
    branch_col, source_col, indicator_col = cols.branch, cols.source, cols.indicator
    wide = survey.layout == "wide"
    maxima = ledger.rubric.indicators
    branch_of, source_of, indicator_of = ledger.branch, ledger.source, ledger.indicator
    bcache, scache, icache = ledger.branch_cache, ledger.source_cache, ledger.indicator_cache
    sql = f"INSERT INTO {_stage.name} VALUES ({_placeholders(conn, 8)})"
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
    tick = (lambda done, total: progress(name, "read", done, total)) if progress else None

    for row, col, braw, sraw, iraw, respondent, points, item in survey.records(
        problems, default_source=default_source, progress=tick
    ):
        ok = True
        bid = bcache.get(braw)
        if bid is None:
            bid = branch_of(braw)
        if type(bid) is not int:
            problems.add(Problem(name, str(bid), row, branch_col, survey.header(branch_col)))
            ok = False
        src = scache[sraw] if sraw in scache else source_of(sraw)
        if src is None:
            if source_col is not None:
                problems.add(
                    Problem(name, ledger.source_help(sraw), row, source_col, survey.header(source_col))
                )
            elif sraw not in reported_sources:
                reported_sources.add(sraw)
                problems.add(Problem(name, f"--source {ledger.source_help(sraw)}"))
            ok = False
        ind = icache[iraw] if iraw in icache else indicator_of(iraw)
        if ind is None:
            if not wide:
                problems.add(
                    Problem(
                        name, ledger.indicator_help(iraw), row, indicator_col, survey.header(indicator_col)
                    )
                )
            elif iraw not in silent:  # pragma: no cover - wide headers are checked up front
                problems.add(Problem(name, ledger.indicator_help(iraw), row, col))
            ok = False
        elif points > maxima[ind] + _EPS:
            what = "扣分" if item else "得分"
            problems.add(
                Problem(
                    name,
                    f"{what} {fmt_number(points)} 超过“{ind}”的满分 {fmt_number(maxima[ind])}，"
                    f"应在 0 到 {fmt_number(maxima[ind])} 之间",
                    row,
                    col,
                    survey.header(col),
                )
            )
            ok = False
        elif item and points <= 0:
            problems.add(Problem(name, "扣分应大于 0", row, col, survey.header(col)))
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
    if progress is not None and staged:
        progress(name, "write", 0, 0)
    keys.clear()
    if repeated and _report_duplicates(conn, ledger, survey, problems):
        return None
    if problems.count > before or staged == 0:
        return None
    conn.exec_driver_sql(f"INSERT INTO {_pairs.name} VALUES ({_placeholders(conn, 2)})", sorted(pairs))
    branches = len({b for b, _ in pairs})
    return _write_scores(
        session, conn, ledger, survey, problems, staged, deductions, per_source, branches, replace, dry_run
    )


def _key(table: Table, stage: Table = _stage) -> Any:
    s = stage.c
    parts = [
        table.c.branch_id == s.branch_id,
        table.c.source == s.source,
        table.c.indicator == s.indicator,
        table.c.respondent == s.respondent,
    ]
    if "item" in table.c:
        parts.append(table.c.item == s.item)
    return and_(*parts)


def _report_duplicates(conn: Connection, ledger: _Ledger, survey: SurveyFile, problems: Problems) -> bool:
    """The same branch, source, indicator (respondent, item) twice in one file, with both places."""
    s = _stage.c
    place = s.row_no * 100_000 + s.col_no
    keys = (s.branch_id, s.source, s.indicator, s.respondent, s.item)
    groups = (
        select(*keys, func.min(place).label("first"))
        .group_by(*keys)
        .having(func.count() > 1)
        .subquery("dups")
    )
    g = groups.c
    rows = conn.execute(
        select(s.row_no, s.col_no, s.branch_id, s.source, s.indicator, s.respondent, s.item, g.first)
        .join(
            groups,
            and_(
                s.branch_id == g.branch_id,
                s.source == g.source,
                s.indicator == g.indicator,
                s.respondent == g.respondent,
                s.item == g.item,
            ),
        )
        .where(place > g.first)
        .order_by(s.row_no, s.col_no)
        .limit(problems.limit + 1)
    ).all()
    for row, col, bid, src, ind, respondent, item, first in rows:
        first_row, first_col = divmod(first, 100_000)
        what = f"“{ledger.names[bid]}”的“{src}”“{ind}”"
        if respondent:
            what += f"（测评人“{respondent}”）"
        if item:
            what += f"扣分事项“{item}”"
        where = (
            f"第 {first_row} 行" if first_col == col else f"第 {first_row} 行 {column_letter(first_col)} 列"
        )
        hint = "" if survey.columns.respondent is not None else "；如是多名测评人的打分，请加一列“测评人”"
        problems.add(survey.problem(f"{what}与{where}重复{hint}", row, col))
    return bool(rows)


def _write_scores(
    session: Session,
    conn: Connection,
    ledger: _Ledger,
    survey: SurveyFile,
    problems: Problems,
    staged: int,
    deductions: int,
    per_source: Counter[str],
    branches: int,
    replace: bool,
    dry_run: bool,
) -> FileReport | None:
    s = _stage.c
    p = _pairs.c
    existing: dict[str, int] = {}
    for label, table in (("score", _score), ("deduction", _deduction)):
        existing[label] = conn.execute(
            select(func.count())
            .select_from(table)
            .join(_pairs, and_(table.c.branch_id == p.branch_id, table.c.source == p.source))
        ).scalar_one()
    identical = 0
    if sum(existing.values()):
        conflicts = 0
        for table, is_deduction in ((_score, False), (_deduction, True)):
            kind = s.item != "" if is_deduction else s.item == ""
            same = func.abs(table.c.points - s.points) <= _EPS
            identical += conn.execute(
                select(func.count()).select_from(_stage.join(table, _key(table))).where(kind, same)
            ).scalar_one()
            if not replace:
                conflicts += _report_conflicts(conn, ledger, survey, problems, table, kind)
        if conflicts:
            return None
    added = staged - identical
    earlier_rows = sum(existing.values())
    removed = earlier_rows - identical if replace else 0
    earlier = _earlier(conn, ledger, survey.sha256)
    breakdown = sorted(per_source.items(), key=lambda kv: list(ledger.rubric.sources).index(kv[0]))
    base = {
        "file": survey.name,
        "sha256": survey.sha256,
        "layout": survey.layout,
        "how": survey.describe(),
        "records": staged,
        "branches": branches,
        "earlier": earlier,
        "notes": _notes(survey),
        "breakdown": breakdown,
    }
    if added == 0 and removed == 0:
        return FileReport(**base, added=0, unchanged=identical, replaced=None, status="unchanged")
    replaced = None
    if replace and earlier_rows:
        replaced = {
            "score": existing["score"],
            "deduction": existing["deduction"],
            "branches": branches,
            "sources": [src for src, _ in breakdown],
        }
    if dry_run:
        return FileReport(**base, added=added, unchanged=identical, replaced=replaced, status="dry-run")
    import_id = _log(session, ledger, survey, per_source, staged if replace else added, replaced)
    now = _now()
    if replace and earlier_rows:
        for table in (_score, _deduction):
            conn.execute(
                delete(table).where(
                    exists(
                        select(1)
                        .select_from(_pairs)
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
        if sum(existing.values()) and not replace:
            chosen = chosen.where(~exists(select(1).select_from(table).where(_key(table))))
        conn.execute(insert(table).from_select([*fields, "points", "import_id", "entered_at"], chosen))
    return FileReport(
        **base,
        added=added if not replace else staged - identical,
        unchanged=identical,
        replaced=replaced,
        status="imported",
        import_id=import_id,
    )


def _report_conflicts(
    conn: Connection,
    ledger: _Ledger,
    survey: SurveyFile,
    problems: Problems,
    table: Table,
    kind: Any,
) -> int:
    s = _stage.c
    imports = SurveyImport.__table__  # type: ignore[attr-defined]
    rows = conn.execute(
        select(
            s.row_no,
            s.col_no,
            s.branch_id,
            s.source,
            s.indicator,
            s.points,
            table.c.points,
            imports.c.file_name,
        )
        .select_from(_stage.join(table, _key(table)).outerjoin(imports, imports.c.id == table.c.import_id))
        .where(kind, func.abs(table.c.points - s.points) > _EPS)
        .order_by(s.row_no, s.col_no)
        .limit(problems.limit + 1)
    ).all()
    for row, col, bid, src, ind, new, old, file_name in rows:
        origin = f"来自 {file_name}" if file_name else "手工录入"
        problems.add(
            survey.problem(
                f"账本中“{ledger.names[bid]}”的“{src}”“{ind}”已是 {fmt_number(old)}（{origin}），"
                f"本文件为 {fmt_number(new)}；如以本文件为准，请加 --replace",
                row,
                col,
            )
        )
    return len(rows)


def _notes(survey: SurveyFile) -> list[str]:
    notes = list(survey.notes)
    if survey.skipped:
        notes.append(f"跳过了 {survey.skipped} 行合计、表尾或重复的表头。")
    if survey.empty_rows:
        notes.append(f"有 {survey.empty_rows} 行只有党组织名称、没有填分数或票数，已跳过。")
    return notes


# --- ballots -------------------------------------------------------------------------------


def _import_ballots(
    session: Session,
    conn: Connection,
    ledger: _Ledger,
    survey: SurveyFile,
    problems: Problems,
    default_source: str | None,
    replace: bool,
    dry_run: bool,
    progress: Progress | None,
) -> FileReport | None:
    """Ballot counts per branch; a branch's ballot is one unit, as ``grade ballot`` keeps it."""
    name = survey.name
    cols = survey.columns
    before = problems.count
    counts: dict[int, dict[str, int]] = {}
    first_row: dict[int, int] = {}
    voters: dict[tuple[int, str], int] = {}
    sets: set[tuple[str, ...]] = set()
    tick = (lambda done, total: progress(name, "read", done, total)) if progress else None
    for record in survey.records(problems, progress=tick):
        bid = ledger.branch(record.branch)
        if type(bid) is not int:
            problems.add(Problem(name, str(bid), record.row, cols.branch, survey.header(cols.branch)))
            continue
        if isinstance(record, CountRow):
            if bid in counts:
                problems.add(
                    survey.problem(
                        f"“{ledger.names[bid]}”与第 {first_row[bid]} 行重复（同一党组织的票数只能有一行）",
                        record.row,
                        cols.branch,
                    )
                )
                continue
            counts[bid] = dict(record.counts)
            first_row[bid] = record.row
            continue
        assert isinstance(record, VoteRow)
        if record.respondent:
            key = (bid, record.respondent)
            if key in voters:
                problems.add(
                    survey.problem(
                        f"测评人“{record.respondent}”对“{ledger.names[bid]}”投了两次（另见第 {voters[key]} 行）",
                        record.row,
                        cols.respondent,
                    )
                )
                continue
            voters[key] = record.row
        tally = counts.setdefault(bid, {})
        tally[record.option] = tally.get(record.option, 0) + 1
        first_row.setdefault(bid, record.row)
        sets.add(GRADE_OPTIONS if record.option in GRADE_OPTIONS else SATISFACTION_OPTIONS)
    if problems.count > before or not counts:
        return None
    for tally in counts.values():  # a ballot per row: options nobody chose still count, as 0
        for options in sets:
            for option in options:
                tally.setdefault(option, 0)

    ballot = Ballot.__table__  # type: ignore[attr-defined]
    held: dict[int, dict[str, tuple[int, int | None]]] = {}
    for bid, option, count, import_id in conn.execute(
        select(ballot.c.branch_id, ballot.c.option, ballot.c.count, ballot.c.import_id)
        .join(Branch.__table__, Branch.__table__.c.id == ballot.c.branch_id)  # type: ignore[attr-defined]
        .where(Branch.__table__.c.campaign_id == ledger.campaign.id)  # type: ignore[attr-defined]
    ):
        if bid in counts:
            held.setdefault(bid, {})[option] = (count, import_id)
    changed = [bid for bid, tally in counts.items() if bid in held and _plain(held[bid]) != tally]
    new = [bid for bid in counts if bid not in held]
    if changed and not replace:
        files = _import_files(conn, {imp for bid in changed for _c, imp in held[bid].values()})
        for bid in sorted(changed, key=lambda b: first_row[b]):
            imp = next(iter(held[bid].values()))[1]
            origin = f"来自 {files[imp]}" if imp in files else "手工录入"
            problems.add(
                survey.problem(
                    f"账本中“{ledger.names[bid]}”已有不同的票数 {_show_counts(_plain(held[bid]))}（{origin}），"
                    f"本文件为 {_show_counts(counts[bid])}；如以本文件为准，请加 --replace",
                    first_row[bid],
                    cols.branch,
                )
            )
        return None
    totals: Counter[str] = Counter()
    for tally in counts.values():
        totals.update(tally)
    order = GRADE_OPTIONS + SATISFACTION_OPTIONS
    breakdown = [(o, totals[o]) for o in order if o in totals]
    write = new + changed
    unchanged = len(counts) - len(write)
    replaced = None
    if changed:
        replaced = {
            "ballot": sum(len(held[bid]) for bid in changed),
            "branches": len(changed),
            "names": [ledger.names[bid] for bid in changed][:20],
        }
    base = {
        "file": name,
        "sha256": survey.sha256,
        "layout": survey.layout,
        "how": survey.describe(),
        "records": len(counts),
        "branches": len(counts),
        "earlier": _earlier(conn, ledger, survey.sha256),
        "notes": _notes(survey),
        "breakdown": breakdown,
    }
    if not write:
        return FileReport(**base, added=0, unchanged=unchanged, replaced=None, status="unchanged")
    if dry_run:
        return FileReport(**base, added=len(new), unchanged=unchanged, replaced=replaced, status="dry-run")
    rows = [(bid, option, count) for bid in write for option, count in counts[bid].items()]
    import_id = _log(session, ledger, survey, [default_source] if default_source else [], len(rows), replaced)
    if changed:
        conn.execute(delete(ballot).where(ballot.c.branch_id.in_(changed)))
    now = _now()
    conn.execute(
        insert(ballot),
        [
            {"branch_id": bid, "option": option, "count": count, "import_id": import_id, "entered_at": now}
            for bid, option, count in rows
        ],
    )
    return FileReport(
        **base, added=len(new), unchanged=unchanged, replaced=replaced, status="imported", import_id=import_id
    )


def _plain(held: dict[str, tuple[int, int | None]]) -> dict[str, int]:
    return {option: count for option, (count, _imp) in held.items()}


def _show_counts(counts: dict[str, int]) -> str:
    order = GRADE_OPTIONS + SATISFACTION_OPTIONS
    return " ".join(f"{o}{counts[o]}" for o in order if o in counts)


def _import_files(conn: Connection, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    imports = SurveyImport.__table__  # type: ignore[attr-defined]
    return dict(conn.execute(select(imports.c.id, imports.c.file_name).where(imports.c.id.in_(wanted))).all())


# --- the log --------------------------------------------------------------------------------


def import_log(session: Session) -> list[LogEntry]:
    """Every import of the ledger's campaign, oldest first."""
    campaign = current_campaign(session)
    imports = SurveyImport.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(imports).where(imports.c.campaign_id == campaign.id).order_by(imports.c.id)
    )
    return [
        LogEntry(
            id=r.id,
            file=r.file_name,
            sha256=r.sha256,
            layout=r.layout,
            source=r.source,
            rows=r.rows,
            replaced=describe_replaced(r.replaced),
            imported_at=r.imported_at if r.imported_at.tzinfo else r.imported_at.replace(tzinfo=UTC),
        )
        for r in rows
    ]


def describe_replaced(stored: str | dict[str, Any] | None) -> str | None:
    """The summary a --replace stored (JSON in the log), as one Chinese phrase."""
    if not stored:
        return None
    if isinstance(stored, str):
        try:
            data = json.loads(stored)
        except ValueError:
            return stored
    else:
        data = stored
    parts = []
    if data.get("score"):
        parts.append(f"得分 {data['score']} 条")
    if data.get("deduction"):
        parts.append(f"扣分 {data['deduction']} 条")
    if data.get("ballot"):
        parts.append(f"选票 {data['ballot']} 条")
    scope = f"{data.get('branches', 0)} 个党组织"
    if data.get("sources"):
        scope += "的" + "、".join(data["sources"])
    return f"{scope}原有的{'、'.join(parts) or '记录'}"
