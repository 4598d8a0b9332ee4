"""What every command shares: the ledger session, output formats, messages, confirmation."""

import csv
import json
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sqlmodel import Session


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT_HELP = "输出格式：table（表格，默认）、json 或 csv；json/csv 输出到标准输出，不带颜色。"
FormatOption = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)
AsOfOption = typer.Option(None, "--as-of", help="按哪一天判断进度，格式 YYYY-MM-DD，默认今天。")


@dataclass
class State:
    """Global options given before the command (``jcnian --db x.db branch list``)."""

    db: str | None = None
    debug: bool = False


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


@contextmanager
def ledger(ctx: typer.Context, *, create: bool = False) -> Iterator["Session"]:
    """Open the ledger and give one transaction for the whole command."""
    from jcnian import db

    engine = db.open_engine(state(ctx).db, create=create)
    try:
        with db.transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def parse_date(value: str | None, option: str = "--as-of") -> date:
    """A YYYY-MM-DD option value, today when absent; a bad one is a usage error (exit 2)."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(unicodedata.normalize("NFKC", value).strip())
    except ValueError:
        raise typer.BadParameter(
            f"“{value}”不是有效日期，应写成 YYYY-MM-DD，如 2012-05-10。", param_hint=option
        ) from None


def say(message: str, style: str | None = None) -> None:
    """A message for the person at the terminal: always stderr, never mixed into data."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, style=style, markup=False)


def confirm(yes: bool, question: str) -> None:
    """Destructive commands go ahead with --yes, ask at a terminal, refuse otherwise."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise typer.BadParameter("这是不可撤销的操作，非交互运行时请加 --yes 确认。", param_hint="--yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_plain) + "\n")


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    fmt: Format,
    *,
    title: str | None = None,
    json_rows: Any = None,
) -> None:
    """Print rows as a Rich table, JSON (``json_rows`` when the contract differs) or CSV.

    ``columns`` pairs each key with its Chinese header; CSV uses the keys as headers so a
    script can rely on them, the table uses the Chinese ones for the clerk.
    """
    if fmt is Format.json:
        emit_json(rows if json_rows is None else json_rows)
        return
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([key for key, _ in columns])
        for row in rows:
            writer.writerow(["" if row.get(k) is None else _cell(row.get(k)) for k, _ in columns])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(k) is None else str(_cell(row.get(k))) for k, _ in columns))
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    console.print(table)


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(_cell(v)) for v in value)
    return _plain(value)
