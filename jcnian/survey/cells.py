"""Cell values as clerks write them: ``９０``, ``90分``, `` 90 ``, ``12票``, Excel numbers and dates.

A cell that should hold a number and does not raises ``BadNumber`` with the Chinese words
for what it holds instead, which the caller puts after the quoted value in a problem.
"""

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from jcnian.names import normalise

_UNITS = re.compile(r"(分|票|人|张|个)$")


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


class BadNumber(ValueError):
    """A cell that should hold a number does not; the message says what it holds instead."""


def parse_number(value: object) -> float | None:
    """Points as clerks write them: ``90``, ``９０``, `` 90 ``, ``90分``, ``90.5``; None when blank.

    Raises BadNumber for anything else (text, a date Excel made of ``4-5``, NaN, a percentage).
    """
    kind = type(value)
    if kind is float or kind is int:
        number = float(value)  # type: ignore[arg-type]
    elif value is None:
        return None
    elif kind is str:
        try:
            number = float(value)  # type: ignore[arg-type]  # also takes full-width digits
        except ValueError:
            number = _parse_slow(value)  # type: ignore[arg-type]
            if number is None:
                return None
    elif kind is bool:
        raise BadNumber("是逻辑值，不是数字")
    elif isinstance(value, datetime | date | time):
        raise BadNumber("被 Excel 当成了日期，不是数字（请把该列设为文本或数值后重新填写）")
    else:
        number = _parse_slow(cell_text(value))
        if number is None:
            return None
    if not math.isfinite(number):
        raise BadNumber("不是有效的数字")
    return number


def _parse_slow(text: str) -> float | None:
    """What ``float()`` refuses: units (分/票), thousands commas, spaces inside; a % is refused."""
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
