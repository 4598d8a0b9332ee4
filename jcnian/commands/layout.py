"""Terminal tables that fit the clerk's terminal (80 columns and wider).

``emit`` (commands/common.py) hands every table here. A column is declared with a kind:

- **fixed**: dates, numbers, grades, states, short codes. Never wrapped; the column is as wide
  as its widest value (its header may take two lines).
- **text**: names and free text. Folded within the column, between characters of Chinese
  text and at spaces, never inside a run of Latin letters or digits (a date or number inside
  a text stays whole); closing punctuation never starts a line.
- **auto** (a plain ``(key, header)`` pair): fixed when every value is a date, a number or a
  short word, text otherwise.

Any column may be **optional**: when the table does not fit, optional columns are left out
first and the clerk is told which, and how to see them (``--wide`` or ``--format csv``). If
the table still does not fit, text columns accept taller rows, then short words may fold too,
and as a last resort each record is shown as a block of ``header：value`` lines (a table of
one record goes to a block before it loses a column). Columns empty in every row are left
out of the terminal table (CSV and JSON keep them).

The widths are decided here and handed to Rich as exact widths with the cells already
broken into lines, so Rich only draws the box.
"""

import math
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from jcnian.breaking import widest_piece, width_of, wrap

Kind = Literal["auto", "fixed", "text"]

TEXT_MIN = 12  # a text column narrower than this (6 Chinese characters) reads badly
ROW_LINES = 4  # a text column is made wide enough for its longest cell in this many lines
LONG_WORD = 20  # a run of Latin letters or digits longer than this may be folded
SOFT_MAX = 16  # an "auto" column of single words up to this width is kept on one line
SHORT_HEADER = 6  # headers up to this width (three Chinese characters) are never broken
NON_TTY_WIDTH = 200  # output to a pipe or file, with no COLUMNS given


@dataclass(frozen=True)
class Col:
    """A table column: the row key, the Chinese header, its kind, whether it may be left out."""

    key: str
    header: str
    kind: Kind = "auto"
    optional: bool = False


def fixed(key: str, header: str, *, optional: bool = False) -> Col:
    return Col(key, header, "fixed", optional)


def text(key: str, header: str, *, optional: bool = False) -> Col:
    return Col(key, header, "text", optional)


def optional(key: str, header: str, kind: Kind = "auto") -> Col:
    return Col(key, header, kind, True)


def as_col(column: "Col | tuple[str, str]") -> Col:
    return column if isinstance(column, Col) else Col(column[0], column[1])


def terminal_width() -> int:
    """The terminal's width: ``COLUMNS`` if set, else the terminal's own, else 200 for a pipe."""
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return shutil.get_terminal_size((NON_TTY_WIDTH, 24)).columns


# --- measuring --------------------------------------------------------------------------


def _min_two_lines(header: str) -> int:
    """The narrowest width at which ``header`` takes at most two lines (a header of up to four
    Chinese characters stays on one)."""
    full = width_of(header)
    if full <= SHORT_HEADER:
        return full
    w = max(widest_piece(header), math.ceil(full / 2))
    while w < full and len(wrap(header, w)) > 2:
        w += 1
    return min(w, full)


_DATE_OR_NUMBER = re.compile(r"^[-+]?[\d.,:/%–~-]+$|^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$|^\d+/\d+$")


def is_atomic(value: str) -> bool:
    """A date, a number or one Latin word: what must never be broken."""
    return bool(_DATE_OR_NUMBER.match(value)) or (
        value.isascii() and " " not in value and len(value) <= LONG_WORD
    )


# --- deciding the widths ---------------------------------------------------------------


@dataclass
class _Column:
    col: Col
    cells: list[str]
    kind: Literal["hard", "soft", "text"] = "text"
    natural: int = 0
    header_min: int = 0
    atom: int = 0
    longest: int = 0
    right: bool = False
    width: int = 0

    def __post_init__(self) -> None:
        values = [c for c in self.cells if c]
        self.natural = max([width_of(self.col.header), *(width_of(c) for c in values)])
        self.header_min = _min_two_lines(self.col.header) if self.col.header else 0
        self.atom = min(max((widest_piece(c) for c in values), default=0), LONG_WORD)
        self.longest = max((width_of(c) for c in values), default=0)
        self.right = bool(values) and all(_NUMBER.match(c) for c in values)
        single = all("\n" not in c for c in values)
        if self.col.kind == "fixed" or (
            self.col.kind == "auto" and single and all(is_atomic(c) for c in values)
        ):
            self.kind = "hard"
        elif (
            self.col.kind == "auto"
            and single
            and all(" " not in c and width_of(c) <= SOFT_MAX for c in values)
        ):
            self.kind = "soft"
        else:
            self.kind = "text"

    def minimum(self, level: int, avail: int) -> int:
        """The narrowest this column may be: level 0 keeps each text's longest cell within
        ``ROW_LINES`` lines, level 1 lets texts go down to ``TEXT_MIN``, level 2 lets short
        words fold as texts do. No text is ever narrower than ``TEXT_MIN`` (or its content)."""
        if self.kind == "hard" or (self.kind == "soft" and level < 2):
            return max(self.longest, self.header_min)
        floor = min(self.natural, max(self.header_min, self.atom, TEXT_MIN))
        if level == 0:
            wanted = math.ceil(self.longest / ROW_LINES)
            return min(self.natural, max(floor, min(wanted, avail // 2)))
        return floor


def overhead(n: int) -> int:
    """Cells a Rich table with ``n`` columns spends on borders and padding."""
    return 3 * n + 1


def _allocate(columns: list[_Column], avail: int, level: int) -> bool:
    """Give each column its minimum, then share what is left up to each one's natural width
    (texts first, then the headers of the other columns). False when even the
    minimums do not fit."""
    for c in columns:
        c.width = c.minimum(level, avail)
    spare = avail - sum(c.width for c in columns)
    if spare < 0:
        return False
    for group in (("text",), ("soft", "hard")):
        growing = [c for c in columns if c.kind in group and c.width < c.natural]
        # Each in proportion to what it still lacks, so the longest texts get the most room.
        lacking = sum(c.natural - c.width for c in growing)
        if not growing or spare <= 0:
            continue
        if lacking <= spare:
            for c in growing:
                c.width = c.natural
            spare -= lacking
            continue
        given = 0
        for c in growing:
            step = spare * (c.natural - c.width) // lacking
            c.width += step
            given += step
        spare -= given
        for c in sorted(growing, key=lambda c: c.width - c.natural):
            if spare <= 0:
                break
            if c.width < c.natural:
                c.width += 1
                spare -= 1
    return True


@dataclass
class Layout:
    """What the renderer draws: the columns kept, with widths, or blocks; what was left out."""

    columns: list[_Column]
    blocks: bool = False
    dropped: list[str] = field(default_factory=list)


def plan(columns: Sequence[Col], rows: Sequence[Sequence[str]], width: int, *, wide: bool = False) -> Layout:
    """Decide which columns to show and how wide (see the module docstring for the order)."""
    measured = [_Column(col, [r[i] for r in rows]) for i, col in enumerate(columns)]
    if rows:
        measured = [m for m in measured if any(m.cells)] or measured
    kept = measured if wide else [m for m in measured if not m.col.optional]
    dropped = [] if wide else [m.col.header for m in measured if m.col.optional]
    attempts = [(measured, 0), (measured, 1)] if not wide else []
    attempts += [(kept, 0), (kept, 1), (kept, 2)]
    for candidate, level in attempts:
        if len(rows) == 1 and candidate is not measured and not wide:
            break  # one record is shown whole, as a block, rather than without some columns
        if _allocate(candidate, width - overhead(len(candidate)), level):
            left_out = [] if candidate is measured else dropped
            return Layout(candidate, dropped=left_out)
    if wide:
        for c in kept:
            c.width = c.natural
        return Layout(kept)
    return Layout(measured, blocks=True)


# --- drawing ---------------------------------------------------------------------------


def render(
    title: str | None,
    columns: Sequence[Col],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    wide: bool = False,
) -> list[str]:
    """Draw the table; returns the names of the optional columns left out (for the caller to say)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = width or terminal_width()
    layout = plan(columns, rows, width, wide=wide)
    table_width = sum(c.width for c in layout.columns) + overhead(len(layout.columns))
    console = Console(highlight=False, width=max(width, table_width) if wide else width)
    if title:
        console.print(Text("\n".join(wrap(title, width)), style="bold"), overflow="ignore", crop=False)
    if layout.blocks:
        _render_blocks(console, layout, len(rows), width)
        return layout.dropped
    table = Table(show_lines=False, header_style="bold")
    for c in layout.columns:
        # A header that cannot take one line is split in two even halves.
        header = "\n".join(wrap(c.col.header, c.width if c.width >= width_of(c.col.header) else c.header_min))
        table.add_column(header, width=c.width, no_wrap=True, justify="right" if c.right else "left")
    for i in range(len(rows)):
        table.add_row(
            *(Text("\n".join(wrap(c.cells[i], c.width))) if c.cells[i] else "" for c in layout.columns)
        )
    console.print(table, crop=False)
    return layout.dropped


def _render_blocks(console: Any, layout: Layout, count: int, width: int) -> None:
    """Each record as ``header：value`` lines, the headers aligned, a rule between records."""
    from rich.text import Text

    label = max((width_of(c.col.header) for c in layout.columns), default=0)
    room = max(width - label - 2, 10)
    for i in range(count):
        lines = [f"── {i + 1} ──"]
        for c in layout.columns:
            if not c.cells[i]:
                continue
            pad = " " * (label - width_of(c.col.header))
            first, *rest = wrap(c.cells[i], room)
            lines.append(f"{c.col.header}{pad}：{first}")
            lines += [" " * (label + 2) + r for r in rest]
        console.print(Text("\n".join(lines)), overflow="ignore", crop=False)
