"""``jcnian export``: the monthly workbook for the city office, and ledger tables for scripts.

Built for scheduled jobs: nothing here ever prompts, a file is complete or absent (written
beside the target and renamed), an existing file is kept unless ``--force``, and the exit
code says which: 0 written, 1 refused or failed, 2 bad options.
"""

import codecs
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import typer

from jcnian.commands.common import Format, FormatOption, emit, ledger, say

export_app = typer.Typer(
    help="导出：月度报表工作簿（xlsx）和各台账表（CSV/JSON）。\n\n各台账表供脚本使用。\n\n"
    "示例：jcnian export xlsx --month 2012-05 -o 月报-2012-05.xlsx",
    no_args_is_help=True,
)

ForceOption = typer.Option(False, "--force", help="目标文件已存在时覆盖它（默认不覆盖，退出码 1）。")


def _month(value: str) -> str:
    from jcnian.report.month import month_bounds

    try:
        month_bounds(value)
    except ValueError:
        raise typer.BadParameter(
            f"“{value}”不是有效月份，应写成 YYYY-MM，如 2012-05。", param_hint="--month"
        ) from None
    return value.strip()


def _encoding(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise typer.BadParameter(
            f"不认识的编码“{value}”；常用的有 utf-8-sig（带 BOM，默认）、utf-8、gb18030。",
            param_hint="--encoding",
        ) from None


@export_app.command("xlsx")
def export_xlsx(
    ctx: typer.Context,
    month: str = typer.Option(
        ..., "--month", "-m", help="报表月份，格式 YYYY-MM；以该月最后一天判断进度和逾期。"
    ),
    output: Path = typer.Option(..., "--output", "-o", help="输出的 .xlsx 文件路径。"),
    force: bool = ForceOption,
) -> None:
    """导出月度报表工作簿（xlsx）。

    汇总（各阶段进度和应交事项、等级分布对比比例目标并附图、逾期统计），以及联系表、分类定级（含比例控制）、后进整顿、项目进度、验收、问题台账、逾期事项、问责提醒各一张表，七大活动与组织保障（一句话承诺、闪光言行、五个一、主题轮训、书记、村干部承诺、集体经济、组织机构）各一张表；每张表都按 A4 排好打印。

    进度、逾期、问题状态和等级都按该月最后一天的账本（只计那天及以前的记录），所以同一月份的工作簿何时导出都一样。从不询问；先写到同一目录下的临时文件，
    完整后才改名为目标文件，中途出错不会留下半个文件；目标文件已存在时不覆盖（退出码 1），除非加 --force。
    同一账本、同一月份导出的文件完全相同。超过 Excel 行数上限的表接续到“表名（续2）”等工作表。

    示例：jcnian export xlsx --month 2012-05 -o 驿亭镇月报-2012-05.xlsx
    """
    from datetime import datetime, time

    from jcnian.report import workbook
    from jcnian.report.month import month_stream

    month = _month(month)
    if str(output) == "-":
        raise typer.BadParameter("工作簿不能写到标准输出，请给出 .xlsx 文件路径。", param_hint="--output")
    workbook.check_target(output.expanduser().absolute(), force=force)
    names: list[str] = []

    def named(sheets: Iterable[Any]) -> Iterator[Any]:
        for sheet in sheets:
            names.append(sheet.name)
            yield sheet

    # Written inside the read: each sheet is made as the writer reaches it, so the report
    # of a city-wide ledger is never held whole (one snapshot all the same).
    with ledger(ctx, write=False) as session:
        report = month_stream(session, month)
        path = workbook.write_workbook(
            output,
            named(report.sheets),
            title=report.title,
            created=datetime.combine(report.as_of, time()),
            force=force,
        )
    say(f"已写出 {path}：{len(names)} 张工作表（{'、'.join(names)}）。")


@export_app.command("tables")
def export_tables(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """列出可以导出的台账表。

    表名（供 export csv/json 使用）、中文名、记录数和列名。

    示例：jcnian export tables
    """
    from dataclasses import asdict

    from jcnian.report import tables as domain

    with ledger(ctx, write=False) as session:
        tables = domain.ledger_tables(session)
    rows = [asdict(t) for t in tables]
    columns = [("name", "表名"), ("label", "中文名"), ("rows", "记录数"), ("columns", "列")]
    emit(rows, columns, fmt, title=f"台账表（{len(rows)} 张）")


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    table: str = typer.Argument(
        ..., metavar="表名", help="表名或中文名，如 branch 或 党组织；jcnian export tables 列出全部。"
    ),
    output: str = typer.Option(..., "--output", "-o", help="输出文件路径；写 - 输出到标准输出。"),
    encoding: str = typer.Option(
        "utf-8-sig",
        "--encoding",
        "-e",
        help="文字编码：默认 utf-8-sig（带 BOM，中文版 Excel 直接打开不乱码），也可 utf-8、gb18030 等。",
    ),
    force: bool = ForceOption,
) -> None:
    """把一张台账表导出为 CSV，供脚本和 Excel 使用。

    首行为英文列名，按主键排序。

    示例：jcnian export csv branch -o 党组织.csv
    """
    from jcnian.report import tables as domain
    from jcnian.report.workbook import atomic_output

    encoding = _encoding(encoding)
    if output == "-":
        sys.stdout.flush()
        with ledger(ctx, write=False) as session:
            count = domain.write_table_csv(session, table, sys.stdout.buffer, encoding)
            sys.stdout.buffer.flush()
        say(f"已导出 {count} 条记录。")
        return
    with (
        ledger(ctx, write=False) as session,
        atomic_output(Path(output), force=force) as tmp,
        tmp.open("wb") as fh,
    ):
        count = domain.write_table_csv(session, table, fh, encoding)
    say(f"已导出 {count} 条记录到 {output}（{encoding}）。")


@export_app.command("json")
def export_json(
    ctx: typer.Context,
    table: str = typer.Argument(
        ..., metavar="表名", help="表名或中文名，如 branch 或 党组织；jcnian export tables 列出全部。"
    ),
    output: str = typer.Option("-", "--output", "-o", help="输出文件路径；默认 - 即标准输出。"),
    force: bool = ForceOption,
) -> None:
    """把一张台账表导出为 JSON 数组。

    每条记录一个对象，键为英文列名，按主键排序，UTF-8。

    示例：jcnian export json branch > 党组织.json
    """
    from jcnian.report import tables as domain
    from jcnian.report.workbook import atomic_output

    if output == "-":
        with ledger(ctx, write=False) as session:
            count = domain.write_table_json(session, table, sys.stdout)
            sys.stdout.flush()
        say(f"已导出 {count} 条记录。")
        return
    with (
        ledger(ctx, write=False) as session,
        atomic_output(Path(output), force=force) as tmp,
        tmp.open("w", encoding="utf-8", newline="\n") as fh,
    ):
        count = domain.write_table_json(session, table, fh)
    say(f"已导出 {count} 条记录到 {output}。")
