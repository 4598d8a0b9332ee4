"""Text from a user or a file made inert where it is shown: the terminal and the spreadsheet.

Whatever a ledger holds, printing it must not change what the terminal or a spreadsheet does:

- ``terminal``: for every table cell, title and message. Control characters (ESC and the rest
  of C0 but the line break, DEL, C1, the bidirectional overrides) are shown as their escape
  (``\\x1b``), a tab as a space, a carriage return as a line break; Rich markup is never
  interpreted because the renderers print text, not markup (``markup`` escapes it for a
  place that does).
- ``spreadsheet`` / ``quote_prefix``: text a spreadsheet would run as a formula (a leading
  ``=``, ``+``, ``-``, ``@``, tab or carriage return, as the OWASP guidance on CSV injection
  lists) gets a leading ``'`` in a CSV; in an xlsx the cell keeps the text as typed and gets
  the "quote prefix" format, so that editing it cannot turn it into a formula either. A
  plain number (``-2``, ``+3.5``) is left alone: a spreadsheet reads it as the number it is.
- ``redact``: a database URL's password, wherever a message or a traceback would show it.

Only the standard library at import; Rich is imported by ``markup`` alone.
"""

import re
from collections.abc import Iterable
from typing import Any

from jcnian.typed import CONTROL

_TERMINAL = re.compile(CONTROL.pattern[:-1] + "\t\r]")


def _escape(found: re.Match[str]) -> str:
    ch = found.group()
    if ch == "\t":
        return " "
    if ch == "\r":
        return "\n"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` as the terminal may print it: control characters shown, never obeyed."""
    if _TERMINAL.search(text) is None:
        return text
    return _TERMINAL.sub(_escape, text.replace("\r\n", "\n"))


def markup(text: str) -> str:
    """``text`` for a Rich call that reads markup: control characters shown, markup escaped."""
    from rich.markup import escape

    return escape(terminal(text))


FORMULA_START = "=+-@\t\r"  # what OWASP lists as starting a formula in a CSV cell
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)%?")


def runs_in_spreadsheet(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (OWASP's leading characters)."""
    return text[:1] in FORMULA_START and text != "" and _PLAIN_NUMBER.fullmatch(text) is None


def spreadsheet(value: object) -> object:
    """A CSV cell: text that could run gets a leading ``'``; anything else is returned as it is."""
    if type(value) is str and value and value[0] in FORMULA_START and runs_in_spreadsheet(value):
        return "'" + value
    return value


_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s]*):(?P<password>[^@\s]*)@")
# libpq also takes the password as a query parameter (postgresql://clerk@host/db?password=…).
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)[^&\s]*", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    if "://" not in text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@", text)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}***", text)


class _SafeWriter:
    """A ``csv.writer`` whose every row is made safe to open in a spreadsheet (``spreadsheet``)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> _SafeWriter:
    """``csv.writer(out, **options)`` that neutralises formula text in every cell."""
    import csv

    return _SafeWriter(csv.writer(out, **options))


def json_text(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the control characters it left
    raw (C1, DEL, the bidirectional overrides) written as ``\\uXXXX`` escapes: the same data
    for a JSON reader, nothing a terminal would obey."""
    if CONTROL.search(text) is None:
        return text
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
