"""Commands for survey results: ``survey import`` and ``survey log``."""

from pathlib import Path
from typing import Any

import typer

from jcnian.commands.common import Format, FormatOption, emit, ledger, say

survey_app = typer.Typer(
    help="测评结果批量导入，并可查看导入记录。\n\n群众测评、党员评议、问卷的表格一次导入。\n\n示例：jcnian survey import 群众测评.xlsx --dry-run",
    no_args_is_help=True,
)

PROGRESS_BYTES = 256 * 1024  # about a few thousand rows: below this the import is instant
LOG_COLUMNS = [
    ("id", "序号"),
    ("file", "文件"),
    ("sha256", "内容哈希"),
    ("imported_at", "导入时间"),
    ("layout", "格式"),
    ("source", "评价主体"),
    ("rows", "写入行数"),
    ("replaced", "替换"),
]


class _DryRunDone(Exception):
    """Raised inside the transaction after a dry run, so that nothing it touched is kept."""


@survey_app.command("import")
def survey_import(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="一个或多个 .xlsx/.xls/.csv/.txt 文件。", show_default=False, metavar="文件"
    ),
    source: str | None = typer.Option(
        None, "--source", "-s", help="评价主体（如 群众初评），用于没有“评价主体”列的文件。"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并报告将写入什么，不写入账本。"),
    replace: bool = typer.Option(
        False, "--replace", help="以本文件为准：替换账本中同一党组织、同一评价主体原有的记录。"
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="文本文件的编码（如 gbk、utf-8、utf-16），默认自动识别。"
    ),
) -> None:
    """导入测评结果表格：各评价主体的得分或测评票数。

    群众初评、党员评议、支部自评、组织考评的得分，或群众测评票数。

    识别四种格式（按表头判断；标题、填报单位、空行、合计/平均行、表尾签字和说明自动跳过，
    --dry-run 逐行列出跳过了什么）：
    长表（党组织、评价主体、指标、得分，可加 测评人、扣分事项/扣分）；
    宽表（党组织、评价主体，每项指标一列）；
    票数汇总（党组织 与 好/较好/一般/较差 或 满意/基本满意/不满意 各一列）；
    逐张选票（测评人、党组织、评价）。
    党组织可写全称、别名或能唯一确定的一部分；有“扣分事项”的行按逐项扣分记录。

    任何一处有问题都不写入，并列出全部问题（文件:行:列）。同一文件再次导入不会重复写入；
    改正后的文件须加 --replace 才会替换原有记录，且只替换文件中出现的党组织和评价主体
    （票数按党组织整体替换）。多个文件在同一事务中导入：有一个出错则都不写入。

    示例：jcnian survey import 群众测评.xlsx 党员评议.csv --source 党员评议 --dry-run
    """
    from jcnian.survey.sniff import canonical_encoding

    if encoding is not None and canonical_encoding(encoding) is None:
        raise typer.BadParameter(
            f"不认识的编码“{encoding}”，可用 utf-8、gbk、gb18030、utf-16。", param_hint="--encoding"
        )
    from jcnian.survey.importing import import_surveys

    total = sum(p.stat().st_size for p in files if p.is_file())
    progress_bar, tick = _progress(total)
    try:
        with progress_bar, ledger(ctx, write=not dry_run) as session:
            reports = import_surveys(
                session,
                files,
                source=source,
                encoding=encoding,
                replace=replace,
                dry_run=dry_run,
                progress=tick,
            )
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    for item in reports:
        _say_file(item, dry_run)
    if dry_run:
        say("以上为试导入（--dry-run），账本未作任何改动。")


def _progress(total_bytes: int) -> tuple[Any, Any]:
    """A Rich progress bar on stderr for big files; a no-op context for small ones."""
    from contextlib import nullcontext

    if total_bytes < PROGRESS_BYTES:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    from jcnian.inert import markup  # the description is read as markup: a file name must not be

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[tuple[str, str], Any] = {}

    def tick(name: str, phase: str, done: int, total: int) -> None:
        if phase == "write":
            if (name, "read") in tasks:
                bar.remove_task(tasks.pop((name, "read")))
            tasks[(name, phase)] = bar.add_task(f"写入账本 {markup(name)}", total=None)
            return
        if (name, phase) not in tasks:
            tasks[(name, phase)] = bar.add_task(f"读取并检查 {markup(name)}", total=total)
        bar.update(tasks[(name, phase)], completed=done, total=total)

    return bar, tick


def _say_file(item: Any, dry_run: bool = False) -> None:
    """What a file brought, counted as the clerk counts: "写入 56 个分数（8 个党组织 × 7 项，
    支部自评）；与账本相同 7 个"; under --dry-run also every row read past, and why."""
    if item.layout in ("counts", "ballots"):
        parts = "、".join(f"{k} {v}" for k, v in item.breakdown)
        what = f"{item.added} 个党组织的票数（{parts}）"
        same = f"与账本相同 {item.unchanged} 个党组织"
    else:
        scores = item.added - item.deductions
        what = f"{scores} 个分数" if scores or not item.deductions else ""
        if item.deductions:
            what += ("、" if what else "") + f"{item.deductions} 项扣分"
        what += f"（{item.shape}）"
        same = f"与账本相同 {item.unchanged} 个"
    if item.status == "unchanged":
        again = f"，与 {item.earlier} 相同" if item.earlier else ""
        say(f"{item.file}：内容账本中已全部有了{again}，未做任何改动。")
    elif item.status == "dry-run":
        say(f"{item.file}：{item.how}。")
        say(f"  将写入 {what}" + (f"；{same}，不会重复写入。" if item.unchanged else "。"))
    else:
        say(f"已导入 {item.file}：{item.how}。")
        say(f"  写入 {what}" + (f"；{same}，未重复写入。" if item.unchanged else "。"))
    if dry_run:
        for row, why, content in item.skips:
            say(f"  跳过第 {row} 行（{why}）：{content}")
        if item.skipped > len(item.skips):
            say(f"  ……另有 {item.skipped - len(item.skips)} 行跳过，未逐行列出。")
    if item.replaced:
        from jcnian.survey.log import describe_replaced

        say(f"  {'将' if item.status == 'dry-run' else '已'}替换 {describe_replaced(item.replaced)}。")
    for note in item.notes:
        say(f"  注意：{note}")


@survey_app.command("log")
def survey_log(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """列出每一次导入：文件、时间、行数、替换了什么。

    每次导入的文件名、内容哈希、时间、格式、写入行数和替换了什么。

    示例：jcnian survey log --format json
    """
    from jcnian.survey.headers import LAYOUT_LABELS
    from jcnian.survey.log import import_log

    with ledger(ctx, write=False) as session:
        entries = import_log(session)
    rows = []
    for e in entries:
        local = e.imported_at.astimezone()
        rows.append(
            {
                "id": e.id,
                "file": e.file,
                "sha256": e.sha256 if fmt is not Format.table else e.sha256[:12],
                "imported_at": local.isoformat(timespec="seconds")
                if fmt is not Format.table
                else local.strftime("%Y-%m-%d %H:%M"),
                "layout": e.layout if fmt is not Format.table else LAYOUT_LABELS.get(e.layout, e.layout),
                "source": e.source,
                "rows": e.rows,
                "replaced": e.replaced,
            }
        )
    emit(rows, LOG_COLUMNS, fmt, title=f"测评结果导入记录（{len(rows)} 次）")
