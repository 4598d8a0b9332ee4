"""``jcnian grade``: 分类定级 — the sub-app, the rubric, and entering scores, ballots, vetoes.

The committee's steps (compute, deliberate, approve, publish, change, history) are in
commands/grade_review.py, the reports (list, quota, suggest, backward) in
commands/grade_reports.py and the year-over-year comparison in commands/grade_compare.py;
all are added to ``grade_app`` below (they import only commands/common).
"""

from pathlib import Path
from typing import Any

import typer

from jcnian.commands.common import BranchArg, Format, FormatOption, confirm, emit, ledger, say

grade_app = typer.Typer(
    help="分类定级：评分、定级、审议、终定、公开、比例、倒排。\n\n评分办法、评分录入、计算拟定等级、审议、终定、公开、比例检查、倒排后进。\n\n"
    "示例：jcnian grade compute && jcnian grade list",
    no_args_is_help=True,
)
rubric_app = typer.Typer(
    help="评分办法：查看或替换。\n\n指标分值、评价主体权重、分数线、满意率、一票否决、比例。\n\n"
    "示例：jcnian grade rubric show --toml > 评分办法.toml && jcnian grade rubric set 评分办法.toml",
    no_args_is_help=True,
)
grade_app.add_typer(rubric_app, name="rubric")

# --- rubric ---------------------------------------------------------------------------


@rubric_app.command("show")
def rubric_show(
    ctx: typer.Context,
    fmt: Format = FormatOption,
    toml: bool = typer.Option(False, "--toml", help="原样输出 TOML 文本，可另存后修改再 set。"),
) -> None:
    """查看账本现行的评分办法（首次使用时为随程序提供的默认办法）。

    示例：jcnian grade rubric show --toml > 评分办法.toml
    """
    from jcnian.gradebook import entry as grade_entry

    with ledger(ctx, write=False) as session:
        rubric = grade_entry.current_rubric(session)
    if toml:
        typer.echo(rubric.text, nl=not rubric.text.endswith("\n"))
        return
    rows: list[dict[str, Any]] = []
    rows += [{"section": "指标（满分）", "key": k, "value": f"{v:g}"} for k, v in rubric.indicators.items()]
    rows += [
        {"section": "评价主体（权重）", "key": k, "value": f"{rubric.raw_weights[k]:g}（占 {w:.1%}）"}
        for k, w in rubric.sources.items()
    ]
    rows += [{"section": "分数线", "key": g.value, "value": f"≥ {v:g}"} for g, v in rubric.thresholds.items()]
    rows.append(
        {"section": "分数线", "key": "较差", "value": f"< {rubric.thresholds[min(rubric.thresholds)]:g}"}
    )
    rows.append(
        {
            "section": "群众满意率",
            "key": f"低于 {float(rubric.satisfaction_min):.0%}",
            "value": f"最高评为“{rubric.satisfaction_cap}”",
        }
    )
    rows += [{"section": "一票否决（定为较差）", "key": c, "value": ""} for c in rubric.vetoes]
    rows += [{"section": "比例", "key": b, "value": f"{float(s):.0%}"} for b, s in rubric.quota.items()]
    rows.append({"section": "比例", "key": "容差", "value": f"±{float(rubric.tolerance):.0%}"})
    rows.append(
        {
            "section": "倒排后进",
            "key": rubric.backward_category,
            "value": f"{float(rubric.backward_ratio):.0%}",
        }
    )
    emit(
        rows,
        [("section", "项目"), ("key", "名称"), ("value", "值")],
        fmt,
        title="评分办法",
        json_rows=grade_entry.rubric_as_dict(rubric),
    )


@rubric_app.command("set")
def rubric_set(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., metavar="文件", help="评分办法 TOML 文件（格式见 grade rubric show --toml）。"
    ),
) -> None:
    """用文件替换评分办法；先校验，有错则不作任何改动。

    校验满分合计 100、权重为正、比例合计 1 等。

    旧办法保留在账本中；已计算的拟定等级记有当时所用的办法。

    示例：jcnian grade rubric set 评分办法.toml
    """
    from jcnian.gradebook import entry as grade_entry
    from jcnian.textfile import read_text

    content = read_text(file)
    with ledger(ctx) as session:
        change = grade_entry.set_rubric(session, content, str(file))
    if not change.changed:
        say("评分办法与账本现行办法相同，未作改动。")
        return
    say(f"已启用新的评分办法（{file}）。请重新运行 jcnian grade compute。")
    if change.orphans:
        say(
            "注意：以下已录入的记录在新办法中没有对应的评价主体或指标，不再计入总分（记录仍保留）：", "yellow"
        )
        for line in change.orphans:
            say(f"  {line}", "yellow")


# --- entering scores ------------------------------------------------------------------


def _points_option(text: str | None, option: str) -> float | None:
    """Points typed as clerks type them in a survey file (１８, 18分, `` 18 ``), by the same rule."""
    if text is None:
        return None
    from jcnian.typed import BadValue, parse_points

    try:
        number = parse_points(text)
    except BadValue as exc:
        raise typer.BadParameter(f"“{text.strip()}”{exc}，请填写分值，如 18。", param_hint=option) from None
    if number is None:
        raise typer.BadParameter("分值不能为空，请填写分值，如 18。", param_hint=option)
    return number


@grade_app.command("score")
def score(
    ctx: typer.Context,
    branch: str = BranchArg,
    source: str = typer.Option(..., "--source", "-s", help="评价主体：群众初评/党员评议/支部自评/组织考评。"),
    indicator: str = typer.Option(..., "--indicator", "-i", help="指标，如 党组织带头人、工作业绩。"),
    points_text: str | None = typer.Option(
        None, "--points", "-p", help="得分（0 到该项满分；可写 １８、18分）。", show_default=False
    ),
    deduct_text: str | None = typer.Option(
        None, "--deduct", "-d", help="逐项扣分的分值（须同时给 --item）。", show_default=False
    ),
    item: str | None = typer.Option(None, "--item", help="扣分事项，如 “未按期召开组织生活会”。"),
    respondent: str = typer.Option("", "--respondent", "-r", help="评分人（问卷编号等）；不写为集体评分。"),
    clear: bool = typer.Option(False, "--clear", help="清除这一项的得分和全部扣分（须 --yes）。"),
    yes: bool = typer.Option(False, "--yes", "-y", help="确认清除。"),
) -> None:
    """录入一项指标的得分，或逐项扣分。

    一个评价主体对一项指标：直接给得分，或从满分起逐项扣分（每项最低 0 分）。

    同一项再次录入会替换原值并提示原值；同一事项的扣分再次录入亦替换。
    有多名评分人时，该主体在该项的得分取平均。

    示例：jcnian grade score 五夫村 --source 组织考评 --indicator 工作业绩 --deduct 2 --item 台账不全
    """
    from jcnian.gradebook import entry as grade_entry

    points = _points_option(points_text, "--points")
    deduct = _points_option(deduct_text, "--deduct")
    chosen = sum(x is not None for x in (points, deduct)) + clear
    if chosen != 1:
        raise typer.BadParameter("请在 --points、--deduct、--clear 中恰好选一个。", param_hint="--points")
    if deduct is not None and not (item or "").strip():
        raise typer.BadParameter("逐项扣分须用 --item 写明扣分事项。", param_hint="--item")
    if clear:
        confirm(yes, f"确定清除“{branch}”的 {source} / {indicator} 的得分和扣分吗？")
    with ledger(ctx) as session:
        if clear:
            removed = grade_entry.clear_score(session, branch, source, indicator, respondent)
        elif points is not None:
            entry = grade_entry.enter_score(session, branch, source, indicator, points, respondent)
        else:
            entry = grade_entry.enter_deduction(
                session, branch, source, indicator, deduct or 0.0, item or "", respondent
            )
    if clear:
        parts = [] if removed.points is None else [f"得分 {removed.points:g}"]
        parts += [f"扣分“{i}” {p:g}" for i, p in removed.deductions]
        say(f"已清除 {removed.branch} 的 {removed.source} / {removed.indicator}：{'、'.join(parts)}。")
        return
    who = f"（评分人 {entry.respondent}）" if entry.respondent else ""
    what = f"扣分“{entry.item}” {entry.points:g}" if entry.item else f"得分 {entry.points:g}"
    was = f"，原为 {entry.previous:g}" if entry.previous is not None else ""
    say(f"已记录 {entry.branch} 的 {entry.source} / {entry.indicator}{who}：{what}{was}。")


@grade_app.command("ballot")
def ballot(
    ctx: typer.Context,
    branch: str = BranchArg,
    counts: list[str] = typer.Argument(
        ...,
        metavar="票数",
        help="各选项票数，如 好=120 较好=60 一般=15 较差=5，或 满意=150 基本满意=40 不满意=10。",
    ),
) -> None:
    """录入群众测评票数，算出满意率。

    满意率 =（好+较好，或 满意+基本满意）÷ 总票数，低于评分办法的下限不能评为好、较好。

    再次录入时整体替换该党组织原有的票数，并提示原票数。

    示例：jcnian grade ballot 五夫村 好=120 较好=60 一般=15 较差=5
    """
    from jcnian import typed
    from jcnian.gradebook import entry as grade_entry
    from jcnian.grading import percent

    parsed: dict[str, int] = {}
    try:
        pairs = typed.parse_pairs(counts)
    except typed.BadValue as exc:
        raise typer.BadParameter(f"{exc}。", param_hint="票数") from None
    for key, value in pairs:
        try:
            number = typed.parse_count(value)
        except typed.BadValue as exc:
            raise typer.BadParameter(f"{key} 的票数“{value}”{exc}。", param_hint="票数") from None
        if key in parsed:
            raise typer.BadParameter(f"选项“{key}”给了两次。", param_hint="票数")
        parsed[key] = number or 0
    with ledger(ctx) as session:
        entry = grade_entry.enter_ballot(session, branch, parsed)
    shown = "、".join(f"{k} {v}" for k, v in entry.counts.items())
    rate = f"，满意率 {percent(entry.rate)}" if entry.rate is not None else "（总票数为 0，不计满意率）"
    say(f"已记录 {entry.branch} 的群众测评：{shown}{rate}。")
    if entry.previous:
        say("原票数：" + "、".join(f"{k} {v}" for k, v in entry.previous.items()) + "（已替换）。")


@grade_app.command("veto")
def veto(
    ctx: typer.Context,
    branch: str = BranchArg,
    condition: str = typer.Argument(
        ..., metavar="情形", help="评分办法中的一票否决情形，可只写能唯一确定的一部分。"
    ),
    note: str | None = typer.Option(None, "--note", help="说明（文号、事由等）。"),
    remove: bool = typer.Option(False, "--remove", help="撤销已登记的情形。"),
) -> None:
    """登记或撤销一票否决情形：有情形的直接定为“较差”。

    示例：jcnian grade veto 马慢桥 群体性事件 --note 镇信访办2012-3号
    """
    from jcnian.gradebook import entry as grade_entry

    with ledger(ctx) as session:
        entry = grade_entry.set_veto(session, branch, condition, note, remove=remove)
    if remove:
        say(f"已撤销 {entry.branch} 的一票否决情形“{entry.condition}”。")
    elif entry.changed:
        say(f"已登记 {entry.branch} 的一票否决情形“{entry.condition}”，将直接定为“较差”。")
    else:
        say(f"{entry.branch} 已登记过“{entry.condition}”，未重复记录。")


@grade_app.command("show")
def show(
    ctx: typer.Context,
    branch: str = BranchArg,
    fmt: Format = FormatOption,
) -> None:
    """查看一个党组织的评分明细。

    各评价主体各指标得分、扣分、评分人数、票数和否决情形。

    示例：jcnian grade show 五夫村
    """
    from jcnian.gradebook import entry as grade_entry

    with ledger(ctx, write=False) as session:
        sheet = grade_entry.score_sheet(session, branch)
    rows = [
        {
            "source": c["source"],
            "indicator": c["indicator"],
            "full": c["full"],
            "points": c["points"],
            "respondents": c["respondents"] or None,
            "deductions": [f"{d['item']} −{d['points']:g}" for d in c["deductions"]],
        }
        for c in sheet["cells"]
    ]
    columns = [
        ("source", "评价主体"),
        ("indicator", "指标"),
        ("full", "满分"),
        ("points", "得分"),
        ("respondents", "评分人数"),
        ("deductions", "扣分"),
    ]
    emit(
        rows,
        columns,
        fmt,
        title=f"{sheet['branch']}（{sheet['category']}）评分明细",
        json_rows=sheet,
        footer=lambda: _sheet_footer(sheet),
    )


def _sheet_footer(sheet: dict[str, Any]) -> None:
    say(f"加权总分：{sheet['score']:.2f}" if sheet["score"] is not None else "加权总分：评分不全，暂不计算。")
    if sheet["ballot"]:
        rate = sheet["satisfaction"]
        say(
            "群众测评："
            + "、".join(f"{k} {v}" for k, v in sheet["ballot"].items())
            + (f"；满意率 {rate}" if rate else "")
        )
    for v in sheet["vetoes"]:
        say(f"一票否决：{v}", "red")


def _add_steps_and_reports() -> None:
    """Add the commands of grade_review, grade_reports and grade_compare, in ``--help``'s order."""
    from jcnian.commands import grade_compare as compare
    from jcnian.commands import grade_reports as reports
    from jcnian.commands import grade_review as review

    for name, command in (
        ("compute", review.compute),
        ("list", reports.grade_list),
        ("deliberate", review.deliberate),
        ("approve", review.approve),
        ("publish", review.publish),
        ("change", review.change),
        ("history", review.history),
        ("quota", reports.quota),
        ("suggest", reports.suggest),
        ("backward", reports.backward),
        ("compare", compare.compare),
    ):
        grade_app.command(name)(command)


_add_steps_and_reports()
