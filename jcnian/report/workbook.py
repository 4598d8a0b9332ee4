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
MAX_WIDTH = 50  # columns wider than this wrap their text instead of growing further
EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet; a longer table goes on over continuation sheets
MIN_WIDTH = 6
FILTER_BUTTON = 3  # room for the auto-filter drop-down beside a header

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
    """The few cell formats every sheet shares, created once per workbook."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center", "valign": "vcenter"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.caption = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.kinds = {kind: workbook.add_format({"num_format": fmt}) for kind, fmt in NUM_FORMATS.items()}


class _SheetWriter:
    """Writes one sheet strictly top to bottom (xlsxwriter's constant-memory rule) and keeps
    each column's widest content, so widths fit CJK text without a second pass."""

    def __init__(self, worksheet: Any, fmt: _Formats) -> None:
        self.ws = worksheet
        self.fmt = fmt
        self.widths: dict[int, int] = {}
        self.peaks: dict[int, float] = {}  # largest number seen per column
        self.row = 0

    def _fit(self, col: int, width: int) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def header(self, row: int, col: int, columns: Sequence[Column]) -> None:
        for offset, column in enumerate(columns):
            self.ws.write_string(row, col + offset, column.header, self.fmt.header)
            self._fit(col + offset, text_width(column.header) + FILTER_BUTTON)

    def cells(self, row: int, col: int, columns: Sequence[Column], values: Sequence[Any]) -> None:
        if len(values) != len(columns):
            raise ValueError(f"row {row}: {len(values)} values for {len(columns)} columns")
        ws, widths = self.ws, self.widths
        for offset, (column, value) in enumerate(zip(columns, values, strict=True)):
            if value is None or value == "":
                continue
            c = col + offset
            kind = column.kind
            if kind == "text":
                text = str(value)
                known = widths.get(c, 0)
                # A string cannot be wider than twice its length: skip measuring most cells.
                if 2 * len(text) > known and known < MAX_WIDTH:
                    width = text_width(text)
                    if width > known:
                        widths[c] = width
                if len(text) > MAX_WIDTH // 2 and text_width(text) > MAX_WIDTH:
                    ws.write_string(row, c, text, self.fmt.wrap)
                else:
                    ws.write_string(row, c, text)
            elif kind in ("date", "datetime"):
                if isinstance(value, datetime):
                    if value.tzinfo is not None:
                        value = value.replace(tzinfo=None)
                elif isinstance(value, date):
                    value = datetime.combine(value, time())
                else:
                    raise TypeError(f"row {row}, column {column.header}: {value!r} is not a date")
                ws.write_datetime(row, c, value, self.fmt.kinds[kind])
                if widths.get(c, 0) < 16:
                    self._fit(c, 10 if kind == "date" else 16)
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError(f"row {row}, column {column.header}: {value!r} is not a number")
                ws.write_number(row, c, value, self.fmt.kinds[kind])
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
        self.header(header, 0, table.columns)
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
            self.ws.repeat_rows(header)
            if sheet.filter:
                self.ws.autofilter(header, 0, row, len(table.columns) - 1)
        self.row = row + 2
        return header, row, leftover

    def finish(self) -> None:
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, max(MIN_WIDTH, min(width + 2, MAX_WIDTH)))


def _add_chart(workbook: Any, ws: Any, table: Table, hrow: int, last: int, col: int) -> None:
    spec = table.chart
    assert spec is not None
    if last <= hrow:  # no data rows: an empty chart would only mislead
        return
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
    ws.insert_chart(hrow - (1 if table.title else 0), col, chart, {"x_scale": 1.1, "y_scale": 1.1})


def _new_worksheet(workbook: Any, name: str, fmt: _Formats) -> _SheetWriter:
    ws = workbook.add_worksheet(name)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return _SheetWriter(ws, fmt)


def _write_sheet(workbook: Any, fmt: _Formats, sheet: Sheet) -> None:
    """One sheet, top to bottom. A table that would pass Excel's row limit goes on over
    continuation sheets (名称（续2）…) with its header repeated: nothing is cut off."""
    writer = _new_worksheet(workbook, sheet.name, fmt)
    for i, note in enumerate(sheet.notes):
        writer.ws.write_string(writer.row, 0, note, fmt.title if i == 0 else None)
        writer.row += 1
    if sheet.notes:
        writer.row += 1
    page = 1
    charts: list[tuple[Any, Table, int, int]] = []
    for index, table in enumerate(sheet.tables):
        rows: Iterator[Sequence[Any]] | None = iter(table.rows)
        while rows is not None:
            room = EXCEL_MAX_ROWS - writer.row - (1 if table.title else 0) - 1
            if room < 1:
                if writer.row == 0:
                    raise ValueError(f"sheet {sheet.name}: a worksheet cannot hold a header and a row")
                writer.finish()
                page += 1
                writer = _new_worksheet(workbook, f"{sheet.name}（续{page}）", fmt)
                continue
            header, last, rows = writer.table(table, rows, first=index == 0, sheet=sheet, room=room)
            if table.chart is not None:
                charts.append((writer.ws, table, header, last))
            if rows is not None:
                writer.row = EXCEL_MAX_ROWS  # this page is full
    if sheet.tables:
        # Right of the widest table, so that a chart covers no cell of any table.
        beside = max(len(t.columns) for t in sheet.tables) + 1
        for ws, table, header, last in charts:
            _add_chart(workbook, ws, table, header, last, beside)
    writer.finish()


def write_sheets(
    path: Path, sheets: Sequence[Sheet], *, title: str, created: datetime, scratch: Path | None = None
) -> None:
    """Write ``sheets`` to ``path`` (normally the temporary file of ``atomic_output``).

    ``created`` becomes the document date; fixing it (the report's as-of date) makes the
    same input give a byte-identical file. xlsxwriter's own temporary files go to
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
        _write_sheet(workbook, fmt, sheet)
    workbook.close()
    # A readable zip with intact members, or the caller's rename never happens.
    with zipfile.ZipFile(path) as archive:
        broken = archive.testzip()
    if broken is not None:
        raise JcnianError(f"生成的工作簿已损坏（{broken}），未写出。")


def write_workbook(
    target: Path, sheets: Sequence[Sheet], *, title: str, created: datetime, force: bool = False
) -> Path:
    """Write a complete workbook to ``target`` atomically; refuse to replace a file unless ``force``."""
    target = Path(target).expanduser().absolute()
    with atomic_output(target, force=force) as tmp:
        write_sheets(tmp, sheets, title=title, created=created, scratch=scratch_for(tmp))
    return target
