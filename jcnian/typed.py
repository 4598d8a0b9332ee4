"""Values as a town office writes them, one parser per kind, wherever they are written.

The command line, the survey import and the domain read every typed value here, so that what
is accepted in one place is accepted in all, and what is refused is refused with the same
reason. Each parser takes the text (or a spreadsheet's own number) and returns the value, or
raises ``BadValue`` with the Chinese words for what is wrong, which the caller puts after the
quoted value in its message (``“8，5”含逗号…``).

- **points** (a score): ``18``, ``１８``, ``18分``, ``14.5``, ``１４．５``. A comma is refused
  (``8，5`` might be 8.5 or 85), as are a percentage, inner spaces and the forms only Python
  reads (``1_0``, ``1e3``, ``inf``, ``0x10``).
- **count** (votes, people, an id): a whole number ≥ 0, ``120``, ``120票``; a thousands
  separator only where it is one (``1,500``; ``1,5`` is refused).
- **percent**: one rule for rates and progress: ``30%`` is 30 %; without ``%`` a number above
  1 is per cent (``30``) and one below 1 is a fraction (``0.3``); a bare ``1`` (1 % or 100 %?)
  is refused.
- **date**: ``2012-5-10``, ``2012-05-10``, ``2012/5/10``, ``2012.5.10``, ``2012年5月10日``,
  full-width digits, and ``5月10日`` in the campaign's year. The compact ``20120510`` and the
  ISO week ``2012-W19-4`` are refused, not guessed.
- **month**: ``2012-05``, ``2012-5``, ``2012/5``, ``2012.5``, ``2012年5月``.
- **pairs** (``好=120 较好=60``): ``=``, ``：`` or ``:`` between name and value; spaces,
  ``，``, ``,``, ``、`` or ``；`` between pairs; a **list** of names (``座谈会，问卷调查``) the same.
- **choice**: the name, a registered alias, or a unique part of it or a longer name holding it
  (``问卷`` → 问卷调查, ``推进会`` → 工作推进会, ``调研走访`` → 走访), at least two characters.
- **text**: a name, a short text or a long text; control characters (C0, C1, ESC, DEL and the
  bidirectional overrides) are refused, tabs and line breaks only in a long text, and each kind
  has a length limit, named when it is passed.

Only the standard library is used: the command line parses with it before any database is
opened.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time


class BadValue(ValueError):
    """A value that is not what was asked for; the message says what it is instead."""


# The old name the survey cells and ``grade score`` used.
BadNumber = BadValue


# --- folding -----------------------------------------------------------------------------

# Full-width ASCII (what a Chinese input method types) and the ideographic space, folded to
# ASCII; nothing else is folded, so superscripts, circled digits and other scripts' digits
# stay what they are and are refused as not a number.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII, trimmed: ``１４．５`` → ``14.5``."""
    return text.translate(_FULL_WIDTH).strip()


# --- numbers -----------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.0*)?")
_POINT_UNITS = ("分",)
_COUNT_UNITS = ("票", "人", "张", "个", "名", "次", "户")


def _number_text(text: str, units: tuple[str, ...], *, grouping: bool) -> float | None:
    cleaned = fold(text)
    if not cleaned:
        return None
    for unit in units:
        if cleaned.endswith(unit):
            cleaned = cleaned[: -len(unit)].rstrip()
            break
    if cleaned.endswith("%"):
        raise BadValue("是百分数，这里应填分数或票数")
    if _DECIMAL.fullmatch(cleaned):
        return float(cleaned)
    if "," in cleaned:
        if grouping and _GROUPED.fullmatch(cleaned):
            return float(cleaned.replace(",", ""))
        if grouping:
            raise BadValue("的逗号不是千位分隔（千位分隔应为 1,500 这样每三位一个），不能确定是多少")
        if cleaned.count(",") == 1:
            whole, part = cleaned.split(",")
            raise BadValue(f"含逗号，不能确定是 {whole}.{part} 还是 {whole}{part}（小数点请写“.”）")
        raise BadValue("含逗号，不能确定是多少（小数点请写“.”）")
    if re.fullmatch(r"[+-]?[\d.]+(?:\s+[\d.]+)+", cleaned):
        raise BadValue("数字中间有空格，不能确定是多少")
    if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise BadValue("不是有效的数字")
    raise BadValue("不是数字")


def _number(value: object, units: tuple[str, ...], *, grouping: bool) -> float | None:
    kind = type(value)
    if kind is float or kind is int:
        number = float(value)  # type: ignore[arg-type]
    elif value is None:
        return None
    elif kind is bool:
        raise BadValue("是逻辑值，不是数字")
    elif isinstance(value, datetime | date | time):
        raise BadValue("被 Excel 当成了日期，不是数字（请把该列设为文本或数值后重新填写）")
    else:
        text = value if isinstance(value, str) else str(value)
        if text.isascii() and text.replace(".", "", 1).isdigit():
            # The fast path of big files: plain ASCII digits. float() alone would also take
            # 1_0, 1e3, inf and other scripts' digits, hence the check.
            number = float(text)
        else:
            number = _number_text(text, units, grouping=grouping)
            if number is None:
                return None
    if not math.isfinite(number):
        raise BadValue("不是有效的数字")
    return number


def parse_points(value: object) -> float | None:
    """A score as written: ``18``, ``１８``, ``18分``, ``14.5``, ``１４．５``, Excel's numbers; None when blank.

    A comma (``8，5``, ``8,5``, ``1,200``) is refused as ambiguous; so are a percentage, a
    date Excel made of ``4-5``, text and Python-only forms. Negative numbers are returned:
    the caller says what range it takes.
    """
    return _number(value, _POINT_UNITS, grouping=False)


# The largest whole number every ledger can store: PostgreSQL's INTEGER is 32 bits (SQLite's
# 64), and a count one ledger keeps must not be refused by another.
MAX_COUNT = 2**31 - 1


def parse_count(value: object) -> int | None:
    """A whole number ≥ 0 (votes, people, an id): ``120``, ``１２０``, ``120票``, ``1,500``; None when blank."""
    number = _number(value, _COUNT_UNITS, grouping=True)
    if number is None:
        return None
    if number < 0:
        raise BadValue("小于 0")
    if not number.is_integer():
        raise BadValue("不是整数")
    if number > MAX_COUNT:
        raise BadValue(f"数值太大，超过账本能保存的最大整数 {MAX_COUNT}")
    return int(number)


def parse_percent(value: object, high: float | None = 100) -> float:
    """A percentage by the one rule (module docstring), as a number of per cent: ``30%``, ``30``, ``0.3`` → 30.0.

    ``high`` None leaves the upper bound to the caller (a project's progress, whose domain
    names its own range).
    """
    if isinstance(value, str):
        text = fold(value)
        if not text:
            raise BadValue("为空")
        marked = text.endswith("%")
        number = _number(text[:-1].rstrip() if marked else text, (), grouping=False)
        if number is None:
            raise BadValue("不是百分数")
    else:
        marked = False
        number = _number(value, (), grouping=False)
        if number is None:
            raise BadValue("为空")
    if not marked:
        if number == 1:
            raise BadValue("不能确定是 1% 还是 100%，请写 1% 或 100%")
        if number < 1:
            number *= 100
    number = round(number, 9)
    if number < 0 or (high is not None and number > high):
        raise BadValue("不在 0% 到 100% 之间")
    return number


def parse_whole(value: object, low: int | None = None, high: int | None = None) -> int:
    """A whole number typed where one is asked (a year, an id), within [low, high]."""
    number = parse_count(value)
    if number is None:
        raise BadValue("为空")
    if (low is not None and number < low) or (high is not None and number > high):
        raise BadValue(f"不在 {low} 到 {high} 之间")
    return number


# --- dates -------------------------------------------------------------------------------

DATE_FORMS = "2012-05-10、2012-5-10、2012/5/10、2012.5.10、2012年5月10日 或 5月10日"
_DATE = re.compile(
    r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})[日号]?"
    r"|(?P<m3>\d{1,2})月(?P<d3>\d{1,2})[日号]?"
)
_MONTH = re.compile(r"(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})|年(?P<m2>\d{1,2})月?)")


def parse_date(text: str, *, year: Callable[[], int | None] | None = None) -> date:
    """A date as an office writes it (module docstring); ``year()`` gives the year of ``5月10日``."""
    cleaned = re.sub(r"\s+", "", fold(text))
    found = _DATE.fullmatch(cleaned)
    if found is None:
        if re.fullmatch(r"\d{8}", cleaned):
            raise BadValue(f"是连写的数字，不能确定年月日，请写成 {_iso_hint(cleaned)}")
        if re.fullmatch(r"\d{4}-?W\d{1,2}(?:-?\d)?", cleaned, re.I):
            raise BadValue("是按周的写法，请写成 2012-05-10 这样的年月日")
        raise BadValue(f"不是有效日期，应写成 {DATE_FORMS}")
    g = found.groupdict()
    if g["m3"] is not None:
        chosen = year() if year is not None else None
        if chosen is None:
            raise BadValue("没有写年份，请写成 2012-05-10")
        y, m, d = chosen, int(g["m3"]), int(g["d3"])
    elif g["y2"] is not None:
        y, m, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
    else:
        y, m, d = int(g["y"]), int(g["m"]), int(g["d"])
    try:
        return date(y, m, d)
    except ValueError:
        if not 1 <= m <= 12:
            raise BadValue(f"不是有效日期：没有 {m} 月") from None
        raise BadValue(f"不是有效日期：{y} 年 {m} 月没有 {d} 日") from None


def _iso_hint(digits: str) -> str:
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}" if len(digits) == 8 else "2012-05-10"


def parse_month(text: str) -> str:
    """A month as ``YYYY-MM``: ``2012-05``, ``2012-5``, ``2012/5``, ``2012.5``, ``2012年5月``."""
    cleaned = re.sub(r"\s+", "", fold(text))
    found = _MONTH.fullmatch(cleaned)
    if found is None:
        raise BadValue("不是有效的月份，应写成 2012-05 或 2012年5月")
    y, m = int(found["y"]), int(found["m"] or found["m2"])
    if not 1 <= m <= 12:
        raise BadValue(f"不是有效的月份：没有 {m} 月")
    if not 1949 <= y <= 2100:
        raise BadValue(f"年份 {y} 不对")
    return f"{y:04d}-{m:02d}"


# --- lists of name=value -----------------------------------------------------------------

# Between pairs: a separator followed by something that is not a digit (so that the comma of
# 1,500 stays inside its number).
_PAIR_GAP = re.compile(r"[\s,;、]+(?=[^\d\s,;、])")


def parse_pairs(items: Iterable[str]) -> list[tuple[str, str]]:
    """``好=120 较好=60`` (or ``好：120，较好：60``) as [(name, value)]; a part without ``=`` raises."""
    text = " ".join(fold(item).replace("＝", "=").replace("：", ":") for item in items)
    pairs = []
    for part in _PAIR_GAP.split(text.strip(" ,;、")):
        part = part.strip(" ,;、")
        if not part:
            continue
        found = re.fullmatch(r"(?P<k>[^=:]+?)\s*[=:]\s*(?P<v>[^=:]*)", part)
        if found is None or not found["v"].strip():
            raise BadValue(f"“{part}”应写成 名称=数值，如 好=120")
        pairs.append((found["k"].strip(), found["v"].strip()))
    return pairs


def parse_list(items: Iterable[str]) -> list[str]:
    """Several names given as separate words or in one (``座谈会，问卷调查``, ``座谈会、问卷``)."""
    return [part for item in items for part in re.split(r"[\s,;、]+", fold(item)) if part]


# --- choices -----------------------------------------------------------------------------


def choice_key(text: str) -> str:
    """A choice as compared: NFKC-folded, no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_choice(
    text: str, choices: Sequence[str], kind: str, aliases: Mapping[str, str] | None = None
) -> str:
    """One of ``choices`` by its name, an alias, or a unique part (or a longer name holding it).

    Raises BadValue naming every choice, or the ones a part could mean.
    """
    key = choice_key(text)
    names = {choice_key(c): c for c in choices}
    spelled = {choice_key(a): target for a, target in (aliases or {}).items()}
    if key in names:
        return names[key]
    if key in spelled:
        return spelled[key]
    if len(key) >= 2:
        meant = {
            target
            for name, target in [*names.items(), *spelled.items()]
            if key in name or (len(name) >= 2 and name in key)
        }
        if len(meant) == 1:
            return meant.pop()
        if meant:
            options = "、".join(c for c in choices if c in meant)
            raise BadValue(f"{kind}“{text.strip()}”可指 {options}，请写全")
    raise BadValue(f"{kind}“{text.strip()}”无效，应为 {'、'.join(choices)} 之一")


def choice_help(choices: Sequence[str], aliases: Mapping[str, str] | None = None) -> str:
    """The choices for a help text: each with the other names it is known by."""
    others: dict[str, list[str]] = {}
    for alias, target in (aliases or {}).items():
        if alias != target:
            others.setdefault(target, []).append(alias)
    return "、".join(f"{c}（{'、'.join(others[c])}）" if c in others else c for c in choices)


# --- text --------------------------------------------------------------------------------

NAME, SHORT, LONG, DOCUMENT = "name", "short", "long", "document"
# Characters; a document is a whole file kept in the ledger (a rubric).
LIMITS = {NAME: 60, SHORT: 200, LONG: 10_000, DOCUMENT: 200_000}
# C0 but tab, line feed and carriage return (line breaks, only in a long text), DEL, C1, and
# the bidirectional controls that reorder what is shown (U+200E/F, U+202A–E, U+2066–9), plus
# the line and paragraph separators; and lone surrogates, which are what Python makes of bytes
# that are not UTF-8 (a terminal or a file in another encoding).
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_BREAKS = re.compile("[\t\n\r]")


def control_name(ch: str) -> str:
    """A control character as the clerk's message names it: ``ESC（U+001B）``."""
    names = {"\x1b": "ESC", "\x00": "NUL", "\x7f": "DEL", "\t": "制表符", "\n": "换行", "\r": "回车"}
    if "\ud800" <= ch <= "\udfff":
        return "无法识别的字节（不是 UTF-8 编码的文字）"
    return f"{names.get(ch, '控制字符')}（U+{ord(ch):04X}）"


def text_problem(value: str, kind: str) -> str | None:
    """Why ``value`` cannot be a text of ``kind``, in words to follow the field's name; None if it can."""
    bad = CONTROL.search(value)
    if bad is not None:
        return f"含{control_name(bad.group())}（第 {bad.start() + 1} 个字符），请删去后重新输入"
    if kind in (NAME, SHORT):
        brk = _BREAKS.search(value)
        if brk is not None:
            return f"不能含{control_name(brk.group())}（只有备注、内容等长文本可以换行）"
    limit = LIMITS[kind]
    if len(value) > limit:
        return f"太长：最多 {limit} 个字，现有 {len(value)} 个字"
    return None


def check_text(value: str, field: str, kind: str = SHORT) -> str:
    """``value`` unchanged if it may be a text of ``kind``; else BadValue naming ``field``."""
    problem = text_problem(value, kind)
    if problem is not None:
        raise BadValue(f"{field}{problem}")
    return value
