"""``jcnian grade`` steps: compute the proposals, deliberate, approve, publish, change, history.

Added to ``grade_app`` by commands/grade.py; the helpers they share are in commands/common.py.
"""

from typing import TYPE_CHECKING, Any

import typer

from jcnian.commands.common import (
    TABLE_MAX,
    AsOfOption,
    BranchArg,
    BranchesArg,
    ByOption,
    Format,
    FormatOption,
    GradeAsOfOption,
    Limit,
    OnOption,
    OverrideOption,
    RowsLimitOption,
    WideOption,
    emit,
    grade_as_of,
    grade_or_none,
    ledger,
    parse_date,
    rounded,
    say,
    score_text,
)
from jcnian.commands.layout import optional

if TYPE_CHECKING:
    from datetime import date

    from jcnian.gradebook.steps import StepResult
    from jcnian.grading import Grade


def compute(
    ctx: typer.Context,
    as_of: str | None = AsOfOption,
    wide: bool = WideOption,
    limit: int | None = RowsLimitOption,
    fmt: Format = FormatOption,
) -> None:
    """计算总分和拟定等级，列出每一处调整及理由。

    各评价主体按指标求和，按权重加权，按分数线定级，再按满意率封顶和一票否决调整，每一处调整都列出理由。评分不全的党组织列为“未完成”并写明缺什么，不定级，绝不按 0 分计。
    拟定等级记入历史（与上次相同则不重复记录）。

    示例：jcnian grade compute --as-of 2012-04-20
    """
    from jcnian.gradebook import steps as grade_steps

    on = parse_date(as_of)
    with ledger(ctx) as session:
        result = grade_steps.compute(session, on)
    graded = [s for s in result.states if s.proposed is not None]
    incomplete = [s for s in result.states if s.proposed is None]
    rows = [
        {
            "branch": s.name,
            "category": s.category,
            "score": rounded(s.score),
            "threshold": grade_or_none(s.threshold),
            "proposed": grade_or_none(s.proposed),
            "changes": list(s.changes),
            "missing": s.missing,
        }
        for s in result.states
    ]
    columns = [
        ("branch", "党组织"),
        optional("category", "分类"),
        ("score", "总分"),
        optional("threshold", "分数线等级"),
        ("proposed", "拟定等级"),
        ("changes", "调整及理由"),
        ("missing", "缺少"),
    ]
    title = f"拟定等级（{len(graded)} 个已定级，{len(incomplete)} 个未完成）"
    shown = Limit(limit, default=TABLE_MAX)
    emit(score_text(rows, ("score",)), columns, fmt, title=title, json_rows=rows, wide=wide, limit=shown)
    say(f"已计算 {len(graded)} 个党组织的拟定等级，新记录 {result.recorded} 条。")
    if incomplete and fmt is Format.table and not shown.left_out:
        say(f"{len(incomplete)} 个党组织评分不全，未定级（缺什么见上表“缺少”一列）。", "yellow")
    elif incomplete:
        say(f"{len(incomplete)} 个党组织评分不全，未定级：", "yellow")
        for s in incomplete[:20]:
            say(f"  {s.name}：{'；'.join(s.missing)}", "yellow")
        if len(incomplete) > 20:
            say(f"  ……另有 {len(incomplete) - 20} 个未列出（输出中 missing 不为空的即是）。", "yellow")


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


def _step_inputs(
    branches: list[str] | None, all_: bool, on: str | None, grade: str | None
) -> tuple[list[str] | None, "date", "Grade | None"]:
    """What deliberate and approve both take: the branches (None for --all), the day, a grade."""
    from jcnian.grading import parse_grade

    if all_ and branches:
        raise typer.BadParameter("--all 与指定党组织不能同用。", param_hint="--all")
    if not all_ and not branches:
        raise typer.BadParameter("请指定党组织，或用 --all 表示全部。", param_hint="党组织")
    return None if all_ else branches, parse_date(on, "--on"), parse_grade(grade) if grade else None


def deliberate(
    ctx: typer.Context,
    branches: list[str] | None = BranchesArg,
    all_: bool = typer.Option(False, "--all", help="全部已定级、尚未审议的党组织，均同意拟定等级。"),
    on: str | None = OnOption,
    grade: str | None = typer.Option(None, "--grade", "-g", help="会议改定的等级（好/较好/一般/较差）。"),
    reason: str | None = typer.Option(None, "--reason", help="改变拟定等级的理由（改变时必填）。"),
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """群众党员会议审议：同意拟定等级，或改定并写明理由。

    记录会议日期。改定的等级同样受满意率封顶和一票否决约束，高于允许的等级须 --override 写明理由。

    示例：jcnian grade deliberate 五夫村 --on 2012-04-18
    """
    from jcnian.gradebook import steps as grade_steps

    refs, day, chosen = _step_inputs(branches, all_, on, grade)
    with ledger(ctx) as session:
        result = grade_steps.deliberate(
            session, refs, day, grade=chosen, reason=reason, by=by, override=override
        )
    _report_step(result, "已记录群众党员会议审议：")


def approve(
    ctx: typer.Context,
    branches: list[str] | None = BranchesArg,
    all_: bool = typer.Option(False, "--all", help="全部已定级、尚未终定的党组织，按审议等级终定。"),
    on: str | None = OnOption,
    grade: str | None = typer.Option(
        None, "--grade", "-g", help="镇党委终定的等级（与审议等级不同时须 --reason）。"
    ),
    reason: str | None = typer.Option(None, "--reason", help="终定等级与审议等级不同的理由。"),
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """组织考评：镇党委终定等级。

    须先经群众党员会议审议；终定后的名单须符合等级比例。

    不符合时须用 --override 写明理由，理由记入历史。比例检查见 jcnian grade quota。

    示例：jcnian grade approve --all --on 2012-04-25
    """
    from jcnian.gradebook import steps as grade_steps

    refs, day, chosen = _step_inputs(branches, all_, on, grade)
    with ledger(ctx) as session:
        result = grade_steps.approve(
            session, refs, day, grade=chosen, reason=reason, override=override, by=by
        )
    _report_step(result, "镇党委已终定")


def publish(
    ctx: typer.Context,
    on: str | None = OnOption,
    override: str | None = OverrideOption,
    by: str | None = ByOption,
    scope: str | None = typer.Option(
        None, "--scope", help="公开的范围（原文“在一定范围内公开”），如 镇政务公开栏、各村村务公开栏。"
    ),
) -> None:
    """公开定级名单，记录公开日期（和公开范围 --scope）。

    须全部终定且符合等级比例，否则须 --override 写明理由。

    公开后再改等级须用 jcnian grade change 写明理由，然后重新公开。

    示例：jcnian grade publish --on 2012-04-28 --scope 镇政务公开栏、各村村务公开栏
    """
    from jcnian.campaign import activities
    from jcnian.commands.common import say_saved
    from jcnian.gradebook import steps as grade_steps

    day = parse_date(on, "--on")
    with ledger(ctx) as session:
        result = grade_steps.publish(session, day, override=override, by=by)
        where = activities.record_publication_scope(session, day, scope) if scope is not None else None
    _report_step(result, "已公开")
    if where is not None:
        say_saved(where)


def change(
    ctx: typer.Context,
    branch: str = BranchArg,
    grade: str = typer.Argument(..., metavar="等级", help="新的等级：好/较好/一般/较差。"),
    reason: str = typer.Option(..., "--reason", help="改定的理由（必填）。"),
    on: str | None = OnOption,
    override: str | None = OverrideOption,
    by: str | None = ByOption,
) -> None:
    """改定已终定或已公开的等级，必须写明理由。

    全部改动记入历史。

    示例：jcnian grade change 五夫村 较好 --reason 复核发现漏计工作业绩 --on 2012-05-03
    """
    from jcnian.gradebook import steps as grade_steps
    from jcnian.grading import parse_grade

    day = parse_date(on, "--on")
    new = parse_grade(grade)
    with ledger(ctx) as session:
        result = grade_steps.change_grade(session, branch, new, day, reason, override=override, by=by)
    say(f"已将 {result.branch} 的等级由“{result.before}”改定为“{result.after}”（{result.on.isoformat()}）。")
    if result.published:
        say("该等级此前已公开，请重新公开：jcnian grade publish", "yellow")
    for warning in result.warnings:
        say(warning, "yellow")


def history(
    ctx: typer.Context,
    branch: str = BranchArg,
    as_of: str | None = GradeAsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """查看一个党组织的等级历史。

    拟定、审议、终定、公开、改定、验收后重新评定，含日期、理由；公开一步列出公开范围（grade publish --scope）。

    JSON：{"branch", "category", "initial", "final", "movement", "events": [{…, "scope"}, …]}。

    示例：jcnian grade history 五夫村
    """
    from dataclasses import asdict

    from jcnian.campaign.activities import publication_scopes
    from jcnian.gradebook import steps as grade_steps

    day = grade_as_of(as_of)
    with ledger(ctx, write=False) as session:
        h = grade_steps.history(session, branch, day)
        scopes = dict(publication_scopes(session, day))
    rows = [
        asdict(e) | {"scope": scopes.get(e.on) if e.step == "published" and e.on else None} for e in h.events
    ]
    data = {
        "branch": h.branch,
        "category": h.category,
        "initial": grade_or_none(h.initial),
        "final": grade_or_none(h.final),
        "movement": h.movement,
        "events": rows,
    }
    columns = [
        ("on", "日期"),
        ("label", "步骤"),
        ("grade", "等级"),
        ("score", "总分"),
        ("reason", "理由"),
        ("override", "越过检查"),
        ("by", "作出"),
    ]
    shown = rows
    if fmt is Format.table:  # the scope in the reason's cell (a publication has no reason): 80 columns
        shown = [r | {"reason": r["reason"] or (r["scope"] and f"公开范围：{r['scope']}")} for r in rows]
    else:
        columns.append(("scope", "公开范围"))
    emit(
        score_text(shown, ("score",)),
        columns,
        fmt,
        title=f"{h.branch} 等级历史",
        json_rows=data,
        footer=lambda: _history_footer(h),
    )


def _history_footer(h: Any) -> None:
    if h.initial is not None:
        moved = f"，{h.movement}" if h.movement else ""
        say(f"初定等级：{h.initial}；现等级：{h.final}{moved}。")
