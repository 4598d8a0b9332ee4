"""The monthly report (the workbook the town sends the city each month) as plain rows per sheet.

It only gathers: every figure in it comes from the public functions of the ledger, grading
and phases modules (the phases ones called with the month's last day as the as-of date), so
the workbook cannot disagree with what ``jcnian status --as-of`` that day or ``grade list``
show. No rule is restated here. Laying the rows out (fonts, widths, charts, files) is
``jcnian.report.workbook``'s job; ledger tables for scripts are ``jcnian.report.tables``'s.
"""

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from jcnian.errors import InvalidInput
from jcnian.ledger import branch_views, campaign_label, current_campaign
from jcnian.report.workbook import Chart, Column, Sheet, Table


def month_bounds(text: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month; ValueError for anything else."""
    text = text.strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        raise ValueError(text)
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(text)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class MonthReport:
    """Everything the monthly workbook shows, as plain rows; ``as_of`` is the month's last day."""

    title: str
    month: str
    as_of: date
    sheets: Iterable[Sheet]  # a list from month_report, made as they are taken from month_stream


def _text(value: Any) -> str | None:
    """Grades are StrEnums: cells get the Chinese word, and a missing grade stays blank."""
    return None if value is None else str(value)


def _ratio(value: Any) -> float | None:
    """A Fraction or float share as a plain float cell value (0–1, shown as a percentage)."""
    return None if value is None else float(value)


def _verdict(ok: bool) -> str:
    return "符合" if ok else "不符合"


def _liaison_sheet(session: Session) -> Sheet:
    """The liaison table, read as the sheet is written (100,000 branches' views are the
    largest thing the report reads, and nothing else needs them)."""
    columns = (
        Column("序号", "int"),
        Column("党组织名称"),
        Column("组织形式"),
        Column("分类"),
        Column("联系领导"),
        Column("联系干部"),
        Column("备注"),
    )
    rows = (
        (i, b.name, b.form, b.category, b.leader, b.cadre, b.remarks)
        for i, b in enumerate(branch_views(session), start=1)
    )
    return Sheet("联系表", [Table(columns, rows)])


QUOTA_COLUMNS = (
    Column("档次"),
    Column("目标比例", "percent"),
    Column("目标数", "int"),
    Column("允许下限", "int"),
    Column("允许上限", "int"),
    Column("实有数", "int"),
    Column("结论"),
)


def _quota_rows(check: Any) -> list[tuple[Any, ...]]:
    return [
        (b.band, float(b.target_share), b.target, b.min, b.max, b.actual, _verdict(b.ok)) for b in check.bands
    ]


def _shares(check: Any) -> str:
    """The rubric's quota in words, e.g. 好+较好 30%、一般 60%、较差 10% 左右."""
    return "、".join(f"{b.band} {float(b.target_share):.0%}" for b in check.bands) + " 左右"


def _grading_sheets(states: Sequence[Any], sources: Sequence[str], quota: Any) -> list[Sheet]:
    """分类定级 with the quota check, and each source's score on a sheet of its own (all in one
    sheet they printed at well under 60% on A4)."""
    columns = (
        Column("序号", "int"),
        Column("党组织名称"),
        Column("分类"),
        Column("总分", "number"),
        Column("群众满意率", "percent"),
        Column("拟定等级"),
        Column("审议等级"),
        Column("终定等级"),
        Column("公开日期", "date"),
        Column("提示"),
    )
    rows = (
        (
            s.seq,
            s.name,
            s.category,
            s.score,
            _ratio(s.satisfaction),
            _text(s.proposed),
            _text(s.deliberated),
            _text(s.final),
            s.published_on,
            "；".join(s.flags) or None,
        )
        for s in states
    )
    scope_columns = (Column("范围"), Column("参评数", "int"), *QUOTA_COLUMNS)
    # A category with no graded branch would print as rows of zeros (JSON keeps it).
    scope_rows = [
        (scope, check.graded, *row)
        for scope, check in (("全部", quota.overall), *quota.categories.items())
        if check.graded or scope == "全部"
        for row in _quota_rows(check)
    ]
    grading = Sheet(
        "分类定级",
        [
            Table(columns, rows),
            Table(scope_columns, scope_rows, title=f"比例控制（{_shares(quota.overall)}）"),
        ],
    )
    by_source = Sheet(
        "各主体得分",
        [
            Table(
                (
                    Column("序号", "int"),
                    Column("党组织名称"),
                    Column("分类"),
                    *(Column(f"{source}得分", "number") for source in sources),
                    Column("总分", "number"),
                ),
                (
                    (s.seq, s.name, s.category, *(s.source_totals.get(source) for source in sources), s.score)
                    for s in states
                ),
            )
        ],
    )
    return [grading, by_source]


def _backward_sheet(session: Session, projects: Sequence[Any], states: Sequence[Any], as_of: date) -> Sheet:
    """The backward list with its 一村一策 projects, and each branch's 书记 that day and the
    调整不胜任书记 recorded for it (三、三)."""
    from jcnian.campaign.secretaries import secretaries_of
    from jcnian.gradebook.reads import backward_report

    report = backward_report(session, states)
    leaders = secretaries_of(session, [e.name for e in report.entries], as_of)
    plans: dict[str, list[Any]] = {}
    for p in projects:
        if p.one_village:
            plans.setdefault(p.branch, []).append(p)
    columns = (
        Column("倒排名次", "int"),
        Column("党组织名称"),
        Column("总分", "number"),
        Column("等级"),
        Column("分界处并列"),
        Column("书记"),
        Column("调整书记"),
        Column("一村一策项目"),
        Column("责任人"),
        Column("完成期限", "date"),
        Column("进度", "percent"),
        Column("项目状态"),
    )
    rows: list[tuple[Any, ...]] = []
    for e in report.entries:
        leader = leaders.get(e.name)
        head = (
            e.rank,
            e.name,
            e.score,
            _text(e.grade),
            "并列" if e.tie else None,
            leader.secretary if leader else None,
            "；".join(leader.changes) if leader and leader.changes else None,
        )
        chosen = plans.get(e.name)
        if not chosen:
            rows.append((*head, "（尚未制定）", None, None, None, None))
        for p in chosen or ():
            rows.append((*head, p.name, p.owner, p.due, p.percent / 100, p.state))
    notes = [
        f"后进党组织：{report.category}党组织 {report.population} 个，按 {float(report.ratio):.0%} 倒排"
        f" {report.count} 个（四舍五入；分界处得分相同者一并列入），实施“一村一策”整顿转化。",
    ]
    if report.unscored:
        notes.append(f"尚未评分、未参加倒排的{report.category}党组织 {len(report.unscored)} 个。")
    if not report.complete:
        notes.append(
            f"名单不完整：尚有 {len(report.ungraded)} 个{report.category}党组织未终定等级，"
            "终定后才据此要求一村一策。"
        )
    return Sheet("后进整顿", [Table(columns, rows)], notes=notes)


def _project_sheets(projects: Sequence[Any], month: str) -> list[Sheet]:
    """Projects as listed for the month, each with the month's assessment if any; their
    quality standard and expected effect on a sheet of their own (all in one sheet they
    printed at well under 60% on A4)."""
    columns = (
        Column("党组织名称"),
        Column("工程项目"),
        Column("责任人"),
        Column("开始", "date"),
        Column("完成期限", "date"),
        Column("进度", "percent"),
        Column("应达进度", "percent"),
        Column("状态"),
        Column("说明"),
        Column(f"{month} 考核"),
        Column("考核日期", "date"),
    )
    rows = []
    for p in projects:
        assessed = next((a for a in p.assessments if a["month"] == month), None)
        rows.append(
            (
                p.branch,
                p.name,
                p.owner,
                p.start,
                p.due,
                p.percent / 100,
                p.expected / 100,
                p.state,
                p.reason or None,
                assessed["result"] if assessed else None,
                assessed["on"] if assessed else None,
            )
        )
    standards = Table(
        (
            Column("党组织名称"),
            Column("工程项目"),
            Column("一村一策"),
            Column("质量标准"),
            Column("预期效果"),
        ),
        [(p.branch, p.name, "是" if p.one_village else None, p.quality, p.effect) for p in projects],
    )
    return [Sheet("项目进度", [Table(columns, rows)]), Sheet("项目标准", [standards])]


def _acceptance_sheet(session: Session, as_of: date, facts: Any) -> Sheet:
    from jcnian.campaign.acceptance import acceptance_report

    report = acceptance_report(session, as_of, facts)
    columns = (
        Column("党组织名称"),
        Column("分类"),
        Column("初定等级"),
        Column("验收后等级"),
        Column("升降"),
        Column("验收结果"),
        Column("验收轮次", "int"),
        Column("满意率", "percent"),
        Column("整改"),
    )
    rows = (
        (
            r.branch,
            r.category,
            r.initial,
            r.final,
            r.moved or None,
            r.result,
            r.rounds,
            r.satisfaction,
            r.rectification,
        )
        for r in report.rows
    )
    open_rects = Table(
        (Column("党组织名称"), Column("整改意见"), Column("整改期限", "date"), Column("已逾期")),
        [
            (r["branch"], r["opinion"], r["deadline"], "是" if r["overdue"] else "否")
            for r in report.open_rectifications
        ],
        title="未完成的整改意见",
    )
    overrides = Table(
        (
            Column("党组织名称"),
            Column("环节"),
            Column("原被拒绝的原因"),
            Column("继续的理由"),
            Column("日期", "date"),
        ),
        [
            (o["branch"] or "（全镇）", o["gate"], o["refused"], o["reason"], o["on"])
            for o in report.overrides
        ],
        title="越序操作记录",
    )
    notes = [
        f"分类升级 {len(report.moved_up)} 个，降级 {len(report.moved_down)} 个；"
        f"未通过验收 {len(report.failed)} 个，尚未验收 {len(report.pending)} 个。"
    ]
    return Sheet("验收", [Table(columns, rows), open_rects, overrides], notes=notes)


def _problem_sheet(session: Session, as_of: date) -> Sheet:
    """The problem ledger as it stood at the month's end: later finds are left out, and a
    problem resolved after the month is shown as still open then."""
    from jcnian.campaign.mobilisation import list_problems

    columns = (
        Column("编号", "int"),
        Column("党组织名称"),
        Column("问题"),
        Column("来源"),
        Column("发现日期", "date"),
        Column("状态"),
        Column("解决日期", "date"),
        Column("备注"),
    )
    from jcnian.gradebook.reads import recorded_only

    # A past month: a problem's 整改中 carries no date of its own, so every problem not
    # resolved by the month's end reads 月末尚未解决, whatever was recorded for it since.
    past = recorded_only(as_of)
    rows = []
    for p in list_problems(session):
        if p.found_on > as_of:
            continue
        later = p.resolved_on is not None and p.resolved_on > as_of
        status = "月末尚未解决" if later or (past and p.resolved_on is None) else p.status
        rows.append(
            (p.id, p.branch, p.text, p.source, p.found_on, status, None if later else p.resolved_on, p.note)
        )
    return Sheet("问题台账", [Table(columns, rows)])


def _overdue_sheet(overdue: Iterable[Any]) -> Sheet:
    columns = (
        Column("党组织名称"),
        Column("阶段"),
        Column("事项"),
        Column("截止日期", "date"),
        Column("逾期天数", "int"),
        Column("类别"),
        Column("说明"),
    )
    rows = ((o.branch, o.phase, o.item, o.due, o.days, o.kind, o.detail or None) for o in overdue)
    return Sheet("逾期事项", [Table(columns, rows)])


def _lagging_sheet(session: Session, as_of: date, facts: Any) -> Sheet:
    from jcnian.campaign.dashboard import lagging

    columns = (
        Column("具体责任人"),
        Column("党组织负责人"),
        Column("党组织名称"),
        Column("工程项目"),
        Column("进度", "percent"),
        Column("应达进度", "percent"),
        Column("完成期限", "date"),
        Column("原因"),
    )
    rows = [
        (
            r.owner,
            r.secretary,
            r.branch,
            r.project,
            r.percent / 100,
            r.expected / 100,
            r.due,
            r.reason or None,
        )
        for r in lagging(session, as_of, facts=facts)
    ]
    return Sheet("问责提醒", [Table(columns, rows)])


def _summary_sheet(
    title: str,
    as_of: date,
    states: Sequence[Any],
    progress: Sequence[Any],
    quota: Any,
    by_phase: dict[str, tuple[int, int, set[str]]],
) -> Sheet:
    """The front sheet; the branches counted from the grade states (one per branch, in the
    seed's order, as list_branches gives them); ``progress``: the phases as ``status``
    counts them."""
    counts: dict[str, int] = {}
    for b in states:
        counts[b.category] = counts.get(b.category, 0) + 1
    notes = [
        title,
        f"统计截至：{as_of.isoformat()}（报表月份的最后一天；阶段状态、逾期均按这一天判断）",
        f"党组织：{len(states)} 个（{'，'.join(f'{c} {n}' for c, n in counts.items()) or '无'}）",
    ]
    phases = Table(
        (
            Column("阶段"),
            Column("开始", "date"),
            Column("结束", "date"),
            Column("状态"),
            Column("全部完成的党组织", "int"),
            Column("应完成的党组织", "int"),
            Column("有逾期的党组织", "int"),
        ),
        [(p.label, p.start, p.end, p.state or None, p.done, p.total, p.overdue) for p in progress],
        title="各阶段进度",
    )
    deliverables = Table(
        (
            Column("阶段"),
            Column("事项"),
            Column("按期完成", "int"),
            Column("逾期完成", "int"),
            Column("应完成", "int"),
            Column("逾期未完成", "int"),
            Column("最早未完成期限", "date"),
        ),
        [
            (p.label, d.label, d.on_time, d.done_late, d.total, d.overdue, d.due)
            for p in progress
            for d in p.deliverables
        ],
        title="各阶段应交事项（按党组织计）",
    )
    bands = Table(
        QUOTA_COLUMNS,
        _quota_rows(quota.overall),
        title=f"等级分布与比例目标（参评 {quota.overall.graded} 个，按终定等级，未终定的按拟定等级）",
        chart=Chart("等级分布与比例目标", categories=0, series=(2, 5), y_title="党组织数"),
    )
    late = Table(
        (Column("阶段"), Column("逾期事项", "int"), Column("涉及党组织", "int"), Column("逾期完成", "int")),
        [(phase, n, len(names), done_late) for phase, (n, done_late, names) in by_phase.items()],
        title="逾期事项（明细见“逾期事项”表）",
    )
    return Sheet("汇总", [phases, deliverables, bands, late], notes=notes, filter=False)


def _late_by_phase(overdue: Iterable[Any]) -> dict[str, tuple[int, int, set[str]]]:
    """Per phase: the items overdue, the items done late, and the branches with an item
    overdue, in the order the phases first come (the summary's 逾期事项 table)."""
    by_phase: dict[str, tuple[int, int, set[str]]] = {}
    for o in overdue:
        n, done_late, names = by_phase.get(o.phase, (0, 0, set()))
        if o.kind == "逾期完成":
            by_phase[o.phase] = (n, done_late + 1, names)
            continue
        names.add(o.branch)
        by_phase[o.phase] = (n + 1, done_late, names)
    return by_phase


def month_report(session: Session, month: str) -> MonthReport:
    """The month's report with every sheet built and every row listed, for reading it back;
    the export writes ``month_stream``'s sheets as they are made instead."""
    report = month_stream(session, month)
    sheets = [
        replace(sheet, tables=[replace(t, rows=list(t.rows)) for t in sheet.tables])
        for sheet in report.sheets
    ]
    return replace(report, sheets=sheets)


def month_stream(session: Session, month: str) -> MonthReport:
    """The month's report, its sheets made one at a time as the writer asks for them (and
    their rows as it writes them): a city-wide ledger's report is never held whole. The
    sheets must be taken inside the session's transaction, in order, once."""
    try:
        first, as_of = month_bounds(month)
    except ValueError:
        raise InvalidInput(f"月份“{month}”无效，应写成 YYYY-MM，如 2012-05。") from None
    month = first.strftime("%Y-%m")
    title = f"{campaign_label(current_campaign(session))}月度报表（{first.year}年{first.month}月）"
    return MonthReport(title=title, month=month, as_of=as_of, sheets=_sheets(session, title, month, as_of))


def _sheets(session: Session, title: str, month: str, as_of: date) -> Iterator[Sheet]:
    """Every judgement of time uses the month's last day. The ledger is read and graded once:
    the grade states feed the grading, backward and phases sheets, and one facts pass feeds
    the status, overdue, acceptance and lagging ones; each is let go after its last sheet.
    The overdue items (a million on a city-sized ledger late in the campaign) are never held:
    one pass counts them for the summary, another makes them as their sheet is written."""
    from jcnian.campaign.dashboard import overdue_stream
    from jcnian.campaign.facts import gather
    from jcnian.campaign.projects import list_projects
    from jcnian.gradebook.reads import categories, current_rubric, grade_states, quota_of
    from jcnian.report.activities_sheets import activities_sheets

    rubric = current_rubric(session)
    by_branch = grade_states(session, detail=True, as_of=as_of)
    states = list(by_branch.values())
    quota = quota_of(states, rubric, categories(session))
    facts = gather(session, by_branch, as_of)
    del by_branch
    projects = list_projects(session, as_of, month=month)
    phases: list[Any] = []  # status's phase counts, filled by the counting pass
    by_phase = _late_by_phase(overdue_stream(session, as_of, facts=facts, phases_out=phases))
    summary = _summary_sheet(title, as_of, states, phases, quota, by_phase)
    del by_phase
    yield summary
    del summary
    yield _liaison_sheet(session)
    yield from _grading_sheets(states, list(rubric.sources), quota)
    yield _backward_sheet(session, projects, states, as_of)
    del states
    yield from _project_sheets(projects, month)
    del projects
    yield _acceptance_sheet(session, as_of, facts)
    yield _problem_sheet(session, as_of)
    yield _overdue_sheet(overdue_stream(session, as_of, facts=facts))
    yield _lagging_sheet(session, as_of, facts)
    del facts
    yield from activities_sheets(session, as_of)  # 三 and 四 beyond the phases (report.activities_sheets)
