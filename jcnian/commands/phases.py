"""Commands for the campaign's windows and the daily dashboard: campaign, status, overdue, lagging.

Also what the phase commands share: the ``--on``, ``--override`` and branch parameters,
``in_ledger`` (one domain call in the command's transaction) and ``record`` (the same for a
recording step, then how it is reported); and the renderers ``jcnian demo`` reuses.
"""

from dataclasses import asdict
from typing import Any

import typer

from jcnian.commands.common import (
    AsOfOption,
    BranchFilter,
    CategoryFilter,
    Format,
    FormatOption,
    Limit,
    LimitOption,
    WideOption,
    emit,
    in_ledger,
    parse_date,
    say,
)
from jcnian.commands.layout import optional
from jcnian.commands.ledger import campaign_list, campaign_new

campaign_app = typer.Typer(
    help="活动：列出、新增（多镇多年度），阶段日期和其他限期要求。"
    "\n\n示例：jcnian campaign show --as-of 2012-04-25",
    no_args_is_help=True,
)
campaign_app.command("list")(campaign_list)
campaign_app.command("new")(campaign_new)

# --- campaign -------------------------------------------------------------------------


@campaign_app.command("show")
def campaign_show(ctx: typer.Context, as_of: str | None = AsOfOption, fmt: Format = FormatOption) -> None:
    """显示四个阶段的起止日期、状态和其他限期要求。

    状态为 未开始、进行中 或 已结束。

    阶段可以重叠（分类定级 3 月开始时动员部署尚未结束）；结束日当天仍算进行中。

    示例：jcnian campaign show --as-of 2012-04-25
    """
    from jcnian.campaign import dates as campaign_dates

    on = parse_date(as_of)
    view = in_ledger(ctx, campaign_dates.show_campaign, on, write=False)
    windows = [
        {"phase": w.label, "code": w.phase, "start": w.start, "end": w.end, "state": w.state}
        for w in view.windows
    ]
    dated = [
        {
            "rule": r.rule,
            "label": r.label,
            "due": r.due,
            "category": r.category,
            "state": r.state,
            "source": r.source,
        }
        for r in view.rules
    ]
    emit(
        windows,
        [("phase", "阶段"), ("code", "代码"), ("start", "开始"), ("end", "结束（含）"), ("state", "状态")],
        fmt,
        title=f"{view.campaign}（截至 {on}）",
        json_rows={"campaign": view.campaign, "as_of": on, "windows": windows, "rules": dated},
        footer=lambda: emit(
            dated,
            [
                ("label", "其他限期要求"),
                ("rule", "代码"),
                ("category", "适用"),
                ("due", "截止"),
                ("source", "依据"),
                ("state", "状态"),
            ],
            Format.table,
        ),
    )


@campaign_app.command("set-window")
def campaign_set_window(
    ctx: typer.Context,
    phase: str = typer.Argument(
        ..., metavar="阶段", help="阶段：动员部署/分类定级/深入实施/总结验收（或 mobilize 等代码）。"
    ),
    start: str = typer.Argument(..., metavar="开始日期", help="开始日期 YYYY-MM-DD。"),
    end: str = typer.Argument(..., metavar="结束日期", help="结束日期 YYYY-MM-DD（当天仍算进行中）。"),
) -> None:
    """改设一个阶段的起止日期（如另一年的活动）。阶段之间允许重叠。

    示例：jcnian campaign set-window 动员部署 2013-03-01 2013-04-25
    """
    from jcnian.campaign import dates as campaign_dates

    first, last = parse_date(start, "开始日期"), parse_date(end, "结束日期")
    before, after = in_ledger(ctx, campaign_dates.set_window, phase, first, last)
    say(f"{after.label}：{before.start} 至 {before.end} → {after.start} 至 {after.end}。")


@campaign_app.command("set-rule")
def campaign_set_rule(
    ctx: typer.Context,
    rule: str = typer.Argument(
        ..., metavar="规定", help="规定：revisit（回头看）或 coverage（非公企业全覆盖）。"
    ),
    due: str = typer.Argument(..., metavar="截止日期", help="截止日期 YYYY-MM-DD（当天仍算按期）。"),
) -> None:
    """改设其他限期要求的截止日期。

    回头看默认 6 月 30 日；非公企业全覆盖在“七一”前，即 6 月 30 日。

    示例：jcnian campaign set-rule revisit 2013-06-30
    """
    from jcnian import phases
    from jcnian.campaign import dates as campaign_dates

    day = parse_date(due, "截止日期")
    before, after = in_ledger(ctx, campaign_dates.set_rule, rule, day)
    say(f"{phases.RULE_LABELS[phases.parse_rule(rule)]}：截止 {before} → {after}。")


# --- status ---------------------------------------------------------------------------

PHASE_KEYS = ("phase", "start", "end", "state", "done", "total", "overdue")
OVERDUE_COLUMNS = [
    ("branch", "党组织"),
    ("phase", "阶段"),
    ("item", "事项"),
    ("due", "截止日期"),
    ("days", "逾期天数"),
    ("kind", "类别"),
    ("detail", "说明"),
]


def status_json(view: Any) -> dict[str, Any]:
    """The ``status --format json`` contract: ``phases`` in the seed's order, then the details."""
    from jcnian.phases import OTHER

    phases = [
        {
            "phase": p.label,
            "start": p.start,
            "end": p.end,
            "state": p.state,
            "done": p.done,
            "total": p.total,
            "overdue": p.overdue,
        }
        for p in view.phases
        if p.phase != OTHER
    ]
    data: dict[str, Any] = {"campaign": view.campaign, "as_of": view.as_of, "phases": phases}
    if view.branch:
        data["branch"] = view.branch
        data["checklist"] = [
            {
                "phase": i.phase_label,
                "item": i.label,
                "done": i.done,
                "due": i.due,
                "overdue": i.overdue,
                "state": i.state,
                "done_on": i.done_on,
                "late_days": i.late_by,
                "detail": i.detail,
            }
            for i in view.checklist
        ]
    data["deliverables"] = [
        {
            "phase": p.label,
            "item": d.label,
            "done": d.done,
            "on_time": d.on_time,
            "done_late": d.done_late,
            "total": d.total,
            "overdue": d.overdue,
            "due": d.due,
        }
        for p in view.phases
        for d in p.deliverables
    ]
    if view.rally is not None:
        data["rally"] = {
            "held_on": view.rally.held_on,
            "attendance": view.rally.attendance,
            "done": view.rally.held_on is not None,
            "due": view.rally.due,
            "overdue": view.rally.overdue,
            "late_days": view.rally.late_days,
        }
    data["coverage"] = {
        "due": view.coverage.due,
        "total": view.coverage.total,
        "covered": view.coverage.covered,
        "overdue": view.coverage.overdue,
    }
    data["overdue"] = [asdict(r) for r in view.overdue]
    data["deadlines"] = [asdict(d) for d in view.deadlines]
    return data


def _rally_row(view: Any) -> list[dict[str, Any]]:
    """The town's 动员大会 as the first deliverable of 动员部署 (镇党委召开…动员大会, 二、(一))."""
    from jcnian.phases import PHASE_LABELS

    r = view.rally
    if r is None:
        return []
    held = f"（{r.held_on}" + (f"，{r.attendance} 人" if r.attendance else "") + "）" if r.held_on else ""
    return [
        {
            "phase": PHASE_LABELS["mobilize"],
            "item": f"镇党委召开动员大会{held}",
            "ratio": "1/1" if r.held_on else "0/1",
            "late_done": f"逾期 {r.late_days} 天" if r.late_days else "",
            "overdue": "逾期" if r.overdue else "",
            "due": None if r.held_on else r.due,
        }
    ]


def render_status(view: Any, fmt: Format, *, overdue_limit: int = 20) -> None:
    """The dashboard as tables (or the JSON/CSV contract); ``jcnian demo`` prints it too."""
    from jcnian.phases import OTHER

    data = status_json(view)
    rows = data["phases"]
    if fmt is not Format.table:
        # Scripts get the phases with their own keys (and JSON the whole dashboard).
        emit(rows, [(k, k) for k in PHASE_KEYS], fmt, json_rows=data)
        return
    title = (
        f"{view.branch}（截至 {view.as_of}）"
        if view.branch
        else f"{view.campaign}：进度（截至 {view.as_of}）"
    )
    emit(
        [r | {"window": f"{r['start']} 至 {r['end']}", "ratio": f"{r['done']}/{r['total']}"} for r in rows],
        [
            ("phase", "阶段"),
            ("window", "起止"),
            ("state", "状态"),
            ("ratio", "全部完成"),
            ("overdue", "有逾期"),
        ],
        fmt,
        title=title,
    )
    if view.branch:
        emit(
            [
                {
                    "phase": i.phase_label,
                    "item": i.label,
                    "state": (
                        f"✓ 逾期完成（{i.late_by} 天）"
                        if i.late_by
                        else "✓ 已完成"
                        if i.done
                        else "✗ 逾期"
                        if i.overdue
                        else "待办"
                    ),
                    "due": i.due,
                    "detail": i.detail,
                }
                for i in view.checklist
            ],
            [("phase", "阶段"), ("item", "事项"), ("state", "状态"), ("due", "截止"), ("detail", "说明")],
            fmt,
            title="逐项清单",
        )
    else:
        items = _rally_row(view) + [
            {
                "phase": p.label,
                "item": d.label,
                "ratio": f"{d.done}/{d.total}",
                "late_done": d.done_late or "",
                "overdue": d.overdue or "",
                "due": d.due if d.done < d.total else None,
            }
            for p in view.phases
            for d in p.deliverables
        ]
        cov = view.coverage
        items.append(
            {
                "phase": next(p.label for p in view.phases if p.phase == OTHER),
                "item": "非公企业党组织全覆盖（摸排企业）",
                "ratio": f"{cov.covered}/{cov.total}",
                "overdue": "逾期" if cov.overdue else "",
                "due": cov.due,
            }
        )
        emit(
            items,
            [
                ("phase", "阶段"),
                ("item", "事项"),
                ("ratio", "完成/应做"),
                ("late_done", "其中逾期完成"),
                ("overdue", "逾期未完成"),
                ("due", "截止"),
            ],
            fmt,
            title="各项交付（按党组织计）",
        )
        late = [asdict(r) for r in view.overdue]
        shown = late[:overdue_limit]
        if shown:
            emit(
                shown,
                OVERDUE_COLUMNS,
                fmt,
                title=f"逾期事项（{len(late)} 项"
                + (f"，只列前 {overdue_limit} 项，全部见 jcnian overdue" if len(late) > overdue_limit else "")
                + "）",
            )
    if view.deadlines:
        later = view.later_deadlines
        more = (
            f"（另有 {later} 个较晚的截止事项未列出，逐个党组织的见 jcnian status 党组织）" if later else ""
        )
        emit(
            [asdict(d) | {"pending": d.pending or ""} for d in view.deadlines],
            [("on", "日期"), ("what", "截止事项"), ("pending", "尚未完成的党组织")],
            fmt,
            title=f"近期截止{more}",
        )


def status(
    ctx: typer.Context,
    branch: str | None = typer.Argument(None, metavar="党组织", help="只看一个党组织的逐项清单，如 五夫村。"),
    as_of: str | None = AsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """每天早上看的进度总览：阶段、交付、逾期、近期截止。

    列出各阶段日期与状态、各项交付完成数、逾期事项和近期截止。

    给出党组织名称时，列出它在四个阶段的逐项清单。截至某日的状态只计该日及以前的记录。
    JSON：{"phases": [{"phase", "start", "end", "state", "done", "total", "overdue"}, …], …}，
    state 为 未开始/进行中/已结束；rally 为镇党委动员大会（held_on、attendance、done、due、overdue、late_days），
    在各项交付表中列为动员部署的第一项。

    示例：jcnian status --as-of 2012-05-10
    """
    from jcnian.campaign import dashboard, guarantees

    on = parse_date(as_of)

    def read(session: Any) -> Any:  # one snapshot for the dashboard and the activities beside it
        extra = guarantees.summary(session, on) if branch is None and fmt is Format.table else None
        return dashboard.status(session, on, branch), extra

    view, activities = in_ledger(ctx, read, write=False)
    render_status(view, fmt)
    if activities:
        emit(
            [asdict(r) for r in activities],
            [("item", "七大活动与组织保障"), ("state", "情况")],
            fmt,
            title=f"七大活动与组织保障（截至 {on}；明细见 pledge、deed、fiveone、training 等命令）",
        )


def overdue(
    ctx: typer.Context,
    as_of: str | None = AsOfOption,
    branch: str | None = BranchFilter,
    category: str | None = CategoryFilter,
    phase: str | None = typer.Option(
        None,
        "--phase",
        "-p",
        metavar="阶段",
        help="只列一个阶段的：动员部署、分类定级、深入实施、总结验收、其他要求（或 mobilize 等代码）。",
    ),
    limit: int | None = LimitOption,
    fmt: Format = FormatOption,
) -> None:
    """列出截至某日的逾期事项。

    各阶段交付、项目和任务、月度考核和书面汇报，逾期的都列出。

    可按党组织、分类、阶段缩小范围。有逾期事项时退出码为 1，便于定时任务提醒。

    示例：jcnian overdue --as-of 2012-07-01 --phase 深入实施
    """
    from jcnian.campaign import dashboard

    on = parse_date(as_of)
    rows = in_ledger(ctx, dashboard.overdue, on, branch=branch, category=category, phase=phase, write=False)
    emit(
        [asdict(r) for r in rows],
        OVERDUE_COLUMNS,
        fmt,
        title=f"逾期事项（截至 {on}，{len(rows)} 项）",
        limit=Limit(limit, "--branch、--category、--phase"),
    )
    if any(r.kind != dashboard.LATE_DONE for r in rows):
        raise typer.Exit(1)


LAG_COLUMNS = [
    ("owner", "具体责任人"),
    ("secretary", "党组织负责人"),
    ("branch", "党组织"),
    ("project", "项目"),
    # At 80 columns the two 问责 names come before the figures (the reason says how far behind).
    optional("percent", "进度%"),
    optional("expected", "应达%"),
    ("due", "完成期限"),
    ("reason", "原因"),
]


def render_lagging(
    rows: list[Any], on: Any, fmt: Format, *, wide: bool | None = None, limit: Limit | None = None
) -> None:
    emit(
        [asdict(r) for r in rows],
        LAG_COLUMNS,
        fmt,
        title=f"推进不力的项目责任人（问责对象候选，截至 {on}，{len(rows)} 项）",
        wide=wide,
        limit=limit,
    )


def lagging(
    ctx: typer.Context,
    as_of: str | None = AsOfOption,
    branch: str | None = BranchFilter,
    category: str | None = CategoryFilter,
    limit: int | None = LimitOption,
    wide: bool = WideOption,
    fmt: Format = FormatOption,
) -> None:
    """列出项目推进不力的责任人（问责对象候选）。

    推进不力：逾期未完成、进度落后于按期直线 20 个百分点以上，或有任务逾期。

    每项列出项目的具体责任人和党组织负责人（当天在任的书记，见 secretary set/change）。
    JSON/CSV 的 owner 为具体责任人，secretary 为党组织负责人（未登记书记时为空）。

    示例：jcnian lagging --as-of 2012-07-15 --format json
    """
    from jcnian.campaign import dashboard

    on = parse_date(as_of)
    rows = in_ledger(ctx, dashboard.lagging, on, branch=branch, category=category, write=False)
    render_lagging(rows, on, fmt, wide=wide, limit=Limit(limit, "--branch、--category"))
