"""Commands for the seven activities beyond the phases: 一句话承诺, 闪光言行,
五个一 工程, 科学发展主题轮训, 书记 and their 调整, and the town's 动员大会."""

from dataclasses import asdict
from pathlib import Path

import typer

from jcnian.commands.common import (
    AsOfOption,
    BranchArg,
    BranchFilter,
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

pledge_app = typer.Typer(
    help='“一句话承诺”：党组织和党员的承诺、导入、覆盖。\n\n另于实施方案的公开承诺（plan pledge）。\n\n示例：jcnian pledge add 五夫村 "带头服务群众" --member 王伟 --on 2012-05-20',
    no_args_is_help=True,
)
deed_app = typer.Typer(
    help="“创先争优闪光言行”及展示评选。\n\n示例：jcnian deed list --selected --format json",
    no_args_is_help=True,
)
fiveone_app = typer.Typer(
    help="村党组织书记“五个一”工程。\n\n只针对农村党组织。\n\n示例：jcnian fiveone show --as-of 2012-08-31",
    no_args_is_help=True,
)
training_app = typer.Typer(
    help="5 月下旬村党组织书记科学发展主题轮训。\n\n示例：jcnian training missing --as-of 2012-06-01",
    no_args_is_help=True,
)
secretary_app = typer.Typer(
    help="各党组织书记（主要负责人）及调整不胜任的书记。\n\n示例：jcnian secretary list --format json",
    no_args_is_help=True,
)
rally_app = typer.Typer(
    help="镇党委基层组织建设年活动动员大会。\n\n示例：jcnian rally set --on 2012-04-25 --attendance 120",
    no_args_is_help=True,
)


# --- 一句话承诺 -------------------------------------------------------------------------------


@pledge_app.command("add")
def pledge_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    text: str = typer.Argument(..., metavar="承诺", help="一句话承诺的内容。"),
    member: str | None = typer.Option(None, "--member", "-m", help="作出承诺的党员；不写即党组织的承诺。"),
    on: str | None = OnOption,
) -> None:
    """登记党组织或党员的“一句话承诺”；同一党员再次登记即更正。

    示例：jcnian pledge add 五夫村 "带头服务群众" --member 王伟 --on 2012-05-20
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.record_pledge, branch, text, day, member)


@pledge_app.command("import")
def pledge_import(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., metavar="文件", help="CSV：党组织、党员、承诺（可加 日期）；GBK/UTF-8 均可。"
    ),
    on: str | None = typer.Option(None, "--on", help="没有日期列时的承诺日期，默认今天。"),
) -> None:
    """从 CSV 名单导入“一句话承诺”。

    有任何错误都不写入，并列出“文件:行”。

    党员一栏为空即党组织的承诺；重复导入不重复登记。

    示例：jcnian pledge import 一句话承诺.csv --on 2012-05-20
    """
    from jcnian.campaign import pledge_import

    day = parse_date(on, "--on")
    saved = in_ledger(ctx, pledge_import.import_pledges, path, day)
    counts = {s: sum(1 for x in saved if x.status == s) for s in ("created", "updated", "unchanged")}
    say(
        f"已导入 {len(saved)} 条：新登记 {counts['created']}，更正 {counts['updated']}，未变 {counts['unchanged']}。"
    )


@pledge_app.command("list")
def pledge_list(
    ctx: typer.Context,
    branch: str | None = BranchFilter,
    as_of: str | None = AsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """列出“一句话承诺”：党组织的在前，党员的在后。

    示例：jcnian pledge list --branch 五夫村 --format csv
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = in_ledger(ctx, activities.list_pledges, on, branch, write=False)
    emit(
        [asdict(r) for r in rows],
        [("branch", "党组织"), ("member", "党员"), ("text", "承诺"), ("on", "日期")],
        fmt,
        title=f"一句话承诺（截至 {on}，{len(rows)} 条）",
    )


@pledge_app.command("coverage")
def pledge_coverage(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """每个党组织的“一句话承诺”覆盖情况。

    党组织是否已承诺、有多少党员作了承诺；有党组织未承诺时退出码为 1。

    示例：jcnian pledge coverage --as-of 2012-06-30
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = in_ledger(ctx, activities.pledge_coverage, on, write=False)
    missing = [r for r in rows if not r.branch_pledge]
    emit(
        [{**asdict(r), "branch_pledge": "有" if r.branch_pledge else "无"} for r in rows],
        [("branch", "党组织"), ("branch_pledge", "党组织承诺"), ("members", "党员承诺数")],
        fmt,
        title=f"一句话承诺覆盖（截至 {on}：{len(rows) - len(missing)}/{len(rows)} 个党组织已承诺）",
        json_rows=[asdict(r) for r in rows],
    )
    if missing:
        raise typer.Exit(1)


# --- 闪光言行 ---------------------------------------------------------------------------------


@deed_app.command("add")
def deed_add(
    ctx: typer.Context,
    branch: str = BranchArg,
    person: str = typer.Argument(..., metavar="人员", help="言行的主人。"),
    deed: str = typer.Argument(..., metavar="言行", help="闪光言行的内容。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记“创先争优闪光言行”。

    示例：jcnian deed add 五夫村 王伟 "雨夜抢修村道路灯" --on 2012-06-15
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.record_deed, branch, person, deed, day, note)


@deed_app.command("select")
def deed_select(
    ctx: typer.Context,
    branch: str = BranchArg,
    person: str = typer.Argument(..., metavar="人员", help="入选者。"),
    deed: str | None = typer.Option(None, "--deed", help="此人有多条闪光言行时，写明入选的一条。"),
    on: str | None = OnOption,
) -> None:
    """登记闪光言行在展示评选中入选。

    示例：jcnian deed select 五夫村 王伟 --on 2012-07-01
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.select_deed, branch, person, day, deed)


@deed_app.command("list")
def deed_list(
    ctx: typer.Context,
    selected: bool = typer.Option(False, "--selected", help="只列入选展示评选的。"),
    as_of: str | None = AsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """列出闪光言行（按日期），及是否入选展示评选。

    示例：jcnian deed list --selected --format json
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = in_ledger(ctx, activities.list_deeds, on, selected, write=False)
    emit(
        [asdict(r) for r in rows],
        [
            ("on", "日期"),
            ("branch", "党组织"),
            ("person", "人员"),
            ("deed", "言行"),
            ("selected_on", "入选日期"),
        ],
        fmt,
        title=f"创先争优闪光言行（截至 {on}，{len(rows)} 条）",
    )


# --- 五个一 -----------------------------------------------------------------------------------


@fiveone_app.command("set")
def fiveone_set(
    ctx: typer.Context,
    branch: str = BranchArg,
    item: str = typer.Argument(
        ..., metavar="项目", help="领导班子、工作思路、工作机制、活动阵地、工作业绩之一。"
    ),
    met: bool = typer.Option(..., "--met/--not-met", help="是否达到“好”的要求。"),
    on: str | None = OnOption,
    note: str | None = NoteOption,
) -> None:
    """登记村党组织“五个一”工程的一项是否达到；再次登记即更正。

    示例：jcnian fiveone set 五夫村 活动阵地 --met --on 2012-08-20 --note 新建便民服务中心
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.record_five_one, branch, item, met, day, note)


@fiveone_app.command("show")
def fiveone_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """每个村党组织“五个一”的五项：达到、未达到或未登记。

    示例：jcnian fiveone show --as-of 2012-08-31
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = in_ledger(ctx, activities.five_one_table, on, write=False)
    emit(
        [{"branch": r.branch, **r.items, "met": f"{r.met}/5"} for r in rows],
        [("branch", "党组织"), *((i, i) for i in activities.FIVE_ONE), ("met", "达到")],
        fmt,
        title=f"村党组织书记“五个一”工程（截至 {on}）",
        json_rows=[asdict(r) for r in rows],
    )


# --- 轮训 -------------------------------------------------------------------------------------


@training_app.command("add")
def training_add(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="开始日期 YYYY-MM-DD，默认今天。"),
    until: str | None = typer.Option(None, "--until", help="结束日期，默认同开始日期。"),
    title: str | None = typer.Option(None, "--title", help="名称，默认“科学发展主题轮训”。"),
    note: str | None = NoteOption,
) -> None:
    """登记一期科学发展主题轮训（市委组织部组织，5 月下旬）。

    示例：jcnian training add --on 2012-05-24 --until 2012-05-26
    """
    from jcnian.campaign import activities

    start = parse_date(on, "--on")
    end = parse_date(until, "--until") if until else None
    record(ctx, activities.record_training, start, end, title, note)


@training_app.command("attend")
def training_attend(
    ctx: typer.Context,
    branch: str = BranchArg,
    on: str | None = typer.Option(None, "--on", help="参训的那一期中的某天，默认今天。"),
    person: str | None = typer.Option(None, "--person", help="参训人，默认该村已登记的书记。"),
) -> None:
    """登记村党组织书记参加轮训。

    示例：jcnian training attend 五夫村 --on 2012-05-24
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.record_attendance, branch, day, person)


TRAINING_COLUMNS = [
    ("branch", "党组织"),
    ("secretary", "书记"),
    ("attended", "参训人"),
    ("sessions", "参训日期"),
]


@training_app.command("show")
def training_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """每个村党组织书记的轮训情况。

    示例：jcnian training show --format json
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = in_ledger(ctx, activities.training_report, on, write=False)
    emit([asdict(r) for r in rows], TRAINING_COLUMNS, fmt, title=f"科学发展主题轮训（截至 {on}）")


@training_app.command("missing")
def training_missing(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """未参加轮训的村党组织书记（每个村都应参加）。

    有缺训时退出码为 1。

    示例：jcnian training missing --as-of 2012-06-01
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    rows = [r for r in in_ledger(ctx, activities.training_report, on, write=False) if not r.sessions]
    emit(
        [asdict(r) for r in rows],
        [("branch", "党组织"), ("secretary", "书记")],
        fmt,
        title=f"未参加科学发展主题轮训的村（截至 {on}，{len(rows)} 个）",
    )
    if rows:
        raise typer.Exit(1)


# --- 书记 -------------------------------------------------------------------------------------


@secretary_app.command("set")
def secretary_set(
    ctx: typer.Context,
    branch: str = BranchArg,
    name: str = typer.Argument(..., metavar="姓名", help="书记（主要负责人）姓名。"),
    on: str | None = typer.Option(None, "--on", help="任职起始日期（登记日期），默认今天。"),
) -> None:
    """登记党组织的书记（主要负责人）。

    写错时再次登记即更正；调整书记请用 secretary change。

    与已有人员只差一字时提醒核对。

    示例：jcnian secretary set 五夫村 王建国 --on 2012-04-01
    """
    from jcnian.campaign import secretaries

    day = parse_date(on, "--on")
    record(ctx, secretaries.set_secretary, branch, name, day)


@secretary_app.command("change")
def secretary_change(
    ctx: typer.Context,
    branch: str = BranchArg,
    successor: str = typer.Argument(..., metavar="新任书记", help="新任书记姓名。"),
    reason: str = typer.Option(..., "--reason", help="调整理由，如 不胜任、整顿转化。"),
    on: str | None = OnOption,
) -> None:
    """调整不胜任的党组织书记：记下原任、新任、日期和理由。

    示例：jcnian secretary change 马慢桥 李明 --reason 不胜任，整顿转化 --on 2012-06-20
    """
    from jcnian.campaign import secretaries

    day = parse_date(on, "--on")
    record(ctx, secretaries.change_secretary, branch, successor, day, reason)


@secretary_app.command("list")
def secretary_list(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """各党组织的书记（主要负责人）及调整记录。

    示例：jcnian secretary list --format json
    """
    from jcnian.campaign import secretaries

    on = parse_date(as_of)
    rows = in_ledger(ctx, secretaries.list_secretaries, on, write=False)
    emit(
        [asdict(r) for r in rows],
        [
            ("branch", "党组织"),
            ("category", "分类"),
            ("secretary", "书记"),
            ("since", "起始"),
            ("changes", "调整"),
        ],
        fmt,
        title=f"党组织书记（截至 {on}）",
    )


# --- 镇党委动员大会 ------------------------------------------------------------------------------


@rally_app.command("set")
def rally_set(
    ctx: typer.Context,
    on: str | None = OnOption,
    attendance: int | None = typer.Option(None, "--attendance", help="参会人数。"),
    note: str | None = NoteOption,
) -> None:
    """登记镇党委召开的基层组织建设年活动动员大会。

    再次登记即更正，未给出的项保持原样。

    示例：jcnian rally set --on 2012-04-25 --attendance 120
    """
    from jcnian.campaign import activities

    day = parse_date(on, "--on")
    record(ctx, activities.record_rally, day, attendance, note)


@rally_app.command("show")
def rally_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """显示镇党委动员大会；截至某日未召开时退出码为 1。

    示例：jcnian rally show --as-of 2012-04-25
    """
    from jcnian.campaign import activities

    on = parse_date(as_of)
    view = in_ledger(ctx, activities.rally, on, write=False)
    rows = [asdict(view)] if view.held_on else []
    emit(
        rows,
        [("held_on", "日期"), ("attendance", "参会人数"), ("note", "备注")],
        fmt,
        title=f"镇党委动员大会（截至 {on}）",
        json_rows=asdict(view),
    )
    if not view.held_on:
        say(f"截至 {on} 未登记镇党委动员大会。", "yellow")
        raise typer.Exit(1)
