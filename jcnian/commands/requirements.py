"""Commands for the campaign's standing requirements beside the four phases: visits and the
回头看, monthly written reports, each branch's 1–2 rules, slogan and column, and enterprise
coverage before 07-01."""

from dataclasses import asdict

import typer

from jcnian.commands.common import (
    AsOfOption,
    BranchArg,
    BranchFilter,
    CategoryFilter,
    Format,
    FormatOption,
    Limit,
    LimitOption,
    NoteOption,
    OnOption,
    emit,
    in_ledger,
    parse_date,
    record,
    say,
)

visit_app = typer.Typer(
    help="调研走访和村级组织换届“回头看”。\n\n示例：jcnian visit add 五夫村 --kind 回头看 --on 2012-06-12",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="月度书面汇报：每个党组织每月一次。\n\n示例：jcnian report missing --as-of 2012-07-01",
    no_args_is_help=True,
)
regulation_app = typer.Typer(
    help="每个党组织建立的 1–2 项务实管用的制度。\n\n示例：jcnian regulation add 五夫村 党员联系户制度 --on 2012-06-01",
    no_args_is_help=True,
)
publicity_app = typer.Typer(
    help="舆论宣传：固定宣传标语和活动专栏。\n\n示例：jcnian publicity column 五夫村 --on 2012-04-20",
    no_args_is_help=True,
)
coverage_app = typer.Typer(
    help="非公企业党组织全覆盖（“七一”前）：摸排企业及其覆盖情况。\n\n示例：jcnian coverage show --as-of 2012-07-01",
    no_args_is_help=True,
)


@visit_app.command("add")
def visit_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    on: str | None = OnOption,
    kind: str = typer.Option(
        "走访", "--kind", help="走访（也可写 调研走访）或 回头看（村级组织换届回头看）。"
    ),
    by: str | None = typer.Option(None, "--by", help="走访人。"),
    findings: str | None = typer.Option(None, "--findings", help="发现的情况（回头看：五个摸清）。"),
) -> None:
    """登记调研走访或村级组织换届“回头看”。

    调研走访必须走到每个支部；“回头看”6 月底前结束。

    示例：jcnian visit add 五夫村 --kind 回头看 --on 2012-06-12 --by 章伟青 --findings 五个摸清已完成
    """
    from jcnian.campaign import requirements

    day = parse_date(on, "--on")
    record(ctx, requirements.record_visit, branch, day, kind, by, findings)


@report_app.command("add")
def report_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    month: str = typer.Argument(..., metavar="月份", help="汇报的月份 YYYY-MM。"),
    on: str | None = OnOption,
    summary: str | None = typer.Option(None, "--summary", help="汇报要点。"),
) -> None:
    """登记党组织向镇党委组织办的月度书面汇报（每月一次）。

    示例：jcnian report add 五夫村 2012-05 --on 2012-05-30 --summary 阵地改造开工
    """
    from jcnian.campaign import requirements

    day = parse_date(on, "--on")
    record(ctx, requirements.record_report, branch, month, day, summary)


@report_app.command("missing")
def report_missing(
    ctx: typer.Context,
    as_of: str | None = AsOfOption,
    branch: str | None = BranchFilter,
    category: str | None = CategoryFilter,
    limit: int | None = LimitOption,
    fmt: Format = FormatOption,
) -> None:
    """列出截至某日仍未交的月度书面汇报。

    已过月底仍未交的都列出；有缺交时退出码为 1。

    示例：jcnian report missing --as-of 2012-07-01
    """
    from jcnian.campaign import requirements
    from jcnian.campaign.scope import scoped

    on = parse_date(as_of)
    rows = in_ledger(
        ctx, scoped, requirements.missing_reports, on, branch=branch, category=category, write=False
    )
    emit(
        [asdict(r) for r in rows],
        [("branch", "党组织"), ("month", "月份"), ("due", "应交日期")],
        fmt,
        title=f"缺交的月度书面汇报（截至 {on}，{len(rows)} 份）",
        limit=Limit(limit, "--branch、--category"),
    )
    if rows:
        raise typer.Exit(1)


@regulation_app.command("add")
def regulation_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument(..., metavar="制度名称", help="制度名称。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织建立的制度（每个支部 1–2 项务实管用的制度）。

    示例：jcnian regulation add 五夫村 党员联系户制度 --on 2012-06-01
    """
    from jcnian.campaign import requirements

    day = parse_date(on, "--on")
    record(ctx, requirements.add_regulation, branch, name, day)


@publicity_app.command("slogan")
def publicity_slogan(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(
        ..., metavar="标语", help="附件2 的标语编号（1–20，见 publicity catalogue）或自拟的标语内容。"
    ),
    on: str | None = OnOption,
) -> None:
    """登记党组织的固定宣传标语（每个支部一条以上）。

    可写附件2 的编号（1–20）或自拟内容。

    示例：jcnian publicity slogan 五夫村 3 --on 2012-04-20
    """
    from jcnian.campaign import requirements, slogans

    day = parse_date(on, "--on")
    record(ctx, requirements.add_publicity, branch, "slogan", slogans.slogan_text(text), day)


@publicity_app.command("catalogue")
def publicity_catalogue(fmt: Format = FormatOption) -> None:
    """列出附件2 的 20 条宣传标语及编号。

    publicity slogan 可直接写编号。

    示例：jcnian publicity catalogue --format json
    """
    from jcnian.campaign import slogans

    emit(
        [{"number": n, "text": t} for n, t in enumerate(slogans.slogan_catalogue(), start=1)],
        [("number", "编号"), ("text", "标语")],
        fmt,
        title="附件2 “基层组织建设年”活动宣传标语",
    )


@publicity_app.command("usage")
def publicity_usage(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """每个党组织用的固定宣传标语：附件2 的第几条或自拟。

    还没有标语的党组织也列出（标语一栏为空）。

    示例：jcnian publicity usage --as-of 2012-05-01 --format csv
    """
    from jcnian.campaign import slogans

    on = parse_date(as_of)
    rows = in_ledger(ctx, slogans.slogan_usage, on, write=False)
    emit(
        [{**asdict(r), "number": r.number or ("自拟" if r.slogan else None)} for r in rows],
        [("branch", "党组织"), ("number", "附件2"), ("slogan", "标语"), ("on", "日期")],
        fmt,
        title=f"固定宣传标语（截至 {on}）",
        json_rows=[asdict(r) for r in rows],
    )


@publicity_app.command("column")
def publicity_column(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument("基层组织建设年活动", metavar="专栏名称", help="专栏名称。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织的“基层组织建设年活动”专栏（每个支部一个）。

    示例：jcnian publicity column 五夫村 --on 2012-04-20
    """
    from jcnian.campaign import requirements

    day = parse_date(on, "--on")
    record(ctx, requirements.add_publicity, branch, "column", name, day)


@coverage_app.command("add")
def coverage_add(
    ctx: typer.Context,
    enterprise: str = typer.Argument(..., metavar="企业", help="企业名称。"),
    on: str | None = typer.Option(None, "--on", help="摸排日期 YYYY-MM-DD，默认今天。"),
    branch: str | None = typer.Option(None, "--branch", help="覆盖它的党组织（单独或联合组建）。"),
    covered_on: str | None = typer.Option(None, "--covered-on", help="覆盖日期，默认同摸排日期。"),
    note: str | None = NoteOption,
) -> None:
    """登记摸排到的非公企业；给出 --branch 即记为已覆盖。

    “七一”前基本实现全覆盖。

    示例：jcnian coverage add 上虞市某某电器有限公司 --on 2012-05-20 --branch 五夫工业区
    """
    from jcnian.campaign import requirements

    day = parse_date(on, "--on")
    covered = parse_date(covered_on, "--covered-on") if covered_on else None
    record(ctx, requirements.record_enterprise, enterprise, day, branch, covered, note)


@coverage_app.command("show")
def coverage_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """显示摸排企业的党组织覆盖情况，以及是否已过“七一”期限。

    示例：jcnian coverage show --as-of 2012-07-01
    """
    from jcnian.campaign import requirements

    on = parse_date(as_of)
    report = in_ledger(ctx, requirements.coverage_report, on, write=False)
    emit(
        [asdict(e) for e in report.enterprises],
        [
            ("enterprise", "企业"),
            ("found_on", "摸排日期"),
            ("branch", "覆盖党组织"),
            ("covered_on", "覆盖日期"),
        ],
        fmt,
        title=f"非公企业党组织覆盖：{report.covered}/{report.total}（期限 {report.due}，截至 {on}）",
        json_rows=asdict(report),
    )
    if report.overdue:
        say(f"已过期限 {report.due}，仍有 {report.total - report.covered} 家未覆盖。", "yellow")
