"""Commands for the village cadres and the bodies of 三、四 and 四、(二): 村干部 承诺 and 季考核,
村级集体经济 and 结对帮扶, 领导小组/办公室/督导检查组, and the month's 通报 (notice)."""

import sys
from dataclasses import asdict
from pathlib import Path

import typer

from jcnian.commands.common import (
    AsOfOption,
    BranchArg,
    Format,
    FormatOption,
    NoteOption,
    OnOption,
    emit,
    in_ledger,
    parse_date,
    record,
    say,
)

# --- 村干部 创业承诺、辞职承诺，季考核 -------------------------------------------------------------

cadre_app = typer.Typer(
    help="村干部“创业承诺、辞职承诺”及兑现，村主职干部重点工作季考核。\n\n示例：jcnian cadre list --format json",
    no_args_is_help=True,
)
economy_app = typer.Typer(
    help="村级集体经济增收五年计划、每年收入和城乡党组织结对帮扶。\n\n示例：jcnian economy show --as-of 2012-12-31",
    no_args_is_help=True,
)
group_app = typer.Typer(
    help="领导小组、办公室和督导检查组的成员及职务。\n\n示例：jcnian group list --format json",
    no_args_is_help=True,
)


@cadre_app.command("pledge")
def cadre_pledge(
    ctx: typer.Context,
    branch: str = BranchArg,
    person: str = typer.Argument(..., metavar="村干部", help="村干部姓名。"),
    kind: str = typer.Argument(..., metavar="类别", help="创业承诺 或 辞职承诺。"),
    text: str | None = typer.Option(None, "--text", help="承诺内容（新登记时必填）。"),
    status: str | None = typer.Option(None, "--status", help="兑现情况：未兑现 或 已兑现。"),
    status_on: str | None = typer.Option(None, "--status-on", help="兑现日期，默认同 --on。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记村干部的创业承诺或辞职承诺及其兑现。

    再次登记加 --status 已兑现 即记录兑现，未给出的项保持原样。

    示例：jcnian cadre pledge 五夫村 王伟 创业承诺 --text "三年建成物业用房" --on 2012-05-10
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    kept = parse_date(status_on, "--status-on") if status_on else None
    record(ctx, guarantees.record_cadre_pledge, branch, person, kind, day, text, status, kept, note)


@cadre_app.command("quarter")
def cadre_quarter(
    ctx: typer.Context,
    branch: str = BranchArg,
    person: str = typer.Argument(..., metavar="村主职干部", help="村主职干部姓名。"),
    quarter: int = typer.Argument(..., metavar="季度", help="1–4。"),
    result: str = typer.Argument(..., metavar="结果", help="优秀、合格、基本合格、不合格。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记村主职干部重点工作季考核结果。

    每人每季度一次，再次登记即更正。

    示例：jcnian cadre quarter 五夫村 王伟 2 合格 --on 2012-07-05
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.record_quarter, branch, person, quarter, result, day, note)


@cadre_app.command("list")
def cadre_list(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """列出村干部的创业承诺、辞职承诺及兑现情况。

    示例：jcnian cadre list --format json
    """
    from jcnian.campaign import guarantees

    on = parse_date(as_of)
    rows = in_ledger(ctx, guarantees.list_cadre_pledges, on, write=False)
    emit(
        [asdict(r) for r in rows],
        [
            ("branch", "党组织"),
            ("person", "村干部"),
            ("kind", "类别"),
            ("text", "承诺"),
            ("on", "日期"),
            ("status", "兑现"),
            ("status_on", "兑现日期"),
        ],
        fmt,
        title=f"村干部创业承诺、辞职承诺（截至 {on}，{len(rows)} 项）",
    )


@cadre_app.command("quarters")
def cadre_quarters(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """村主职干部重点工作季考核：每人四个季度的结果。

    示例：jcnian cadre quarters --as-of 2012-10-10
    """
    from jcnian.campaign import guarantees

    on = parse_date(as_of)
    rows = in_ledger(ctx, guarantees.quarter_table, on, write=False)
    emit(
        [
            {"branch": r.branch, "person": r.person, **{f"q{k}": v for k, v in r.quarters.items()}}
            for r in rows
        ],
        [
            ("branch", "党组织"),
            ("person", "村主职干部"),
            ("q1", "一季度"),
            ("q2", "二季度"),
            ("q3", "三季度"),
            ("q4", "四季度"),
        ],
        fmt,
        title=f"村主职干部重点工作季考核（截至 {on}）",
        json_rows=[asdict(r) for r in rows],
    )


# --- 村级集体经济、结对帮扶 ------------------------------------------------------------------------


@economy_app.command("plan")
def economy_plan(
    ctx: typer.Context,
    branch: str = BranchArg,
    base_year: int = typer.Option(..., "--base-year", help="基数年份，如 2011。"),
    base_income: float = typer.Option(..., "--base-income", help="基数年收入（万元）。"),
    target_year: int = typer.Option(..., "--target-year", help="目标年份，如 2016。"),
    target_income: float = typer.Option(..., "--target-income", help="目标年收入（万元）。"),
    on: str | None = OnOption,
) -> None:
    """登记村级集体经济增收五年计划（基数和目标）；再次登记即更正。

    示例：jcnian economy plan 五夫村 --base-year 2011 --base-income 80 --target-year 2016 --target-income 150 --on 2012-05-15
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.set_economy_plan, branch, base_year, base_income, target_year, target_income, day)


@economy_app.command("income")
def economy_income(
    ctx: typer.Context,
    branch: str = BranchArg,
    year: int = typer.Argument(..., metavar="年份", help="收入所属年份。"),
    income: float = typer.Argument(..., metavar="万元", help="村级集体经济收入（万元）。"),
    on: str | None = OnOption,
) -> None:
    """登记村级集体经济某一年的收入（万元）。

    示例：jcnian economy income 五夫村 2012 96.5 --on 2012-12-20
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.record_income, branch, year, income, day)


@economy_app.command("show")
def economy_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """每个村的增收五年计划、最近一年收入和完成增收目标的比例。

    示例：jcnian economy show --as-of 2012-12-31
    """
    from jcnian.campaign import guarantees

    on = parse_date(as_of)
    rows = in_ledger(ctx, guarantees.economy_report, on, write=False)
    emit(
        [
            {**asdict(r), "progress": None if r.progress is None else f"{r.progress:.0%}", "incomes": None}
            for r in rows
        ],
        [
            ("branch", "党组织"),
            ("base_year", "基数年"),
            ("base_income", "基数（万元）"),
            ("target_year", "目标年"),
            ("target_income", "目标（万元）"),
            ("latest_year", "最近年份"),
            ("latest_income", "收入（万元）"),
            ("progress", "完成增收"),
        ],
        fmt,
        title=f"村级集体经济增收五年计划（截至 {on}）",
        json_rows=[asdict(r) for r in rows],
    )


@economy_app.command("pair")
def economy_pair(
    ctx: typer.Context,
    branch: str = BranchArg,
    kind: str = typer.Argument(
        ..., metavar="类别", help="百企联百村（企业）或 部门结对（市直部门单位结对欠发达村）。"
    ),
    partner: str = typer.Argument(..., metavar="结对单位", help="结对的企业或部门单位。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记城乡党组织结对帮扶。

    百企联百村，或市直部门单位结对联系欠发达村。

    示例：jcnian economy pair 五夫村 百企联百村 浙江耀华高翔管桩有限公司 --on 2012-05-20
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.record_pairing, branch, kind, partner, day, note)


@economy_app.command("activity")
def economy_activity(
    ctx: typer.Context,
    branch: str = BranchArg,
    partner: str = typer.Argument(..., metavar="结对单位", help="已登记的结对单位。"),
    text: str = typer.Argument(..., metavar="活动", help="帮扶活动内容。"),
    on: str | None = OnOption,
) -> None:
    """登记结对帮扶的一次活动。

    示例：jcnian economy activity 五夫村 浙江耀华高翔管桩有限公司 "捐建村道路灯" --on 2012-07-10
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.record_pairing_activity, branch, partner, day, text)


@economy_app.command("pairs")
def economy_pairs(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """列出结对帮扶及其活动。

    示例：jcnian economy pairs --format json
    """
    from jcnian.campaign import guarantees

    on = parse_date(as_of)
    rows = in_ledger(ctx, guarantees.list_pairings, on, write=False)
    emit(
        [asdict(r) for r in rows],
        [
            ("branch", "党组织"),
            ("kind", "类别"),
            ("partner", "结对单位"),
            ("since", "结对日期"),
            ("activities", "活动"),
        ],
        fmt,
        title=f"城乡党组织结对帮扶（截至 {on}，{len(rows)} 对）",
    )


# --- 领导小组、办公室、督导检查组 --------------------------------------------------------------------


@group_app.command("set")
def group_set(
    ctx: typer.Context,
    body: str = typer.Argument(..., metavar="机构", help="领导小组、办公室 或 督导检查组。"),
    name: str = typer.Argument(..., metavar="姓名", help="成员姓名。"),
    role: str = typer.Option(..., "--role", help="职务，如 组长、副组长、主任、成员。"),
    on: str | None = OnOption,
) -> None:
    """登记领导小组、办公室或督导检查组的成员及职务。

    再次登记即更正职务。

    与已有人员只差一字时提醒核对。

    示例：jcnian group set 领导小组 章伟青 --role 组长 --on 2012-04-25
    """
    from jcnian.campaign import guarantees

    day = parse_date(on, "--on")
    record(ctx, guarantees.set_member, body, name, role, day)


@group_app.command("list")
def group_list(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """列出领导小组、办公室和督导检查组的成员。

    示例：jcnian group list --format json
    """
    from jcnian.campaign import guarantees

    on = parse_date(as_of)
    rows = in_ledger(ctx, guarantees.list_members, on, write=False)
    emit(
        [asdict(r) for r in rows],
        [("body", "机构"), ("name", "姓名"), ("role", "职务"), ("on", "日期")],
        fmt,
        title=f"领导小组、办公室、督导检查组（截至 {on}）",
    )


# --- 通报 -------------------------------------------------------------------------------------


def notice(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", "-m", help="通报的月份 YYYY-MM。"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="写成 .docx 的文件路径；不写只在终端显示。"
    ),
    force: bool = typer.Option(False, "--force", help="目标文件已存在时覆盖它（默认不覆盖，退出码 1）。"),
) -> None:
    """起草本月通报：工作滞后的党组织和本月好做法。

    列出各党组织的事实，可写成 .docx 公文。

    按该月最后一天的账本起草；同一账本、同一月份得到同样的通报。.docx 先写临时文件，完整后才改名；
    已有文件不覆盖，除非加 --force。

    示例：jcnian notice --month 2012-06 -o 通报-2012-06.docx
    """
    from jcnian.report import notice as domain
    from jcnian.report.workbook import atomic_output, check_target

    key = month.strip()
    if output is not None:
        check_target(output.expanduser().absolute(), force=force)
    drafted = in_ledger(ctx, domain.draft, key, write=False)
    sys.stdout.write(drafted.text() + "\n")
    if output is None:
        return
    with atomic_output(output, force=force) as tmp:
        domain.write_docx(drafted, tmp)
    say(f"已写出通报 {output}（{len(drafted.lagging)} 个工作滞后的党组织，{len(drafted.good)} 条好做法）。")
