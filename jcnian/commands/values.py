"""Typer parsers for typed options: each reads the raw text by ``jcnian.typed``'s rule.

Typer's own ``int`` and ``float`` take what Python's do (``1_0``, ``1e3``, ``inf``), so every
number option is declared with one of these as its ``parser``; a value refused is a usage
error (exit 2) naming the option, with the reason in Chinese.
"""

from collections.abc import Sequence
from typing import Any

import typer

from jcnian import typed


def _fail(text: str, exc: typed.BadValue, hint: str) -> typer.BadParameter:
    return typer.BadParameter(f"“{text.strip()}”{exc}{hint}。")


def whole(text: str) -> int:
    """A whole number ≥ 0 (people, an id, a year): ``46``, ``４６``, ``1,500``."""
    try:
        return typed.parse_whole(text)
    except typed.BadValue as exc:
        raise _fail(text, exc, "，应为整数，如 46") from None


def points(text: str) -> float:
    """Points: ``18``, ``１８``, ``18分``, ``14.5``; never a comma."""
    try:
        number = typed.parse_points(text)
    except typed.BadValue as exc:
        raise _fail(text, exc, "，请填写分值，如 18") from None
    if number is None:
        raise typer.BadParameter("分值不能为空，请填写分值，如 18。")
    return number


def percent(text: str) -> int:
    """Progress as a whole percentage: ``30%``, ``30`` or ``0.3`` → 30 (the domain checks 0–100)."""
    try:
        number = typed.parse_percent(text, high=None)
    except typed.BadValue as exc:
        raise _fail(text, exc, "，应写成 30%、30 或 0.3") from None
    if not float(number).is_integer():
        raise typer.BadParameter(f"“{text.strip()}”是 {number:g}%，进度请写整数百分比，如 30%。")
    return int(number)


def rate(text: str) -> float:
    """A rate as a fraction 0–1: ``93%``, ``93`` or ``0.93`` → 0.93."""
    try:
        return round(typed.parse_percent(text) / 100, 11)
    except typed.BadValue as exc:
        raise _fail(text, exc, "，应写成 93%、93 或 0.93") from None


def campaign_year() -> int | None:
    """The campaign's year from the ledger the command names, for a date written without one.

    None when there is no command context or no ledger yet (the date is then refused).
    """
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - a Typer that uses Click itself
        from click import get_current_context  # type: ignore[import-not-found,no-redef]

    ctx = get_current_context(silent=True)
    if ctx is None:
        return None
    from jcnian.commands.common import ledger
    from jcnian.errors import JcnianError
    from jcnian.ledger import current_campaign

    try:
        with ledger(ctx, write=False) as session:
            return current_campaign(session).year
    except JcnianError:
        return None


def check_arguments(args: Sequence[str]) -> None:
    """Refuse, before any command runs, an argument holding a control character (ESC, C0, C1,
    a bidirectional override) or bytes that are not UTF-8, naming the option it belongs to.

    Tabs and line breaks pass here; whether a field may hold them is the ledger's check
    (jcnian.textguard), which knows a name from a long text.
    """
    from jcnian.inert import terminal

    for i, arg in enumerate(args):
        bad = typed.CONTROL.search(arg)
        if bad is None:
            continue
        option, _, value = arg.partition("=") if arg.startswith("--") and "=" in arg else ("", "", arg)
        if not option and i and args[i - 1].startswith("-") and not typed.CONTROL.search(args[i - 1]):
            option = args[i - 1]
        shown = terminal(value[:30])
        where = f"{option} 的值“{shown}”" if option else f"参数“{shown}”"
        raise typer.BadParameter(
            f"{where}含{typed.control_name(bad.group())}（第 {value.index(bad.group()) + 1} 个字符），请删去后重新输入。"
        )


def strict_numbers(command: Any) -> Any:
    """Every int and float option of ``command`` (and its sub-commands) read by typed's rule.

    Typer converts them as Python does, taking ``1_0``, ``1e3`` and ``inf``; an option
    declared with a parser above is left as it is. Returns ``command``.
    """
    for param in getattr(command, "params", ()):
        kind = _number_kind(param)
        if kind is not None:
            param.process_value = _strict(param.process_value, kind)
    for sub in getattr(command, "commands", {}).values():
        strict_numbers(sub)
    return command


def _number_kind(param: Any) -> type | None:
    descriptor = getattr(param, "type_descriptor", None)
    info = getattr(descriptor, "parameter_info", None)
    if descriptor is None or getattr(info, "parser", None) is not None:
        return None
    annotation = descriptor.annotation
    kinds = {a for a in (getattr(annotation, "__args__", None) or (annotation,)) if a is not type(None)}
    if kinds == {int}:
        return int
    if kinds == {float}:
        return float
    return None


def _strict(process: Any, kind: type) -> Any:
    def process_value(ctx: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = _checked(value, kind)
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            value = type(value)(_checked(v, kind) for v in value)
        return process(ctx, value)

    return process_value


def _checked(text: str, kind: type) -> str:
    try:
        number = typed.parse_whole(text) if kind is int else typed.parse_points(text)
    except typed.BadValue as exc:
        raise typer.BadParameter(f"“{text.strip()}”{exc}。") from None
    if number is None:
        raise typer.BadParameter("不能为空。")
    return repr(number)
