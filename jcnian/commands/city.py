"""``jcnian city``: the city's roll-up of every town's campaign of a year (summary, workbook).

The domain is jcnian.city (one read per campaign through the towns' own reads, pandas for
the cross-tabulation); the workbook is jcnian.report.city.
"""

from pathlib import Path
from typing import Any

import typer

from jcnian.commands import values
from jcnian.commands.common import Format, FormatOption, WideOption, emit, grade_as_of, ledger, say
from jcnian.commands.layout import optional

city_app = typer.Typer(
    help="全市汇总：各镇同一年度的等级分布、比例、进度、逾期和后进。\n\n"
    "一个账本存放全市各镇的活动时，按镇和分类汇总，并给出全市合计。\n\n"
    "示例：jcnian city summary --year 2012",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="导出全市汇总工作簿（xlsx）。\n\n示例：jcnian city export xlsx -o 全市汇总-2012.xlsx --year 2012",
    no_args_is_help=True,
)
city_app.add_typer(export_app, name="export")

YearOption = typer.Option(
    None,
    "--year",
    "-y",
    metavar="年份",
    help="汇总哪一年度的活动，默认账本中最近的年度。",
    parser=values.whole,
)
CityAsOfOption = typer.Option(
    None,
    "--as-of",
    help="按哪一天：等级按那天的账本（同 grade quota --as-of，默认现在的账本），进度和逾期按那天判断"
    "（同 status --as-of，默认今天）。格式 YYYY-MM-DD。",
)


def _summary(ctx: typer.Context, year: int | None, as_of: str | None) -> Any:
    from jcnian.city import city_summary

    day = grade_as_of(as_of)
    with ledger(ctx, write=False) as session:
        return city_summary(session, year, day)


def _ratio(row: dict[str, Any], code: str) -> str:
    return f"{row[f'{code}_done']}/{row[f'{code}_total']}"


@city_app.command("summary")
def summary(
    ctx: typer.Context,
    year: int | None = YearOption,
    as_of: str | None = CityAsOfOption,
    wide: bool = WideOption,
    fmt: Format = FormatOption,
) -> None:
    """全市汇总：每个镇、每个分类一行，另有各镇“全部”和“全市”合计。

    每行列出党组织数、等级分布（好/较好/一般/较差，终定优先，否则按拟定，与 grade quota 相同；未定级另计）、
    比例检查的结论（镇的“全部”行即该镇 grade quota 的结论；全市行为符合的镇数）、
    四个阶段的进度（全部完成的党组织数/应完成数，与该镇 status 相同）、逾期事项数（与该镇 overdue 相同，
    逾期完成另计）和后进党组织数（grade backward 名单的个数，只在其分类和“全部”行）。
    不需要 --campaign：汇总的是这一年度的所有活动。

    JSON：{"year", "as_of", "campaigns", "rows": [{"town", "category", "branches", "good", "fairly_good",
    "average", "poor", "ungraded", "quota_ok", "quota_towns", "quota_towns_ok", "mobilize_done", "mobilize_total",
    "mobilize_overdue", …（classify、implement、accept 同）, "overdue", "late_done", "backward"}],
    "quota": [{"town", "scope", "graded", "band", "target_share", "target", "min", "max", "actual", "ok"}]}；
    town 为“全市”、category 为“全部”的是合计行；quota_ok 为 null 表示尚无已定级的党组织。CSV 为 rows 各行。

    示例：jcnian city summary --year 2012 --format json
    """
    from jcnian.city import KEYS
    from jcnian.phases import PHASE_CODES, PHASE_LABELS
    from jcnian.report.city import verdict

    result = _summary(ctx, year, as_of)
    if fmt is not Format.table:
        data = {"year": result.year, "as_of": result.as_of, "campaigns": result.campaigns}
        emit(
            result.rows,
            [(k, k) for k in KEYS],
            fmt,
            json_rows=data | {"rows": result.rows, "quota": result.quota},
        )
        return
    shown = [
        r | {"verdict": verdict(r)} | {code: _ratio(r, code) for code in PHASE_CODES} for r in result.rows
    ]
    columns = [
        ("town", "镇"),
        ("category", "分类"),
        ("branches", "党组织"),
        ("good", "好"),
        ("fairly_good", "较好"),
        ("average", "一般"),
        ("poor", "较差"),
        optional("ungraded", "未定级"),
        ("verdict", "比例"),
        *(optional(code, PHASE_LABELS[code]) for code in PHASE_CODES),
        ("overdue", "逾期"),
        optional("late_done", "逾期完成"),
        ("backward", "后进"),
    ]
    emit(
        shown,
        columns,
        fmt,
        title=f"{result.year}年全市汇总（截至 {result.as_of}，{len(result.campaigns)} 个镇）",
        wide=wide,
    )


@export_app.command("xlsx")
def export_xlsx(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="输出的 .xlsx 文件路径。"),
    year: int | None = YearOption,
    as_of: str | None = CityAsOfOption,
    force: bool = typer.Option(False, "--force", help="目标文件已存在时覆盖它（默认不覆盖，退出码 1）。"),
) -> None:
    """导出全市汇总工作簿（xlsx），按 A4 排好。

    等级分布、比例检查、阶段进度、逾期与后进各一张表，内容与 city summary 相同，每张表按 A4 排好（宽表横放、一页宽、每页重复表头，页眉为年度和表名，
    页脚“第 N 页 共 M 页”）。从不询问；先写到同一目录下的临时文件，完整后才改名；目标文件已存在时不覆盖
    （退出码 1），除非加 --force。

    示例：jcnian city export xlsx -o 全市汇总-2012.xlsx --year 2012
    """
    from jcnian.report import workbook
    from jcnian.report.city import sheets_of, write_city_workbook

    if str(output) == "-":
        raise typer.BadParameter("工作簿不能写到标准输出，请给出 .xlsx 文件路径。", param_hint="--output")
    workbook.check_target(output.expanduser().absolute(), force=force)
    result = _summary(ctx, year, as_of)
    path = write_city_workbook(output, result, force=force)
    names = "、".join(s.name for s in sheets_of(result))
    say(f"已写出 {path}：{result.year}年 {len(result.campaigns)} 个镇，工作表 {names}。")
