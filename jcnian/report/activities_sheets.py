"""The monthly workbook's sheets of the seed's 三 (七大活动) and 四 (组织保障) beyond the phases:
一句话承诺 and its coverage, the selected 闪光言行, the villages' 五个一, the 轮训 attendance,
the secretaries and their 调整, the village cadres' 承诺 and 季考核, 集体经济 and 结对帮扶, and
the 领导小组/办公室/督导检查组 with the town's 动员大会 and where grades were made public.

Like ``jcnian.report.month`` it only gathers, as of the month's last day, from the public
functions of ``jcnian.campaign.activities`` and ``guarantees`` (the same the ``pledge``,
``deed``, ``fiveone`` … commands show), as plain rows for ``jcnian.report.workbook``. Every sheet
has a main table (its header repeated on each printed page); the writer lays it out for A4.

The sheets over every branch or village are made one at a time, and their rows as they are
written: a counting pass gives the notes above the table (the writer puts them first), then
the rows are made again for the table, so a city-sized campaign's rows are never held.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlmodel import Session

from jcnian.report.workbook import Column, Sheet, Table

LINES = "\n"  # several entries in one cell, one a line


def _pledge_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.activities import list_pledges, pledge_coverage

    pledges = list_pledges(session, on)
    own = {p.branch: p for p in pledges if p.member is None}
    cover = pledge_coverage(session, on)
    # The pledges' texts share a column, so that the sheet stays one portrait page wide.
    coverage = Table(
        (
            Column("党组织名称"),
            Column("党组织的一句话承诺"),
            Column("党员承诺（条）", "int"),
            Column("承诺日期", "date"),
        ),
        [
            (c.branch, own[c.branch].text, c.members, own[c.branch].on)
            if c.branch in own
            else (c.branch, None, c.members, None)
            for c in cover
        ],
    )
    members = Table(
        (Column("党组织名称"), Column("一句话承诺"), Column("党员"), Column("承诺日期", "date")),
        [(p.branch, p.text, p.member, p.on) for p in pledges if p.member is not None],
        title="党员的一句话承诺",
    )
    done = sum(1 for c in cover if c.branch_pledge)
    notes = [
        "一句话承诺（三、七）",
        f"党组织 {done}/{len(cover)} 个已承诺，党员 {sum(c.members for c in cover)} 条。",
    ]
    return Sheet("一句话承诺", [coverage, members], notes=notes)


def _deed_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.activities import list_deeds

    deeds = list_deeds(session, on)
    table = Table(
        (
            Column("党组织名称"),
            Column("姓名"),
            Column("闪光言行"),
            Column("登记日期", "date"),
            Column("入选展示评选", "date"),
            Column("备注"),
        ),
        [(d.branch, d.person, d.deed, d.on, d.selected_on, d.note) for d in deeds],
    )
    chosen = sum(1 for d in deeds if d.selected_on)
    notes = [
        "创先争优闪光言行（三、七）",
        f"{len(deeds)} 条，入选展示评选 {chosen} 条（“入选展示评选”为评选日期）。",
    ]
    return Sheet("闪光言行", [table], notes=notes)


def _five_one_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.activities import FIVE_ONE, five_one_rows

    villages = full = 0
    for f in five_one_rows(session, on):
        villages += 1
        full += f.met == len(FIVE_ONE)
    table = Table(
        (Column("村党组织"), *(Column(item) for item in FIVE_ONE), Column("达到项数", "int"), Column("说明")),
        (
            (
                f.branch,
                *(f.items[item] for item in FIVE_ONE),
                f.met,
                "；".join(f"{item}：{note}" for item, note in f.notes.items()) or None,
            )
            for f in five_one_rows(session, on)
        ),
    )
    notes = ["村党组织书记“五个一”工程（三、四）", f"五项全部达到 {full}/{villages} 村（空白为尚未评定）。"]
    return Sheet("五个一", [table], notes=notes)


def _training_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.activities import training_rows

    villages = went = 0
    for t in training_rows(session, on):
        villages += 1
        went += bool(t.sessions)
    table = Table(
        (Column("村党组织"), Column("书记"), Column("参训人"), Column("参训日期"), Column("参训情况")),
        (
            (
                t.branch,
                t.secretary,
                t.attended,
                "、".join(d.isoformat() for d in t.sessions) or None,
                "已参训" if t.sessions else "未参训",
            )
            for t in training_rows(session, on)
        ),
    )
    notes = ["科学发展主题轮训（三、四，5月下旬）", f"村党组织书记已参训 {went}/{villages} 村。"]
    return Sheet("主题轮训", [table], notes=notes)


def _secretary_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.secretaries import secretary_rows

    branches = named = changed = 0
    for s in secretary_rows(session, on):
        branches += 1
        named += bool(s.secretary)
        changed += len(s.changes)
    table = Table(
        (Column("党组织名称"), Column("分类"), Column("书记（负责人）"), Column("调整不胜任书记")),
        (
            (s.branch, s.category, s.secretary, LINES.join(s.changes) or None)
            for s in secretary_rows(session, on)
        ),
    )
    notes = [
        "党组织书记（负责人）及调整不胜任的书记（三、三）",
        f"已登记 {named}/{branches} 个，调整 {changed} 人。",
    ]
    return Sheet("书记", [table], notes=notes)


def _cadre_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.guarantees import list_cadre_pledges, quarter_table

    pledges = list_cadre_pledges(session, on)
    main = Table(
        (
            Column("村党组织"),
            Column("姓名"),
            Column("承诺类别"),
            Column("承诺内容"),
            Column("承诺日期", "date"),
            Column("兑现情况"),
            Column("兑现日期", "date"),
        ),
        [(p.branch, p.person, p.kind, p.text, p.on, p.status, p.status_on) for p in pledges],
    )
    quarters = Table(
        (Column("村党组织"), Column("姓名"), *(Column(f"第{q}季度") for q in "一二三四")),
        [
            (q.branch, q.person, *(q.quarters[str(n)] for n in range(1, 5)))
            for q in quarter_table(session, on)
            if any(q.quarters.values())  # only cadres assessed by then
        ],
        title="村主职干部重点工作季考核",
    )
    kept = sum(1 for p in pledges if p.status == "已兑现")
    notes = ["村干部“创业承诺、辞职承诺”及季考核（三、四）", f"承诺 {len(pledges)} 项，已兑现 {kept} 项。"]
    return Sheet("村干部承诺", [main, quarters], notes=notes)


def _economy_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.guarantees import economy_rows, list_pairings

    villages = planned = 0
    for e in economy_rows(session, on):
        villages += 1
        planned += e.base_year is not None
    main = Table(
        (
            Column("村党组织"),
            Column("基数年份", "int"),
            Column("基数收入（万元）", "number"),
            Column("目标年份", "int"),
            Column("目标收入（万元）", "number"),
            Column("最近年份", "int"),
            Column("最近收入（万元）", "number"),
            Column("增收完成比例", "percent"),
        ),
        (
            (
                e.branch,
                e.base_year,
                e.base_income,
                e.target_year,
                e.target_income,
                e.latest_year,
                e.latest_income,
                e.progress,
            )
            for e in economy_rows(session, on)
        ),
    )
    pairs = Table(
        (
            Column("村党组织"),
            Column("结对类别"),
            Column("结对单位"),
            Column("结对日期", "date"),
            Column("活动"),
        ),
        [
            (p.branch, p.kind, p.partner, p.since, LINES.join(p.activities) or None)
            for p in list_pairings(session, on)
        ],
        title="城乡党组织结对帮扶（百企联百村、市直部门结对欠发达村）",
    )
    notes = [
        "村级集体经济增收五年计划与结对帮扶（三、六）",
        f"已制定 {planned}/{villages} 村；增收完成比例 =（最近年份收入 − 基数）÷（目标 − 基数）。",
    ]
    return Sheet("集体经济", [main, pairs], notes=notes)


def _bodies_sheet(session: Session, on: date) -> Sheet:
    from jcnian.campaign.activities import publication_scopes, rally
    from jcnian.campaign.guarantees import list_members

    members = Table(
        (Column("机构"), Column("姓名"), Column("职务"), Column("登记日期", "date")),
        [(m.body, m.name, m.role, m.on) for m in list_members(session, on)],
    )
    held = rally(session, on)
    scopes = Table(
        (Column("公开日期", "date"), Column("定级结果公开范围")),
        list(publication_scopes(session, on)),
        title="定级结果公开范围（二、二：在一定范围内公开）",
    )
    notes = [
        "领导小组、办公室、督导检查组（四、(一)(二)）",
        "镇党委动员大会（二、(一)）："
        + (
            f"{held.held_on}" + (f"，{held.attendance} 人参加" if held.attendance else "")
            if held.held_on
            else "尚未登记"
        )
        + "。",
    ]
    return Sheet("组织机构", [members, scopes], notes=notes)


def activities_sheets(session: Session, as_of: date) -> Iterator[Sheet]:
    """The sheets of 三 and 四, as the ledger stood on ``as_of`` (the report month's last day),
    each made when the writer asks for it (take them inside the session's transaction)."""
    builders: tuple[Any, ...] = (
        _pledge_sheet,
        _deed_sheet,
        _five_one_sheet,
        _training_sheet,
        _secretary_sheet,
        _cadre_sheet,
        _economy_sheet,
        _bodies_sheet,
    )
    for build in builders:
        yield build(session, as_of)
