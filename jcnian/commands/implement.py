"""深入实施 commands: goal, measures and plan, the public pledge, and the projects with their
owners, schedule, progress, monthly assessment and supervision."""

from dataclasses import asdict
from typing import Any

import typer

from jcnian.commands import values
from jcnian.commands.common import (
    AsOfOption,
    BranchArg,
    CategoryFilter,
    Format,
    FormatOption,
    Limit,
    LimitOption,
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

plan_app = typer.Typer(
    help="深入实施：争创目标、整改措施、实施方案和公开承诺。\n\n示例：jcnian plan show 五夫村",
    no_args_is_help=True,
)
project_app = typer.Typer(
    help="工程项目：分解到人、安排到周、具体到天、考核到月。\n\n以及项目进度和督促指导。\n\n示例：jcnian project list 五夫村 --as-of 2012-06-30",
    no_args_is_help=True,
)

ProjectArg = typer.Argument(..., metavar="项目", help="项目编号，或“党组织/项目名”，或能唯一确定的一部分。")


# --- plan and pledge ------------------------------------------------------------------


@plan_app.command("set")
def plan_set(
    ctx: typer.Context,
    branch: str = BranchArg,
    goal: str | None = typer.Option(None, "--goal", help="争创目标，如 争创“好”等级。"),
    measures: str | None = typer.Option(None, "--measures", help="整改措施。"),
    plan: str | None = typer.Option(None, "--plan", help="详细的实施方案（要点或文件名）。"),
    on: str | None = OnOption,
    override: str | None = OverrideOption,
) -> None:
    """制定或修改争创目标、整改措施、实施方案。

    根据定级情况制定，须先有组织考评定级。

    示例：jcnian plan set 五夫村 --goal 争创好等级 --measures 建强班子 --plan 五项工程 --on 2012-05-06
    """
    from jcnian.campaign import plans

    day = parse_date(on, "--on")
    record(ctx, plans.set_plan, branch, day, goal=goal, measures=measures, plan=plan, override=override)


@plan_app.command("pledge")
def plan_pledge(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(..., metavar="承诺", help="承诺内容。"),
    on: str | None = OnOption,
    medium: str | None = typer.Option(None, "--medium", help="公开方式，如 公开栏、村民大会。"),
    override: str | None = OverrideOption,
) -> None:
    """登记向社会的公开承诺。

    须先定下争创目标、整改措施和实施方案。

    示例：jcnian plan pledge 五夫村 "年内建成村级便民服务中心" --on 2012-05-10 --medium 公开栏
    """
    from jcnian.campaign import plans

    day = parse_date(on, "--on")
    record(ctx, plans.record_pledge, branch, text, day, medium, override)


@plan_app.command("show")
def plan_show(ctx: typer.Context, branch: str = BranchArg, fmt: Format = FormatOption) -> None:
    """查看一个党组织的争创目标、整改措施、实施方案和公开承诺。

    示例：jcnian plan show 五夫村
    """
    from jcnian.campaign import plans

    view = in_ledger(ctx, plans.show_plan, branch, write=False)
    rows = [
        {"item": "争创目标", "text": view.goal, "on": view.goal_on},
        {"item": "整改措施", "text": view.measures, "on": view.measures_on},
        {"item": "实施方案", "text": view.plan, "on": view.plan_on},
        {
            "item": "公开承诺",
            "text": (view.pledge or "") + (f"（{view.pledge_medium}）" if view.pledge_medium else ""),
            "on": view.pledge_on,
        },
    ]
    emit(
        rows,
        [("item", "事项"), ("text", "内容"), ("on", "日期")],
        fmt,
        title=view.branch,
        json_rows=asdict(view),
    )


# --- projects -------------------------------------------------------------------------

PROJECT_COLUMNS = [
    ("id", "编号"),
    ("branch", "党组织"),
    ("name", "项目"),
    ("owner", "责任人"),
    optional("start", "开始"),
    ("due", "完成期限"),
    ("percent", "进度%"),
    optional("expected", "应达%"),
    ("state", "状态"),
    optional("flag", "一村一策"),
    optional("reason", "说明"),
]
PROJECT_JSON_KEYS = (
    "id",
    "branch",
    "name",
    "owner",
    "start",
    "due",
    "quality",
    "effect",
    "one_village",
    "percent",
    "expected",
    "state",
    "reason",
)


@project_app.command("add")
def project_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument(..., metavar="项目名称", help="项目名称。"),
    owner: str = typer.Option(..., "--owner", help="责任人姓名（项目落实到人）。"),
    start: str = typer.Option(..., "--start", help="开始日期 YYYY-MM-DD。"),
    due: str = typer.Option(..., "--due", help="完成期限 YYYY-MM-DD。"),
    quality: str | None = typer.Option(None, "--quality", help="质量标准。"),
    effect: str | None = typer.Option(None, "--effect", help="预期效果。"),
    one_village: bool | None = typer.Option(
        None,
        "--one-village/--not-one-village",
        help="是否为后进村的“一村一策”整顿转化方案；不写则新项目为否、已有项目保持原样。",
    ),
    on: str | None = OnOption,
) -> None:
    """新增或修改一个工程项目：责任人、起止、质量和效果。

    登记责任人、起止、质量标准、预期效果。同名项目再次登记即修改，未给出的质量标准、预期效果和“一村一策”标记保持原样。

    示例：jcnian project add 五夫村 村级活动阵地改造 --owner 朱高华 --start 2012-05-10 --due 2012-07-31
    """
    from jcnian.campaign import projects

    first, last = parse_date(start, "--start"), parse_date(due, "--due")
    day = parse_date(on, "--on")
    record(
        ctx,
        projects.add_project,
        branch,
        name,
        owner=owner,
        start=first,
        due=last,
        on=day,
        quality=quality,
        effect=effect,
        one_village=one_village,
    )


@project_app.command("list")
def project_list(
    ctx: typer.Context,
    branch: str | None = typer.Argument(None, metavar="党组织", help="只列一个党组织的项目。"),
    as_of: str | None = AsOfOption,
    category: str | None = CategoryFilter,
    limit: int | None = LimitOption,
    wide: bool = WideOption,
    fmt: Format = FormatOption,
) -> None:
    """列出工程项目及截至某日的进度和状态。

    进度之外列出按期应达进度和状态（推进中、滞后、逾期、已完成）。

    示例：jcnian project list 五夫村 --as-of 2012-06-30
    """
    from jcnian.campaign import projects
    from jcnian.campaign.scope import scoped

    on = parse_date(as_of)
    views = in_ledger(ctx, scoped, projects.list_projects, on, branch, category=category, write=False)
    rows = [asdict(v) | {"flag": "是" if v.one_village else ""} for v in views]
    emit(
        rows,
        PROJECT_COLUMNS,
        fmt,
        title=f"工程项目（截至 {on}，{len(rows)} 个）",
        json_rows=[{k: r[k] for k in PROJECT_JSON_KEYS} for r in rows],
        wide=wide,
        limit=Limit(limit, "党组织、--category"),
    )


@project_app.command("show")
def project_show(
    ctx: typer.Context, project: str = ProjectArg, as_of: str | None = AsOfOption, fmt: Format = FormatOption
) -> None:
    """查看一个项目：任务安排、进度记录、月度考核、督促指导。

    督促指导列出针对本项目和针对整个党组织的，各带督导机构（project supervise --group）。
    JSON 的 supervisions：[{"on", "form", "body", "about_project", "note"}, …]。

    示例：jcnian project show 五夫村/村级活动阵地改造
    """
    from jcnian.campaign import projects

    on = parse_date(as_of)
    view = in_ledger(ctx, projects.show_project, project, on, write=False)
    rows = [asdict(view) | {"flag": "是" if view.one_village else ""}]
    emit(
        rows,
        PROJECT_COLUMNS,
        fmt,
        title=f"{view.branch}：{view.name}（截至 {on}）",
        json_rows=asdict(view),
        footer=lambda: _project_footer(view),
    )


def _project_footer(view: Any) -> None:
    say(f"质量标准：{view.quality or '（未填）'}；预期效果：{view.effect or '（未填）'}")
    units = {"week": "周", "day": "天"}
    emit(
        [t | {"unit": units[t["unit"]]} for t in view.tasks],
        [("name", "任务"), ("unit", "安排到"), ("on", "日期"), ("due", "截止"), ("done_on", "完成")],
        Format.table,
        title="任务安排",
    )
    emit(view.progress, [("on", "日期"), ("percent", "进度%")], Format.table, title="进度记录")
    emit(
        view.assessments,
        [("month", "月份"), ("result", "考核结果"), ("on", "考核日期")],
        Format.table,
        title="月度考核",
    )
    emit(
        [v | {"about": "本项目" if v["about_project"] else "党组织"} for v in view.supervisions],
        [("on", "日期"), ("form", "形式"), ("body", "督导机构"), ("about", "针对"), ("note", "说明")],
        Format.table,
        title="督促指导",
    )


@project_app.command("task")
def project_task(
    ctx: typer.Context,
    project: str = ProjectArg,
    name: str = typer.Argument(..., metavar="任务", help="任务名称。"),
    week: str | None = typer.Option(None, "--week", help="安排到周：这一周中的任一天 YYYY-MM-DD。"),
    day: str | None = typer.Option(None, "--day", help="具体到天：YYYY-MM-DD。"),
) -> None:
    """给项目安排任务：到周（--week）或到天（--day）。

    同名任务再次安排即改期。

    示例：jcnian project task 五夫村/村级活动阵地改造 完成设计图 --week 2012-05-14
    """
    from jcnian.campaign import projects

    if (week is None) == (day is None):
        raise typer.BadParameter("请给出 --week 或 --day 之一。", param_hint="--week/--day")
    unit, when = ("week", parse_date(week, "--week")) if week else ("day", parse_date(day, "--day"))
    record(ctx, projects.add_task, project, name, unit, when)


@project_app.command("done")
def project_done(
    ctx: typer.Context,
    project: str = ProjectArg,
    name: str = typer.Argument(..., metavar="任务", help="任务名称。"),
    on: str | None = OnOption,
) -> None:
    """登记任务完成。

    示例：jcnian project done 五夫村/村级活动阵地改造 完成设计图 --on 2012-05-18
    """
    from jcnian.campaign import projects

    day = parse_date(on, "--on")
    record(ctx, projects.finish_task, project, name, day)


@project_app.command("progress")
def project_progress(
    ctx: typer.Context,
    project: str = ProjectArg,
    percent: int = typer.Argument(
        ...,
        metavar="百分比",
        help="完成百分比：30%、30 或 0.3（不带 % 时，小于 1 的数按比例）。",
        parser=values.percent,
    ),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记项目进度（同一天再登记即更正）。

    示例：jcnian project progress 五夫村/村级活动阵地改造 60 --on 2012-06-30 --note 主体完工
    """
    from jcnian.campaign import projects

    day = parse_date(on, "--on")
    record(ctx, projects.record_progress, project, percent, day, note)


@project_app.command("assess")
def project_assess(
    ctx: typer.Context,
    project: str = ProjectArg,
    month: str = typer.Argument(..., metavar="月份", help="考核月份 YYYY-MM。"),
    result: str = typer.Argument(..., metavar="结果", help="考核结果：好/较好/一般/较差。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记项目的月度考核（考核到月），每月一次，再登记即更正。

    示例：jcnian project assess 五夫村/村级活动阵地改造 2012-05 较好 --on 2012-05-31
    """
    from jcnian.campaign import projects

    day = parse_date(on, "--on")
    record(ctx, projects.assess_month, project, month, result, day, note)


@project_app.command("supervise")
def project_supervise(
    ctx: typer.Context,
    branch: str = BranchArg,
    form: str = typer.Option(
        ..., "--form", help="形式：现场会/工作推进会/交流座谈会/督查；可只写能唯一确定的一部分，如 推进会。"
    ),
    on: str | None = OnOption,
    project: str | None = typer.Option(None, "--project", help="针对的项目（可不填）。"),
    note: str | None = NoteOption,
    group: str | None = typer.Option(
        None,
        "--group",
        metavar="机构",
        help="做这次督促指导的机构：督导检查组、领导小组或办公室（须已用 group set 登记成员）；可写唯一的一部分，如 检查组。",
    ),
) -> None:
    """登记镇党委对党组织的督促指导。

    形式：现场会、工作推进会、交流座谈会、督查。--group 写明由哪个机构督导（原文四、(二)：督导检查组）；
    再次登记同一天同一形式即更正，不写 --group 时保留原来的机构。

    示例：jcnian project supervise 五夫村 --form 现场会 --group 督导检查组 --on 2012-06-15
    """
    from jcnian.campaign import projects

    day = parse_date(on, "--on")
    record(ctx, projects.record_supervision, branch, form, day, project, note, group)
