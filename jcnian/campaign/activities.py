"""The seven activities (三) and the guarantees (四) beyond the phases, in the ledger:
一句话承诺 (三、七) with its import and coverage, 创先争优闪光言行 and the
展示评选 (三、七), the 五个一 工程 of village branches (三、四), the 5月下旬 科学发展主题轮训 of
the village secretaries (三、四), and the town's own 动员大会 (二、(一)); each branch's 书记 and
the 调整 of an unfit one are jcnian.campaign.secretaries.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.activities_tables import (
    FiveOneItem,
    OneLinePledge,
    ShiningDeed,
    TownRally,
    TrainingAttendance,
    TrainingSession,
)
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, required_text, upsert
from jcnian.campaign.secretaries import secretaries_on, secretary_of
from jcnian.db import streamed
from jcnian.errors import InvalidInput, NotFound
from jcnian.ledger import count_rows, current_campaign, find_branch
from jcnian.models import Branch, Category
from jcnian.names import normalise

VILLAGE = "农村"

# --- branches of a category ---------------------------------------------------------------


def _is_village(session: Session, branch: Branch) -> bool:
    return session.exec(select(Category.name).where(Category.id == branch.category_id)).first() == VILLAGE


def require_village(session: Session, branch_name: str, what: str) -> Branch:
    branch = find_branch(session, branch_name)
    if not _is_village(session, branch):
        raise InvalidInput(f"{branch.name}不是农村党组织；{what}只针对村党组织。")
    return branch


def villages(session: Session) -> Iterator[tuple[int, str]]:
    """The village branches' ids and names in the seed's order, streamed: the reports over
    every village read these two columns, not 100,000 ORM branches."""
    campaign = current_campaign(session)
    return streamed(
        session,
        select(Branch.id, Branch.name)
        .join(Category, Branch.category_id == Category.id)
        .where(Branch.campaign_id == campaign.id, Category.name == VILLAGE)
        .order_by(Branch.seq),  # type: ignore[arg-type]
    )


def branch_count(session: Session) -> int:
    """How many branches the campaign has (counted by the database)."""
    return count_rows(session, Branch, Branch.campaign_id == current_campaign(session).id)


def campaign_branches(session: Session) -> list[Branch]:
    campaign = current_campaign(session)
    return list(
        session.exec(select(Branch).where(Branch.campaign_id == campaign.id).order_by(Branch.seq)).all()
    )


# --- 一句话承诺 -------------------------------------------------------------------------------


def record_pledge(
    session: Session, branch_name: str, text: str, on: date, member: str | None = None
) -> Saved:
    """一句话承诺 of the branch (no member) or of one member; re-entry corrects it."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    body = required_text(text, "承诺内容")
    who = normalise(member) if member else ""
    return upsert(
        session,
        OneLinePledge,
        {"branch_id": branch.id, "member": who},
        {"text": body, "on": on},
        branch=branch.name,
        what=f"{who or '党组织'}的一句话承诺",
        previous=lambda row: f"{row.on}：{row.text}",
    )


@dataclass(frozen=True)
class PledgeView:
    branch: str
    member: str | None
    text: str
    on: date


def list_pledges(
    session: Session, on: date | None = None, branch_name: str | None = None
) -> list[PledgeView]:
    campaign = current_campaign(session)
    query = (
        select(OneLinePledge, Branch.name)
        .join(Branch, OneLinePledge.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq, OneLinePledge.member != "", OneLinePledge.id)  # type: ignore[arg-type]
    )
    if branch_name:
        query = query.where(Branch.id == find_branch(session, branch_name).id)
    return [
        PledgeView(name, p.member or None, p.text, p.on)
        for p, name in session.exec(query).all()
        if on is None or p.on <= on
    ]


@dataclass(frozen=True)
class PledgeCoverage:
    branch: str
    branch_pledge: bool
    members: int


def pledge_coverage(session: Session, on: date) -> list[PledgeCoverage]:
    """Per branch: whether the branch has pledged and how many members have.

    The pledges are counted once by branch and the branches read as names: a city-sized
    campaign's report asked every branch about every pledge, over 100,000 ORM branches."""
    pledges = list_pledges(session, on)
    own = {p.branch for p in pledges if p.member is None}
    members = Counter(p.branch for p in pledges if p.member is not None)
    names = session.exec(
        select(Branch.name).where(Branch.campaign_id == current_campaign(session).id).order_by(Branch.seq)
    )
    return [PledgeCoverage(name, name in own, members[name]) for name in names]


# --- 创先争优闪光言行 ---------------------------------------------------------------------------


def record_deed(
    session: Session, branch_name: str, person: str, deed: str, on: date, note: str | None = None
) -> Saved:
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    who = normalise(person)
    if not who:
        raise InvalidInput("人名不能为空。")
    text = required_text(deed, "闪光言行")
    return upsert(
        session,
        ShiningDeed,
        {"branch_id": branch.id, "person": who, "deed": text},
        {"on": on, "note": optional_text(note)},
        branch=branch.name,
        what=f"{who}的闪光言行“{text}”",
        previous=lambda row: str(row.on),
    )


def select_deed(session: Session, branch_name: str, person: str, on: date, deed: str | None = None) -> Saved:
    """The 展示评选 selected this person's deed (``deed`` names it when the person has several)."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    who = normalise(person)
    query = select(ShiningDeed).where(ShiningDeed.branch_id == branch.id, ShiningDeed.person == who)
    if deed:
        query = query.where(ShiningDeed.deed == deed.strip())
    found = session.exec(query).all()
    if not found:
        raise NotFound(
            f"{branch.name}没有登记{who}的{('“' + deed.strip() + '”') if deed else '闪光言行'}，请先用 jcnian deed add 登记。"
        )
    if len(found) > 1:
        raise InvalidInput(f"{who}有 {len(found)} 条闪光言行，请用 --deed 写明评选的是哪一条。")
    row = found[0]
    if on < row.on:
        raise InvalidInput(f"评选日期 {on} 早于闪光言行的登记日期 {row.on}。")
    return upsert(
        session,
        ShiningDeed,
        {"id": row.id},
        {"selected_on": on},
        branch=branch.name,
        what=f"{who}的闪光言行“{row.deed}”入选展示评选",
        previous=lambda r: f"入选于 {r.selected_on}" if r.selected_on else "未入选",
    )


@dataclass(frozen=True)
class DeedView:
    branch: str
    person: str
    deed: str
    on: date
    selected_on: date | None
    note: str | None


def list_deeds(session: Session, on: date, selected_only: bool = False) -> list[DeedView]:
    campaign = current_campaign(session)
    rows = session.exec(
        select(ShiningDeed, Branch.name)
        .join(Branch, ShiningDeed.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, ShiningDeed.on <= on)
        .order_by(ShiningDeed.on, Branch.seq, ShiningDeed.id)  # type: ignore[arg-type]
    ).all()
    views = [
        DeedView(
            name,
            d.person,
            d.deed,
            d.on,
            d.selected_on if d.selected_on and d.selected_on <= on else None,
            d.note,
        )
        for d, name in rows
    ]
    return [v for v in views if v.selected_on] if selected_only else views


# --- 五个一 工程 -------------------------------------------------------------------------------

FIVE_ONE = ("领导班子", "工作思路", "工作机制", "活动阵地", "工作业绩")


def five_one_item(text: str) -> str:
    """One of the five items by its name, a part that names one alone (阵地 → 活动阵地), or a
    longer phrase holding it (一个好的活动阵地): the one choice rule, phases.parse_choice."""
    return phases.parse_choice(text or "", FIVE_ONE, "“五个一”项目")


def record_five_one(
    session: Session, branch_name: str, item: str, met: bool, on: date, note: str | None = None
) -> Saved:
    """One of a village branch's 五个一 (好的领导班子、工作思路、工作机制、活动阵地、工作业绩)."""
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "“五个一”工程")
    name = five_one_item(item)
    return upsert(
        session,
        FiveOneItem,
        {"branch_id": branch.id, "item": name},
        {"met": met, "on": on, "note": optional_text(note)},
        branch=branch.name,
        what=f"“五个一”·{name}（{'达到' if met else '未达到'}）",
        previous=lambda row: f"{'达到' if row.met else '未达到'}，{row.on}",
    )


@dataclass(frozen=True)
class FiveOneView:
    branch: str
    items: dict[str, str | None]  # item -> 达到 | 未达到 | None (not assessed)
    met: int
    notes: dict[str, str]


def five_one_table(session: Session, on: date) -> list[FiveOneView]:
    """Every village branch with its five items as of ``on``."""
    return list(five_one_rows(session, on))


def five_one_rows(session: Session, on: date) -> Iterator[FiveOneView]:
    """``five_one_table``'s rows made one village at a time (only the recorded items are held)."""
    campaign = current_campaign(session)
    seen = {
        (bid, item): (met, note)
        for bid, item, met, note in session.exec(
            select(FiveOneItem.branch_id, FiveOneItem.item, FiveOneItem.met, FiveOneItem.note)
            .join(Branch, FiveOneItem.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id, FiveOneItem.on <= on)
        )
    }
    for bid, name in villages(session):
        items: dict[str, str | None] = {}
        notes: dict[str, str] = {}
        for item in FIVE_ONE:
            r = seen.get((bid, item))
            items[item] = None if r is None else ("达到" if r[0] else "未达到")
            if r is not None and r[1]:
                notes[item] = r[1]
        yield FiveOneView(name, items, sum(1 for s in items.values() if s == "达到"), notes)


# --- 科学发展主题轮训 ---------------------------------------------------------------------------

TRAINING_TITLE = "科学发展主题轮训"


def _late_may(day: date) -> bool:
    return day.month == 5 and day.day >= 21


def record_training(
    session: Session, start: date, end: date | None = None, title: str | None = None, note: str | None = None
) -> Saved:
    """A session of the 轮训 (市委组织部 organises it, 5月下旬); a session outside it is warned of."""
    in_campaign_year(session, start, "--on")
    in_campaign_year(session, end, "--until")
    end = end or start
    if end < start:
        raise InvalidInput(f"轮训结束日期 {end} 早于开始日期 {start}。")
    warnings = []
    if not (_late_may(start) and _late_may(end)):
        warnings.append(f"原文安排在 5 月下旬（5 月 21–31 日）轮训，这一期为 {start}–{end}，请核对。")
    campaign = current_campaign(session)
    return upsert(
        session,
        TrainingSession,
        {"campaign_id": campaign.id, "start": start},
        {"end": end, "title": optional_text(title), "note": optional_text(note)},
        branch="",
        what=f"{start} 起的{TRAINING_TITLE}",
        previous=lambda row: f"{row.start}–{row.end} {row.title}",
        defaults={"title": TRAINING_TITLE},
        warnings=warnings,
    )


def _session_on(session: Session, day: date) -> TrainingSession:
    campaign = current_campaign(session)
    found = session.exec(
        select(TrainingSession).where(
            TrainingSession.campaign_id == campaign.id,
            TrainingSession.start <= day,
            TrainingSession.end >= day,
        )
    ).first()
    if found is None:
        raise NotFound(f"{day} 没有登记轮训，请先用 jcnian training add --on {day} 登记这一期。")
    return found


def record_attendance(session: Session, branch_name: str, on: date, person: str | None = None) -> Saved:
    """A village secretary at the session held on ``on``; the name defaults to the branch's 书记."""
    branch = require_village(session, branch_name, "科学发展主题轮训")
    held = _session_on(session, on)
    who = normalise(person) if person else secretary_of(session, branch.id)
    if not who:
        raise InvalidInput(
            f"{branch.name}还没有登记书记，请用 --person 写明参训人（或先 jcnian secretary set）。"
        )
    return upsert(
        session,
        TrainingAttendance,
        {"session_id": held.id, "branch_id": branch.id},
        {"person": who},
        branch=branch.name,
        what=f"{who}参加 {held.start} 起的{held.title}",
        previous=lambda row: row.person,
    )


@dataclass(frozen=True)
class TrainingView:
    branch: str
    secretary: str | None
    attended: str | None
    sessions: list[date]


def training_report(session: Session, on: date) -> list[TrainingView]:
    """Every village branch: its secretary and the sessions (up to ``on``) its secretary attended."""
    return list(training_rows(session, on))


def training_rows(session: Session, on: date) -> Iterator[TrainingView]:
    """``training_report``'s rows made one village at a time (the attendances and the
    secretaries' names are held, not the villages)."""
    campaign = current_campaign(session)
    attended: dict[int, list[tuple[date, str]]] = {}
    for bid, person, start in session.exec(
        select(TrainingAttendance.branch_id, TrainingAttendance.person, TrainingSession.start)
        .join(TrainingSession, TrainingAttendance.session_id == TrainingSession.id)
        .where(TrainingSession.campaign_id == campaign.id, TrainingSession.start <= on)
        .order_by(TrainingSession.start)  # type: ignore[arg-type]
    ):
        attended.setdefault(bid, []).append((start, person))
    heads = secretaries_on(session, on)  # the secretary of that day, not today's
    for bid, name in villages(session):
        went = attended.get(bid, [])
        yield TrainingView(
            name,
            heads.get(name),
            "、".join(sorted({p for _, p in went})) or None,
            [d for d, _ in went],
        )


# --- 镇党委动员大会 ------------------------------------------------------------------------------


def record_rally(session: Session, on: date, attendance: int | None = None, note: str | None = None) -> Saved:
    """The town committee's 动员大会 (二、(一)): one per campaign, re-entered to correct it."""
    in_campaign_year(session, on, "--on")
    if attendance is not None and attendance <= 0:
        raise InvalidInput("参会人数须为正整数。")
    campaign = current_campaign(session)
    return upsert(
        session,
        TownRally,
        {"campaign_id": campaign.id},
        {"held_on": on, "attendance": attendance, "note": optional_text(note)},
        branch="",
        what="镇党委基层组织建设年活动动员大会",
        previous=lambda row: f"{row.held_on}" + (f"，{row.attendance} 人" if row.attendance else ""),
    )


@dataclass(frozen=True)
class RallyView:
    held_on: date | None
    attendance: int | None
    note: str | None


def rally(session: Session, on: date) -> RallyView:
    campaign = current_campaign(session)
    row = session.exec(select(TownRally).where(TownRally.campaign_id == campaign.id)).first()
    if row is None or row.held_on > on:
        return RallyView(None, None, None)
    return RallyView(row.held_on, row.attendance, row.note)


# --- 定级结果的公开范围 ----------------------------------------------------------------------------


def record_publication_scope(session: Session, on: date, scope: str) -> Saved:
    """The scope of the grades published on ``on`` (“在一定范围内公开”), e.g. 各村村务公开栏."""
    from jcnian.campaign.activities_tables import PublicationScope

    where = required_text(scope, "公开范围（--scope）")
    campaign = current_campaign(session)
    return upsert(
        session,
        PublicationScope,
        {"campaign_id": campaign.id, "on": on},
        {"scope": where},
        branch="",
        what=f"{on} 定级结果的公开范围“{where}”",
        previous=lambda row: row.scope,
    )


def publication_scopes(session: Session, on: date | None) -> list[tuple[date, str]]:
    """Each day the grades were published on up to ``on`` (None: all), with where, oldest first."""
    from jcnian.campaign.activities_tables import PublicationScope

    campaign = current_campaign(session)
    rows = session.exec(
        select(PublicationScope)
        .where(PublicationScope.campaign_id == campaign.id, PublicationScope.on <= (on or date.max))
        .order_by(PublicationScope.on)  # type: ignore[arg-type]
    ).all()
    return [(r.on, r.scope) for r in rows]
