"""Survey spreadsheets as town offices produce them: file bytes in, typed rows and located problems out.

An edge module with no database. Real sheets come from Excel or WPS on a Chinese Windows, from
a questionnaire site's export, or are retyped by hand: GBK or UTF-16 text, a title row or two
(often merged cells) above the header, blank rows, a 合计 row, numbers written ``９０`` or
``90分``, names with stray spaces, branch names merged down over the rows that belong to them.
This module reads past all of that and reports everything else as a problem that names the
file, the row and the column as the spreadsheet shows them (row 1 is the file's first line),
so the clerk can open the file and go straight to the cell.

It never raises on bad input: whatever the bytes, the caller gets typed rows or problems.
Rows are streamed (CSV line by line, .xlsx through openpyxl's read-only parser) so memory
stays bounded however large the file; only .xls, whose format caps a sheet at 65,536 rows, is
loaded whole.
"""

import codecs
import csv
import hashlib
import itertools
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS, parse_ballot_option
from jcnian.names import normalise

Progress = Callable[[int, int], None]

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES

LAYOUT_LABELS = {
    "long": "长表（每行一项得分）",
    "wide": "宽表（每项指标一列）",
    "counts": "票数汇总",
    "ballots": "逐张选票",
}

MAX_PROBLEMS = 1000  # kept in full; beyond this only counted, so a wholly wrong file stays readable
HEADER_SCAN_ROWS = 30  # title rows above the header are looked through up to this row
PROGRESS_EVERY = 8192  # rows between progress reports
CHUNK = 1 << 20

# --- headers ----------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, so the tables below stay readable."""
    return tuple(text.split())


# Header words per column role, as Chinese offices and English exports write them.
_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    role: _words(words)
    for role, words in {
        "branch": "党组织 党组织名称 基层党组织 基层党组织名称 党支部 党支部名称 支部 支部名称 单位 "
        "单位名称 组织名称 被测评单位 被测评党组织 被评价党组织 测评对象 评价对象 "
        "branch branchname partybranch organisation organization org",
        "source": "评价主体 评议主体 测评主体 评分主体 评价方式 评价类别 主体 source evaluator",
        "indicator": "指标 评价指标 测评指标 考核指标 定级指标 指标名称 评分项目 考核项目 indicator",
        "points": "得分 分数 分值 评分 打分 points score",
        "deduct": "扣分 扣分分值 扣除分值 deduct deduction",
        "item": "扣分事项 扣分项目 扣分原因 扣分理由 扣分内容 item reason",
        "respondent": "测评人 评议人 评价人 评分人 答卷人 投票人 测评人编号 问卷编号 问卷号 选票编号 "
        "respondent rater voter",
        "vote": "评价 评价等次 评价结果 测评结果 测评等次 测评意见 评价意见 投票 vote rating opinion",
        "total": "合计 总分 总计 得分合计 合计得分 总票数 合计票数 票数合计 总数 total sum",
    }.items()
}
# Columns a summary sheet often carries that are not survey data.
_IGNORED_WORDS = frozenset(
    _words(
        "序号 编号 no no. 备注 说明 remarks note notes 分类 类别 category 联系领导 联系干部 满意率 好评率 "
        "满意度 排名 名次 等级 拟定等级 定级 初评等级 参评人数 应到人数 实到人数 发出票数 收回票数 有效票 "
        "有效票数 废票 无效票 弃权 日期 填表日期"
    )
)
_ROLES = {word: role for role, words in _ROLE_WORDS.items() for word in words}
_OPTION_WORDS = {
    **{o: o for o in GRADE_OPTIONS + SATISFACTION_OPTIONS},
    "good": "好",
    "fairlygood": "较好",
    "fairly_good": "较好",
    "fairly-good": "较好",
    "average": "一般",
    "poor": "较差",
    "satisfied": "满意",
    "basicallysatisfied": "基本满意",
    "basically_satisfied": "基本满意",
    "basically-satisfied": "基本满意",
    "dissatisfied": "不满意",
    "unsatisfied": "不满意",
}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|<[^>]*>|《[^》]*》")
_OPTION_SUFFIX = re.compile(r"(票数|票|人数|人|张)$")
_TOTAL_WORDS = frozenset(_words("合计 总计 小计 共计 总合计 平均 平均分 平均值 汇总 全镇合计 total sum"))
_TOTAL_TAIL = re.compile(r"(合计|小计|总计|平均)$")
_FOOTER = re.compile(r"^(注|说明|备注|填表|制表|审核|负责人|联系人|联系电话|日期|单位盖章|盖章|签字)")
_UNITS = re.compile(r"(分|票|人|张|个)$")


def header_key(value: object) -> str:
    """A header cell as a lookup key: full-width folded, spaces gone, ``(票)`` and ``(15分)`` dropped."""
    text = normalise(cell_text(value))
    return _BRACKETS.sub("", text).lower()


def option_of(key: str) -> str | None:
    """The ballot option a header names (``好``, ``好票数``, ``满意(人)``, ``fairly_good``)."""
    if key in _OPTION_WORDS:
        return _OPTION_WORDS[key]
    return _OPTION_WORDS.get(_OPTION_SUFFIX.sub("", key))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet labels it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- cells ------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """Any cell (CSV text, Excel number, date) as the text a clerk sees, trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def shown(value: object, limit: int = 30) -> str:
    """A cell value quoted for a message, cut short so a runaway cell cannot flood the screen."""
    text = cell_text(value).replace("\n", "⏎").replace("\r", "")
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class BadNumber(ValueError):
    """A cell that should hold a number does not; the message says what it holds instead."""


_BLANK = None


def parse_number(value: object) -> float | None:
    """Points as clerks write them: ``90``, ``９０``, `` 90 ``, ``90分``, ``90.5``; None when blank.

    Raises BadNumber for anything else (text, a date Excel made of ``4-5``, NaN, a percentage).
    """
    kind = type(value)
    if kind is float or kind is int:
        number = float(value)  # type: ignore[arg-type]
    elif value is None:
        return _BLANK
    elif kind is str:
        try:
            number = float(value)  # type: ignore[arg-type]  # also takes full-width digits
        except ValueError:
            number = _parse_slow(value)  # type: ignore[arg-type]
            if number is None:
                return _BLANK
    elif kind is bool:
        raise BadNumber("是逻辑值，不是数字")
    elif isinstance(value, datetime | date | time):
        raise BadNumber("被 Excel 当成了日期，不是数字（请把该列设为文本或数值后重新填写）")
    else:
        number = _parse_slow(cell_text(value))
        if number is None:
            return _BLANK
    if not math.isfinite(number):
        raise BadNumber("不是有效的数字")
    return number


def _parse_slow(text: str) -> float | None:
    cleaned = normalise(text)
    if not cleaned:
        return None
    if cleaned.endswith("%"):
        raise BadNumber("是百分数，这里应填分数或票数")
    cleaned = _UNITS.sub("", cleaned).replace(",", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise BadNumber("不是数字") from None
    if "_" in cleaned:
        raise BadNumber("不是数字")
    return number


def parse_count(value: object) -> int | None:
    """A vote count: a whole number ≥ 0 (``12``, ``１２``, ``12票``, Excel's 12.0); None when blank."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise BadNumber("小于 0")
    if not number.is_integer():
        raise BadNumber("不是整数")
    return int(number)


def clean_item(value: object) -> str:
    """Free text such as a 扣分事项: full-width folded, runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", cell_text(value)).split())


# --- problems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as the spreadsheet shows it."""

    file: str
    message: str
    row: int | None = None
    col: int | None = None  # 0-based; shown as a letter
    header: str | None = None

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.file}：{self.message}"
        where = f"{self.file}:{self.row}"
        if self.col is not None:
            where += f":{column_letter(self.col)}"
            if self.header:
                where += f"（{self.header}）"
        return f"{where}：{self.message}"


@dataclass
class Problems:
    """Every problem of a run, kept in order up to a limit and counted beyond it."""

    limit: int = MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self) -> list[str]:
        out = [str(p) for p in self.items]
        if self.count > len(self.items):
            out.append(f"……另有 {self.count - len(self.items)} 个问题未列出（请先改正以上问题）。")
        return out


class ReadError(Exception):
    """The file cannot be read at all; the message is the Chinese sentence to show."""


# --- typed rows -------------------------------------------------------------------------


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
class Columns:
    """Which column holds what, as recognised from the header row (0-based indices)."""

    branch: int
    source: int | None = None
    indicator: int | None = None
    points: int | None = None
    deduct: int | None = None
    item: int | None = None
    respondent: int | None = None
    vote: int | None = None
    total: int | None = None
    options: dict[int, str] = field(default_factory=dict)  # counts: column -> ballot option
    indicators: dict[int, str] = field(default_factory=dict)  # wide: column -> indicator as headed


# --- raw rows from each kind of file ----------------------------------------------------

RawRows = Iterator[tuple[int, Sequence[Any]]]


def _scan_bytes(path: Path) -> tuple[str, int, bool, bytes]:
    """One pass over the bytes: content hash, size, whether it all decodes as UTF-8, the head."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    head = b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if not head:
                head = chunk[:65536]
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), size, utf8, head


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-16": "UTF-16（带 BOM）",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "gb18030": "GBK/GB18030",
}
_ENCODING_NAMES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "936": "gb18030"}


def canonical_encoding(name: str) -> str | None:
    """The codec for an ``--encoding`` value (GBK and GB2312 read as their superset GB18030)."""
    key = name.strip().lower().replace("_", "-")
    key = _ENCODING_NAMES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


_BINARY = "文件含有二进制内容，不是文本表格；请另存为 .xlsx 或 .csv 后再导入。"


def detect_encoding(path: Path, utf8: bool, head: bytes) -> str:
    """BOM first, then UTF-8 if every byte decodes, UTF-16 by its zero bytes, then GB18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf8:
        return "utf-8"
    # Text in GBK or UTF-8 has no zero bytes; UTF-16 has one in every ASCII character
    # (tabs, digits, line ends), always on the same side of the pair.
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(2, len(sample) // 64)
    if odd >= enough and even == 0:
        return "utf-16-le"
    if even >= enough and odd == 0:
        return "utf-16-be"
    if even or odd:
        raise ReadError(_BINARY)
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise ReadError(
        "无法识别文件编码（不是 UTF-8、GBK/GB18030 或 UTF-16），请用 --encoding 指定，如 --encoding gbk。"
    )


def detect_delimiter(text: str, suffix: str) -> str:
    """Tab or comma, by which one the first lines use (Excel's "Unicode text" is tab-separated)."""
    tabs = commas = 0
    for line in text.splitlines()[:30]:
        tabs += "\t" in line
        commas += "," in line
    if tabs and (tabs >= commas or suffix in (".txt", ".tsv")):
        return "\t"
    return ","


class _Sheet:
    """Rows of one sheet or text file, with the byte or row position for the progress bar."""

    def __init__(
        self,
        rows: RawRows,
        total: int,
        position: Callable[[], int],
        closer: Callable[[], None] | None = None,
    ) -> None:
        self.rows = rows
        self.total = total
        self.position = position
        self.close = closer or getattr(rows, "close", lambda: None)


def _text_rows(path: Path, encoding: str, delimiter: str, problems: Problems, name: str) -> _Sheet:
    handle = path.open("r", encoding=encoding, newline="", errors="strict")
    size = path.stat().st_size

    def rows() -> RawRows:
        reader = csv.reader(handle, delimiter=delimiter, strict=False)
        last = 0
        try:
            for cells in reader:
                start = last + 1
                last = reader.line_num
                if last > start and any("\n" in c or "\r" in c for c in cells):
                    cells = _SpanningRow(cells, start, last)
                yield start, cells
        except UnicodeDecodeError:
            problems.add(
                Problem(
                    name,
                    f"第 {last + 1} 行附近的内容不是 {ENCODING_LABELS.get(encoding, encoding)} 编码，"
                    "请用 --encoding 指定正确的编码（如 gbk、utf-8）。",
                )
            )
        except (csv.Error, ValueError) as exc:
            problems.add(
                Problem(name, f"第 {last + 1} 行附近不是有效的 CSV（{_csv_reason(exc)}），之后的内容未读取。")
            )
        finally:
            handle.close()

    return _Sheet(rows(), size, lambda: handle.buffer.tell() if not handle.closed else size)


def _csv_reason(exc: Exception) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "某个单元格过长，多半是引号没有配对"
    return text


class _SpanningRow(list):  # type: ignore[type-arg]
    """A CSV record that ran over several lines: legal, but in survey data a sign of a stray quote."""

    def __init__(self, cells: list[str], first: int, last: int) -> None:
        super().__init__(cells)
        self.first, self.last = first, last


def _merge_fill(ranges: list[tuple[int, int, int, int]]) -> dict[int, list[tuple[int, int, int]]]:
    """Rows below the top of a vertically merged range, and what they inherit: row → [(c1, c2, top)].

    Merged cells hold their value only in the top-left cell; a branch name merged down over its
    seven indicator rows belongs to every one of them.
    """
    fill: dict[int, list[tuple[int, int, int]]] = {}
    for r1, c1, r2, c2 in ranges:
        if r2 <= r1 or r2 - r1 > 100_000:
            continue
        for r in range(r1 + 1, r2 + 1):
            fill.setdefault(r, []).append((c1, c2, r1))
    return fill


def _filled(rows: Iterator[tuple[int, Sequence[Any]]], ranges: list[tuple[int, int, int, int]]) -> RawRows:
    fill = _merge_fill(ranges)
    if not fill:
        yield from rows
        return
    tops = {r1 for r1, _c1, r2, _c2 in ranges if r2 > r1}
    anchors: dict[tuple[int, int], Any] = {}
    for row_no, cells in rows:
        if row_no in fill:
            cells = list(cells)
            for c1, c2, top in fill[row_no]:
                value = anchors.get((top, c1))
                if len(cells) <= c2:
                    cells.extend([None] * (c2 + 1 - len(cells)))
                for c in range(c1, c2 + 1):
                    if cells[c] is None or cells[c] == "":
                        cells[c] = value
        if row_no in tops:
            for r1, c1, r2, _c2 in ranges:
                if r1 == row_no and r2 > r1 and c1 < len(cells):
                    anchors[(r1, c1)] = cells[c1]
        yield row_no, cells


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_merges(ws: Any) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet, scanned from its XML (read-only mode does not load them)."""
    ranges = []
    tail = b""
    with ws._get_source() as src:
        while chunk := src.read(CHUNK):
            data = tail + chunk
            for m in _MERGE_REF.finditer(data):
                ranges.append((int(m[2]), _col_index(m[1]), int(m[4]), _col_index(m[3])))
            tail = data[-200:] if not data.endswith(b">") else b""
            # A tag cut by the chunk boundary is found again in the overlap; de-duplicate below.
    return sorted(set(ranges))


def _xlsx_sheet(path: Path, name: str, problems: Problems, notes: list[str]) -> tuple[_Sheet, str]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(f"无法打开这个 Excel 文件（{_excel_reason(exc)}）。") from None
    try:
        sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            raise ReadError("工作簿里没有可见的工作表。")
        chosen = None
        for ws in sheets:
            if not hasattr(ws, "iter_rows"):
                continue
            if _has_header(_xlsx_values(ws, HEADER_SCAN_ROWS)):
                if chosen is None:
                    chosen = ws
                else:
                    notes.append(f"工作表“{ws.title}”也像是测评表，但只导入了第一个（“{chosen.title}”）。")
        ws = chosen or sheets[0]
        ranges = _xlsx_merges(ws)
    except ReadError:
        wb.close()
        raise
    except Exception as exc:
        wb.close()
        raise ReadError(f"无法读取这个 Excel 文件（{_excel_reason(exc)}）。") from None
    total = ws.max_row or 0
    state = {"row": 0}

    def rows() -> RawRows:
        try:
            for row_no, cells in _filled(_xlsx_numbered(ws), ranges):
                state["row"] = row_no
                yield row_no, cells
        except Exception as exc:
            problems.add(
                Problem(
                    name,
                    f"第 {state['row'] + 1} 行附近无法读取（{_excel_reason(exc)}），文件可能已损坏或不完整。",
                )
            )
        finally:
            wb.close()

    return _Sheet(rows(), total, lambda: state["row"]), ws.title


def _xlsx_numbered(ws: Any, limit: int | None = None) -> Iterator[tuple[int, Sequence[Any]]]:
    yield from enumerate(ws.iter_rows(min_row=1, max_row=limit, values_only=True), start=1)


def _xlsx_values(ws: Any, limit: int) -> list[Sequence[Any]]:
    return [cells for _n, cells in _xlsx_numbered(ws, limit)]


def _excel_reason(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "文件已损坏或不完整"
    text = str(exc).strip() or type(exc).__name__
    return text[:80]


def _xls_sheet(path: Path, name: str, notes: list[str]) -> tuple[_Sheet, str]:
    """Excel 97–2003 through python-calamine; a sheet of that format holds at most 65,536 rows."""
    try:
        import python_calamine as calamine
    except ImportError:  # pragma: no cover - a dependency; kept for a trimmed install
        raise ReadError("本机无法读取 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入。") from None
    try:
        wb = calamine.CalamineWorkbook.from_path(str(path))
        visible = [
            m.name
            for m in wb.sheets_metadata
            if str(m.visible).endswith(".Visible") and "worksheet" in str(m.typ).lower()
        ] or list(wb.sheet_names)
        chosen = None
        chosen_rows: list[list[Any]] = []
        chosen_ranges: list[tuple[int, int, int, int]] = []
        for sheet_name in visible:
            sheet = wb.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            if not _has_header(rows[:HEADER_SCAN_ROWS]):
                continue
            if chosen is None:
                chosen, chosen_rows = sheet_name, rows
                chosen_ranges = [
                    (r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
                ]
            else:
                notes.append(f"工作表“{sheet_name}”也像是测评表，但只导入了第一个（“{chosen}”）。")
        if chosen is None and visible:
            chosen = visible[0]
            chosen_rows = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:
        reason = str(exc).strip()[:80] or type(exc).__name__
        if "password" in reason.lower() or "encrypt" in reason.lower():
            raise ReadError("文件设置了打开密码，请在 Excel 中取消密码后另存为 .xlsx 再导入。") from None
        raise ReadError(
            f"无法读取这个 .xls 文件（{reason}），请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        ) from None
    if chosen is None:
        raise ReadError("工作簿里没有工作表。")
    total = len(chosen_rows)
    state = {"row": 0}

    def rows() -> RawRows:
        numbered = ((i, [None if c == "" else c for c in cells]) for i, cells in enumerate(chosen_rows, 1))
        for row_no, cells in _filled(numbered, chosen_ranges):
            state["row"] = row_no
            yield row_no, cells

    return _Sheet(rows(), total, lambda: state["row"]), chosen


def _has_header(rows: Sequence[Sequence[Any]]) -> bool:
    return any(_roles_in(cells).get("branch") is not None for cells in rows)


def _roles_in(cells: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        role = _ROLES.get(header_key(cell))
        if role and role not in found:
            found[role] = i
    return found


# --- the file ----------------------------------------------------------------------------


@dataclass
class SurveyFile:
    """A survey file opened and its header understood; ``records()`` streams its typed rows."""

    path: Path
    name: str
    kind: str  # csv | txt | xlsx | xls
    sha256: str
    size: int
    layout: str
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
    _sheet: _Sheet | None = field(default=None, repr=False)
    _special_cache: dict[str, bool] = field(default_factory=dict, repr=False)
    _progress: Progress | None = field(default=None, repr=False)
    data_rows: int = 0

    @property
    def layout_label(self) -> str:
        return LAYOUT_LABELS[self.layout]

    def describe(self) -> str:
        """How the file was read, for the clerk to check at a glance."""
        rows = (
            f"{self.header_row}–{self.header_end}" if self.header_end > self.header_row else self.header_row
        )
        parts = [self.layout_label, f"表头在第 {rows} 行"]
        if self.encoding:
            parts.append(f"编码 {ENCODING_LABELS.get(self.encoding, self.encoding)}")
        if self.delimiter:
            parts.append("制表符分隔" if self.delimiter == "\t" else "逗号分隔")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        return "，".join(parts)

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
        self, problems: Problems, *, default_source: str | None = None, progress: Progress | None = None
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

    # -- row classification ------------------------------------------------------------

    def _special(self, branch: str) -> bool:
        """Whether a branch cell needs a closer look: blank, 合计/平均, a footer, a repeated header."""
        flag = self._special_cache.get(branch)
        if flag is None:
            key = normalise(branch)
            flag = (
                not key
                or key in _TOTAL_WORDS
                or bool(_TOTAL_TAIL.search(key))
                or header_key(branch) in _BRANCH_WORDS
                or bool(_FOOTER.match(key))
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
            if key in _TOTAL_WORDS or _TOTAL_TAIL.search(key) or header_key(branch) in _BRANCH_WORDS:
                self.skipped += 1
                return True
            if _FOOTER.match(key) and all(_blank(cells, c) for c in data_cols):
                self.skipped += 1
                return True
            return False
        if not any(cell_text(c) for c in cells):
            return True
        if {normalise(cell_text(c)) for c in cells} & _TOTAL_WORDS:
            self.skipped += 1
            return True
        if all(_blank(cells, c) for c in data_cols):
            return True  # only a note outside the data columns
        problems.add(self.problem("党组织名称为空", row_no, self.columns.branch))
        return True

    def _spanning(self, problems: Problems, row_no: int, cells: "_SpanningRow") -> bool:
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

    def _rows(
        self, rows: RawRows, problems: Problems, width: int, data_cols: Sequence[int | None]
    ) -> Iterator[tuple[int, Sequence[Any], str]]:
        """Data rows with their branch text, past everything that is not data."""
        bi = self.columns.branch
        special = self._special
        for n, (row_no, cells) in enumerate(rows, start=1):
            if n % PROGRESS_EVERY == 0:
                self._tick()
            if type(cells) is _SpanningRow and self._spanning(problems, row_no, cells):
                continue
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            raw = cells[bi]
            branch = raw.strip() if type(raw) is str else cell_text(raw)
            if special(branch) and self._skip(problems, row_no, cells, branch, data_cols):
                continue
            yield row_no, cells, branch

    # -- layouts -------------------------------------------------------------------------

    def _long(self, rows: RawRows, problems: Problems, default_source: str) -> Iterator[ScoreRow]:
        """The hot loop of big files: written out flat, one pass per row, no helper per cell."""
        c = self.columns
        bi, si, ii, pi, di, ti, ri = c.branch, c.source, c.indicator, c.points, c.deduct, c.item, c.respondent
        assert ii is not None
        width = 1 + max(x for x in (bi, si, ii, pi, di, ti, ri) if x is not None)
        data_cols = [x for x in (si, ii, pi, di, ti) if x is not None]
        respondents: dict[Any, str] = {}
        special = self._special_cache
        new = tuple.__new__
        for n, (row_no, cells) in enumerate(rows, start=1):
            if n % PROGRESS_EVERY == 0:
                self._tick()
            if type(cells) is _SpanningRow and self._spanning(problems, row_no, cells):
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
            raw = cells[ii]
            indicator = raw.strip() if type(raw) is str else cell_text(raw)
            if not indicator and all(_blank(cells, col) for col in data_cols):
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
                    points = self._number(problems, row_no, pi, raw, "分数（不小于 0 的数）")  # type: ignore[arg-type]
                    if points is None and not _blank(cells, pi):
                        ok = False
                else:
                    if not -1e300 < points < 1e300 or points < 0:
                        points = self._number(problems, row_no, pi, raw, "分数（不小于 0 的数）")  # type: ignore[arg-type]
                        ok = False
            elif raw is not None:
                points = self._number(problems, row_no, pi, raw, "分数（不小于 0 的数）")  # type: ignore[arg-type]
                if points is None:
                    ok = False
            if di is not None and not _blank(cells, di):
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
            if all(_blank(cells, col) for col, _ in value_cols):
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
                points = self._number(problems, row_no, col, cells[col], "分数（不小于 0 的数）")
                if points is None:
                    ok = ok and _blank(cells, col)
                    continue
                out.append(ScoreRow(row_no, col, branch, source, indicator, respondent, points, ""))
            if not ok:
                continue
            if c.total is not None and not _blank(cells, c.total):
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
            if all(_blank(cells, col) for col in c.options):
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
            if c.total is not None and not _blank(cells, c.total):
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


_BRANCH_WORDS = frozenset(_ROLE_WORDS["branch"])


def _ballot_option(text: str) -> str | None:
    try:
        return parse_ballot_option(text)
    except Exception:
        return option_of(header_key(text))


def _blank(cells: Sequence[Any], col: int | None) -> bool:
    if col is None or col >= len(cells):
        return True
    value = cells[col]
    return value is None or (isinstance(value, str) and not value.strip())


# --- header and layout --------------------------------------------------------------------


def _find_header(rows: RawRows) -> tuple[int, list[Any]] | None:
    """The first row, among the first rows with content, that names a branch column."""
    seen = 0
    for row_no, cells in rows:
        if not any(cell_text(c) for c in cells):
            continue
        seen += 1
        if _roles_in(cells).get("branch") is not None:
            return row_no, list(cells)
        if seen >= HEADER_SCAN_ROWS:
            return None
    return None


def _sub_header(header: list[Any], branch_col: int, cells: Sequence[Any]) -> list[Any] | None:
    """A second header row under a merged group heading ("测评票数" over 好/较好/一般/较差)."""
    below = cell_text(cells[branch_col]) if branch_col < len(cells) else ""
    if below and header_key(below) != header_key(header[branch_col]):
        return None
    keys = [header_key(c) for c in cells]
    if not any(k and (k in _ROLES or option_of(k)) for k in keys):
        return None
    width = max(len(header), len(cells))
    merged = []
    for i in range(width):
        low = cell_text(cells[i]) if i < len(cells) else ""
        top = header[i] if i < len(header) else None
        merged.append(low if low else top)
    return merged


def _layout(
    headers: list[str], file: str, problems: Problems, header_rows: list[int]
) -> tuple[str, Columns, list[str]] | None:
    """Recognise the layout from the header row; None (with problems) when it cannot be."""
    roles: dict[str, int] = {}
    options: dict[int, str] = {}
    others: list[int] = []
    ignored: list[str] = []
    ok = True
    for i, text in enumerate(headers):
        key = header_key(text)
        if not key:
            continue
        role = _ROLES.get(key)
        if role:
            if role in roles:
                problems.add(
                    Problem(
                        file,
                        f"“{text}”与 {column_letter(roles[role])} 列（{headers[roles[role]]}）重复，"
                        "请删去其中一列",
                        header_rows[i],
                        i,
                        text,
                    )
                )
                ok = False
            else:
                roles[role] = i
            continue
        option = option_of(key)
        if option:
            if option in options.values():
                problems.add(Problem(file, f"选项“{option}”的票数列重复", header_rows[i], i, text))
                ok = False
            options[i] = option
            continue
        if key in _IGNORED_WORDS:
            ignored.append(text)
            continue
        others.append(i)
    if not ok:
        return None
    cols = Columns(
        branch=roles["branch"],
        source=roles.get("source"),
        indicator=roles.get("indicator"),
        points=roles.get("points"),
        deduct=roles.get("deduct"),
        item=roles.get("item"),
        respondent=roles.get("respondent"),
        vote=roles.get("vote"),
        total=roles.get("total"),
    )
    unused = [headers[i] for i in others]
    if cols.indicator is not None or cols.points is not None or cols.deduct is not None:
        missing = []
        if cols.indicator is None:
            missing.append("指标")
        if cols.points is None and cols.deduct is None:
            missing.append("得分（或 扣分）")
        if missing:
            problems.add(
                Problem(file, f"缺少必需的列：{'、'.join(missing)}（长表需要 党组织、评价主体、指标、得分）")
            )
            return None
        unused += [headers[i] for i in options]
        if cols.vote is not None:
            unused.append(headers[cols.vote])
        return "long", cols, unused + ignored
    if options:
        if cols.vote is not None:
            unused.append(headers[cols.vote])
        cols.options = options
        return "counts", cols, unused + ignored
    if cols.vote is not None:
        return "ballots", cols, unused + ignored
    if others:
        cols.indicators = {i: header_key(headers[i]) for i in others}
        return "wide", cols, ignored
    problems.add(
        Problem(
            file,
            "无法判断表格格式：表头只有党组织，缺少分数或票数的列。"
            "应为以下之一：长表（党组织、评价主体、指标、得分）；宽表（党组织、评价主体、各项指标）；"
            "票数汇总（党组织、好/较好/一般/较差 或 满意/基本满意/不满意）；逐张选票（测评人、党组织、评价）。",
        )
    )
    return None


def _kind_of(path: Path, head: bytes) -> str:
    """What the bytes are, whatever the extension says: xlsx (zip), xls (OLE2), html, or text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    probe = head[:512].lstrip().lower()
    if probe.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in probe[:200]:
        return "html"
    return "txt" if path.suffix.lower() in (".txt", ".tsv") else "csv"


def open_survey(
    path: Path, problems: Problems, *, encoding: str | None = None, name: str | None = None
) -> SurveyFile | None:
    """Open a survey file and understand its header; None, with the reasons in ``problems``, if it cannot be.

    ``encoding`` overrides detection for text files. The content hash is of the file's bytes,
    so the same file imported again is recognised whatever its name.
    """
    label = name or path.name
    try:
        return _open(path, problems, encoding, label)
    except ReadError as exc:
        problems.add(Problem(label, str(exc)))
    except OSError as exc:
        problems.add(Problem(label, f"无法读取文件（{exc.strerror or exc}）。"))
    except Exception as exc:  # the last guard: no file may end in a traceback
        problems.add(Problem(label, f"无法读取文件（{type(exc).__name__}: {str(exc)[:80]}）。"))
    return None


def _open(path: Path, problems: Problems, encoding: str | None, label: str) -> SurveyFile | None:
    suffix = path.suffix.lower()
    if not path.exists():
        raise ReadError("文件不存在。")
    if path.is_dir():
        raise ReadError("这是一个文件夹，不是文件。")
    if suffix not in SUFFIXES:
        raise ReadError(
            f"不支持 {suffix or '无扩展名'} 文件，请另存为 .xlsx、.xls、.csv 或 .txt（制表符分隔）后再导入。"
        )
    sha256, size, utf8, head = _scan_bytes(path)
    if size == 0:
        raise ReadError("文件是空的。")
    kind = _kind_of(path, head)
    if kind == "html":
        raise ReadError(
            "这是网页格式的文件（只是扩展名像表格），请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
        )
    notes: list[str] = []
    sheet_name = None
    codec = delimiter = None
    if kind == "xlsx":
        sheet, sheet_name = _xlsx_sheet(path, label, problems, notes)
    elif kind == "xls":
        sheet, sheet_name = _xls_sheet(path, label, notes)
    else:
        if suffix in EXCEL_SUFFIXES:
            notes.append(f"文件扩展名是 {suffix}，内容却是文本，已按文本表格读取。")
        if encoding:
            codec = canonical_encoding(encoding)
            if codec is None:
                raise ReadError(f"不认识的编码“{encoding}”，可用 utf-8、gbk、gb18030、utf-16。")
        else:
            codec = detect_encoding(path, utf8, head)
        try:
            text_head = head.decode(codec, errors="replace")
        except LookupError:
            raise ReadError(f"不认识的编码“{encoding}”。") from None
        if "\x00" in text_head.lstrip("\ufeff"):
            raise ReadError(_BINARY)
        delimiter = detect_delimiter(text_head, suffix)
        sheet = _text_rows(path, codec, delimiter, problems, label)
    rows = sheet.rows
    before = problems.count
    found = _find_header(rows)
    if found is None:
        sheet.rows.close()  # type: ignore[attr-defined]
        if problems.count == before:  # not already explained by a decoding or CSV error
            problems.add(
                Problem(
                    label,
                    f"在前 {HEADER_SCAN_ROWS} 行中找不到表头：需要有一列“党组织”（也可写作 党组织名称、单位、branch）。",
                )
            )
        return None
    header_row, header = found
    branch_col = _roles_in(header)["branch"]
    pending: list[tuple[int, Sequence[Any]]] = []
    for row_no, cells in rows:
        pending.append((row_no, cells))
        if any(cell_text(c) for c in cells):
            break
    header_end = header_row
    header_rows = [header_row] * len(header)
    if pending:
        merged = _sub_header(header, branch_col, pending[-1][1])
        if merged is not None:
            header_end = pending[-1][0]
            below = pending[-1][1]
            header_rows = [
                header_end if i < len(below) and cell_text(below[i]) else header_row
                for i in range(len(merged))
            ]
            header = merged
            pending = []
    headers = [cell_text(c) for c in header]
    layout = _layout(headers, label, problems, header_rows)
    if layout is None:
        sheet.rows.close()  # type: ignore[attr-defined]
        return None
    kind_name, columns, unused = layout
    if unused:
        notes.append(f"未使用的列：{'、'.join(unused)}。")

    survey = SurveyFile(
        path=path,
        name=label,
        kind=kind,
        sha256=sha256,
        size=size,
        layout=kind_name,
        header_row=header_row,
        header_end=header_end,
        header_rows=header_rows,
        columns=columns,
        headers=headers,
        encoding=codec,
        delimiter=delimiter,
        sheet=sheet_name,
        notes=notes,
    )
    survey._sheet = _Sheet(itertools.chain(pending, rows), sheet.total, sheet.position, closer=rows.close)  # type: ignore[attr-defined]
    return survey
