"""``jcnian grade`` reports: the list with its distribution bar, the quota check, suggest, backward.

Added to ``grade_app`` by commands/grade.py; the helpers they share are in commands/common.py.
"""

from typing import TYPE_CHECKING, Any

import typer

from jcnian.commands.common import (
    TABLE_MAX,
    Format,
    FormatOption,
    GradeAsOfOption,
    Limit,
    RowsLimitOption,
    WideOption,
    emit,
    grade_as_of,
    grade_or_none,
    ledger,
    rounded,
    say,
    score_text,
)
from jcnian.commands.layout import optional

if TYPE_CHECKING:
    from jcnian.gradebook.reads import GradeState, QuotaReport
    from jcnian.grading import QuotaCheck

TIE_HELP = (
    "目标数按最大余数法计算（精确分数）：先取 比例×参评数 的整数部分，余下名额给余数大的档；"
    "余数相同时比例大的档优先（一般 0.60 先于 较差 0.10），比例也相同时依次为 一般、好+较好、较差。"
    "例如 16 个村：好+较好 5、一般 10、较差 1。"
)


def _list_rows(
    states: list["GradeState"], sources: list[str], scopes: dict[Any, str] | None = None
) -> list[dict[str, Any]]:
    """One row per branch; ``scopes`` maps a publication day to where it was published."""
    scopes = scopes or {}
    rows = []
    for s in states:
        row: dict[str, Any] = {"branch": s.name, "category": s.category}
        for source in sources:
            row[source] = s.source_totals.get(source)
        row |= {
            "score": rounded(s.score),
            "proposed": grade_or_none(s.proposed),
            "grade": grade_or_none(s.final),
            "flags": s.flags,
            # Where the grade shown was made public: not once it changed after publication.
            "scope": scopes.get(s.published_on) if s.published_on and not s.republish else None,
        }
        rows.append(row)
    return rows


def _bar(check: "QuotaCheck", title: str) -> None:
    """The distribution against the quota targets, drawn with block characters."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    from jcnian.inert import terminal

    console = Console(highlight=False)
    console.print(Text(terminal(title), style="bold"))
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


def grade_list(
    ctx: typer.Context,
    category: str | None = typer.Option(
        None, "--category", "-c", metavar="分类", help="只列某一分类，如 农村。"
    ),
    as_of: str | None = GradeAsOfOption,
    wide: bool = WideOption,
    limit: int | None = RowsLimitOption,
    fmt: Format = FormatOption,
) -> None:
    """列出定级表：得分、总分、等级和等级分布图。

    每个党组织一行：各评价主体得分、总分、拟定等级、终定等级和提示；表后画出等级分布与比例目标的对照。

    JSON：数组，每项含 branch、category、score（两位小数，未完成为 null）、proposed、grade（终定，未终定为 null）、flags、
    scope（已公开的等级在哪里公开，即那次 grade publish --scope 记下的公开范围；未公开或未记范围为 null）。

    示例：jcnian grade list --category 农村
    """
    from jcnian.campaign.activities import publication_scopes
    from jcnian.gradebook import reads as gradebook

    day = grade_as_of(as_of)
    with ledger(ctx, write=False) as session:
        rubric = gradebook.current_rubric(session)
        states = list(gradebook.grade_states(session, category, detail=True, as_of=day).values())
        report = gradebook.quota_of(states, rubric, [category] if category else gradebook.categories(session))
        scopes = dict(publication_scopes(session, day))
    sources = list(rubric.sources)
    rows = _list_rows(states, sources, scopes)
    columns = [
        ("branch", "党组织"),
        ("category", "分类"),
        *[optional(s, s) for s in sources],  # CSV headers are the rubric's own source names
        ("score", "总分"),
        ("proposed", "拟定"),
        ("grade", "终定"),
        ("flags", "提示"),
        optional("scope", "公开范围", "text"),
    ]
    keys = ("score", *sources)
    where = category or "全部"
    check = report.categories[category] if category else report.overall
    emit(
        score_text(rows, keys),
        columns,
        fmt,
        title=f"分类定级（{len(rows)} 个党组织）",
        json_rows=[
            {k: r[k] for k in ("branch", "category", "score", "proposed", "grade", "flags", "scope")}
            for r in rows
        ],
        footer=lambda: _bar(check, f"等级分布（{where}，{check.graded} 个已定级；终定优先，否则按拟定）"),
        wide=wide,
        limit=Limit(limit, "--category", default=TABLE_MAX),
    )


# --- quota, suggest, backward ---------------------------------------------------------


def _check_json(check: "QuotaCheck") -> dict[str, Any]:
    return {
        "ok": check.ok,
        "graded": check.graded,
        "bands": [b.as_dict() for b in check.bands],
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


def quota(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c", help="只检查某一分类，如 农村。"),
    as_of: str | None = GradeAsOfOption,
    fmt: Format = FormatOption,
) -> None:
    """等级比例检查：先全部，再分类。

    好+较好 约 30%、一般 约 60%、较差 约 10%。

    每档列出比例、目标数、容差允许的范围、实有数和结论。

    终定等级优先，未终定的按拟定等级计，未完成评分的不计。没有党组织的分类显示“（无）”。
    任一档不符，或尚无已定级的党组织时，退出码为 1（JSON 的 ok 为 false）。

    {tie}

    JSON：{{"ok", "graded", "bands": [{{"band", "target_share", "target", "min", "max", "actual", "ok"}}],
    "categories": {{分类: 同上}}}}；顶层 ok 表示已有定级的党组织且全部和各分类都符合。

    示例：jcnian grade quota --category 农村 --format json
    """
    from jcnian.gradebook import reads as gradebook

    with ledger(ctx, write=False) as session:
        report = gradebook.quota_report(session, category, grade_as_of(as_of))
    top = report.categories[category] if category else report.overall
    # Nothing graded yet is not a pass: the check has nothing to check.
    ok = report.ok and top.graded > 0
    data = _check_json(top) | {"ok": ok}
    data["categories"] = {c: _check_json(chk) for c, chk in report.categories.items()}
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
    emit(
        _quota_rows(report, category),
        columns,
        fmt,
        title="等级比例检查",
        json_rows=data,
        footer=lambda: _quota_verdict(top.graded, ok),
    )
    if not ok:
        raise typer.Exit(1)


quota.__doc__ = (quota.__doc__ or "").format(tie=TIE_HELP)


def _quota_verdict(graded: int, ok: bool) -> None:
    if graded == 0:
        say("结论：尚无已定级的党组织，无法检查比例（请先录入评分并运行 jcnian grade compute）。", "red")
    else:
        say(
            "结论：符合。" if ok else "结论：不符合，终定或公开须 --override 写明理由。",
            None if ok else "red",
        )


def suggest(
    ctx: typer.Context,
    category: str | None = typer.Option(
        None, "--category", "-c", metavar="分类", help="只排某一分类，如 农村。"
    ),
    as_of: str | None = GradeAsOfOption,
    wide: bool = WideOption,
    fmt: Format = FormatOption,
) -> None:
    """按比例强制分布的参考：看出哪些党组织会因比例升降。

    按总分排名分档，与分数线等级并列。

    前 30% 为好/较好、中间 60% 为一般、后 10% 为较差（目标数同 grade quota）。
    有一票否决的排在最后。只是参考，不改动任何等级。

    同分跨越分档线时显示为“并列”，注明几个党组织争几个名额，绝不擅自拆分。

    {tie}

    示例：jcnian grade suggest --category 农村
    """
    from jcnian.gradebook import reads as gradebook

    with ledger(ctx, write=False) as session:
        report = gradebook.suggest(session, category, grade_as_of(as_of))
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
                "suggested": grade_or_none(e.suggested),
                "tie": tie,
                "moved": e.moved,
                "vetoed": e.vetoed,
            }
        )
    shown = [
        r
        | {
            "note": "；".join(
                x
                for x in (
                    r["tie"],
                    "按比例将变动" if r["moved"] else None,
                    "一票否决" if r["vetoed"] else None,
                )
                if x
            )
        }
        for r in rows
    ]
    columns = [
        ("rank", "名次"),
        ("branch", "党组织"),
        optional("category", "分类"),
        ("score", "总分"),
        optional("threshold", "分数线等级"),
        ("current", "现等级"),
        ("band", "按比例"),
        ("suggested", "参考等级"),
        ("note", "说明"),
    ]
    targets = "、".join(f"{b} {n}" for b, n in report.targets.items())
    emit(
        score_text(shown, ("score",)),
        columns,
        fmt,
        title=f"按比例排名参考（目标：{targets}）",
        json_rows={"targets": report.targets, "entries": rows, "ungraded": report.ungraded},
        footer=lambda: (
            report.ungraded and say(f"{len(report.ungraded)} 个党组织评分不全，未参与排名。", "yellow")
        ),
        wide=wide,
    )


suggest.__doc__ = (suggest.__doc__ or "").format(tie=TIE_HELP)


def backward(ctx: typer.Context, as_of: str | None = GradeAsOfOption, fmt: Format = FormatOption) -> None:
    """倒排后进党组织：农村党组织按总分倒排取 10%。

    依据实施意见 三、三：按总分从低到高取 10%（四舍五入）。

    分界处同分的一并列入并注明，作为整顿转化、一村一策的对象。
    分类和比例取自评分办法 [backward]；评分不全的不参与倒排，另行提示。

    每个后进党组织列出当天在任的书记和已登记的“调整不胜任书记”（原文 三、三）。

    示例：jcnian grade backward --format json
    """
    from jcnian.campaign.secretaries import backward_leadership

    with ledger(ctx, write=False) as session:
        found = backward_leadership(session, grade_as_of(as_of))
    report, leaders = found.report, found.secretaries
    rows = [
        {
            "rank": e.rank,
            "branch": e.name,
            "score": e.score,
            "grade": grade_or_none(e.grade),
            "tie": e.tie,
            "secretary": leaders[e.name].secretary if e.name in leaders else None,
            "secretary_changes": leaders[e.name].changes if e.name in leaders else [],
        }
        for e in report.entries
    ]
    data = {
        "category": report.category,
        "ratio": float(report.ratio),
        "population": report.population,
        "count": report.count,
        "entries": rows,
        "unscored": report.unscored,
        "complete": report.complete,
        "ungraded": len(report.ungraded),
    }
    shown = [
        r
        | {
            "note": "；".join(
                (["分界处同分，一并列入"] if r["tie"] else [])
                + [f"调整书记 {c}" for c in r["secretary_changes"]]
            )
        }
        for r in rows
    ]
    title = (
        f"后进党组织（{report.category} {report.population} 个 × {float(report.ratio):.0%} "
        f"= {report.count} 个，倒数）"
        + ("" if report.complete else f"（不完整：尚有 {len(report.ungraded)} 个未终定等级）")
    )
    emit(
        score_text(shown, ("score",)),
        [
            ("rank", "倒排名次"),
            ("branch", "党组织"),
            ("score", "总分"),
            ("grade", "等级"),
            ("secretary", "书记"),
            ("note", "说明"),
        ],
        fmt,
        title=title,
        json_rows=data,
        footer=lambda: _unscored_note(report),
    )


def _unscored_note(report: Any) -> None:
    if report.unscored:
        names = "、".join(report.unscored[:10])
        more = len(report.unscored) - 10
        tail = f"，另有 {more} 个未列出（--format json 的 unscored 列出全部）" if more > 0 else ""
        say(
            f"注意：{len(report.unscored)} 个{report.category}党组织评分不全，未参与倒排：{names}{tail}",
            "yellow",
        )
