"""Cell values as clerks write them: ``９０``, ``90分``, `` 90 ``, ``12票``, Excel numbers and dates.

A cell that should hold a number and does not raises ``BadValue`` with the Chinese words
for what it holds instead, which the caller puts after the quoted value in a problem; the
numbers themselves are read by jcnian.typed, as a typed ``--points`` or ``好=120`` is.
"""

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from jcnian.typed import parse_count as parse_count


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


def is_blank(cells: Sequence[Any], col: int | None) -> bool:
    """Whether a row has nothing in a column (or is too short to reach it)."""
    if col is None or col >= len(cells):
        return True
    value = cells[col]
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object, limit: int = 30) -> str:
    """A cell value quoted for a message, cut short so a runaway cell cannot flood the screen."""
    text = cell_text(value).replace("\n", "⏎").replace("\r", "")
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def fmt_number(value: float) -> str:
    """Points in a message as a clerk writes them: ``9``, not ``9.0``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def clean_item(value: object) -> str:
    """Free text such as a 扣分事项: full-width folded, runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", cell_text(value)).split())
