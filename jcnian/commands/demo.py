"""``jcnian demo``: a whole campaign on a fresh ledger, for a newcomer's first look."""

from typing import Any

import typer

from jcnian.commands.common import Format, State, emit, ledger, parse_date, say, state


def _target(ctx: typer.Context, db: str | None) -> str | None:
    return db if db is not None else state(ctx).db


def _section(title: str) -> None:
    typer.echo("")
    typer.echo(f"══ {title} ══")


def _render_grades(states: list[Any]) -> None:
    rows = [
        {
            "name": s.name,
            "category": s.category,
            "score": f"{s.score:.2f}" if s.score is not None else None,
            "proposed": s.proposed,
            "initial": s.initial,
            "final": s.final,
        }
        for s in states
    ]
    emit(
        rows,
        [
            ("name", "党组织"),
            ("category", "分类"),
            ("score", "总分"),
            ("proposed", "拟定"),
            ("initial", "定级"),
            ("final", "现等级"),
        ],
        Format.table,
        title="分类定级结果（定级 = 4 月组织考评；现等级 = 验收后重新评定）",
    )


def _render_quota(report: Any) -> None:
    rows = []
    for where, check in (("全部", report.overall), *report.categories.items()):
        for band in check.bands:
            rows.append(
                {
                    "where": where,
                    "band": band.band,
                    "target": band.target,
                    "range": f"{band.min}–{band.max}",
                    "actual": band.actual,
                    "ok": "符合" if band.ok else "不符合",
                }
            )
    emit(
        rows,
        [
            ("where", "范围"),
            ("band", "档次"),
            ("target", "目标数"),
            ("range", "允许范围"),
            ("actual", "实有数"),
            ("ok", "结论"),
        ],
        Format.table,
        title="等级比例检查（4 月终定时；好+较好 30%、一般 60%、较差 10% 左右）",
    )


def _render_backward(report: Any) -> None:
    rows = [
        {"rank": e.rank, "name": e.name, "score": f"{e.score:.2f}", "tie": "并列" if e.tie else ""}
        for e in report.entries
    ]
    emit(
        rows,
        [("rank", "倒排名次"), ("name", "党组织"), ("score", "总分"), ("tie", "分界处并列")],
        Format.table,
        title=f"后进党组织（{report.category}倒排 {report.count} 个）",
    )


def demo(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", help="演示用的账本，默认同全局 --db（当前目录下的 jcnian.db）。"
    ),
    fresh: bool = typer.Option(
        False, "--fresh", help="账本是上次演示生成的时，先清空再演示；组织办录入的账本从不清空。"
    ),
    until: str | None = typer.Option(
        None,
        "--until",
        metavar="YYYY-MM-DD",
        help="只演示到这一天（含当天）：同一随机种子，这一天及以前的记录与完整演示完全相同。",
    ),
) -> None:
    """演示：在新账本上用固定数据走完四个阶段。

    载入联系表，用固定随机种子生成数据。

    依次显示 4 月 20 日、6 月 15 日、8 月 15 日、9 月 30 日的进度总览，分类定级结果、
    等级比例检查、后进党组织名单和总结验收报告。两次运行输出相同。演示只在新账本上运行：
    账本是上次演示生成的，加 --fresh 清空后重来；账本里有组织办录入的数据时一律拒绝，从不清空。

    加 --until 只演示到某一天，得到账本“当时的样子”。

    示例：jcnian demo --db demo.db --until 2012-06-30
    """
    from jcnian.commands.accept import render_report
    from jcnian.commands.phases import render_lagging, render_status
    from jcnian.demo import play, prepare_ledger

    last_day = None if until is None else parse_date(until, "--until")
    target = _target(ctx, db)
    prepare_ledger(target, fresh)
    ctx.find_root().obj = State(db=target, debug=state(ctx).debug)
    say("正在生成演示数据（驿亭镇 2012 年，32 个党组织）……")
    with ledger(ctx, create=True) as session:
        result = play(session, until=last_day)
    typer.echo(f"{result.campaign}：演示账本，{result.branches} 个党组织，数据由固定随机种子生成。")
    for view in result.statuses:
        _section(f"进度总览：{view.as_of}")
        render_status(view, Format.table, overdue_limit=8)
    _section("分类定级")
    _render_grades(result.grades)
    _render_quota(result.quota)
    _render_backward(result.backward)
    _section(f"深入实施：问责对象候选（{result.lagging_on}）")
    render_lagging(result.lagging, result.lagging_on.isoformat(), Format.table)
    _section("总结验收")
    render_report(result.acceptance, Format.table)
    prefix = f"jcnian --db {target}" if target else "jcnian"
    say(f"演示完成。换一天看进度：{prefix} status --as-of 2012-05-10；看一个党组织：{prefix} status 五夫村。")
