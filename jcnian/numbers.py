"""Points as clerks write them, wherever they are typed: a survey cell or a command option.

``９０``, ``90分``, `` 90 ``, ``1,200`` and Excel's numbers are read alike, so a value the
survey import accepts is accepted by ``grade score`` too. Anything else raises
``BadNumber`` with the Chinese words for what was written instead, which the caller puts
after the quoted value in its message.
"""

import math
import re
from datetime import date, datetime, time

from jcnian.names import normalise

_UNITS = re.compile(r"(分|票|人|张|个)$")


class BadNumber(ValueError):
    """A value that should be a number is not; the message says what it is instead."""


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
        number = _parse_slow(str(value))
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
