"""``jcnian grade``: 分类定级 — rubric, scores, ballots, vetoes, the grade steps, quota, lists."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from jcnian.commands.common import (
    AsOfOption,
    Format,
    FormatOption,
    confirm,
    emit,
    emit_json,
    ledger,
    parse_date,
    say,
)

if TYPE_CHECKING:
    from jcnian.gradebook import GradeState, QuotaReport, StepResult
    from jcnian.grading import QuotaCheck

TIE_HELP = (
    "目标数按最大余数法计算（精确分数）：先取 比例×参评数 的整数部分，余下名额给余数大的档；"
    "余数相同时比例大的档优先（一般 0.60 先于 较差 0.10），比例也相同时依次为 一般、好+较好、较差。"
    "例如 16 个村：好+较好 5、一般 10、较差 1。"
)

grade_app = typer.Typer(
    help="分类定级：评分办法、评分录入、计算拟定等级、审议、终定、公开、比例检查、倒排后进。\n\n"
    "示例：jcnian grade compute && jcnian grade list",
    no_args_is_help=True,
)
rubric_app = typer.Typer(
    help="评分办法：查看或替换（指标分值、评价主体权重、分数线、满意率、一票否决、比例）。\n\n"
    "示例：jcnian grade rubric show --toml > 评分办法.toml && jcnian grade rubric set 评分办法.toml",
    no_args_is_help=True,
)
grade_app.add_typer(rubric_app, name="rubric")

OnOption = typer.Option(None, "--on", help="日期，格式 YYYY-MM-DD，默认今天。")
ByOption = typer.Option(None, "--by", help="由谁作出（记入历史），如 镇党委。")
OverrideOption = typer.Option(
    None, "--override", help="越过检查（未审议、比例不符、尚有未终定）的理由，记入历史。"
)


def _g(value: Any) -> str | None:
    return None if value is None else str(value)


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _two(rows: list[dict[str, Any]], keys: tuple[str, ...], fmt: Format) -> list[dict[str, Any]]:
    """Scores read as a score sheet does (67.10, not 67.1) in tables and CSV; JSON keeps numbers."""
    if fmt is Format.json:
        return rows
    return [{k: f"{v:.2f}" if k in keys and isinstance(v, float) else v for k, v in r.items()} for r in rows]


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
    from jcnian import gradebook

    with ledger(ctx) as session:
        rubric = gradebook.current_rubric(session)
    if toml:
        typer.echo(rubric.text, nl=not rubric.text.endswith("\n"))
        return
    data = gradebook.rubric_as_dict(rubric)
    if fmt is Format.json:
        emit_json(data)
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
    emit(rows, [("section", "项目"), ("key", "名称"), ("value", "值")], fmt, title="评分办法")


def _read_text(path: Path) -> str:
    from jcnian.errors import InvalidInput

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}：{exc.strerror or exc}。") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{path}：无法识别文件编码，请另存为 UTF-8。")


@rubric_app.command("set")
def rubric_set(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="评分办法 TOML 文件（格式见 grade rubric show --toml）。"),
) -> None:
    """用文件替换评分办法。先校验（满分合计 100、权重为正、比例合计 1 等），有错则不作任何改动。

    旧办法保留在账本中；已计算的拟定等级记有当时所用的办法。

    示例：jcnian grade rubric set 评分办法.toml
    """
    from jcnian import gradebook

    content = _read_text(file)
    with ledger(ctx) as session:
        change = gradebook.set_rubric(session, content, str(file))
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


@grade_app.command("score")
def score(
    ctx: typer.Context,
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    source: str = typer.Option(..., "--source", "-s", help="评价主体：群众初评/党员评议/支部自评/组织考评。"),
    indicator: str = typer.Option(..., "--indicator", "-i", help="指标，如 党组织带头人、工作业绩。"),
    points: float | None = typer.Option(None, "--points", "-p", help="得分（0 到该项满分）。"),
    deduct: float | None = typer.Option(None, "--deduct", "-d", help="逐项扣分的分值（须同时给 --item）。"),
    item: str | None = typer.Option(None, "--item", help="扣分事项，如 “未按期召开组织生活会”。"),
    respondent: str = typer.Option("", "--respondent", "-r", help="评分人（问卷编号等）；不写为集体评分。"),
    clear: bool = typer.Option(False, "--clear", help="清除这一项的得分和全部扣分（须 --yes）。"),
    yes: bool = typer.Option(False, "--yes", "-y", help="确认清除。"),
) -> None:
    """录入一个评价主体对一项指标的得分，或逐项扣分（从满分扣起，每项最低 0 分）。

    同一项再次录入会替换原值并提示原值；同一事项的扣分再次录入亦替换。
    有多名评分人时，该主体在该项的得分取平均。

    示例：jcnian grade score 五夫村 --source 组织考评 --indicator 工作业绩 --deduct 2 --item 台账不全
    """
    from jcnian import gradebook

    chosen = sum(x is not None for x in (points, deduct)) + clear
    if chosen != 1:
        raise typer.BadParameter("请在 --points、--deduct、--clear 中恰好选一个。", param_hint="--points")
    if deduct is not None and not (item or "").strip():
        raise typer.BadParameter("逐项扣分须用 --item 写明扣分事项。", param_hint="--item")
    if clear:
        confirm(yes, f"确定清除“{branch}”的 {source} / {indicator} 的得分和扣分吗？")
    with ledger(ctx) as session:
        if clear:
            removed = gradebook.clear_score(session, branch, source, indicator, respondent)
        elif points is not None:
            entry = gradebook.enter_score(session, branch, source, indicator, points, respondent)
        else:
            entry = gradebook.enter_deduction(
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
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    counts: list[str] = typer.Argument(
        ..., help="各选项票数，如 好=120 较好=60 一般=15 较差=5，或 满意=150 基本满意=40 不满意=10。"
    ),
) -> None:
    """录入群众测评票数；满意率 =（好+较好，或 满意+基本满意）÷ 总票数，低于评分办法的下限不能评为好、较好。

    再次录入时整体替换该党组织原有的票数，并提示原票数。

    示例：jcnian grade ballot 五夫村 好=120 较好=60 一般=15 较差=5
    """
    from jcnian import gradebook
    from jcnian.grading import percent

    parsed: dict[str, int] = {}
    for pair in counts:
        key, sep, value = pair.replace("：", "=").replace(":", "=").partition("=")
        if not sep or not value.strip().isdigit():
            raise typer.BadParameter(f"“{pair}”应写成 选项=票数，如 好=120。", param_hint="COUNTS")
        if key.strip() in parsed:
            raise typer.BadParameter(f"选项“{key.strip()}”给了两次。", param_hint="COUNTS")
        parsed[key.strip()] = int(value)
    with ledger(ctx) as session:
        entry = gradebook.enter_ballot(session, branch, parsed)
    shown = "、".join(f"{k} {v}" for k, v in entry.counts.items())
    rate = f"，满意率 {percent(entry.rate)}" if entry.rate is not None else "（总票数为 0，不计满意率）"
    say(f"已记录 {entry.branch} 的群众测评：{shown}{rate}。")
    if entry.previous:
        say("原票数：" + "、".join(f"{k} {v}" for k, v in entry.previous.items()) + "（已替换）。")


@grade_app.command("veto")
def veto(
    ctx: typer.Context,
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    condition: str = typer.Argument(..., help="评分办法中的一票否决情形，可只写能唯一确定的一部分。"),
    note: str | None = typer.Option(None, "--note", help="说明（文号、事由等）。"),
    remove: bool = typer.Option(False, "--remove", help="撤销已登记的情形。"),
) -> None:
    """登记（或撤销）一票否决情形：有任一情形的党组织直接定为“较差”。

    示例：jcnian grade veto 马慢桥 群体性事件 --note 镇信访办2012-3号
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        entry = gradebook.set_veto(session, branch, condition, note, remove=remove)
    if remove:
        say(f"已撤销 {entry.branch} 的一票否决情形“{entry.condition}”。")
    elif entry.changed:
        say(f"已登记 {entry.branch} 的一票否决情形“{entry.condition}”，将直接定为“较差”。")
    else:
        say(f"{entry.branch} 已登记过“{entry.condition}”，未重复记录。")


@grade_app.command("show")
def show(
    ctx: typer.Context,
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    fmt: Format = FormatOption,
) -> None:
    """查看一个党组织的评分明细：各评价主体各指标得分、扣分、评分人数、票数和否决情形。

    示例：jcnian grade show 五夫村
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        sheet = gradebook.score_sheet(session, branch)
    if fmt is Format.json:
        emit_json(sheet)
        return
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
    emit(rows, columns, fmt, title=f"{sheet['branch']}（{sheet['category']}）评分明细")
    if fmt is Format.table:
        if sheet["ballot"]:
            rate = sheet["satisfaction"]
            say(
                "群众测评："
                + "、".join(f"{k} {v}" for k, v in sheet["ballot"].items())
                + (f"；满意率 {rate}" if rate else "")
            )
        for v in sheet["vetoes"]:
            say(f"一票否决：{v}", "red")


# --- computing and listing ------------------------------------------------------------


@grade_app.command("compute")
def compute(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """计算总分和拟定等级：各评价主体按指标求和，按权重加权，按分数线定级，再按满意率封顶和一票否决调整。

    每一处调整都列出理由。评分不全的党组织列为“未完成”并写明缺什么，不定级，绝不按 0 分计。
    拟定等级记入历史（与上次相同则不重复记录）。

    示例：jcnian grade compute --as-of 2012-04-20
    """
    from jcnian import gradebook

    on = parse_date(as_of)
    with ledger(ctx) as session:
        result = gradebook.compute(session, on)
    graded = [s for s in result.states if s.proposed is not None]
    incomplete = [s for s in result.states if s.proposed is None]
    rows = [
        {
            "branch": s.name,
            "category": s.category,
            "score": _num(s.score),
            "threshold": _g(s.threshold),
            "proposed": _g(s.proposed),
            "changes": list(s.changes),
            "missing": s.missing,
        }
        for s in result.states
    ]
    columns = [
        ("branch", "党组织"),
        ("category", "分类"),
        ("score", "总分"),
        ("threshold", "分数线等级"),
        ("proposed", "拟定等级"),
        ("changes", "调整及理由"),
        ("missing", "缺少"),
    ]
    title = f"拟定等级（{len(graded)} 个已定级，{len(incomplete)} 个未完成）"
    emit(_two(rows, ("score",), fmt), columns, fmt, title=title)
    say(f"已计算 {len(graded)} 个党组织的拟定等级，新记录 {result.recorded} 条。")
    if incomplete:
        say(f"{len(incomplete)} 个党组织评分不全，未定级：", "yellow")
        for s in incomplete[:20]:
            say(f"  {s.name}：{'；'.join(s.missing)}", "yellow")
        if len(incomplete) > 20:
            say(f"  ……另有 {len(incomplete) - 20} 个（用 --format json 查看全部）。", "yellow")


def _list_rows(states: list["GradeState"], sources: list[str]) -> list[dict[str, Any]]:
    rows = []
    for s in states:
        row: dict[str, Any] = {"branch": s.name, "category": s.category}
        for i, source in enumerate(sources):
            row[f"src{i}"] = s.source_totals.get(source)
        row |= {
            "score": _num(s.score),
            "proposed": _g(s.proposed),
            "grade": _g(s.final),
            "flags": s.flags,
        }
        rows.append(row)
    return rows


def _bar(check: "QuotaCheck", title: str) -> None:
    """The distribution against the quota targets, drawn with block characters."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    console.print(Text(title, style="bold"))
    if check.graded == 0:
        console.print("  （无已定级的党组织）")
        return
    width = 40
    for b in check.bands:
        filled = round(b.actual / check.graded * width)
        target = round(b.target / check.graded * width)
        cells = ["█" if i < filled else "·" for i in range(max(width, filled, target + 1))]
        if target < len(cells):
            cells[target] = "│"
        line = Text("  " + b.band + " " * (8 - cell_len(b.band)), style="bold")
        line.append("".join(cells[: width + 1]), style="green" if b.ok else "red")
        verdict = "符合" if b.ok else "不符"
        line.append(f" {b.actual}/{b.target}（允许 {b.min}–{b.max}）{verdict}")
        console.print(line)
    console.print("  █ 实有  │ 目标")


@grade_app.command("list")
def grade_list(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c", help="只列某一分类，如 农村。"),
    fmt: Format = FormatOption,
) -> None:
    """列出各党组织的各主体得分、总分、拟定等级、终定等级和提示，并画出等级分布与比例目标的对照。

    JSON：数组，每项含 branch、category、score（两位小数，未完成为 null）、proposed、grade（终定，未终定为 null）、flags。

    示例：jcnian grade list --category 农村
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        rubric = gradebook.current_rubric(session)
        states = list(gradebook.grade_states(session, category, detail=True).values())
        report = gradebook.quota_of(states, rubric, [category] if category else gradebook.categories(session))
    sources = list(rubric.sources)
    rows = _list_rows(states, sources)
    if fmt is Format.json:
        emit_json(
            [{k: r[k] for k in ("branch", "category", "score", "proposed", "grade", "flags")} for r in rows]
        )
        return
    columns = [
        ("branch", "党组织"),
        ("category", "分类"),
        *[(f"src{i}", s) for i, s in enumerate(sources)],
        ("score", "总分"),
        ("proposed", "拟定"),
        ("grade", "终定"),
        ("flags", "提示"),
    ]
    keys = ("score", *(f"src{i}" for i in range(len(sources))))
    emit(_two(rows, keys, fmt), columns, fmt, title=f"分类定级（{len(rows)} 个党组织）")
    if fmt is Format.table:
        where = category or "全部"
        check = report.categories[category] if category else report.overall
        _bar(check, f"等级分布（{where}，{check.graded} 个已定级；终定优先，否则按拟定）")


# --- the steps ------------------------------------------------------------------------


def _report_step(result: "StepResult", verb: str) -> None:
    if not result.entries:
        say("没有需要处理的党组织（未定级的先运行 jcnian grade compute，终定前须先审议）。", "yellow")
        return
    recorded = [e for e in result.entries if e.recorded]
    say(
        f"{verb} {len(recorded)} 个党组织（{result.on.isoformat()}）；{len(result.entries) - len(recorded)} 个已记录过，未重复。"
    )
    for e in recorded:
        changed = f"（由“{e.before}”改为“{e.grade}”）" if e.before and e.before != e.grade else ""
        say(f"  {e.branch}：{e.grade}{changed}")
    if result.override and recorded:
        say(f"已越过检查，理由记入历史：{result.override}", "yellow")
    for w in result.warnings:
        say(f"注意：{w}", "yellow")


def _refs(branches: list[str] | None, all_: bool) -> list[str] | None:
    if all_ and branches:
        raise typer.BadParameter("--all 与指定党组织不能同用。", param_hint="--all")
    if not all_ and not branches:
        raise typer.BadParameter("请指定党组织，或用 --all 表示全部。", param_hint="BRANCHES")
    return None if all_ else branches


@grade_app.command("deliberate")
def deliberate(
    ctx: typer.Context,
    branches: list[str] | None = typer.Argument(None, help="党组织名称（可多个）。"),
    all_: bool = typer.Option(False, "--all", help="全部已定级、尚未审议的党组织，均同意拟定等级。"),
    on: str | None = OnOption,
    grade: str | None = typer.Option(None, "--grade", "-g", help="会议改定的等级（好/较好/一般/较差）。"),
    reason: str | None = typer.Option(None, "--reason", help="改变拟定等级的理由（改变时必填）。"),
    by: str | None = ByOption,
) -> None:
    """群众党员会议审议：记录会议日期，同意拟定等级，或改定等级并写明理由。

    示例：jcnian grade deliberate 五夫村 --on 2012-04-18
    """
    from jcnian import gradebook
    from jcnian.grading import parse_grade

    refs = _refs(branches, all_)
    day = parse_date(on, "--on")
    chosen = parse_grade(grade) if grade else None
    with ledger(ctx) as session:
        result = gradebook.deliberate(session, refs, day, grade=chosen, reason=reason, by=by)
    _report_step(result, "已记录群众党员会议审议：")


@grade_app.command("approve")
def approve(
    ctx: typer.Context,
    branches: list[str] | None = typer.Argument(None, help="党组织名称（可多个）。"),
    all_: bool = typer.Option(False, "--all", help="全部已定级、尚未终定的党组织，按审议等级终定。"),
    on: str | None = OnOption,
    grade: str | None = typer.Option(
        None, "--grade", "-g", help="镇党委终定的等级（与审议等级不同时须 --reason）。"
    ),
    reason: str | None = typer.Option(None, "--reason", help="终定等级与审议等级不同的理由。"),
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """组织考评：镇党委终定等级。须先经群众党员会议审议；终定后的名单须符合等级比例。

    不符合时须用 --override 写明理由，理由记入历史。比例检查见 jcnian grade quota。

    示例：jcnian grade approve --all --on 2012-04-25
    """
    from jcnian import gradebook
    from jcnian.grading import parse_grade

    refs = _refs(branches, all_)
    day = parse_date(on, "--on")
    chosen = parse_grade(grade) if grade else None
    with ledger(ctx) as session:
        result = gradebook.approve(session, refs, day, grade=chosen, reason=reason, override=override, by=by)
    _report_step(result, "镇党委已终定")


@grade_app.command("publish")
def publish(
    ctx: typer.Context,
    on: str | None = OnOption,
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """公开定级名单：记录公开日期。须全部终定且符合等级比例，否则须 --override 写明理由。

    公开后再改等级须用 jcnian grade change 写明理由，然后重新公开。

    示例：jcnian grade publish --on 2012-04-28
    """
    from jcnian import gradebook

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        result = gradebook.publish(session, day, override=override, by=by)
    _report_step(result, "已公开")


@grade_app.command("change")
def change(
    ctx: typer.Context,
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    grade: str = typer.Argument(..., help="新的等级：好/较好/一般/较差。"),
    reason: str = typer.Option(..., "--reason", help="改定的理由（必填）。"),
    on: str | None = OnOption,
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """改定已终定（或已公开）的等级，必须写明理由；全部改动记入历史。

    示例：jcnian grade change 五夫村 较好 --reason 复核发现漏计工作业绩 --on 2012-05-03
    """
    from jcnian import gradebook
    from jcnian.grading import parse_grade

    day = parse_date(on, "--on")
    new = parse_grade(grade)
    with ledger(ctx) as session:
        result = gradebook.change_grade(session, branch, new, day, reason, override=override, by=by)
    say(f"已将 {result.branch} 的等级由“{result.before}”改定为“{result.after}”（{result.on.isoformat()}）。")
    if result.published:
        say("该等级此前已公开，请重新公开：jcnian grade publish", "yellow")


@grade_app.command("history")
def history(
    ctx: typer.Context,
    branch: str = typer.Argument(..., help="党组织名称或其唯一的一部分。"),
    fmt: Format = FormatOption,
) -> None:
    """查看一个党组织的等级历史：拟定、审议、终定、公开、改定、验收后重新评定，含日期、理由。

    示例：jcnian grade history 五夫村
    """
    from dataclasses import asdict

    from jcnian import gradebook

    with ledger(ctx) as session:
        h = gradebook.history(session, branch)
    rows = [asdict(e) for e in h.events]
    if fmt is Format.json:
        emit_json(
            {
                "branch": h.branch,
                "category": h.category,
                "initial": _g(h.initial),
                "final": _g(h.final),
                "movement": h.movement,
                "events": rows,
            }
        )
        return
    columns = [
        ("on", "日期"),
        ("label", "步骤"),
        ("grade", "等级"),
        ("score", "总分"),
        ("reason", "理由"),
        ("override", "越过检查"),
        ("by", "作出"),
    ]
    emit(_two(rows, ("score",), fmt), columns, fmt, title=f"{h.branch} 等级历史")
    if fmt is Format.table and h.initial is not None:
        moved = f"，{h.movement}" if h.movement else ""
        say(f"初定等级：{h.initial}；现等级：{h.final}{moved}。")


# --- quota, suggest, backward ---------------------------------------------------------


def _check_json(check: "QuotaCheck") -> dict[str, Any]:
    return {
        "ok": check.ok,
        "graded": check.graded,
        "bands": [
            {
                "band": b.band,
                "target_share": float(b.target_share),
                "target": b.target,
                "min": b.min,
                "max": b.max,
                "actual": b.actual,
                "ok": b.ok,
            }
            for b in check.bands
        ],
    }


def _quota_rows(report: "QuotaReport", only: str | None) -> list[dict[str, Any]]:
    parts = [] if only else [("全部", report.overall)]
    parts += list(report.categories.items())
    rows = []
    for where, check in parts:
        if check.graded == 0:
            rows.append({"scope": where, "graded": 0, "band": "（无）"})
            continue
        for b in check.bands:
            rows.append(
                {
                    "scope": where,
                    "graded": check.graded,
                    "band": b.band,
                    "target_share": f"{float(b.target_share):.0%}",
                    "target": b.target,
                    "range": f"{b.min}–{b.max}",
                    "actual": b.actual,
                    "verdict": "符合" if b.ok else "不符",
                }
            )
    return rows


@grade_app.command("quota")
def quota(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c", help="只检查某一分类，如 农村。"),
    fmt: Format = FormatOption,
) -> None:
    """等级比例检查（好+较好 约 30%、一般 约 60%、较差 约 10%）：先全部，再分类。

    每档列出比例、目标数、容差允许的范围、实有数和结论。

    终定等级优先，未终定的按拟定等级计，未完成评分的不计。没有党组织的分类显示“（无）”。
    任一档不符时退出码为 1。

    {tie}

    JSON：{{"ok", "graded", "bands": [{{"band", "target_share", "target", "min", "max", "actual", "ok"}}],
    "categories": {{分类: 同上}}}}；顶层 ok 表示全部和各分类都符合。

    示例：jcnian grade quota --category 农村 --format json
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        report = gradebook.quota_report(session, category)
    top = report.categories[category] if category else report.overall
    if fmt is Format.json:
        data = _check_json(top) | {"ok": report.ok}
        data["categories"] = {c: _check_json(chk) for c, chk in report.categories.items()}
        emit_json(data)
    else:
        columns = [
            ("scope", "范围"),
            ("graded", "参评数"),
            ("band", "档"),
            ("target_share", "比例"),
            ("target", "目标数"),
            ("range", "允许范围"),
            ("actual", "实有"),
            ("verdict", "结论"),
        ]
        emit(_quota_rows(report, category), columns, fmt, title="等级比例检查")
        if fmt is Format.table:
            say(
                "结论：符合。" if report.ok else "结论：不符合，终定或公开须 --override 写明理由。",
                None if report.ok else "red",
            )
    if not report.ok:
        raise typer.Exit(1)


quota.__doc__ = (quota.__doc__ or "").format(tie=TIE_HELP)


@grade_app.command("suggest")
def suggest(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c", help="只排某一分类，如 农村。"),
    fmt: Format = FormatOption,
) -> None:
    """按比例强制分布的参考：按总分排名分档，与分数线等级并列，看出比例会使哪些党组织升降。

    前 30% 为好/较好、中间 60% 为一般、后 10% 为较差（目标数同 grade quota）。
    有一票否决的排在最后。只是参考，不改动任何等级。

    同分跨越分档线时显示为“并列”，注明几个党组织争几个名额，绝不擅自拆分。

    {tie}

    示例：jcnian grade suggest --category 农村
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        report = gradebook.suggest(session, category)
    rows = []
    for e in report.entries:
        tie = None
        if e.tie:
            places = "、".join(f"{b} {n} 个" for b, n in e.tie.places.items())
            tie = f"并列：{e.tie.size} 个同分，争 {places}"
        rows.append(
            {
                "rank": e.rank,
                "branch": e.branch,
                "category": e.category,
                "score": e.score,
                "threshold": e.threshold.value,
                "current": e.current.value,
                "band": e.band,
                "suggested": _g(e.suggested),
                "tie": tie,
                "moved": e.moved,
                "vetoed": e.vetoed,
            }
        )
    if fmt is Format.json:
        emit_json({"targets": report.targets, "entries": rows, "ungraded": report.ungraded})
        return
    for r in rows:
        r["note"] = "；".join(
            x
            for x in (r["tie"], "按比例将变动" if r["moved"] else None, "一票否决" if r["vetoed"] else None)
            if x
        )
    columns = [
        ("rank", "名次"),
        ("branch", "党组织"),
        ("category", "分类"),
        ("score", "总分"),
        ("threshold", "分数线等级"),
        ("current", "现等级"),
        ("band", "按比例"),
        ("suggested", "参考等级"),
        ("note", "说明"),
    ]
    targets = "、".join(f"{b} {n}" for b, n in report.targets.items())
    emit(_two(rows, ("score",), fmt), columns, fmt, title=f"按比例排名参考（目标：{targets}）")
    if fmt is Format.table and report.ungraded:
        say(f"{len(report.ungraded)} 个党组织评分不全，未参与排名。", "yellow")


suggest.__doc__ = (suggest.__doc__ or "").format(tie=TIE_HELP)


@grade_app.command("backward")
def backward(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """倒排后进党组织（实施意见 三、三）：农村党组织按总分从低到高取 10%（四舍五入）。

    分界处同分的一并列入并注明，作为整顿转化、一村一策的对象。
    分类和比例取自评分办法 [backward]；评分不全的不参与倒排，另行提示。

    示例：jcnian grade backward --format json
    """
    from jcnian import gradebook

    with ledger(ctx) as session:
        report = gradebook.backward_report(session)
    rows = [
        {"rank": e.rank, "branch": e.name, "score": e.score, "grade": _g(e.grade), "tie": e.tie}
        for e in report.entries
    ]
    if fmt is Format.json:
        emit_json(
            {
                "category": report.category,
                "ratio": float(report.ratio),
                "population": report.population,
                "count": report.count,
                "entries": rows,
                "unscored": report.unscored,
            }
        )
        return
    for r in rows:
        r["note"] = "分界处同分，一并列入" if r["tie"] else ""
    title = (
        f"后进党组织（{report.category} {report.population} 个 × {float(report.ratio):.0%} "
        f"= {report.count} 个，倒数）"
    )
    emit(
        _two(rows, ("score",), fmt),
        [("rank", "倒数名次"), ("branch", "党组织"), ("score", "总分"), ("grade", "等级"), ("note", "说明")],
        fmt,
        title=title,
    )
    if fmt is Format.table and report.unscored:
        say(
            f"注意：{len(report.unscored)} 个{report.category}党组织评分不全，未参与倒排：{'、'.join(report.unscored[:10])}",
            "yellow",
        )
