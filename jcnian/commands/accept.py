"""总结验收 commands: the four ways of acceptance, the decision, rectification and the report."""

from dataclasses import asdict
from typing import Any

import typer

from jcnian.commands import values
from jcnian.commands.common import (
    AsOfOption,
    BranchArg,
    Format,
    FormatOption,
    NoteOption,
    OnOption,
    OverrideOption,
    WideOption,
    emit,
    in_ledger,
    parse_date,
    record,
    say,
)
from jcnian.commands.layout import optional

accept_app = typer.Typer(
    help="总结验收：四种方式，通过或整改，重新评定级次。\n\n自查初评、实地调查、满意度测评、组织评审。\n\n示例：jcnian accept report --as-of 2012-09-30",
    no_args_is_help=True,
)


@accept_app.command("step")
def accept_step(
    ctx: typer.Context,
    branch: str = BranchArg,
    method: str = typer.Argument(
        ...,
        metavar="方式",
        help="验收方式：自查初评/实地调查/满意度测评/组织评审；也可写 初评、评审、党员群众满意度测评。",
    ),
    on: str | None = OnOption,
    rate: float | None = typer.Option(
        None,
        "--rate",
        help="满意度测评的满意率：93%、93 或 0.93（不带 % 时，小于 1 的数按比例）。",
        parser=values.rate,
    ),
    note: str | None = NoteOption,
    override: str | None = OverrideOption,
) -> None:
    """登记本轮验收的一种方式。

    方式：自查初评、实地调查、党员群众满意度测评、组织评审。

    总结验收阶段（8 月上旬起）开始前登记须 --override 理由。

    示例：jcnian accept step 五夫村 满意度测评 --rate 0.94 --on 2012-08-20
    """
    from jcnian.campaign import acceptance

    day = parse_date(on, "--on")
    record(ctx, acceptance.record_step, branch, method, day, rate=rate, note=note, override=override)


@accept_app.command("decide")
def accept_decide(
    ctx: typer.Context,
    branch: str = BranchArg,
    passed: bool = typer.Option(..., "--pass/--fail", help="通过或未通过验收。"),
    grade: str | None = typer.Option(
        None, "--grade", help="重新评定的级次：好/较好/一般/较差（通过时必填）。"
    ),
    on: str | None = OnOption,
    reason: str | None = typer.Option(None, "--reason", help="评定理由。"),
    opinion: str | None = typer.Option(None, "--opinion", help="整改意见（未通过时必填）。"),
    deadline: str | None = typer.Option(None, "--deadline", help="整改期限 YYYY-MM-DD（未通过时必填）。"),
    override: str | None = OverrideOption,
) -> None:
    """作出验收决定：通过并重新定级，或提出整改。

    通过：重新评定级次，记入等级历史；未通过：提出整改意见和期限。

    须已有组织考评定级、实施方案、本轮四种验收方式，后进村须有一村一策项目；
    整改未完成不能通过。确需先行时加 --override 理由，理由记入台账。

    示例：jcnian accept decide 五夫村 --pass --grade 好 --on 2012-09-10
    """
    from jcnian.campaign import acceptance

    day = parse_date(on, "--on")
    limit = parse_date(deadline, "--deadline") if deadline else None
    view = in_ledger(
        ctx,
        acceptance.decide,
        branch,
        passed=passed,
        on=day,
        grade=grade,
        reason=reason,
        opinion=opinion,
        deadline=limit,
        override=override,
    )
    if view.status == "unchanged":
        say(f"{view.branch}：已登记过这一验收决定，未做改动。")
        return
    regrade = f"，重新评定为“{view.grade}”" if view.grade else ""
    if view.passed:
        say(f"{view.branch}：第 {view.round} 轮验收通过{regrade}。")
    else:
        say(
            f"{view.branch}：第 {view.round} 轮验收未通过{regrade}；整改意见“{view.opinion}”，期限 {view.deadline}。"
        )
    if view.override:
        say(f"  已越过顺序检查，理由“{view.override}”已记入台账。", "yellow")


@accept_app.command("rectified")
def accept_rectified(
    ctx: typer.Context,
    branch: str = BranchArg,
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记整改完成，之后可以重新验收。

    示例：jcnian accept rectified 孝丰村 --on 2012-09-20 --note 已补建活动室
    """
    from jcnian.campaign import acceptance

    day = parse_date(on, "--on")
    record(ctx, acceptance.close_rectification, branch, day, note)


REPORT_COLUMNS = [
    ("branch", "党组织"),
    optional("category", "分类"),
    ("initial", "定级"),
    ("final", "验收后"),
    optional("moved", "升降"),
    ("result", "验收结果"),
    ("satisfaction", "满意率"),
    ("rectification", "整改"),
]


def report_json(report: Any) -> dict[str, Any]:
    return {
        "as_of": report.as_of,
        "branches": [asdict(r) for r in report.rows],
        "moved_up": report.moved_up,
        "moved_down": report.moved_down,
        "failed": report.failed,
        "open_rectifications": report.open_rectifications,
        "pending": report.pending,
        "overrides": report.overrides,
    }


def render_report(report: Any, fmt: Format, *, wide: bool | None = None) -> None:
    """The acceptance report as tables (or JSON/CSV); ``jcnian demo`` prints it too."""
    rows = [
        asdict(r) | {"satisfaction": f"{r.satisfaction:.1%}" if r.satisfaction is not None else None}
        for r in report.rows
    ]
    emit(
        rows,
        REPORT_COLUMNS,
        fmt,
        title=f"总结验收报告（截至 {report.as_of}）",
        json_rows=report_json(report),
        footer=lambda: _report_footer(report),
        wide=wide,
    )


def _report_footer(report: Any) -> None:
    from jcnian.inert import terminal

    lines = [
        f"分类升级 {len(report.moved_up)} 个"
        + (f"：{'、'.join(report.moved_up)}" if report.moved_up else ""),
        f"降级 {len(report.moved_down)} 个"
        + (f"：{'、'.join(report.moved_down)}" if report.moved_down else ""),
        f"未通过验收 {len(report.failed)} 个" + (f"：{'、'.join(report.failed)}" if report.failed else ""),
        f"尚未验收 {len(report.pending)} 个",
    ]
    for line in lines:
        typer.echo(terminal(line))
    if report.open_rectifications:
        emit(
            [r | {"overdue": "是" if r["overdue"] else "否"} for r in report.open_rectifications],
            [("branch", "党组织"), ("opinion", "整改意见"), ("deadline", "整改期限"), ("overdue", "已逾期")],
            Format.table,
            title="未完成的整改意见",
        )
    if report.overrides:
        emit(
            [r | {"branch": r["branch"] or "（全镇）"} for r in report.overrides],
            [
                ("branch", "党组织"),
                ("gate", "环节"),
                ("refused", "原被拒绝的原因"),
                ("reason", "继续的理由"),
                ("on", "日期"),
            ],
            Format.table,
            title="越序操作记录",
        )


@accept_app.command("report")
def accept_report(
    ctx: typer.Context, as_of: str | None = AsOfOption, wide: bool = WideOption, fmt: Format = FormatOption
) -> None:
    """验收报告：定级与验收后等级对照、升降和整改。

    每个党组织定级与验收后等级对照、分类升级数、未通过的和未完成的整改。

    示例：jcnian accept report --as-of 2012-09-30
    """
    from jcnian.campaign import acceptance

    on = parse_date(as_of)
    report = in_ledger(ctx, acceptance.acceptance_report, on, write=False)
    render_report(report, fmt, wide=wide)
    if report.failed:
        say(f"{len(report.failed)} 个党组织未通过验收，须限期整改后重新验收。", "yellow")
