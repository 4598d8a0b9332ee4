"""An opened survey file and the typed rows each layout yields: every cell accounted for.

Real sheets carry more than data: blank rows, a 合计 or 平均 row, a title repeated on every
printed page, a sign-off under the table of any number of cells (制表人：…，审核：…，填表日期：…，
联系电话：…，单位盖章，备注：…), the header repeated on every page, template rows that list a
branch with nothing filled in. These are read past, each with its reason, which the report
counts and ``--dry-run`` lists.

Every cell of a data row is either taken or refused as a located problem: a bad number, an
empty score, a formula whose result was never saved, a control character, a value in a
column with no header, a CSV line with fewer fields than the header has data columns. A row
with a problem is left out, so one run reports every mistake of the file.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS, parse_ballot_option
from jcnian.names import normalise
from jcnian.problems import Problem, column_letter
from jcnian.survey.cells import cell_text, clean_item, fmt_number, is_blank, parse_count, shown
from jcnian.survey.headers import (
    BRANCH_WORDS,
    LAYOUT_LABELS,
    SIGN_OFF,
    TOTAL_TAIL,
    TOTAL_WORDS,
    Columns,
    header_key,
    option_of,
)
from jcnian.survey.problems import Problems
from jcnian.survey.sheets import RawRows, Sheet, SpanningRow
from jcnian.survey.sniff import ENCODING_LABELS
from jcnian.typed import NAME, SHORT, BadValue, parse_points, text_problem

ReadProgress = Callable[[int, int], None]  # (done, total) in bytes or rows

PROGRESS_EVERY = 8192  # rows between progress reports
RESPONDENT_CACHE = 100_000  # distinct respondent cells kept normalised
SKIP_LIST = 200  # skipped rows kept with their reason for --dry-run; beyond this only counted
_POINTS = "分数（不小于 0 的数）"
UNSAVED = "是公式，但文件里没有保存计算结果，请在 Excel/WPS 中打开并保存后再导入"
# Why a row was read past, as the report words it.
TOTAL, SIGNOFF, HEADER_AGAIN, TITLE, OUTSIDE = (
    "合计行",
    "表尾签字或说明",
    "重复的表头",
    "标题行",
    "表格外的文字",
)
TEMPLATE = "只有党组织名称，没有填分数或票数"
_TITLE = re.compile(r"(表|汇总|统计|情况|一览)$")


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
    text_file: bool = False  # CSV/TXT: a line with fewer fields than the header is a problem
    skipped: int = 0  # rows read past that are not blank (合计, sign-offs, titles, headers)
    skips: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason, content)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    empty_rows: int = 0  # rows naming a branch with nothing filled in (a template's blank line)
    data_rows: int = 0
    _sheet: Sheet | None = field(default=None, repr=False)
    # The long layout's respondents by their cell (None once too many to keep): what the
    # report counts them by.
    respondents: dict[Any, str | None] | None = field(default=None, repr=False)
    _headerless: list[int] = field(default_factory=list, repr=False)  # columns with a blank header
    _unsaved: dict[int, list[int]] = field(default_factory=dict, repr=False)  # row -> formula columns
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
            reasons = "、".join(f"{reason} {n} 行" for reason, n in self.skip_reasons.most_common())
            notes.append(f"跳过了 {self.skipped} 行（{reasons}；--dry-run 逐行列出）。")
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
        """Whether a branch cell needs a closer look: blank, 合计/平均, a sign-off, a repeated
        header, a control character."""
        flag = self._special_cache.get(branch)
        if flag is None:
            key = normalise(branch)
            flag = (
                not key
                or key in TOTAL_WORDS
                or bool(TOTAL_TAIL.search(key))
                or header_key(branch) in BRANCH_WORDS
                or bool(SIGN_OFF.match(key))
                or bool(_TITLE.search(key))
                or text_problem(branch, NAME) is not None
            )
            if len(self._special_cache) > 100_000:
                self._special_cache.clear()
            self._special_cache[branch] = flag
        return flag

    def _skip_row(self, row_no: int, reason: str, cells: Sequence[Any]) -> bool:
        """Read a row past for ``reason``, keeping it for the report; always True."""
        self.skipped += 1
        self.skip_reasons[reason] += 1
        if len(self.skips) < SKIP_LIST:
            content = "，".join(t for t in (cell_text(c) for c in cells) if t)
            self.skips.append((row_no, reason, content[:60] + ("…" if len(content) > 60 else "")))
        return True

    def _template_row(self, row_no: int, cells: Sequence[Any]) -> None:
        """A row naming a branch with nothing filled in (a template's line): counted on its
        own (the report says so in a note) and listed with the rows read past."""
        self.empty_rows += 1
        if len(self.skips) < SKIP_LIST:
            content = "，".join(t for t in (cell_text(c) for c in cells) if t)
            self.skips.append((row_no, TEMPLATE, content[:60]))

    def _skip(
        self,
        problems: Problems,
        row_no: int,
        cells: Sequence[Any],
        branch: str,
        data_cols: Sequence[int | None],
    ) -> bool:
        """Rows to read past: blank, 合计/平均, sign-offs of any number of cells, titles, a
        repeated header. A row with data but no branch name is a problem, reported here, and
        skipped too; so is a branch cell with a control character."""
        texts = [t for t in (cell_text(c) for c in cells) if t]
        if not texts:
            return True  # a blank line
        first = normalise(texts[0])
        if SIGN_OFF.match(first):
            return self._skip_row(row_no, SIGNOFF, cells)
        key = normalise(branch)
        if {normalise(t) for t in texts} & TOTAL_WORDS or (key and TOTAL_TAIL.search(key)):
            return self._skip_row(row_no, TOTAL, cells)
        if key:
            if header_key(branch) in BRANCH_WORDS:
                return self._skip_row(row_no, HEADER_AGAIN, cells)
            if len(texts) == 1 and _TITLE.search(key) and len(key) >= 6:
                return self._skip_row(row_no, TITLE, cells)
            problem = text_problem(branch, NAME)
            if problem is not None and not problem.startswith("太长"):
                problems.add(self.problem(f"党组织名称{problem}", row_no, self.columns.branch))
                return True
            return False
        if len(texts) == 1 and _TITLE.search(normalise(texts[0])) and len(texts[0]) >= 6:
            return self._skip_row(row_no, TITLE, cells)
        if all(is_blank(cells, c) for c in data_cols):
            return self._skip_row(row_no, OUTSIDE, cells)  # only a note outside the data columns
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

    def _unaccounted(
        self, problems: Problems, row_no: int, cells: Sequence[Any], used: Sequence[int]
    ) -> bool:
        """Cells of a data row that no column can take, each a problem; True when there are any.

        A value in a column with no header; a cell the CSV line does not reach although its
        column is read (a comma missing); a formula with no saved result in a column read.
        """
        bad = False
        width = len(self.headers)
        for col in self._headerless:
            if col < len(cells) and not is_blank(cells, col):
                problems.add(
                    self.problem(
                        f"{shown(cells[col])}所在的 {column_letter(col)} 列没有表头，不知道是什么数据；"
                        "请加上表头或删去这一列",
                        row_no,
                        col,
                    )
                )
                bad = True
        if len(cells) > width:
            for col in range(width, len(cells)):
                if not is_blank(cells, col):
                    problems.add(
                        self.problem(
                            f"{shown(cells[col])}在表头以外的 {column_letter(col)} 列，不知道是什么数据；"
                            "请加上表头或删去",
                            row_no,
                            col,
                        )
                    )
                    bad = True
        if self.text_file and len(cells) < width:
            missing = [c for c in used if c >= len(cells)]
            if missing:
                names = "、".join(f"“{self.headers[c]}”" for c in missing)
                problems.add(
                    self.problem(
                        f"这一行只有 {len(cells)} 列，表头有 {width} 列，缺{names}（多半少了逗号或分隔符）",
                        row_no,
                        missing[0],
                    )
                )
                bad = True
        formulas = self._unsaved.get(row_no)
        if formulas:
            for col in formulas:
                if col in used:
                    problems.add(self.problem(UNSAVED, row_no, col))
                    bad = True
        return bad

    def _rows(
        self, rows: RawRows, problems: Problems, used: Sequence[int], data_cols: Sequence[int | None]
    ) -> Iterator[tuple[int, Sequence[Any], str]]:
        """Data rows, padded to the columns ``used``, with their branch text, past every row
        that is not data.

        Every layout reads through here, so it is the hot path of big files: an ordinary row
        costs one dict lookup (``_special``'s cache) and two length checks beyond taking its
        branch cell.
        """
        bi = self.columns.branch
        special = self._special_cache
        pad = 1 + max(used)
        width = len(self.headers)
        used_set = frozenset(used)
        self._headerless = [i for i, h in enumerate(self.headers) if not h]
        unsaved: dict[int, list[int]] = {}
        for r, c in sorted(self._sheet.unsaved if self._sheet is not None else ()):
            unsaved.setdefault(r, []).append(c)
        self._unsaved = unsaved
        check = bool(self._headerless) or bool(unsaved)
        for n, (row_no, cells) in enumerate(rows, start=1):
            if n % PROGRESS_EVERY == 0:
                self._tick()
            if type(cells) is SpanningRow and self._spanning(problems, row_no, cells):
                continue
            size = len(cells)
            short = size < pad
            if short:
                real = cells
                cells = [*cells, *([None] * (pad - size))]
            raw = cells[bi]
            branch = raw.strip() if type(raw) is str else cell_text(raw)
            flag = special.get(branch)
            if flag is None:
                flag = self._special(branch)
            if not flag and bi:
                # A sign-off may start left of the branch column (制表人 under 序号).
                first = cells[0]
                flag = type(first) is str and not first.isdigit() and bool(SIGN_OFF.match(normalise(first)))
            if flag and self._skip(problems, row_no, cells, branch, data_cols):
                continue
            if (check or short or size > width) and self._unaccounted(
                problems, row_no, real if short else cells, used_set
            ):
                continue
            yield row_no, cells, branch

    def _number(self, problems: Problems, row_no: int, col: int, value: object, what: str) -> float | None:
        try:
            number = parse_points(value)
        except BadValue as exc:
            problems.add(self.problem(f"{shown(value)}{exc}，应填{what}", row_no, col))
            return None
        if number is not None and number < 0:
            problems.add(self.problem(f"{shown(value)}小于 0，应填{what}", row_no, col))
            return None
        return number

    def _text(self, problems: Problems, row_no: int, col: int, text: str, kind: str) -> bool:
        """Whether a text cell the ledger will keep may be kept (no control character, not too long)."""
        problem = text_problem(text, kind)
        if problem is None:
            return True
        problems.add(self.problem(f"{self.header(col) or '单元格'}{problem}", row_no, col))
        return False

    # -- layouts -----------------------------------------------------------------------------

    def _long(self, rows: RawRows, problems: Problems, default_source: str) -> Iterator[ScoreRow]:
        """The hot loop of big files: written out flat, one pass per row, no helper per cell.

        Points go in 得分, or in 扣分 with a 扣分事项 (a deduction); without a 扣分 column, a
        row with a 扣分事项 deducts the points in its 得分 cell.
        """
        c = self.columns
        bi, si, ii, pi, di, ti, ri = c.branch, c.source, c.indicator, c.points, c.deduct, c.item, c.respondent
        assert ii is not None
        used = [x for x in (bi, si, ii, pi, di, ti, ri, c.total) if x is not None]
        data_cols = [x for x in (si, ii, pi, di, ti) if x is not None]
        respondents: dict[Any, str | None] = {}
        self.respondents = respondents
        names: dict[str, bool] = {}  # source and indicator texts already checked
        new = tuple.__new__
        for row_no, cells, branch in self._rows(rows, problems, used, data_cols):
            raw = cells[ii]
            indicator = raw.strip() if type(raw) is str else cell_text(raw)
            if not indicator and all(is_blank(cells, col) for col in data_cols):
                self._template_row(row_no, cells)  # the branch listed, nothing filled in yet
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
                    good = names.get(source)
                    if good is None:
                        good = names[source] = self._text(problems, row_no, si, source, SHORT)
                    if not good:
                        ok = False
            else:
                source = default_source
            if not indicator:
                problems.add(self.problem("指标为空", row_no, ii))
                ok = False
            else:
                good = names.get(indicator)
                if good is None:
                    good = names[indicator] = self._text(problems, row_no, ii, indicator, SHORT)
                if not good:
                    ok = False
            item = ""
            if ti is not None and not is_blank(cells, ti):
                if not self._text(problems, row_no, ti, cell_text(cells[ti]), "long"):
                    ok = False
                item = clean_item(cells[ti])
                if ok and not self._text(problems, row_no, ti, item, SHORT):
                    ok = False
            col = pi
            points = None
            raw = cells[pi] if pi is not None else None
            if type(raw) is str:
                if raw.isascii() and raw.replace(".", "", 1).isdigit():
                    points = float(raw)  # plain digits: the fast path of big files
                else:
                    points = self._number(problems, row_no, pi, raw, _POINTS)  # type: ignore[arg-type]
                    if points is None and not is_blank(cells, pi):
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
            respondent = ""
            if ri is not None:
                raw = cells[ri]
                if raw is not None and raw != "":
                    respondent = respondents.get(raw)  # type: ignore[assignment]
                    if respondent is None:
                        if len(respondents) > RESPONDENT_CACHE:
                            respondents.clear()
                            self.respondents = None  # too many to count here
                        respondent = normalise(cell_text(raw))
                        if self._text(problems, row_no, ri, cell_text(raw), NAME):
                            respondents[raw] = respondent
                        else:
                            ok = False
            if not ok or points is None:
                continue
            yield new(ScoreRow, (row_no, col, branch, source, indicator, respondent, points, item))  # type: ignore[arg-type]

    def _wide(self, rows: RawRows, problems: Problems, default_source: str) -> Iterator[ScoreRow]:
        c = self.columns
        value_cols = list(c.indicators.items())
        used = [x for x in (c.branch, c.source, c.respondent, c.total, *c.indicators) if x is not None]
        for row_no, cells, branch in self._rows(rows, problems, used, list(c.indicators)):
            if all(is_blank(cells, col) for col, _ in value_cols):
                self._template_row(row_no, cells)  # the branch listed, nothing filled in yet
                continue
            self.data_rows += 1
            ok = True
            source = cell_text(cells[c.source]) if c.source is not None else ""
            if not source:
                source = default_source
                if not source and c.source is not None:
                    problems.add(self.problem("评价主体为空", row_no, c.source))
                    ok = False
            elif c.source is not None and not self._text(problems, row_no, c.source, source, SHORT):
                ok = False
            respondent = ""
            if c.respondent is not None and not is_blank(cells, c.respondent):
                text = cell_text(cells[c.respondent])
                respondent = normalise(text)
                if not self._text(problems, row_no, c.respondent, text, NAME):
                    ok = False
            out = []
            for col, indicator in value_cols:
                if is_blank(cells, col):
                    # Not a template row (something is filled in): an empty score is a mistake,
                    # not a zero; an indicator a source does not score has no column.
                    problems.add(self.problem("分数为空（这一行其他指标已填分数）", row_no, col))
                    ok = False
                    continue
                points = self._number(problems, row_no, col, cells[col], _POINTS)
                if points is None:
                    ok = False
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
            stated = parse_points(cells[col])
        except BadValue as exc:
            problems.add(self.problem(f"{shown(cells[col])}{exc}", row_no, col))
            return
        if stated is not None and abs(stated - total) > 0.005:
            problems.add(
                self.problem(f"合计 {fmt_number(stated)} 与{what}之和 {fmt_number(total)} 不符", row_no, col)
            )

    def _counts(self, rows: RawRows, problems: Problems) -> Iterator[CountRow]:
        """A branch's counts per row. A blank cell of the form a row uses is 0 (offices leave
        noughts out); the other form's cells must then be blank: one ballot, one form."""
        c = self.columns
        used = [x for x in (c.branch, c.total, *c.options) if x is not None]
        forms = {
            col: GRADE_OPTIONS if option in GRADE_OPTIONS else SATISFACTION_OPTIONS
            for col, option in c.options.items()
        }
        for row_no, cells, branch in self._rows(rows, problems, used, list(c.options)):
            if all(is_blank(cells, col) for col in c.options):
                self._template_row(row_no, cells)
                continue
            self.data_rows += 1
            filled = [col for col in c.options if not is_blank(cells, col)]
            form = forms[filled[0]]
            other = [col for col in filled if forms[col] is not form]
            if other:
                col = other[0]
                problems.add(
                    self.problem(
                        f"{shown(cells[col])}是“{c.options[col]}”的票数，而这一行已填了“{c.options[filled[0]]}”："
                        f"一份选票只能用 {'/'.join(GRADE_OPTIONS)} 或 {'/'.join(SATISFACTION_OPTIONS)} 中的一种",
                        row_no,
                        col,
                    )
                )
                continue
            counts: dict[str, int] = {}
            ok = True
            for col, option in c.options.items():
                if forms[col] is not form:
                    continue
                try:
                    count = parse_count(cells[col])
                except BadValue as exc:
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
        for row_no, cells, branch in self._rows(rows, problems, used, [vote]):
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
            respondent = ""
            if c.respondent is not None and not is_blank(cells, c.respondent):
                text = cell_text(cells[c.respondent])
                if not self._text(problems, row_no, c.respondent, text, NAME):
                    continue
                respondent = normalise(text)
            yield VoteRow(row_no, vote, branch, option, respondent)


def _ballot_option(text: str) -> str | None:
    if text_problem(text, SHORT) is not None:
        return None
    try:
        return parse_ballot_option(text)
    except Exception:
        return option_of(header_key(text))
