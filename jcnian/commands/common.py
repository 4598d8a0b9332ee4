"""What every command shares: the ledger session, output formats, messages, confirmation."""

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from sqlmodel import Session

    from jcnian.commands.layout import Col


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT_HELP = "输出格式：table（表格，默认）、json 或 csv；json/csv 输出到标准输出，不带颜色。"
FormatOption = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)
AsOfOption = typer.Option(None, "--as-of", help="按哪一天判断进度，格式 YYYY-MM-DD，默认今天。")
GradeAsOfOption = typer.Option(
    None, "--as-of", help="按那一天的账本（只计当天及以前的记录），格式 YYYY-MM-DD，默认现在的账本。"
)
OnOption = typer.Option(None, "--on", help="发生日期，格式 YYYY-MM-DD，默认今天。")
OverrideOption = typer.Option(
    None, "--override", help="越过检查（顺序、比例、未终定等）的理由（须经委员会同意），理由会记入台账。"
)
NoteOption = typer.Option(None, "--note", help="备注。")
ByOption = typer.Option(None, "--by", help="由谁作出（记入历史），如 镇党委。")
BranchArg = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。")
BranchesArg = typer.Argument(None, metavar="党组织", help="党组织名称（可多个）。")
BranchFilter = typer.Option(None, "--branch", "-b", metavar="党组织", help="只列一个党组织的，如 五夫村。")
CategoryFilter = typer.Option(
    None,
    "--category",
    "-c",
    metavar="分类",
    help="只列某一分类：农村、国有金融机构、非公制企业、机关事业单位。",
)
WideOption = typer.Option(False, "--wide", help="表格显示全部列，即使超出终端宽度。")


def _not_negative(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter("项数不能是负数；0 表示列出全部。")
    return value


# How many rows a table shows before it stops and says how to get the rest (``Limit``):
# a long list (overdue, problem list …) the first TABLE_LIMIT, any other table TABLE_MAX
# (drawing 20,000 rows takes Rich over 15 seconds; JSON and CSV are always complete).
TABLE_LIMIT = 50
TABLE_MAX = 200


def limit_option(default: int) -> Any:
    """``--limit`` for a command whose table shows ``default`` rows unless told otherwise."""
    return typer.Option(
        None,
        "--limit",
        "-n",
        metavar="项数",
        callback=_not_negative,
        help=f"最多列出多少项：表格默认 {default} 项，json/csv 默认全部；0 表示全部。",
    )


LimitOption = limit_option(TABLE_LIMIT)
RowsLimitOption = limit_option(TABLE_MAX)  # the whole-ledger tables: grade list, branch list …
T = TypeVar("T")


@dataclass
class State:
    """Global options given before the command (``jcnian --db x.db branch list``)."""

    db: str | None = None
    debug: bool = False
    campaign: str | None = None  # --campaign 驿亭镇/2012, for a ledger of several campaigns


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


@contextmanager
def ledger(ctx: typer.Context, *, create: bool = False, write: bool = True) -> Iterator["Session"]:
    """Open the ledger and give one transaction for the whole command.

    A write (the default) holds the ledger's write lock from its first read to its commit,
    waiting for another program's write up to the busy timeout; ``write=False`` is for a
    command that only reads: it sees one snapshot and never waits.
    """
    from jcnian import db

    def waiting() -> None:
        say(f"账本正被另一个程序占用，正在等待（最多 {db.busy_timeout_ms() / 1000:g} 秒）……", "yellow")

    engine = db.open_engine(state(ctx).db, create=create, write=write)
    _say_notices()
    try:
        with db.transaction(engine, write=write, on_wait=waiting) as session:
            if state(ctx).campaign:
                from jcnian.ledger import choose_campaign

                choose_campaign(session, state(ctx).campaign)
            if write:
                _safety_copy(ctx, engine)
            yield session
    finally:
        engine.dispose()


def grade_as_of(value: str | None) -> date | None:
    """A grade read's ``--as-of``: the day given, or None for the ledger as it is now."""
    return None if value is None else parse_date(value)


def _say_notices() -> None:
    """What opening the ledger did that the clerk should know (a safety copy before an upgrade).

    Only an upgrade leaves a notice, and it loads jcnian.safety to make its copy: a command
    that opened a ledger without one does not load that module at all.
    """
    safety = sys.modules.get("jcnian.safety")
    if safety is None:
        return
    for notice in safety.take_notices():
        say(notice)


def _safety_copy(ctx: typer.Context, engine: Any) -> None:
    """Before what cannot be undone (jcnian.safety.SAFETY_COMMANDS), a copy beside the ledger."""
    from jcnian import safety

    copy = safety.before_write(ctx, engine)
    if copy is not None:
        say(f"已先把账本备份到 {copy}（需要时用 jcnian restore {copy} --yes 恢复）。")


def parse_date(value: str | None, option: str = "--as-of") -> date:
    """A date option as offices write it (jcnian.typed.parse_date; ``5月10日`` in the campaign's
    year), today when absent; a bad one is a usage error (exit 2)."""
    if value is None:
        return date.today()
    from jcnian import typed
    from jcnian.commands.values import campaign_year

    try:
        return typed.parse_date(value, year=campaign_year)
    except typed.BadValue as exc:
        raise typer.BadParameter(f"“{value.strip()}”{exc}。", param_hint=option) from None


def say(message: str, style: str | None = None) -> None:
    """A message for the person at the terminal: always stderr, never mixed into data."""
    from rich.console import Console

    from jcnian.inert import redact, terminal

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        terminal(redact(message)), style=style, markup=False
    )


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
    from jcnian.inert import json_text

    sys.stdout.write(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=_plain)) + "\n")


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence["tuple[str, str] | Col"],
    fmt: Format,
    *,
    title: str | None = None,
    json_rows: Any = None,
    footer: Callable[[], None] | None = None,
    wide: bool | None = None,
    limit: "Limit | None" = None,
) -> None:
    """Print rows as a table, JSON (``json_rows`` when the contract differs) or CSV.

    The one place a command's output format is decided. ``columns`` pairs each key with its
    Chinese header, or is a ``layout.Col`` (fixed, text, optional); CSV uses the keys as
    headers so a script can rely on them, the table uses the Chinese ones for the clerk and
    is laid out to fit the terminal by ``jcnian.commands.layout`` (``wide``: the command's
    ``--wide``, which keeps the optional columns; None for a command without it). ``footer`` runs after the table only (notes and secondary tables for
    the person at the terminal), never in JSON or CSV, which carry the whole answer in
    ``json_rows`` and the rows. ``limit`` cuts a long list (the same rows of ``json_rows``
    when it is a list of them) and says how many were left out and how to see them; a table
    without one still stops at ``TABLE_MAX`` rows and says how to get them all.
    """
    from jcnian.commands import layout

    if limit is None and fmt is Format.table:
        limit = Limit(default=TABLE_MAX, option=False)
    if limit is not None:
        rows, json_rows = limit.cut(rows, json_rows, fmt)
    from jcnian import inert

    if title is not None:
        title = inert.terminal(title)
    if fmt is Format.json:
        emit_json(rows if json_rows is None else json_rows)
        return
    cols = [layout.as_col(c) for c in columns]
    if fmt is Format.csv:
        writer = inert.csv_writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in cols])
        for row in rows:
            writer.writerow(["" if row.get(c.key) is None else _cell(row.get(c.key)) for c in cols])
        return
    # A header may come from the user too (a rubric's source names): never read as markup.
    cols = [
        c if "[" not in c.header else layout.Col(c.key, inert.markup(c.header), c.kind, c.optional)
        for c in cols
    ]
    cells = [["" if row.get(c.key) is None else str(_cell(row.get(c.key))) for c in cols] for row in rows]
    dropped = layout.render(title, cols, cells, wide=bool(wide))
    if dropped:
        how = "加 --wide 显示全部列，或用 --format csv 导出" if wide is not None else "终端加宽后显示"
        say(f"终端宽度不够，未显示：{'、'.join(dropped)}（{how}）。")
    if limit is not None and limit.left_out:
        say(limit.note())
    if footer is not None:
        footer()


@dataclass
class Limit:
    """How many rows a list shows: ``given`` (``--limit``), else ``default`` in a table and
    all in JSON/CSV; 0 shows all. ``how`` names the filters that narrow the list; ``option``
    says whether the command has ``--limit`` at all (the note then offers it)."""

    given: int | None = None
    how: str = ""
    total: int = 0
    left_out: int = 0
    default: int = TABLE_LIMIT
    option: bool = True

    def cut(self, rows: Sequence[Any], json_rows: Any, fmt: Format) -> tuple[Sequence[Any], Any]:
        n = self.given if self.given is not None else (self.default if fmt is Format.table else 0)
        self.total = len(rows)
        if n <= 0 or len(rows) <= n:
            return rows, json_rows
        self.left_out = len(rows) - n
        if isinstance(json_rows, list) and len(json_rows) == len(rows):
            json_rows = json_rows[:n]
        if fmt is not Format.table:
            say(self.note())
        return rows[:n], json_rows

    def note(self) -> str:
        narrow = f"，或用 {self.how} 缩小范围" if self.how else ""
        shown = f"共 {self.total} 项，只列出前 {self.total - self.left_out} 项，另有 {self.left_out} 项未列出"
        if not self.option:
            return f"{shown}（全部用 --format csv 或 --format json 输出{narrow}）。"
        whole = "，全部数据用 --format csv 输出" if self.total > TABLE_MAX else ""
        return f"{shown}（加 --limit 0 列出全部{whole}{narrow}）。"


def _cell(value: Any) -> Any:
    """A value as a table or CSV cell shows it: lists joined, text made inert (jcnian.inert)."""
    if isinstance(value, list | tuple):
        return "、".join(str(_cell(v)) for v in value)
    value = _plain(value)
    if isinstance(value, str):
        from jcnian.inert import terminal

        return terminal(value)
    return value


def in_ledger(
    ctx: typer.Context, domain: Callable[..., T], *args: Any, write: bool = True, **kwargs: Any
) -> T:
    """Call one domain function with the ledger's session, in the command's one transaction
    (``write=False`` for a function that only reads, as for ``ledger``)."""
    with ledger(ctx, write=write) as session:
        return domain(session, *args, **kwargs)


def record(ctx: typer.Context, step: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run one recording step in the command's transaction, then say what it recorded (a step
    that records several things at once, as a survey of several methods does, says each)."""
    saved = in_ledger(ctx, step, *args, **kwargs)
    for s in saved if isinstance(saved, list) else [saved]:
        say_saved(s)


def say_saved(saved: Any) -> None:
    """One line per recorded step: created, updated (with the old value) or unchanged."""
    who = f"{saved.branch}：" if saved.branch else ""
    if saved.status == "created":
        say(f"{who}已登记{saved.what}。")
    elif saved.status == "updated":
        was = f"（原为 {saved.previous}）" if saved.previous else ""
        say(f"{who}已更新{saved.what}{was}。")
    else:
        say(f"{who}{saved.what}已登记过，未做改动。")
    if saved.override:
        say(f"  已越过顺序检查，理由“{saved.override}”已记入台账。", "yellow")
    for warning in getattr(saved, "warnings", ()):
        say(warning, "yellow")


def grade_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def score_text(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Scores read as a score sheet does (67.10, not 67.1), for tables and CSV (JSON keeps numbers)."""
    return [{k: f"{v:.2f}" if k in keys and isinstance(v, float) else v for k, v in r.items()} for r in rows]
