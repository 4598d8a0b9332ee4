"""Raw rows from each kind of file, numbered as the spreadsheet numbers them.

CSV/TXT are decoded and parsed line by line, .xlsx is streamed through openpyxl's read-only
parser, so memory stays bounded however large the file; only .xls (python-calamine), whose
format caps a sheet at 65,536 rows, is loaded whole. Cells merged down (a branch name over
its seven indicator rows) are filled into every row they cover. A workbook's first visible
sheet that has a survey header is read; any other such sheet is noted, not imported.

Errors met while streaming (a decoding error on line 80,000, a truncated zip) become
problems, not exceptions, and end the rows there.
"""

import csv
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from jcnian.problems import Problem
from jcnian.survey.headers import HEADER_SCAN_ROWS, has_header
from jcnian.survey.problems import Problems, ReadError
from jcnian.survey.sniff import CHUNK, ENCODING_LABELS

RawRows = Iterator[tuple[int, Sequence[Any]]]
Ranges = list[tuple[int, int, int, int]]  # merged cells: (row1, col1, row2, col2), rows 1-based
_T = TypeVar("_T")


class Sheet:
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
        # Cells (row, 0-based column) holding a formula whose result was never saved: the
        # reader sees them empty, so the records refuse them where a value is wanted.
        self.unsaved: set[tuple[int, int]] = set()


# --- CSV and tab-separated text ----------------------------------------------------------


class SpanningRow(list):  # type: ignore[type-arg]
    """A CSV record that ran over several lines: legal, but in survey data a sign of a stray quote."""

    def __init__(self, cells: list[str], first: int, last: int) -> None:
        super().__init__(cells)
        self.first, self.last = first, last


def text_sheet(path: Path, encoding: str, delimiter: str, problems: Problems, name: str) -> Sheet:
    """A CSV or TXT file's rows, numbered by the line each record starts on."""
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
                    cells = SpanningRow(cells, start, last)
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

    return Sheet(rows(), size, lambda: handle.buffer.tell() if not handle.closed else size)


def _csv_reason(exc: Exception) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "某个单元格过长，多半是引号没有配对"
    return text


# --- workbooks -----------------------------------------------------------------------------


def _first_survey(sheets: Iterable[tuple[_T, str, Sequence[Sequence[Any]]]], notes: list[str]) -> _T | None:
    """The first of (sheet, title, first rows) whose rows hold a header; later ones are noted."""
    chosen: tuple[_T, str] | None = None
    for sheet, title, head in sheets:
        if not has_header(head):
            continue
        if chosen is None:
            chosen = (sheet, title)
        else:
            notes.append(f"工作表“{title}”也像是测评表，但只导入了第一个（“{chosen[1]}”）。")
    return chosen[0] if chosen is not None else None


def _merge_fill(ranges: Ranges) -> dict[int, list[tuple[int, int, int]]]:
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


def _filled(rows: Iterator[tuple[int, Sequence[Any]]], ranges: Ranges) -> RawRows:
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
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT_RESULT = re.compile(rb'\bt="(?:str|inlineStr|s)"')
_OVERLAP = 16384  # bytes carried over between chunks: a tag or a cell cut by the boundary


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _unsaved_formulas(data: bytes, found: set[tuple[int, int]]) -> None:
    """Cells of ``data`` (sheet XML) holding a formula with no saved result (``<f>`` without ``<v>``).

    Files written by a program rather than saved by Excel or WPS (a web export, a script)
    carry formulas whose result was never computed; openpyxl reads those cells as empty.
    """
    for m in _FORMULA.finditer(data):
        start = max(data.rfind(b"<c ", 0, m.start()), data.rfind(b":c ", 0, m.start()))
        close = data.find(b"c>", m.end())
        while close != -1 and data[close - 1 : close] not in (b"/", b":"):
            close = data.find(b"c>", close + 2)
        if start == -1 or close == -1:
            continue  # cut by the chunk's edge: seen whole in the next one
        cell = data[start:close]
        value = _VALUE.search(cell)
        if value is not None and ((value[1] or b"").strip() or _TEXT_RESULT.search(cell[: cell.find(b">")])):
            continue  # a saved result (an empty one only for a formula giving text)
        ref = _CELL_REF.search(cell)
        if ref is not None:
            found.add((int(ref[2]), _col_index(ref[1])))


def _xlsx_scan(ws: Any) -> tuple[Ranges, set[tuple[int, int]]]:
    """Merged ranges and unsaved formulas of a read-only sheet, from one pass over its XML
    (read-only mode loads neither). Formula cells are (row, 0-based column)."""
    ranges = []
    unsaved: set[tuple[int, int]] = set()
    tail = b""
    with ws._get_source() as src:
        while chunk := src.read(CHUNK):
            data = tail + chunk
            for m in _MERGE_REF.finditer(data):
                ranges.append((int(m[2]), _col_index(m[1]), int(m[4]), _col_index(m[3])))
            if _FORMULA.search(data) is not None:
                _unsaved_formulas(data, unsaved)
            # A tag cut by the chunk boundary is found again in the overlap; de-duplicated below.
            tail = data[-_OVERLAP:]
    return sorted(set(ranges)), unsaved


def xlsx_sheet(path: Path, name: str, problems: Problems, notes: list[str]) -> tuple[Sheet, str]:
    """The survey sheet of an .xlsx and its title, streamed."""
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
        candidates = (
            (ws, ws.title, _xlsx_values(ws, HEADER_SCAN_ROWS)) for ws in sheets if hasattr(ws, "iter_rows")
        )
        ws = _first_survey(candidates, notes) or sheets[0]
        ranges, unsaved = _xlsx_scan(ws)
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

    sheet = Sheet(rows(), total, lambda: state["row"])
    sheet.unsaved = unsaved
    return sheet, ws.title


def _xlsx_numbered(ws: Any, limit: int | None = None) -> Iterator[tuple[int, Sequence[Any]]]:
    yield from enumerate(ws.iter_rows(min_row=1, max_row=limit, values_only=True), start=1)


def _xlsx_values(ws: Any, limit: int) -> list[Sequence[Any]]:
    return [cells for _n, cells in _xlsx_numbered(ws, limit)]


def _excel_reason(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "文件已损坏或不完整"
    text = str(exc).strip() or type(exc).__name__
    return text[:80]


def xls_sheet(path: Path, name: str, notes: list[str]) -> tuple[Sheet, str]:
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

        def loaded() -> Iterator[tuple[tuple[str, Any, list[list[Any]]], str, list[list[Any]]]]:
            for sheet_name in visible:
                sheet = wb.get_sheet_by_name(sheet_name)
                rows = sheet.to_python(skip_empty_area=False)
                yield (sheet_name, sheet, rows), sheet_name, rows[:HEADER_SCAN_ROWS]

        chosen: str | None = None
        chosen_rows: list[list[Any]] = []
        chosen_ranges: Ranges = []
        picked = _first_survey(loaded(), notes)
        if picked is not None:
            chosen, sheet, chosen_rows = picked
            chosen_ranges = [
                (r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
            ]
        elif visible:  # no sheet has a header: the first one, for the "找不到表头" message
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

    return Sheet(rows(), total, lambda: state["row"]), chosen
