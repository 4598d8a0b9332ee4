"""深入实施 commands: goal, measures and plan, the public pledge, projects and their schedule,
supervision, and the campaign's other standing requirements (visits, 回头看, monthly written
reports, 1–2 rules, slogan and column, enterprise coverage)."""

from dataclasses import asdict

import typer

from jcnian.commands.common import AsOfOption, Format, FormatOption, emit, emit_json, ledger, parse_date, say
from jcnian.commands.phases import NoteOption, OnOption, OverrideOption, say_saved

plan_app = typer.Typer(help="深入实施：争创目标、整改措施、实施方案和公开承诺。", no_args_is_help=True)
project_app = typer.Typer(
    help="工程项目：分解到人、安排到周、具体到天、考核到月，进度和督促指导。", no_args_is_help=True
)
visit_app = typer.Typer(help="调研走访和村级组织换届“回头看”。", no_args_is_help=True)
report_app = typer.Typer(help="月度书面汇报：每个党组织每月一次。", no_args_is_help=True)
regulation_app = typer.Typer(help="每个党组织建立的 1–2 项务实管用的制度。", no_args_is_help=True)
publicity_app = typer.Typer(help="舆论宣传：固定宣传标语和活动专栏。", no_args_is_help=True)
coverage_app = typer.Typer(
    help="非公企业党组织全覆盖（“七一”前）：摸排企业及其覆盖情况。", no_args_is_help=True
)

BranchArg = typer.Argument(..., help="党组织名称或其唯一的一部分。")
ProjectArg = typer.Argument(..., help="项目编号，或“党组织/项目名”，或能唯一确定的一部分。")


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
    """制定或修改争创目标、整改措施、实施方案（根据定级情况制定，须先有组织考评定级）。

    示例：jcnian plan set 五夫村 --goal 争创好等级 --measures 建强班子 --plan 五项工程 --on 2012-05-06
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.set_plan(
            session, branch, day, goal=goal, measures=measures, plan=plan, override=override
        )
    for s in saved:
        say_saved(s)


@plan_app.command("pledge")
def plan_pledge(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(..., help="承诺内容。"),
    on: str | None = OnOption,
    medium: str | None = typer.Option(None, "--medium", help="公开方式，如 公开栏、村民大会。"),
    override: str | None = OverrideOption,
) -> None:
    """登记向社会的公开承诺（须先定下争创目标、整改措施和实施方案）。

    示例：jcnian plan pledge 五夫村 "年内建成村级便民服务中心" --on 2012-05-10 --medium 公开栏
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.record_pledge(session, branch, text, day, medium, override)
    say_saved(saved)


@plan_app.command("show")
def plan_show(ctx: typer.Context, branch: str = BranchArg, fmt: Format = FormatOption) -> None:
    """查看一个党组织的争创目标、整改措施、实施方案和公开承诺。

    示例：jcnian plan show 五夫村
    """
    from jcnian import workflow

    with ledger(ctx) as session:
        view = workflow.show_plan(session, branch)
    if fmt is Format.json:
        emit_json(asdict(view))
        return
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
    emit(rows, [("item", "事项"), ("text", "内容"), ("on", "日期")], fmt, title=view.branch)


# --- projects -------------------------------------------------------------------------

PROJECT_COLUMNS = [
    ("id", "编号"),
    ("branch", "党组织"),
    ("name", "项目"),
    ("owner", "责任人"),
    ("start", "开始"),
    ("due", "期限"),
    ("percent", "进度%"),
    ("expected", "应达%"),
    ("state", "状态"),
    ("flag", "一村一策"),
    ("reason", "说明"),
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
    name: str = typer.Argument(..., help="项目名称。"),
    owner: str = typer.Option(..., "--owner", help="责任人姓名（项目落实到人）。"),
    start: str = typer.Option(..., "--start", help="开始日期 YYYY-MM-DD。"),
    due: str = typer.Option(..., "--due", help="完成期限 YYYY-MM-DD。"),
    quality: str | None = typer.Option(None, "--quality", help="质量标准。"),
    effect: str | None = typer.Option(None, "--effect", help="预期效果。"),
    one_village: bool = typer.Option(False, "--one-village", help="这是后进村的“一村一策”整顿转化方案。"),
    on: str | None = OnOption,
) -> None:
    """新增或修改一个工程项目：责任人、起止、质量标准、预期效果。同名项目再次登记即修改。

    示例：jcnian project add 五夫村 村级活动阵地改造 --owner 朱高华 --start 2012-05-10 --due 2012-07-31
    """
    from jcnian import workflow

    first, last = parse_date(start, "--start"), parse_date(due, "--due")
    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.add_project(
            session,
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
    say_saved(saved)


@project_app.command("list")
def project_list(
    ctx: typer.Context,
    branch: str | None = typer.Argument(None, help="只列一个党组织的项目。"),
    as_of: str | None = AsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """列出工程项目及截至某日的进度、按期应达进度和状态（推进中/滞后/逾期/已完成）。

    示例：jcnian project list 五夫村 --as-of 2012-06-30
    """
    from jcnian import workflow

    on = parse_date(as_of)
    with ledger(ctx) as session:
        views = workflow.list_projects(session, on, branch)
    rows = [asdict(v) | {"flag": "是" if v.one_village else ""} for v in views]
    emit(
        rows,
        PROJECT_COLUMNS,
        fmt,
        title=f"工程项目（截至 {on}，{len(rows)} 个）",
        json_rows=[{k: r[k] for k in PROJECT_JSON_KEYS} for r in rows],
    )


@project_app.command("show")
def project_show(
    ctx: typer.Context, project: str = ProjectArg, as_of: str | None = AsOfOption, fmt: Format = FormatOption
) -> None:
    """查看一个项目：任务安排、进度记录、月度考核。

    示例：jcnian project show 五夫村/村级活动阵地改造
    """
    from jcnian import workflow

    on = parse_date(as_of)
    with ledger(ctx) as session:
        view = workflow.show_project(session, project, on)
    if fmt is Format.json:
        emit_json(asdict(view))
        return
    rows = [asdict(view) | {"flag": "是" if view.one_village else ""}]
    emit(rows, PROJECT_COLUMNS, fmt, title=f"{view.branch}：{view.name}（截至 {on}）")
    if fmt is not Format.table:
        return
    say(f"质量标准：{view.quality or '（未填）'}；预期效果：{view.effect or '（未填）'}")
    units = {"week": "周", "day": "天"}
    emit(
        [t | {"unit": units[t["unit"]]} for t in view.tasks],
        [("name", "任务"), ("unit", "安排到"), ("on", "日期"), ("due", "截止"), ("done_on", "完成")],
        fmt,
        title="任务安排",
    )
    emit(view.progress, [("on", "日期"), ("percent", "进度%")], fmt, title="进度记录")
    emit(
        view.assessments,
        [("month", "月份"), ("result", "考核结果"), ("on", "考核日期")],
        fmt,
        title="月度考核",
    )


@project_app.command("task")
def project_task(
    ctx: typer.Context,
    project: str = ProjectArg,
    name: str = typer.Argument(..., help="任务名称。"),
    week: str | None = typer.Option(None, "--week", help="安排到周：这一周中的任一天 YYYY-MM-DD。"),
    day: str | None = typer.Option(None, "--day", help="具体到天：YYYY-MM-DD。"),
) -> None:
    """给项目安排任务：到周（--week）或到天（--day）。同名任务再次安排即改期。

    示例：jcnian project task 五夫村/村级活动阵地改造 完成设计图 --week 2012-05-14
    """
    from jcnian import workflow

    if (week is None) == (day is None):
        raise typer.BadParameter("请给出 --week 或 --day 之一。", param_hint="--week/--day")
    unit, when = ("week", parse_date(week, "--week")) if week else ("day", parse_date(day, "--day"))
    with ledger(ctx) as session:
        saved = workflow.add_task(session, project, name, unit, when)
    say_saved(saved)


@project_app.command("done")
def project_done(
    ctx: typer.Context,
    project: str = ProjectArg,
    name: str = typer.Argument(..., help="任务名称。"),
    on: str | None = OnOption,
) -> None:
    """登记任务完成。

    示例：jcnian project done 五夫村/村级活动阵地改造 完成设计图 --on 2012-05-18
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.finish_task(session, project, name, day)
    say_saved(saved)


@project_app.command("progress")
def project_progress(
    ctx: typer.Context,
    project: str = ProjectArg,
    percent: int = typer.Argument(..., help="完成百分比 0–100。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记项目进度（同一天再登记即更正）。

    示例：jcnian project progress 五夫村/村级活动阵地改造 60 --on 2012-06-30 --note 主体完工
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.record_progress(session, project, percent, day, note)
    say_saved(saved)


@project_app.command("assess")
def project_assess(
    ctx: typer.Context,
    project: str = ProjectArg,
    month: str = typer.Argument(..., help="考核月份 YYYY-MM。"),
    result: str = typer.Argument(..., help="考核结果：好/较好/一般/较差。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记项目的月度考核（考核到月），每月一次，再登记即更正。

    示例：jcnian project assess 五夫村/村级活动阵地改造 2012-05 较好 --on 2012-05-31
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.assess_month(session, project, month, result, day, note)
    say_saved(saved)


@project_app.command("supervise")
def project_supervise(
    ctx: typer.Context,
    branch: str = BranchArg,
    form: str = typer.Option(..., "--form", help="形式：现场会/工作推进会/交流座谈会/督查。"),
    on: str | None = OnOption,
    project: str | None = typer.Option(None, "--project", help="针对的项目（可不填）。"),
    note: str | None = NoteOption,
) -> None:
    """登记镇党委对党组织的督促指导（现场会、工作推进会、交流座谈会、督查）。

    示例：jcnian project supervise 五夫村 --form 现场会 --on 2012-06-15 --note 推广阵地建设经验
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.record_supervision(session, branch, form, day, project, note)
    say_saved(saved)


# --- visits, reports, regulations, publicity, coverage --------------------------------


@visit_app.command("add")
def visit_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    on: str | None = OnOption,
    kind: str = typer.Option("走访", "--kind", help="走访（调研走访）或 回头看（村级组织换届回头看）。"),
    by: str | None = typer.Option(None, "--by", help="走访人。"),
    findings: str | None = typer.Option(None, "--findings", help="发现的情况（回头看：五个摸清）。"),
) -> None:
    """登记调研走访（必须走到每个支部）或村级组织换届“回头看”（6 月底前结束）。

    示例：jcnian visit add 五夫村 --kind 回头看 --on 2012-06-12 --by 章伟青 --findings 五个摸清已完成
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.record_visit(session, branch, day, kind, by, findings)
    say_saved(saved)


@report_app.command("add")
def report_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    month: str = typer.Argument(..., help="汇报的月份 YYYY-MM。"),
    on: str | None = OnOption,
    summary: str | None = typer.Option(None, "--summary", help="汇报要点。"),
) -> None:
    """登记党组织向镇党委组织办的月度书面汇报（每月一次）。

    示例：jcnian report add 五夫村 2012-05 --on 2012-05-30 --summary 阵地改造开工
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.record_report(session, branch, month, day, summary)
    say_saved(saved)


@report_app.command("missing")
def report_missing(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """列出截至某日已过月底仍未交的月度书面汇报。有缺交时退出码为 1。

    示例：jcnian report missing --as-of 2012-07-01
    """
    from jcnian import workflow

    on = parse_date(as_of)
    with ledger(ctx) as session:
        rows = workflow.missing_reports(session, on)
    emit(
        [asdict(r) for r in rows],
        [("branch", "党组织"), ("month", "月份"), ("due", "应交日期")],
        fmt,
        title=f"缺交的月度书面汇报（截至 {on}，{len(rows)} 份）",
    )
    if rows:
        raise typer.Exit(1)


@regulation_app.command("add")
def regulation_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument(..., help="制度名称。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织建立的制度（每个支部 1–2 项务实管用的制度）。

    示例：jcnian regulation add 五夫村 党员联系户制度 --on 2012-06-01
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.add_regulation(session, branch, name, day)
    say_saved(saved)


@publicity_app.command("slogan")
def publicity_slogan(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(..., help="标语内容，如附件2中的一条。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织的固定宣传标语（每个支部一条以上）。

    示例：jcnian publicity slogan 五夫村 "强组织、增活力，创先争优迎十八大" --on 2012-04-20
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.add_publicity(session, branch, "slogan", text, day)
    say_saved(saved)


@publicity_app.command("column")
def publicity_column(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument("基层组织建设年活动", help="专栏名称。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织的“基层组织建设年活动”专栏（每个支部一个）。

    示例：jcnian publicity column 五夫村 --on 2012-04-20
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        saved = workflow.add_publicity(session, branch, "column", name, day)
    say_saved(saved)


@coverage_app.command("add")
def coverage_add(
    ctx: typer.Context,
    enterprise: str = typer.Argument(..., help="企业名称。"),
    on: str | None = typer.Option(None, "--on", help="摸排日期 YYYY-MM-DD，默认今天。"),
    branch: str | None = typer.Option(None, "--branch", help="覆盖它的党组织（单独或联合组建）。"),
    covered_on: str | None = typer.Option(None, "--covered-on", help="覆盖日期，默认同摸排日期。"),
    note: str | None = NoteOption,
) -> None:
    """登记摸排到的非公企业；给出 --branch 即记为已覆盖。“七一”前基本实现全覆盖。

    示例：jcnian coverage add 上虞市某某电器有限公司 --on 2012-05-20 --branch 五夫工业区
    """
    from jcnian import workflow

    day = parse_date(on, "--on")
    covered = parse_date(covered_on, "--covered-on") if covered_on else None
    with ledger(ctx) as session:
        saved = workflow.record_enterprise(session, enterprise, day, branch, covered, note)
    say_saved(saved)


@coverage_app.command("show")
def coverage_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """显示摸排企业的党组织覆盖情况，以及是否已过“七一”期限。

    示例：jcnian coverage show --as-of 2012-07-01
    """
    from jcnian import workflow

    on = parse_date(as_of)
    with ledger(ctx) as session:
        report = workflow.coverage_report(session, on)
    if fmt is Format.json:
        emit_json(asdict(report))
        return
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
    )
    if report.overdue:
        say(f"已过期限 {report.due}，仍有 {report.total - report.covered} 家未覆盖。", "yellow")
