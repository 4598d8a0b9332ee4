"""Commands for the ledger itself: init, campaign list/new, branch, people, liaison."""

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from jcnian.commands import values
from jcnian.commands.common import Format, FormatOption, confirm, emit, ledger, say

branch_app = typer.Typer(
    help="党组织：列表、查看、增删改、别名。\n\n示例：jcnian branch list --category 农村",
    no_args_is_help=True,
)
people_app = typer.Typer(
    help="联系领导和联系干部：列表、查看、疑似重名检查。\n\n示例：jcnian people check", no_args_is_help=True
)
liaison_app = typer.Typer(
    help="设置或清除党组织的联系领导、联系干部。\n\n示例：jcnian liaison set 鲁溪闸村 --cadre 许胜和",
    no_args_is_help=True,
)

ROLE_LABELS = {"leader": "联系领导", "cadre": "联系干部"}
BRANCH_COLUMNS = [
    ("seq", "序号"),
    ("name", "党组织名称"),
    ("form", "形式"),
    ("category", "分类"),
    ("leader", "联系领导"),
    ("cadre", "联系干部"),
    ("remarks", "备注"),
]
JSON_BRANCH_KEYS = ("name", "form", "category", "leader", "cadre", "remarks")


def init(
    ctx: typer.Context,
    town: str | None = typer.Option(None, "--town", help="镇名；新账本默认 驿亭镇。"),
    year: int | None = typer.Option(
        None, "--year", help="活动年份，阶段日期按这一年；新账本默认 2012。", parser=values.whole
    ),
    source: Path | None = typer.Option(
        None, "--from", help="联系表 CSV（列：name,form,category,leader,cadre,remarks），默认用附件1。"
    ),
) -> None:
    """建立账本并载入联系表（附件1 的 32 个党组织）。

    联系表含各党组织及其联系领导、联系干部。

    已有账本时：同时写 --town 和 --year 则新增这个镇、这一年度的活动（一个账本可存多个镇、
    多个年度，之后用 --campaign 镇名/年份 选择）；已有的活动不做任何改动，只报告现状。

    示例：jcnian init --town 驿亭镇 --year 2012
    """
    from jcnian.campaigns import init_ledger
    from jcnian.seed import default_seed_path, read_seed

    rows = read_seed(source or default_seed_path())
    with ledger(ctx, create=True) as session:
        result = init_ledger(session, town, year, rows)
    if result.created:
        say(f"已建立{result.campaign}账本：{result.branches} 个党组织，{result.people} 名联系人。")
        if result.campaigns > 1:
            say(f"账本现有 {result.campaigns} 个活动，请用 --campaign {result.key} 选择这一个。")
    else:
        others = f"，账本共有 {result.campaigns} 个活动" if result.campaigns > 1 else ""
        say(f"账本已存在（{result.campaign}，{result.branches} 个党组织{others}），未做任何改动。")


CAMPAIGN_COLUMNS = [("key", "活动"), ("town", "镇"), ("year", "年度"), ("branches", "党组织数")]


def campaign_list(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """列出账本中的活动（镇名/年份）及各自的党组织数。

    一个账本可存多个镇、多个年度的活动；有多个时，命令前写 --campaign 镇名/年份
    （或设环境变量 JCNIAN_CAMPAIGN）选择其一。

    示例：jcnian campaign list --format json
    """
    from jcnian.ledger import list_campaigns

    with ledger(ctx, write=False) as session:
        rows = [asdict(v) for v in list_campaigns(session)]
    emit(rows, CAMPAIGN_COLUMNS, fmt, title=f"活动（{len(rows)} 个）")


def campaign_new(
    ctx: typer.Context,
    town: str = typer.Option(..., "--town", help="镇名。"),
    year: int = typer.Option(..., "--year", help="活动年份。", parser=values.whole),
    source: str = typer.Option(..., "--from", metavar="镇名/年份", help="沿用哪个活动的组织和评分办法。"),
) -> None:
    """新增一个活动，沿用另一活动的组织和评分办法。

    沿用党组织、别名、联系人、联系关系、书记和评分办法；得分、等级和各项记录不沿用：新一年度从头开展（原文“长效机制”）。

    示例：jcnian campaign new --town 驿亭镇 --year 2013 --from 驿亭镇/2012
    """
    from jcnian.campaigns import carry_forward

    with ledger(ctx) as session:
        result = carry_forward(session, town, year, source)
    say(
        f"已新增{result.campaign}：沿用 {source} 的 {result.branches} 个党组织、{result.people} 名人员；"
        f"请用 --campaign {result.key} 选择它。"
    )


def _branch_rows(views: list[Any]) -> list[dict[str, Any]]:
    return [asdict(v) for v in views]


@branch_app.command("list")
def branch_list(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c", help="只列某一分类，如 农村。"),
    fmt: Format = FormatOption,
) -> None:
    """按联系表顺序列出党组织及联系领导、联系干部。

    示例：jcnian branch list --category 农村 --format json
    """
    from jcnian import ledger as domain

    with ledger(ctx, write=False) as session:
        views = domain.list_branches(session, category)
    rows = _branch_rows(views)
    emit(
        rows,
        BRANCH_COLUMNS,
        fmt,
        title=f"党组织（{len(rows)} 个）",
        json_rows=[{k: r[k] for k in JSON_BRANCH_KEYS} for r in rows],
    )


@branch_app.command("show")
def branch_show(
    ctx: typer.Context,
    name: str = typer.Argument(
        ..., metavar="党组织", help="党组织名称，可只写能唯一确定的一部分，如 五夫村。"
    ),
    fmt: Format = FormatOption,
) -> None:
    """查看一个党组织的详情。

    示例：jcnian branch show 五夫村
    """
    from jcnian import ledger as domain

    with ledger(ctx, write=False) as session:
        detail = domain.show_branch(session, name)
    row = asdict(detail.branch) | {"aliases": detail.aliases}
    emit(
        [row],
        [*BRANCH_COLUMNS, ("aliases", "别名")],
        fmt,
        title=detail.campaign,
        json_rows={k: row[k] for k in (*JSON_BRANCH_KEYS, "aliases")},
    )


@branch_app.command("add")
def branch_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="全称", help="党组织全称。"),
    category: str = typer.Option(
        ..., "--category", "-c", help="分类：农村/国有金融机构/非公制企业/机关事业单位。"
    ),
    form: str | None = typer.Option(None, "--form", help="党委/党总支/党支部，默认从名称判断。"),
    leader: str | None = typer.Option(None, "--leader", help="联系领导。"),
    cadre: str | None = typer.Option(None, "--cadre", help="联系干部。"),
    remarks: str | None = typer.Option(None, "--remarks", help="备注。"),
) -> None:
    """新增一个党组织，排在联系表末尾。

    示例：jcnian branch add 驿亭镇农村信用社党支部 --category 国有金融机构 --leader 章伟青
    """
    from jcnian import ledger as domain

    row = domain.NewBranch(
        name=name, form=form or "", category=category, leader=leader, cadre=cadre, remarks=remarks
    )
    with ledger(ctx) as session:
        view = domain.add_branch(session, row)
    say(f"已新增党组织“{view.name}”（{view.form}，{view.category}）。")


@branch_app.command("edit")
def branch_edit(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。"),
    new_name: str | None = typer.Option(None, "--name", help="新名称。"),
    form: str | None = typer.Option(None, "--form", help="党委/党总支/党支部。"),
    category: str | None = typer.Option(None, "--category", "-c", help="新分类。"),
    remarks: str | None = typer.Option(None, "--remarks", help="备注；给空字符串则清空。"),
) -> None:
    """修改党组织的名称、形式、分类或备注。

    示例：jcnian branch edit 马慢桥 --name 马慢桥村党支部 --remarks 村名补全
    """
    from jcnian import ledger as domain

    with ledger(ctx) as session:
        view = domain.edit_branch(
            session, name, new_name=new_name, form=form, category=category, remarks=remarks
        )
    say(f"已更新党组织“{view.name}”（{view.form}，{view.category}）。")


@branch_app.command("remove")
def branch_remove(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。"),
    yes: bool = typer.Option(False, "--yes", "-y", help="确认删除，不再询问。"),
) -> None:
    """删除一个党组织及其全部记录，须加 --yes。

    全部记录包括联系人、评分、项目等，删除后不可撤销。

    示例：jcnian branch remove 五洲村 --yes
    """
    from jcnian import ledger as domain

    confirm(yes, f"确定删除“{name}”及其全部记录吗？")
    with ledger(ctx) as session:
        result = domain.remove_branch(session, name)
    say(f"已删除党组织“{result.name}”（含 {result.liaisons} 条联系人记录）。")


@branch_app.command("alias")
def branch_alias(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。"),
    alias: str = typer.Argument(..., metavar="别名", help="别名，如表格里常写的简称。"),
) -> None:
    """登记党组织的别名，导入表格和输入命令时都认。

    示例：jcnian branch alias 浙江耀华高翔管桩有限公司党支部 耀华管桩
    """
    from jcnian import ledger as domain

    with ledger(ctx) as session:
        branch, key = domain.add_alias(session, name, alias)
    say(f"已登记“{key}”为“{branch}”的别名。")


def _people_rows(people: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "count": len(p.liaisons),
            "duties": [f"{d.branch}（{ROLE_LABELS[d.role]}）" for d in p.liaisons],
        }
        for p in people
    ]


PEOPLE_COLUMNS = [("name", "姓名"), ("count", "联系数"), ("duties", "联系的党组织（角色）")]


def _people_json(people: list[Any]) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "liaisons": [{"branch": d.branch, "role": d.role} for d in p.liaisons]}
        for p in people
    ]


@people_app.command("list")
def people_list(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """列出每位联系人、所联系的党组织和数量。

    示例：jcnian people list --format json
    """
    from jcnian import ledger as domain

    with ledger(ctx, write=False) as session:
        people = domain.list_people(session)
    emit(
        _people_rows(people),
        PEOPLE_COLUMNS,
        fmt,
        title=f"联系人（{len(people)} 名）",
        json_rows=_people_json(people),
    )


@people_app.command("show")
def people_show(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="姓名", help="姓名，空格不计，如 袁婕。"),
    fmt: Format = FormatOption,
) -> None:
    """查看一位联系人联系的全部党组织。

    示例：jcnian people show 袁婕
    """
    from jcnian import ledger as domain

    with ledger(ctx, write=False) as session:
        person = domain.show_person(session, name)
    rows = [{"branch": d.branch, "role": ROLE_LABELS[d.role]} for d in person.liaisons]
    emit(
        rows,
        [("branch", "党组织"), ("role", "角色")],
        fmt,
        title=f"{person.name}：联系 {len(rows)} 个党组织",
        json_rows=_people_json([person])[0],
    )


@people_app.command("check")
def people_check(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """列出只差一个字的同姓姓名，请核对是否同一人。

    如 魏建亮/魏建良；不会自动合并。

    发现疑似重名时退出码为 1，便于脚本提醒。

    示例：jcnian people check
    """
    from jcnian import ledger as domain

    with ledger(ctx, write=False) as session:
        pairs = domain.check_people(session)
    rows = [
        {
            "a": a.name,
            "a_duties": [d.branch for d in a.liaisons],
            "b": b.name,
            "b_duties": [d.branch for d in b.liaisons],
        }
        for a, b in pairs
    ]
    columns = [("a", "姓名甲"), ("a_duties", "甲联系"), ("b", "姓名乙"), ("b_duties", "乙联系")]
    emit(rows, columns, fmt, title=f"疑似同一人（{len(rows)} 对），请核对")
    if rows:
        say(f"发现 {len(rows)} 对疑似重名，请核对；确属同一人时用 jcnian liaison set 改正。", "yellow")
        raise typer.Exit(1)
    say("未发现疑似重名。")


@liaison_app.command("set")
def liaison_set(
    ctx: typer.Context,
    branch: str = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。"),
    leader: str | None = typer.Option(None, "--leader", help="联系领导姓名。"),
    cadre: str | None = typer.Option(None, "--cadre", help="联系干部姓名。"),
) -> None:
    """设置党组织的联系领导和/或联系干部，替换原来的人。

    示例：jcnian liaison set 鲁溪闸村 --cadre 许胜和
    """
    from jcnian import ledger as domain

    with ledger(ctx) as session:
        view = domain.set_liaison(session, branch, leader=leader, cadre=cadre)
    say(f"{view.name}：联系领导 {view.leader or '（无）'}，联系干部 {view.cadre or '（无）'}。")
    for warning in view.warnings:
        say(warning, "yellow")


@liaison_app.command("clear")
def liaison_clear(
    ctx: typer.Context,
    branch: str = typer.Argument(..., metavar="党组织", help="党组织名称或其唯一的一部分。"),
    role: str | None = typer.Option(
        None, "--role", help="只清除 leader（联系领导）或 cadre（联系干部），默认两者都清。"
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="确认清除，不再询问。"),
) -> None:
    """清除党组织的联系领导、联系干部（人员本身保留）。须 --yes。

    示例：jcnian liaison clear 杨溪村 --role cadre --yes
    """
    from jcnian import ledger as domain

    if role is not None and role not in ROLE_LABELS:
        raise typer.BadParameter("应为 leader 或 cadre。", param_hint="--role")
    confirm(yes, f"确定清除“{branch}”的{ROLE_LABELS.get(role or '', '联系领导和联系干部')}吗？")
    with ledger(ctx) as session:
        view = domain.clear_liaison(session, branch, [role] if role else list(ROLE_LABELS))
    say(f"{view.name}：联系领导 {view.leader or '（无）'}，联系干部 {view.cadre or '（无）'}。")
