"""动员部署 commands: the mobilisation meeting, the survey methods and the 问题台账."""

from dataclasses import asdict

import typer

from jcnian.commands import values
from jcnian.commands.common import (
    BranchArg,
    CategoryFilter,
    Format,
    FormatOption,
    Limit,
    LimitOption,
    NoteOption,
    OnOption,
    WideOption,
    emit,
    in_ledger,
    parse_date,
    record,
    say,
)
from jcnian.commands.layout import optional

mobilize_app = typer.Typer(
    help="动员部署：动员会议、调查摸底。\n\n示例：jcnian mobilize meeting 五夫村 --on 2012-04-10",
    no_args_is_help=True,
)
problem_app = typer.Typer(
    help="问题台账：调查摸底中找到的问题及其整改。\n\n示例：jcnian problem list --status 未解决",
    no_args_is_help=True,
)


@mobilize_app.command("meeting")
def meeting(
    ctx: typer.Context,
    branch: str = BranchArg,
    on: str | None = OnOption,
    attendance: int | None = typer.Option(
        None, "--attendance", help="参会人数（可不填）。", parser=values.whole
    ),
    note: str | None = NoteOption,
) -> None:
    """登记动员会议（动员部署阶段，4 月 25 日前）。

    党组织召开的基层组织建设年活动动员会议。

    示例：jcnian mobilize meeting 五夫村 --on 2012-04-10 --attendance 46
    """
    from jcnian.campaign import mobilisation

    day = parse_date(on, "--on")
    record(ctx, mobilisation.record_meeting, branch, day, attendance, note)


@mobilize_app.command("survey")
def survey(
    ctx: typer.Context,
    branch: str = BranchArg,
    methods: list[str] = typer.Argument(
        ...,
        metavar="方式",
        help="调查方式，可写多个：座谈会 问卷调查 个别访谈 入户走访 群众测评；可只写能唯一确定的一部分，如 问卷、座谈。",
    ),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记征求党员群众意见的方式。

    方式：座谈会、问卷调查、个别访谈、入户走访、群众测评，可写多个。

    示例：jcnian mobilize survey 五夫村 座谈会 入户走访 --on 2012-04-12
    """
    from jcnian.campaign import mobilisation

    day = parse_date(on, "--on")
    record(ctx, mobilisation.record_survey, branch, methods, day, note)


PROBLEM_COLUMNS = [
    ("id", "编号"),
    ("branch", "党组织"),
    ("text", "问题"),
    optional("source", "来源"),
    ("found_on", "发现日期"),
    ("status", "状态"),
    optional("resolved_on", "解决日期"),
    optional("note", "备注"),
]


@problem_app.command("add")
def problem_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(..., metavar="问题", help="问题内容。"),
    source: str = typer.Option(
        ...,
        "--source",
        "-s",
        help="来源：座谈会/问卷调查/个别访谈/入户走访/群众测评/调研走访/回头看/督查/其他；可只写能唯一确定的一部分，如 问卷、访谈。",
    ),
    on: str | None = OnOption,
) -> None:
    """把找到的问题记入问题台账；同一党组织同样的问题不会重复登记。

    示例：jcnian problem add 五夫村 "活动阵地面积不足" --source 座谈会 --on 2012-04-12
    """
    from jcnian.campaign import mobilisation

    day = parse_date(on, "--on")
    view, created = in_ledger(ctx, mobilisation.add_problem, branch, text, source, day)
    if created:
        say(f"{view.branch}：问题已记入台账，编号 {view.id}。")
    else:
        say(f"{view.branch}：台账中已有此问题（编号 {view.id}，{view.status}），未重复登记。")


@problem_app.command("list")
def problem_list(
    ctx: typer.Context,
    branch: str | None = typer.Argument(None, metavar="党组织", help="只列一个党组织的。"),
    status: str | None = typer.Option(
        None, "--status", metavar="状态", help="只列某一状态：未解决、整改中、已解决。"
    ),
    category: str | None = CategoryFilter,
    limit: int | None = LimitOption,
    wide: bool = WideOption,
    fmt: Format = FormatOption,
) -> None:
    """列出问题台账。

    示例：jcnian problem list 五夫村 --status 未解决
    """
    from jcnian.campaign import mobilisation
    from jcnian.campaign.scope import scoped

    views = in_ledger(ctx, scoped, mobilisation.list_problems, branch, status, category=category, write=False)
    emit(
        [asdict(v) for v in views],
        PROBLEM_COLUMNS,
        fmt,
        title=f"问题台账（{len(views)} 条）",
        wide=wide,
        limit=Limit(limit, "党组织、--status、--category"),
    )


@problem_app.command("update")
def problem_update(
    ctx: typer.Context,
    problem_id: int = typer.Argument(
        ..., metavar="编号", help="问题编号（见 jcnian problem list）。", parser=values.whole
    ),
    status: str = typer.Option("已解决", "--status", help="新状态：未解决/整改中/已解决，默认已解决。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """更新问题的整改状态（默认标为已解决）。

    示例：jcnian problem update 3 --status 已解决 --on 2012-06-20 --note 新建活动室
    """
    from jcnian.campaign import mobilisation

    day = parse_date(on, "--on")
    view, old = in_ledger(ctx, mobilisation.update_problem, problem_id, status, day, note)
    say(f"{view.branch}：问题 {view.id}“{view.text}”{old} → {view.status}。")
