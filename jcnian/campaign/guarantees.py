"""Village work of 三、四 and 三、六, and the bodies of 四 in the ledger: village cadres' 创业承诺
and 辞职承诺 with their 兑现, the 村主职干部重点工作季考核, the 村级集体经济增收五年计划 with each
year's income and the progress against it, the 结对帮扶 pairs (百企联百村, 市直部门结对欠发达村)
with their activities, and the members of the 领导小组, 办公室 and 督导检查组.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian.campaign.activities import VILLAGE, branch_count, require_village, villages
from jcnian.campaign.activities_tables import (
    CadrePledge,
    EconomyPlan,
    GroupMember,
    Pairing,
    PairingActivity,
    QuarterAssessment,
    VillageIncome,
)
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, required_text, upsert
from jcnian.errors import InvalidInput, NotFound
from jcnian.ledger import current_campaign, ensure_person
from jcnian.models import Branch, Person
from jcnian.names import normalise

__all__ = ["VILLAGE"]

CADRE_PLEDGE_KINDS = ("创业承诺", "辞职承诺")
FULFILMENT = ("未兑现", "已兑现")
QUARTER_RESULTS = ("优秀", "合格", "基本合格", "不合格")
PAIRING_KINDS = {
    "百企联百村": "百企联百村",
    "企业": "百企联百村",
    "部门结对": "部门结对",
    "部门": "部门结对",
    "市直部门": "部门结对",
}
BODIES = ("领导小组", "办公室", "督导检查组")


def _choice(text: str, choices: tuple[str, ...] | dict[str, str], what: str) -> str:
    cleaned = (text or "").strip()
    names = choices if isinstance(choices, dict) else {c: c for c in choices}
    if cleaned in names:
        return names[cleaned]
    found = {v for k, v in names.items() if cleaned and cleaned in k}
    if len(found) == 1:
        return found.pop()
    shown = "、".join(dict.fromkeys(names.values()))
    raise InvalidInput(f"{what}“{cleaned}”无效，应为 {shown} 之一。")


def _person(text: str | None, what: str) -> str:
    who = normalise(text or "")
    if not who:
        raise InvalidInput(f"{what}不能为空。")
    return who


# --- 村干部 创业承诺、辞职承诺 ------------------------------------------------------------------


def record_cadre_pledge(
    session: Session,
    branch_name: str,
    person: str,
    kind: str,
    on: date,
    text: str | None = None,
    status: str | None = None,
    status_on: date | None = None,
    note: str | None = None,
) -> Saved:
    """A village cadre's 创业承诺 or 辞职承诺; re-entered with ``status`` to record its 兑现."""
    in_campaign_year(session, on, "--on")
    in_campaign_year(session, status_on, "--status-on")
    branch = require_village(session, branch_name, "村干部承诺")
    who = _person(person, "村干部姓名")
    which = _choice(kind, CADRE_PLEDGE_KINDS, "承诺类别")
    state = _choice(status, FULFILMENT, "兑现情况") if status else None
    existing = session.exec(
        select(CadrePledge).where(
            CadrePledge.branch_id == branch.id, CadrePledge.person == who, CadrePledge.kind == which
        )
    ).first()
    if state == "已兑现" and status_on is None:
        status_on = on
    pledged = existing.on if existing is not None and not (text or "").strip() else on
    if status_on is not None and status_on < pledged:
        raise InvalidInput(f"兑现日期 {status_on} 早于承诺日期 {pledged}。")
    if existing is None and not (text or "").strip():
        raise InvalidInput("新登记的承诺须写明承诺内容（--text）。")
    return upsert(
        session,
        CadrePledge,
        {"branch_id": branch.id, "person": who, "kind": which},
        {
            "text": optional_text(text),
            "on": on if existing is None or text else None,
            "status": state,
            "status_on": status_on,
            "note": optional_text(note),
        },
        branch=branch.name,
        what=f"{who}的{which}" + (f"（{state}）" if state else ""),
        previous=lambda row: f"{row.on} {row.text}，{row.status}",
    )


@dataclass(frozen=True)
class CadrePledgeView:
    branch: str
    person: str
    kind: str
    text: str
    on: date
    status: str
    status_on: date | None


def list_cadre_pledges(session: Session, on: date) -> list[CadrePledgeView]:
    campaign = current_campaign(session)
    out = []
    for p, name in session.exec(
        select(CadrePledge, Branch.name)
        .join(Branch, CadrePledge.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, CadrePledge.on <= on)
        .order_by(Branch.seq, CadrePledge.person, CadrePledge.kind)  # type: ignore[arg-type]
    ).all():
        kept = p.status_on is not None and p.status_on <= on and p.status == "已兑现"
        out.append(
            CadrePledgeView(
                name,
                p.person,
                p.kind,
                p.text,
                p.on,
                "已兑现" if kept else "未兑现",
                p.status_on if kept else None,
            )
        )
    return out


def record_quarter(
    session: Session,
    branch_name: str,
    person: str,
    quarter: int,
    result: str,
    on: date,
    note: str | None = None,
) -> Saved:
    """村主职干部重点工作季考核: one result per cadre and quarter, given after the quarter began."""
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "村主职干部重点工作季考核")
    who = _person(person, "村主职干部姓名")
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput(f"季度应为 1–4，不是 {quarter}。")
    if on < date(on.year, 3 * quarter - 2, 1):
        raise InvalidInput(f"第 {quarter} 季度的考核不能早于该季度开始（考核日期 {on}）。")
    grade = _choice(result, QUARTER_RESULTS, "考核结果")
    return upsert(
        session,
        QuarterAssessment,
        {"branch_id": branch.id, "person": who, "quarter": quarter},
        {"result": grade, "on": on, "note": optional_text(note)},
        branch=branch.name,
        what=f"{who}第 {quarter} 季度重点工作考核（{grade}）",
        previous=lambda row: f"{row.result}，{row.on}",
    )


@dataclass(frozen=True)
class QuarterView:
    branch: str
    person: str
    quarters: dict[str, str | None]  # "1".."4" -> result


def quarter_table(session: Session, on: date) -> list[QuarterView]:
    campaign = current_campaign(session)
    found: dict[tuple[str, str], dict[str, str | None]] = {}
    for a, name in session.exec(
        select(QuarterAssessment, Branch.name)
        .join(Branch, QuarterAssessment.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq, QuarterAssessment.person)  # type: ignore[arg-type]
    ).all():
        row = found.setdefault((name, a.person), {str(q): None for q in range(1, 5)})
        if a.on <= on:
            row[str(a.quarter)] = a.result
    return [QuarterView(b, p, q) for (b, p), q in found.items()]


# --- 村级集体经济 -------------------------------------------------------------------------------


def _income(value: float, what: str) -> float:
    if value < 0:
        raise InvalidInput(f"{what}不能是负数（{value:g} 万元）。")
    return round(float(value), 2)


def set_economy_plan(
    session: Session,
    branch_name: str,
    base_year: int,
    base_income: float,
    target_year: int,
    target_income: float,
    on: date,
) -> Saved:
    """A village's 增收五年计划: base year and income, target year and income (万元)."""
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "村级集体经济增收五年计划")
    if target_year <= base_year:
        raise InvalidInput(f"目标年份 {target_year} 应晚于基数年份 {base_year}。")
    if target_year - base_year > 6:
        raise InvalidInput(f"五年计划从 {base_year} 到 {target_year} 超过五年，请核对年份。")
    base, target = _income(base_income, "基数收入"), _income(target_income, "目标收入")
    if target <= base:
        raise InvalidInput(f"目标收入 {target:g} 万元应高于基数 {base:g} 万元（增收计划）。")
    return upsert(
        session,
        EconomyPlan,
        {"branch_id": branch.id},
        {
            "base_year": base_year,
            "base_income": base,
            "target_year": target_year,
            "target_income": target,
            "on": on,
        },
        branch=branch.name,
        what=f"村级集体经济增收五年计划（{base_year} 年 {base:g} 万元 → {target_year} 年 {target:g} 万元）",
        previous=lambda r: (
            f"{r.base_year} 年 {r.base_income:g} 万元 → {r.target_year} 年 {r.target_income:g} 万元"
        ),
    )


def record_income(session: Session, branch_name: str, year: int, income: float, on: date) -> Saved:
    """A village's collective income of a year (万元); a year after ``on``'s is refused."""
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "村级集体经济收入")
    if year > on.year:
        raise InvalidInput(f"{year} 年的收入不能在 {on} 登记（年份未到）。")
    if year < on.year - 10:
        raise InvalidInput(f"{year} 年太早，请核对年份。")
    amount = _income(income, "收入")
    return upsert(
        session,
        VillageIncome,
        {"branch_id": branch.id, "year": year},
        {"income": amount, "on": on},
        branch=branch.name,
        what=f"{year} 年村级集体经济收入 {amount:g} 万元",
        previous=lambda r: f"{r.income:g} 万元",
    )


@dataclass(frozen=True)
class EconomyView:
    branch: str
    base_year: int | None
    base_income: float | None
    target_year: int | None
    target_income: float | None
    latest_year: int | None
    latest_income: float | None
    progress: float | None  # share of the planned increase achieved, 0–1 (may exceed 1)
    incomes: dict[str, float]


def economy_report(session: Session, on: date) -> list[EconomyView]:
    """Every village: its plan (as of ``on``), its incomes, and the share of the increase achieved."""
    return list(economy_rows(session, on))


def economy_rows(session: Session, on: date) -> Iterator[EconomyView]:
    """``economy_report``'s rows made one village at a time (the plans and incomes recorded
    are held, not the villages)."""
    campaign = current_campaign(session)
    plans = {
        bid: (base_year, base_income, target_year, target_income)
        for bid, base_year, base_income, target_year, target_income in session.exec(
            select(
                EconomyPlan.branch_id,
                EconomyPlan.base_year,
                EconomyPlan.base_income,
                EconomyPlan.target_year,
                EconomyPlan.target_income,
            )
            .join(Branch, EconomyPlan.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id, EconomyPlan.on <= on)
        )
    }
    incomes: dict[int, dict[int, float]] = {}
    for bid, year, income in session.exec(
        select(VillageIncome.branch_id, VillageIncome.year, VillageIncome.income)
        .join(Branch, VillageIncome.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, VillageIncome.on <= on)
        .order_by(VillageIncome.year)  # type: ignore[arg-type]
    ):
        incomes.setdefault(bid, {})[year] = income
    for bid, name in villages(session):
        plan = plans.get(bid)
        years = incomes.get(bid, {})
        latest = max(years) if years else None
        progress = None
        if plan is not None and latest is not None and latest > plan[0]:
            progress = round((years[latest] - plan[1]) / (plan[3] - plan[1]), 4)
        base_year, base_income, target_year, target_income = plan or (None, None, None, None)
        yield EconomyView(
            name,
            base_year,
            base_income,
            target_year,
            target_income,
            latest,
            years[latest] if latest is not None else None,
            progress,
            {str(y): x for y, x in years.items()},
        )


# --- 结对帮扶 ----------------------------------------------------------------------------------


def record_pairing(
    session: Session, branch_name: str, kind: str, partner: str, on: date, note: str | None = None
) -> Saved:
    """A pair: 百企联百村 (an enterprise) or 部门结对 (a 市直部门单位 with a 欠发达村)."""
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "城乡党组织结对帮扶")
    which = _choice(kind, PAIRING_KINDS, "结对类别")
    who = required_text(partner, "结对单位")
    return upsert(
        session,
        Pairing,
        {"branch_id": branch.id, "kind": which, "partner": who},
        {"since": on, "note": optional_text(note)},
        branch=branch.name,
        what=f"{which}结对：{who}",
        previous=lambda r: f"{r.since} 起",
    )


def record_pairing_activity(session: Session, branch_name: str, partner: str, on: date, text: str) -> Saved:
    in_campaign_year(session, on, "--on")
    branch = require_village(session, branch_name, "城乡党组织结对帮扶")
    who = required_text(partner, "结对单位")
    pair = session.exec(select(Pairing).where(Pairing.branch_id == branch.id, Pairing.partner == who)).first()
    if pair is None:
        raise NotFound(f"{branch.name}没有与“{who}”结对，请先用 jcnian economy pair 登记。")
    if on < pair.since:
        raise InvalidInput(f"活动日期 {on} 早于结对日期 {pair.since}。")
    body = required_text(text, "活动内容")
    return upsert(
        session,
        PairingActivity,
        {"pairing_id": pair.id, "on": on, "text": body},
        {},
        branch=branch.name,
        what=f"与{who}的结对活动“{body}”（{on}）",
        previous=lambda r: None,
    )


@dataclass(frozen=True)
class PairingView:
    branch: str
    kind: str
    partner: str
    since: date
    activities: list[str]


def list_pairings(session: Session, on: date) -> list[PairingView]:
    campaign = current_campaign(session)
    out = []
    for p, name in session.exec(
        select(Pairing, Branch.name)
        .join(Branch, Pairing.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, Pairing.since <= on)
        .order_by(Branch.seq, Pairing.id)  # type: ignore[arg-type]
    ).all():
        acts = session.exec(
            select(PairingActivity)
            .where(PairingActivity.pairing_id == p.id, PairingActivity.on <= on)
            .order_by(PairingActivity.on, PairingActivity.id)  # type: ignore[arg-type]
        ).all()
        out.append(PairingView(name, p.kind, p.partner, p.since, [f"{a.on} {a.text}" for a in acts]))
    return out


# --- 领导小组、办公室、督导检查组 --------------------------------------------------------------------


def set_member(session: Session, body: str, name: str, role: str, on: date) -> Saved:
    """A member of the 领导小组, its 办公室 or the 督导检查组, with a role (组长、副组长、成员 …)."""
    in_campaign_year(session, on, "--on")
    campaign = current_campaign(session)
    which = _choice(body, BODIES, "机构")
    title = required_text(role, "职务（--role）")
    warnings: list[str] = []
    person = ensure_person(session, campaign, name, "成员姓名", warnings)
    return upsert(
        session,
        GroupMember,
        {"campaign_id": campaign.id, "body": which, "person_id": person.id},
        {"role": title, "on": on},
        branch="",
        what=f"{which}{title} {person.name}",
        previous=lambda r: f"{r.role}，{r.on}",
        warnings=warnings,
    )


@dataclass(frozen=True)
class MemberView:
    body: str
    name: str
    role: str
    on: date


def list_members(session: Session, on: date) -> list[MemberView]:
    campaign = current_campaign(session)
    rows = session.exec(
        select(GroupMember, Person.name)
        .join(Person, GroupMember.person_id == Person.id)
        .where(GroupMember.campaign_id == campaign.id, GroupMember.on <= on)
        .order_by(GroupMember.id)  # type: ignore[arg-type]
    ).all()
    order = {b: i for i, b in enumerate(BODIES)}
    views = [MemberView(m.body, name, m.role, m.on) for m, name in rows]
    return sorted(views, key=lambda v: order[v.body])


# --- what status shows of all this -------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    item: str
    state: str


def summary(session: Session, on: date) -> list[SummaryRow]:
    """One line per record of 三 and 四 beyond the phases, as of ``on``: what ``status`` adds."""
    from jcnian.campaign import activities as act
    from jcnian.campaign.secretaries import secretary_rows

    branches = branch_count(session)
    rows = []  # the town's 动员大会 is the first deliverable of 动员部署 in status, not here
    cover = act.pledge_coverage(session, on)
    rows.append(
        SummaryRow(
            "一句话承诺",
            f"党组织 {sum(c.branch_pledge for c in cover)}/{branches}，党员 {sum(c.members for c in cover)} 条",
        )
    )
    deeds = act.list_deeds(session, on)
    rows.append(
        SummaryRow(
            "创先争优闪光言行", f"{len(deeds)} 条，入选展示评选 {sum(1 for d in deeds if d.selected_on)} 条"
        )
    )
    # Counted as the rows are made: a city-sized campaign's rows are never listed here.
    assessed = full = entered = 0
    for f in act.five_one_rows(session, on):
        assessed += 1
        full += f.met == 5
        entered += sum(1 for s in f.items.values() if s)
    rows.append(
        SummaryRow(
            "“五个一”工程（农村）", f"五项全部达到 {full}/{assessed} 村，已登记 {entered}/{assessed * 5} 项"
        )
    )
    trained = went = 0
    for t in act.training_rows(session, on):
        trained += 1
        went += bool(t.sessions)
    rows.append(
        SummaryRow(
            "科学发展主题轮训",
            f"已参训 {went}/{trained} 村" + (f"，缺 {trained - went} 村" if went < trained else ""),
        )
    )
    named = changed = 0
    for h in secretary_rows(session, on):
        named += bool(h.secretary)
        changed += len(h.changes)
    rows.append(SummaryRow("党组织书记", f"已登记 {named}/{branches}，调整 {changed} 人"))
    pledges = list_cadre_pledges(session, on)
    rows.append(
        SummaryRow(
            "村干部创业承诺、辞职承诺",
            f"{len(pledges)} 项，已兑现 {sum(1 for p in pledges if p.status == '已兑现')} 项",
        )
    )
    quarters = quarter_table(session, on)
    rows.append(
        SummaryRow("村主职干部季考核", f"{sum(1 for q in quarters for r in q.quarters.values() if r)} 人次")
    )
    planned = plannable = 0
    for e in economy_rows(session, on):
        plannable += 1
        planned += e.base_year is not None
    rows.append(SummaryRow("村级集体经济增收五年计划", f"已制定 {planned}/{plannable} 村"))
    rows.append(SummaryRow("城乡党组织结对帮扶", f"{len(list_pairings(session, on))} 对"))
    members = list_members(session, on)
    rows.append(
        SummaryRow(
            "领导小组、办公室、督导检查组",
            "、".join(f"{b} {sum(1 for m in members if m.body == b)} 人" for b in BODIES),
        )
    )
    scopes = act.publication_scopes(session, on)
    rows.append(SummaryRow("定级结果公开范围", f"{scopes[-1][0]} {scopes[-1][1]}" if scopes else "未登记"))
    return rows
