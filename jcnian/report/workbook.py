"""The xlsx edge: lays plain rows out as worksheets a clerk can read and a city office can file.

Why xlsxwriter and not openpyxl for writing: a monthly report may reach 100,000 rows on a
city-wide ledger, and xlsxwriter's ``constant_memory`` mode streams each row to disk as it is
written (flat memory, about 1.6x faster than openpyxl's write-only mode here), writes charts
natively, and produces byte-identical files for identical input once the document date is
fixed — which is what lets "the same ledger and month give the same workbook" hold exactly.
openpyxl stays the reader (tests read every workbook back with it).

Files are never written in place: the workbook goes to a temporary file in the target's
folder, is checked, flushed to disk and only then renamed over the target, so a crash or a
full disk never leaves half a report where the scheduled job mails it from.
"""

import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain
from pathlib import Path
from typing import Any, Literal

from jcnian.errors import Conflict, InvalidInput, JcnianError
from jcnian.inert import FORMULA_START, runs_in_spreadsheet

try:
    import fcntl
except ImportError:  # Windows: stale temporary files are not recognised there
    fcntl = None  # type: ignore[assignment]

Kind = Literal["text", "int", "number", "percent", "date", "datetime"]

NUM_FORMATS: dict[str, str] = {
    "int": "0",
    "number": "0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
MAX_WIDTH = 34  # columns wider than this (17 Chinese characters) wrap their text instead
EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet; a longer table goes on over continuation sheets
XLSX_CELL_MAX = 32_767  # characters a cell holds; a longer text is refused, never cut
MIN_WIDTH = 6
DEFAULT_WIDTH = 8.43  # Excel's width of a column never set
FILTER_BUTTON = 3  # room for the auto-filter drop-down beside a header

# Printing: A4 (paper size 9), margins in inches, the title above and the page number below.
A4 = 9
A4_INCHES = (8.27, 11.69)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.6}
HEADER_MARGIN = 0.3
FOOTER = "第 &P 页 共 &N 页"
MIN_SCALE = 0.6  # no sheet prints smaller than this: wide tables keep their detail elsewhere
CHART_SIZE = (640, 320)  # pixels
CHART_ROWS = 17  # the rows of 20 pixels a chart of CHART_SIZE covers, and one to spare
NOTE_MIN, NOTE_MAX = 60, 140  # how wide notes above a table are broken

# East Asian wide and full-width characters: each takes about two Latin widths in a cell.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def text_width(text: str) -> int:
    """Display width in Latin character units: a CJK character counts two."""
    if "\n" in text:
        return max(text_width(line) for line in text.split("\n"))
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


@dataclass(frozen=True)
class Column:
    """A column's Chinese header and how its values are stored (numbers stay numbers)."""

    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Chart:
    """A clustered column chart drawn from a table: one label column, one or more value columns."""

    title: str
    categories: int
    series: Sequence[int]
    y_title: str | None = None


@dataclass
class Table:
    """A header row and data rows; ``rows`` may be a generator, consumed once while writing."""

    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str | None = None
    chart: Chart | None = None


@dataclass
class Sheet:
    """One worksheet: title lines, then the main table (frozen header, auto-filter), then
    further tables stacked below it, a blank row apart.

    Nothing is placed beside the main table: filtering hides whole rows, and would hide
    whatever stood next to the rows it filters out.
    """

    name: str
    tables: list[Table]
    notes: Sequence[str] = ()
    filter: bool = True


# --- atomic file output -----------------------------------------------------------------


def check_target(target: Path, *, force: bool) -> None:
    """Refuse early, before any work, what the final rename would refuse anyway.

    Only a new path or an existing regular file may be written: a device, a pipe or a
    socket never is, even with ``--force`` (replacing it would not write to it, and writing
    to it would not be atomic).
    """
    if not target.parent.is_dir():
        raise InvalidInput(f"目录 {target.parent} 不存在，请先建立该目录或换一个输出位置。")
    if target.is_dir():
        raise InvalidInput(f"{target} 是一个目录，请给出文件名，如 {target / 'report.xlsx'}。")
    if target.exists() and not target.is_file():
        raise InvalidInput(
            f"{target} 不是普通文件（是设备、管道或套接字），不能作为输出（加 --force 也不行）；"
            "请给出一个新文件名或普通文件。"
        )
    if target.exists() and not force:
        raise Conflict(f"文件 {target} 已存在，未覆盖；确需覆盖请加 --force。")


# Our temporary files: ``.<target name>.<8 hex>.tmp`` beside the target, and the scratch
# folder ``….tmp.d`` where xlsxwriter keeps its own temporary files. A run holds a lock on
# its .tmp file (flock) while it works; one a killed run left is unlocked, and the next run
# in that folder removes it.
_OURS = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp(\.d)?$")


def _lock(fd: int) -> bool:
    """Take the exclusive lock on our temp file without waiting; False if another run holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove(path: Path) -> None:
    with suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporary files and scratch folders that killed runs left in ``folder``."""
    if fcntl is None:  # no way to tell a live run's file from a dead one's
        return []
    removed = []
    with suppress(OSError):
        for entry in sorted(folder.iterdir()):
            if not _OURS.match(entry.name):
                continue
            own = entry.with_name(entry.name[: -len(".d")]) if entry.name.endswith(".d") else entry
            if own.exists():
                try:
                    fd = os.open(own, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    if not _lock(fd):
                        continue  # a run in progress
                    if entry is not own:
                        _remove(entry)
                    else:
                        _remove(entry.with_name(entry.name + ".d"))
                        _remove(entry)
                finally:
                    os.close(fd)
            else:
                _remove(entry)  # a scratch folder whose run has gone
            removed.append(entry)
    return removed


def _temp_beside(target: Path) -> tuple[Path, int]:
    """A fresh hidden file in the target's folder (same filesystem, so the rename is atomic),
    locked for this run; returns the path and the descriptor that holds the lock.

    Created with the umask's permissions, unlike ``mkstemp``'s 0600, because the final
    report is meant to be read by others.
    """
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        _lock(fd)
        return tmp, fd


def scratch_for(tmp: Path) -> Path:
    """The scratch folder for the temporary files of the library writing ``tmp`` (created)."""
    scratch = tmp.with_name(tmp.name + ".d")
    scratch.mkdir(exist_ok=True)
    return scratch


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, target: Path, *, force: bool) -> None:
    if force:
        if target.exists() and not target.is_file():  # appeared since check_target
            check_target(target, force=force)
        os.replace(tmp, target)
    else:
        try:
            # link() fails if the target appeared meanwhile: no check-then-write race.
            os.link(tmp, target)
        except FileExistsError:
            raise Conflict(f"文件 {target} 已存在，未覆盖；确需覆盖请加 --force。") from None
        except OSError:
            # A filesystem without hard links (some network shares): check, then rename.
            if target.exists():
                raise Conflict(f"文件 {target} 已存在，未覆盖；确需覆盖请加 --force。") from None
            os.replace(tmp, target)
        else:
            os.unlink(tmp)
    with suppress(OSError):  # not every platform can fsync a directory
        _fsync(target.parent)


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc``: itself, or one a library wrapped (xlsxwriter's FileCreateError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        if inner is not None:
            return inner
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None


@contextmanager
def atomic_output(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Give a temporary path to write; on success it becomes ``target``, on any error it goes.

    Temporary files a killed run left in the target's folder are removed first; a full
    disk or a refused write is said in Chinese (``jcnian.db.os_fault``) and leaves nothing.
    """
    from jcnian.db import os_fault

    target = Path(target).expanduser().absolute()
    check_target(target, force=force)
    remove_stale_temps(target.parent)
    try:
        tmp, fd = _temp_beside(target)
    except OSError as exc:
        raise os_fault(exc, target) from exc
    try:
        yield tmp
        _fsync(tmp)
        _publish(tmp, target, force=force)
    except JcnianError:
        raise
    except Exception as exc:
        cause = _os_error(exc)
        if cause is None:
            raise
        raise os_fault(cause, target) from exc
    finally:
        _remove(tmp.with_name(tmp.name + ".d"))
        tmp.unlink(missing_ok=True)
        os.close(fd)


# --- workbook writer --------------------------------------------------------------------


class _Formats:
    """The cell formats every sheet shares, created once per workbook: headers wrap onto two
    lines, data cells have thin borders, texts sit left, numbers right, dates centred."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.caption = workbook.add_format({"bold": True})
        # Text a spreadsheet would run (jcnian.inert): kept as typed, and editing it in Excel
        # cannot make it a formula either.
        self.quoted = workbook.add_format(
            {"quote_prefix": True, "border": 1, "valign": "top", "align": "left", "text_wrap": True}
        )
        self.note = workbook.add_format({})
        cell = {"border": 1, "valign": "top"}
        # Texts stand off their left border, so that a number before them never touches them.
        self.text = workbook.add_format({**cell, "align": "left", "indent": 1})
        self.wrap = workbook.add_format({**cell, "align": "left", "indent": 1, "text_wrap": True})
        self.blank = workbook.add_format(cell)
        self.kinds = {
            kind: workbook.add_format(
                {**cell, "num_format": fmt, "align": "center" if kind in ("date", "datetime") else "right"}
            )
            for kind, fmt in NUM_FORMATS.items()
        }


class _SheetWriter:
    """Writes one sheet strictly top to bottom (xlsxwriter's constant-memory rule) and keeps
    each column's widest content, so widths fit CJK text without a second pass."""

    def __init__(self, worksheet: Any, fmt: _Formats, title: str) -> None:
        self.ws = worksheet
        self.fmt = fmt
        self.title = title
        self.widths: dict[int, int] = {}
        self.peaks: dict[int, float] = {}  # largest number seen per column
        self.row = 0
        self.last_col = 0
        self.print_rows = 0  # the last row the printed page must show (a chart may pass the cells)

    def _fit(self, col: int, width: int) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def _guarded(self, row: int, col: int, column: Column, text: str) -> None:
        """A text cell an export must not write as it is: longer than a cell holds (refused,
        never cut), or one a spreadsheet would run (written with the quote prefix)."""
        if len(text) > XLSX_CELL_MAX:
            raise InvalidInput(
                f"工作表第 {row + 1} 行“{column.header}”有 {len(text)} 个字，超过 Excel 单元格能容纳的 "
                f"{XLSX_CELL_MAX} 个字，未导出（不截断）；请先缩短这段内容。"
            )
        if runs_in_spreadsheet(text):
            self.ws.write_string(row, col, text, self.fmt.quoted)
            self._fit(col, min(text_width(text), MAX_WIDTH))
        else:
            self.ws.write_string(row, col, text, getattr(self.fmt, "text", None))
            self._fit(col, min(text_width(text), MAX_WIDTH))

    def header(self, row: int, col: int, columns: Sequence[Column], *, filtered: bool) -> None:
        # A header may take two lines: it asks for half its width (and room for the filter
        # button), so that a long header does not widen a column of short values.
        for offset, column in enumerate(columns):
            self.ws.write_string(row, col + offset, column.header, self.fmt.header)
            self._fit(col + offset, _header_width(column.header) + (FILTER_BUTTON if filtered else 0))
        self.last_col = max(self.last_col, col + len(columns) - 1)

    def cells(self, row: int, col: int, columns: Sequence[Column], values: Sequence[Any]) -> None:
        if len(values) != len(columns):
            raise ValueError(f"row {row}: {len(values)} values for {len(columns)} columns")
        ws, widths, fmt = self.ws, self.widths, self.fmt
        for offset, (column, value) in enumerate(zip(columns, values, strict=True)):
            c = col + offset
            if value is None or value == "":
                ws.write_blank(row, c, None, fmt.blank)
                continue
            kind = column.kind
            if kind == "text":
                text = str(value)
                if len(text) > XLSX_CELL_MAX or text[:1] in FORMULA_START:
                    self._guarded(row, c, column, text)
                    continue
                known = widths.get(c, 0)
                # A string cannot be wider than twice its length: skip measuring most cells.
                if 2 * len(text) > known and known < MAX_WIDTH:
                    width = text_width(text)
                    if width > known:
                        widths[c] = width
                if "\n" in text or (len(text) > MAX_WIDTH // 2 and text_width(text) > MAX_WIDTH):
                    ws.write_string(row, c, text, fmt.wrap)
                else:
                    ws.write_string(row, c, text, fmt.text)
            elif kind in ("date", "datetime"):
                if isinstance(value, datetime):
                    if value.tzinfo is not None:
                        value = value.replace(tzinfo=None)
                elif isinstance(value, date):
                    value = datetime.combine(value, time())
                else:
                    raise TypeError(f"row {row}, column {column.header}: {value!r} is not a date")
                ws.write_datetime(row, c, value, fmt.kinds[kind])
                if widths.get(c, 0) < 16:
                    self._fit(c, 10 if kind == "date" else 16)
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError(f"row {row}, column {column.header}: {value!r} is not a number")
                ws.write_number(row, c, value, fmt.kinds[kind])
                # Only a larger magnitude (or a first minus sign) can make the column wider.
                if value < 0 or value > self.peaks.get(c, -1):
                    self.peaks[c] = max(value, self.peaks.get(c, -1))
                    if kind == "percent":
                        shown = f"{value * 100:.1f}%"
                    elif kind == "number":
                        shown = f"{value:.2f}"
                    else:
                        shown = str(value)
                    if len(shown) > widths.get(c, 0):
                        widths[c] = len(shown)

    def notes(self, sheet: Sheet) -> None:
        """The sheet's notes above its tables (see ``note_lines``), the first as its heading."""
        for first, line in note_lines(sheet):
            self.ws.write_string(self.row, 0, line, self.fmt.title if first else self.fmt.note)
            self.row += 1
        if sheet.notes:
            self.row += 1

    def table(
        self, table: Table, rows: Iterator[Sequence[Any]], *, first: bool, sheet: Sheet, room: int
    ) -> tuple[int, int, Iterator[Sequence[Any]] | None]:
        """Write a table from the current row, at most ``room`` data rows.

        Returns the header row, the last row, and the rows that did not fit (None when all
        did), for the caller to carry over to a continuation sheet.
        """
        if table.title:
            self.ws.write_string(self.row, 0, table.title, self.fmt.caption)
            self.row += 1
        header = self.row
        self.header(header, 0, table.columns, filtered=first and sheet.filter)
        row = header
        leftover: Iterator[Sequence[Any]] | None = None
        for values in rows:
            if row - header == room:
                leftover = chain([values], rows)
                break
            row += 1
            self.cells(row, 0, table.columns, values)
        if first:
            self.ws.freeze_panes(header + 1, 0)
            if sheet.filter:
                # The main table's header on every printed page (a sheet of several short
                # tables, as 汇总, has no main table whose header would fit every page).
                self.ws.repeat_rows(header)
                self.ws.autofilter(header, 0, row, len(table.columns) - 1)
        self.print_rows = max(self.print_rows, row)
        self.row = row + 2
        return header, row, leftover

    def column(self, col: int) -> float:
        """A column's width as it will be set (Excel's default for one never written)."""
        return column_width(self.widths[col]) if col in self.widths else DEFAULT_WIDTH

    def finish(self) -> None:
        """Column widths, then the page: A4, portrait when the columns fit one at full size,
        landscape otherwise, one page wide, the header row on every page, the report's
        title above and the page number below."""
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, column_width(width))
        ws = self.ws
        ws.set_paper(A4)
        if orientation([self.column(c) for c in range(self.last_col + 1)]) == "portrait":
            ws.set_portrait()
        else:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(**MARGINS)
        ws.set_header(f'&C&"-,Bold"{_escape(self.title)}', {"margin": HEADER_MARGIN})
        ws.set_footer(f"&C{FOOTER}", {"margin": HEADER_MARGIN})
        ws.print_area(0, 0, self.print_rows, self.last_col)


def _header_width(header: str) -> int:
    """Half a header's width, rounded up to whole Chinese characters (it may take two lines)."""
    full = text_width(header)
    return full if full <= 8 else (full + 3) // 4 * 2


def column_width(content: int) -> int:
    """A column's width in Excel's units for its widest content (2 for the cell's padding)."""
    return max(MIN_WIDTH, min(content + 2, MAX_WIDTH))


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def _pixels(width: float) -> int:
    """A column of Excel width ``width`` in pixels (Calibri 11: 7 a character plus 5)."""
    return int(width * 7 + 0.5) + 5


def _points(width: float) -> float:
    """A column of Excel width ``width`` in points (96 pixels an inch)."""
    return _pixels(width) * 0.75


def print_scale(widths: Sequence[float], landscape: bool) -> float:
    """The scale at which columns of these widths fit one A4 page wide (1.0 when they fit)."""
    room = (A4_INCHES[1] if landscape else A4_INCHES[0]) - MARGINS["left"] - MARGINS["right"]
    total = sum(_points(w) for w in widths)
    return min(1.0, room * 72 / total) if total else 1.0


def orientation(widths: Sequence[float]) -> Literal["portrait", "landscape"]:
    return "portrait" if print_scale(widths, landscape=False) >= 1.0 else "landscape"


def _add_chart(workbook: Any, ws: Any, table: Table, hrow: int, last: int, at: int, room: int) -> int:
    """The table's chart, anchored at row ``at`` under the tables and at most ``room`` pixels
    wide (the tables' width, so that the printed page is no wider); returns the rows it covers."""
    spec = table.chart
    assert spec is not None
    if last <= hrow:  # no data rows: an empty chart would only mislead
        return 0
    chart = workbook.add_chart({"type": "column"})
    for s in spec.series:
        chart.add_series(
            {
                "name": [ws.name, hrow, s],
                "categories": [ws.name, hrow + 1, spec.categories, last, spec.categories],
                "values": [ws.name, hrow + 1, s, last, s],
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": spec.title})
    if spec.y_title:
        chart.set_y_axis({"name": spec.y_title, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": min(CHART_SIZE[0], room - 4), "height": CHART_SIZE[1]})
    ws.insert_chart(at, 0, chart, {"x_offset": 2, "y_offset": 2})
    return CHART_ROWS


def _new_worksheet(workbook: Any, name: str, fmt: _Formats, title: str) -> _SheetWriter:
    return _SheetWriter(workbook.add_worksheet(name), fmt, f"{title}　{name}")


def note_lines(sheet: Sheet) -> list[tuple[bool, str]]:
    """The lines a sheet's notes are written as, each with whether it belongs to the first
    note (the heading, in larger type). A note is broken to about the width of the sheet's
    widest table, guessed from its columns since the notes come first: on screen a cell's
    text runs on over empty cells, but on paper it is cut off where the page ends."""
    from jcnian.breaking import wrap

    guess = {"text": 16, "int": 6, "number": 9, "percent": 8, "date": 12, "datetime": 18}
    widths = [sum(guess[c.kind] + 2 for c in t.columns) for t in sheet.tables]
    width = max(NOTE_MIN, min(max(widths, default=NOTE_MIN), NOTE_MAX))
    # The heading is in 14-point type: fewer characters a line.
    return [
        (i == 0, line)
        for i, note in enumerate(sheet.notes)
        for line in wrap(note, width * 11 // 14 if i == 0 else width)
    ]


def _write_sheet(workbook: Any, fmt: _Formats, sheet: Sheet, title: str) -> None:
    """One sheet, top to bottom; its chart under the tables. A table that would pass Excel's
    row limit goes on over continuation sheets (名称（续2）…) with its header repeated:
    nothing is cut off."""
    writer = _new_worksheet(workbook, sheet.name, fmt, title)
    writer.notes(sheet)
    page = 1
    charts: list[tuple[_SheetWriter, Table, int, int]] = []  # (page, table, header row, last row)
    for index, table in enumerate(sheet.tables):
        rows: Iterator[Sequence[Any]] | None = iter(table.rows)
        while rows is not None:
            room = EXCEL_MAX_ROWS - writer.row - (1 if table.title else 0) - 1
            if room < 1:
                if writer.row == 0:
                    raise ValueError(f"sheet {sheet.name}: a worksheet cannot hold a header and a row")
                writer.finish()
                page += 1
                writer = _new_worksheet(workbook, f"{sheet.name}（续{page}）", fmt, title)
                continue
            header, last, rows = writer.table(table, rows, first=index == 0, sheet=sheet, room=room)
            if table.chart is not None:
                charts.append((writer, table, header, last))
            if rows is not None:
                writer.row = EXCEL_MAX_ROWS  # this page is full
    for owner, table, header, last in charts:
        # Under everything on its sheet: a chart beside a table would widen the printed page.
        # (A chart whose table filled a whole worksheet has no room left there and is not drawn.)
        if owner is writer and writer.row + CHART_ROWS < EXCEL_MAX_ROWS:
            writer.ws.set_h_pagebreaks([writer.row])  # on a page of its own, not cut in two
            room = sum(_pixels(writer.column(c)) for c in range(writer.last_col + 1))
            covered = _add_chart(workbook, writer.ws, table, header, last, writer.row, room)
            writer.print_rows = max(writer.print_rows, writer.row + covered)
            writer.row += covered + 1
    writer.finish()


def write_sheets(
    path: Path, sheets: Iterable[Sheet], *, title: str, created: datetime, scratch: Path | None = None
) -> None:
    """Write ``sheets`` to ``path`` (normally the temporary file of ``atomic_output``).

    ``created`` becomes the document date; fixing it (the report's as-of date) makes the
    same input give a byte-identical file. ``sheets`` may be made one at a time as they are
    taken (``report.month.month_stream``): each is written whole before the next is asked
    for. xlsxwriter's own temporary files go to
    ``scratch`` (beside the target, removed with it), not to the system's temp folder.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": NUM_FORMATS["date"],
            **({"tmpdir": str(scratch)} if scratch is not None else {}),
        },
    )
    workbook.set_properties({"title": title, "author": "jcnian", "created": created})
    fmt = _Formats(workbook)
    for sheet in sheets:
        _write_sheet(workbook, fmt, sheet, title)
    workbook.close()
    # A readable zip with intact members, or the caller's rename never happens.
    with zipfile.ZipFile(path) as archive:
        broken = archive.testzip()
    if broken is not None:
        raise JcnianError(f"生成的工作簿已损坏（{broken}），未写出。")


def write_workbook(
    target: Path, sheets: Iterable[Sheet], *, title: str, created: datetime, force: bool = False
) -> Path:
    """Write a complete workbook to ``target`` atomically; refuse to replace a file unless ``force``."""
    target = Path(target).expanduser().absolute()
    with atomic_output(target, force=force) as tmp:
        write_sheets(tmp, sheets, title=title, created=created, scratch=scratch_for(tmp))
    return target
