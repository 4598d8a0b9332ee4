"""An opened survey file and the typed rows each layout yields, past everything that is not data.

Real sheets carry more than data: blank rows, a 合计 or 平均 row, a footer (填表人、注), the
header repeated on every printed page, template rows that list a branch with nothing filled
in. These are read past (and counted, so the report can say so); every other bad cell becomes
a located problem and its row is left out, so one run reports every mistake of the file.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS, parse_ballot_option
from jcnian.names import normalise
from jcnian.numbers import BadNumber, parse_number
from jcnian.problems import Problem
from jcnian.survey.cells import cell_text, clean_item, fmt_number, is_blank, parse_count, shown
from jcnian.survey.headers import (
    BRANCH_WORDS,
    FOOTER,
    LAYOUT_LABELS,
    TOTAL_TAIL,
    TOTAL_WORDS,
    Columns,
    header_key,
    option_of,
)
from jcnian.survey.problems import Problems
from jcnian.survey.sheets import RawRows, Sheet, SpanningRow
from jcnian.survey.sniff import ENCODING_LABELS

ReadProgress = Callable[[int, int], None]  # (done, total) in bytes or rows

PROGRESS_EVERY = 8192  # rows between progress reports
_POINTS = "分数（不小于 0 的数）"


class ScoreRow(NamedTuple):
    """Points for a branch, source and indicator; ``item`` non-empty makes it a deduction (扣分)."""

    row: int
    col: int  # the cell holding the points
    branch: str
    source: str
    indicator: str
    respondent: str
    points: float
    item: str


class CountRow(NamedTuple):
    """A branch's ballot counts from one row of a count sheet."""

    row: int
    branch: str
    counts: dict[str, int]


class VoteRow(NamedTuple):
    """One ballot: a respondent's 评价 of a branch (aggregated into counts downstream)."""

    row: int
    col: int
    branch: str
    option: str
    respondent: str


Record = ScoreRow | CountRow | VoteRow


@dataclass
class SurveyFile:
    """A survey file opened and its header understood; ``records()`` streams its typed rows."""

    name: str
    sha256: str
    layout: str  # long | wide | counts | ballots
    header_row: int
    columns: Columns
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    header_end: int = 0  # the last header row (a group heading may sit above the column names)
    header_rows: list[int] = field(default_factory=list)  # per column, the row its name is on
    skipped: int = 0  # 合计, footer and repeated header rows read past
    empty_rows: int = 0  # rows naming a branch with nothing filled in (a template's blank line)
    data_rows: int = 0
    _sheet: Sheet | None = field(default=None, repr=False)
    _special_cache: dict[str, bool] = field(default_factory=dict, repr=False)
    _progress: ReadProgress | None = field(default=None, repr=False)

    def describe(self) -> str:
        """How the file was read, for the clerk to check at a glance."""
        rows = (
            f"{self.header_row}–{self.header_end}" if self.header_end > self.header_row else self.header_row
        )
        parts = [LAYOUT_LABELS[self.layout], f"表头在第 {rows} 行"]
        if self.encoding:
            parts.append(f"编码 {ENCODING_LABELS.get(self.encoding, self.encoding)}")
        if self.delimiter:
            parts.append("制表符分隔" if self.delimiter == "\t" else "逗号分隔")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        return "，".join(parts)

    def read_notes(self) -> list[str]:
        """What the clerk should know about the reading, once ``records()`` has run."""
        notes = list(self.notes)
        if self.skipped:
            notes.append(f"跳过了 {self.skipped} 行合计、表尾或重复的表头。")
        if self.empty_rows:
            notes.append(f"有 {self.empty_rows} 行只有党组织名称、没有填分数或票数，已跳过。")
        return notes

    def header(self, col: int | None) -> str | None:
        if col is None or col >= len(self.headers):
            return None
        return self.headers[col] or None

    def problem(self, message: str, row: int | None = None, col: int | None = None) -> Problem:
        return Problem(self.name, message, row, col, self.header(col))

    def header_cell(self, col: int) -> int:
        """The row of the cell that names a column, for problems with the header itself."""
        return self.header_rows[col] if col < len(self.header_rows) else self.header_row

    def close(self) -> None:
        if self._sheet is not None:
            self._sheet.close()

    def __enter__(self) -> "SurveyFile":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def records(
        self, problems: Problems, *, default_source: str | None = None, progress: ReadProgress | None = None
    ) -> Iterator[Record]:
        """Typed rows, streamed; every bad cell becomes a problem and its row is left out."""
        assert self._sheet is not None
        sheet = self._sheet
        if self.layout == "long":
            body = self._long(sheet.rows, problems, default_source or "")
        elif self.layout == "wide":
            body = self._wide(sheet.rows, problems, default_source or "")
        elif self.layout == "counts":
            body = self._counts(sheet.rows, problems)
        else:
            body = self._ballots(sheet.rows, problems)
        before = problems.count
        self.data_rows = 0
        self._progress = progress
        yield from body
        if progress is not None:
            progress(max(sheet.total, 1), max(sheet.total, 1))
        if self.data_rows == 0 and problems.count == before:
            if self.empty_rows:
                message = f"表中 {self.empty_rows} 行都只有党组织名称，没有填分数或票数。"
            else:
                message = f"第 {max(self.header_row, self.header_end)} 行是表头，但表头下面没有数据行。"
            problems.add(self.problem(message))

    def _tick(self) -> None:
        sheet = self._sheet
        if self._progress is not None and sheet is not None:
            total = max(sheet.total, 1)
            self._progress(min(sheet.position(), total), total)

    # -- rows that are not data ------------------------------------------------------------

    def _special(self, branch: str) -> bool:
        """Whether a branch cell needs a closer look: blank, 合计/平均, a footer, a repeated header."""
        flag = self._special_cache.get(branch)
        if flag is None:
            key = normalise(branch)
            flag = (
                not key
                or key in TOTAL_WORDS
                or bool(TOTAL_TAIL.search(key))
                or header_key(branch) in BRANCH_WORDS
                or bool(FOOTER.match(key))
            )
            if len(self._special_cache) > 100_000:
                self._special_cache.clear()
            self._special_cache[branch] = flag
        return flag

    def _skip(
        self,
        problems: Problems,
        row_no: int,
        cells: Sequence[Any],
        branch: str,
        data_cols: Sequence[int | None],
    ) -> bool:
        """Rows to read past: blank, 合计/平均, footers (填表人、注), a repeated header.

        A row with data but no branch name is a problem, reported here, and skipped too.
        """
        key = normalise(branch)
        if key:
            if key in TOTAL_WORDS or TOTAL_TAIL.search(key) or header_key(branch) in BRANCH_WORDS:
                self.skipped += 1
                return True
            if FOOTER.match(key) and all(is_blank(cells, c) for c in data_cols):
                self.skipped += 1
                return True
            return False
        if not any(cell_text(c) for c in cells):
            return True
        if {normalise(cell_text(c)) for c in cells} & TOTAL_WORDS:
            self.skipped += 1
            return True
        if all(is_blank(cells, c) for c in data_cols):
            return True  # only a note outside the data columns
        problems.add(self.problem("党组织名称为空", row_no, self.columns.branch))
        return True

    def _spanning(self, problems: Problems, row_no: int, cells: SpanningRow) -> bool:
        """Report cells that ran over several lines, unless in free text (扣分事项 may do so)."""
        bad = False
        for i, cell in enumerate(cells):
            if i != self.columns.item and ("\n" in cell or "\r" in cell):
                problems.add(
                    self.problem(
                        f"单元格跨了第 {cells.first}–{cells.last} 行，多半是引号没有配对，请检查这一带的引号",
                        row_no,
                        i,
                    )
                )
                bad = True
        return bad

    def _rows(
        self, rows: RawRows, problems: Problems, width: int, data_cols: Sequence[int | None]
    ) -> Iterator[tuple[int, Sequence[Any], str]]:
        """Data rows, padded to ``width``, with their branch text, past every row that is not data.

        Every layout reads through here, so it is the hot path of big files: an ordinary row
        costs one dict lookup (``_special``'s cache) beyond taking its branch cell.
        """
        bi = self.columns.branch
        special = self._special_cache
        for n, (row_no, cells) in enumerate(rows, start=1):
            if n % PROGRESS_EVERY == 0:
                self._tick()
            if type(cells) is SpanningRow and self._spanning(problems, row_no, cells):
                continue
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            raw = cells[bi]
            branch = raw.strip() if type(raw) is str else cell_text(raw)
            flag = special.get(branch)
            if flag is None:
                flag = self._special(branch)
            if flag and self._skip(problems, row_no, cells, branch, data_cols):
                continue
            yield row_no, cells, branch

    def _number(self, problems: Problems, row_no: int, col: int, value: object, what: str) -> float | None:
        try:
            number = parse_number(value)
        except BadNumber as exc:
            problems.add(self.problem(f"{shown(value)}{exc}，应填{what}", row_no, col))
            return None
        if number is not None and number < 0:
            problems.add(self.problem(f"{shown(value)}小于 0，应填{what}", row_no, col))
            return None
        return number

    # -- layouts -----------------------------------------------------------------------------

    def _long(self, rows: RawRows, problems: Problems, default_source: str) -> Iterator[ScoreRow]:
        """The hot loop of big files: written out flat, one pass per row, no helper per cell.

        Points go in 得分, or in 扣分 with a 扣分事项 (a deduction); without a 扣分 column, a
        row with a 扣分事项 deducts the points in its 得分 cell.
        """
        c = self.columns
        bi, si, ii, pi, di, ti, ri = c.branch, c.source, c.indicator, c.points, c.deduct, c.item, c.respondent
        assert ii is not None
        width = 1 + max(x for x in (bi, si, ii, pi, di, ti, ri) if x is not None)
        data_cols = [x for x in (si, ii, pi, di, ti) if x is not None]
        respondents: dict[Any, str] = {}
        new = tuple.__new__
        for row_no, cells, branch in self._rows(rows, problems, width, data_cols):
            raw = cells[ii]
            indicator = raw.strip() if type(raw) is str else cell_text(raw)
            if not indicator and all(is_blank(cells, col) for col in data_cols):
                self.empty_rows += 1  # a template row: the branch listed, nothing filled in yet
                continue
            self.data_rows += 1
            ok = True
            if si is not None:
                raw = cells[si]
                source = raw.strip() if type(raw) is str else cell_text(raw)
                if not source:
                    source = default_source
                    if not source:
                        problems.add(self.problem("评价主体为空", row_no, si))
                        ok = False
            else:
                source = default_source
            if not indicator:
                problems.add(self.problem("指标为空", row_no, ii))
                ok = False
            item = clean_item(cells[ti]) if ti is not None else ""
            col = pi
            points = None
            raw = cells[pi] if pi is not None else None
            if type(raw) is str:
                try:
                    points = float(raw)
                except ValueError:
                    points = self._number(problems, row_no, pi, raw, _POINTS)  # type: ignore[arg-type]
                    if points is None and not is_blank(cells, pi):
                        ok = False
                else:
                    if not -1e300 < points < 1e300 or points < 0:
                        points = self._number(problems, row_no, pi, raw, _POINTS)  # type: ignore[arg-type]
                        ok = False
            elif raw is not None:
                points = self._number(problems, row_no, pi, raw, _POINTS)  # type: ignore[arg-type]
                if points is None:
                    ok = False
            if di is not None and not is_blank(cells, di):
                if points is not None:
                    problems.add(self.problem("同一行既有得分又有扣分，请分成两行", row_no, pi))
                    ok = False
                col = di
                points = self._number(problems, row_no, di, cells[di], "扣去的分数（大于 0 的数）")
                if points is None:
                    ok = False
                if not item:
                    problems.add(self.problem("有扣分却没有写扣分事项", row_no, ti if ti is not None else di))
                    ok = False
            elif points is None:
                if ok:
                    problems.add(self.problem("分数为空", row_no, pi if pi is not None else di))
                continue
            elif item and di is not None:
                problems.add(self.problem("写了扣分事项，扣去的分数应填在“扣分”列", row_no, pi))
                ok = False
            if not ok or points is None:
                continue
            respondent = ""
            if ri is not None:
                raw = cells[ri]
                if raw is not None and raw != "":
                    respondent = respondents.get(raw)  # type: ignore[assignment]
                    if respondent is None:
                        if len(respondents) > 100_000:
                            respondents.clear()
                        respondent = respondents[raw] = normalise(cell_text(raw))
            yield new(ScoreRow, (row_no, col, branch, source, indicator, respondent, points, item))  # type: ignore[arg-type]

    def _wide(self, rows: RawRows, problems: Problems, default_source: str) -> Iterator[ScoreRow]:
        c = self.columns
        value_cols = list(c.indicators.items())
        used = [x for x in (c.branch, c.source, c.respondent, c.total, *c.indicators) if x is not None]
        for row_no, cells, branch in self._rows(rows, problems, 1 + max(used), list(c.indicators)):
            if all(is_blank(cells, col) for col, _ in value_cols):
                self.empty_rows += 1  # a template row: the branch listed, nothing filled in yet
                continue
            self.data_rows += 1
            source = cell_text(cells[c.source]) if c.source is not None else ""
            if not source:
                source = default_source
                if not source and c.source is not None:
                    problems.add(self.problem("评价主体为空", row_no, c.source))
                    continue
            respondent = normalise(cell_text(cells[c.respondent])) if c.respondent is not None else ""
            out = []
            ok = True
            for col, indicator in value_cols:
                points = self._number(problems, row_no, col, cells[col], _POINTS)
                if points is None:
                    ok = ok and is_blank(cells, col)
                    continue
                out.append(ScoreRow(row_no, col, branch, source, indicator, respondent, points, ""))
            if not ok:
                continue
            if c.total is not None and not is_blank(cells, c.total):
                self._check_total(problems, row_no, cells, sum(r.points for r in out), "各项分数")
            yield from out

    def _check_total(
        self, problems: Problems, row_no: int, cells: Sequence[Any], total: float, what: str
    ) -> None:
        col = self.columns.total
        assert col is not None
        try:
            stated = parse_number(cells[col])
        except BadNumber:
            problems.add(self.problem(f"{shown(cells[col])}不是数字", row_no, col))
            return
        if stated is not None and abs(stated - total) > 0.005:
            problems.add(
                self.problem(f"合计 {fmt_number(stated)} 与{what}之和 {fmt_number(total)} 不符", row_no, col)
            )

    def _counts(self, rows: RawRows, problems: Problems) -> Iterator[CountRow]:
        c = self.columns
        used = [x for x in (c.branch, c.total, *c.options) if x is not None]
        for row_no, cells, branch in self._rows(rows, problems, 1 + max(used), list(c.options)):
            if all(is_blank(cells, col) for col in c.options):
                self.empty_rows += 1
                continue
            self.data_rows += 1
            counts: dict[str, int] = {}
            ok = True
            for col, option in c.options.items():
                try:
                    count = parse_count(cells[col])
                except BadNumber as exc:
                    problems.add(
                        self.problem(f"{shown(cells[col])}{exc}，票数应为大于或等于 0 的整数", row_no, col)
                    )
                    ok = False
                    continue
                counts[option] = counts.get(option, 0) + (count or 0)
            if not ok:
                continue
            if c.total is not None and not is_blank(cells, c.total):
                self._check_total(problems, row_no, cells, float(sum(counts.values())), "各项票数")
            yield CountRow(row_no, branch, counts)

    def _ballots(self, rows: RawRows, problems: Problems) -> Iterator[VoteRow]:
        c = self.columns
        vote = c.vote
        assert vote is not None
        used = [x for x in (c.branch, vote, c.respondent) if x is not None]
        options: dict[str, str | None] = {}
        for row_no, cells, branch in self._rows(rows, problems, 1 + max(used), [vote]):
            self.data_rows += 1
            raw = cell_text(cells[vote])
            if not raw:
                problems.add(self.problem("评价为空", row_no, vote))
                continue
            if raw not in options:
                options[raw] = _ballot_option(raw)
            option = options[raw]
            if option is None:
                problems.add(
                    self.problem(
                        f"{shown(raw)}不是有效的评价，应为 {'/'.join(GRADE_OPTIONS)} 或 {'/'.join(SATISFACTION_OPTIONS)}",
                        row_no,
                        vote,
                    )
                )
                continue
            respondent = normalise(cell_text(cells[c.respondent])) if c.respondent is not None else ""
            yield VoteRow(row_no, vote, branch, option, respondent)


def _ballot_option(text: str) -> str | None:
    try:
        return parse_ballot_option(text)
    except Exception:
        return option_of(header_key(text))
