"""The campaign's standing requirements beside the four phases, in the ledger: 调研走访 and the
回头看 of village elections, monthly written reports, each branch's 1–2 rules (制度), its
slogan and campaign column, and the enterprises found for full party coverage before 07-01.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.dates import dated_rules, windows
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, required_text, upsert
from jcnian.campaign.tables import BranchRegulation, EnterpriseCoverage, MonthlyReport, Publicity, Visit
from jcnian.errors import InvalidInput
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Branch, Category
from jcnian.names import normalise


def record_visit(
    session: Session,
    branch_name: str,
    on: date,
    kind: str = "走访",
    by: str | None = None,
    findings: str | None = None,
) -> Saved:
    """调研走访 (every branch must be visited) or the 回头看 of a village's election.

    The 回头看 looks back at the village elections (村级组织换届): 农村 branches only.
    """
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    kind = phases.parse_choice(kind, phases.VISIT_KINDS, "走访类型")
    village = phases.RULE_CATEGORY["revisit"]
    if kind == "回头看":
        category = session.get(Category, branch.category_id)
        if category is None or category.name != village:
            raise InvalidInput(
                f"“回头看”是村级组织换届的回头看，只适用于{village}党组织；"
                f"{branch.name}是{category.name if category else '未分类'}党组织，请登记为“走访”。"
            )
    return upsert(
        session,
        Visit,
        {"branch_id": branch.id, "kind": kind, "on": on},
        {"by": normalise(by) if by else None, "findings": optional_text(findings)},
        branch=branch.name,
        what=f"{on} {kind}",
        previous=lambda row: "，".join(filter(None, [row.by, row.findings])) or None,
    )


def record_report(
    session: Session, branch_name: str, month: str, on: date, summary: str | None = None
) -> Saved:
    """月度书面汇报: one per branch and month; a second one for the month replaces the first."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    key = phases.parse_month(month)
    if on < date.fromisoformat(f"{key}-01"):
        raise InvalidInput(f"{key} 的汇报不能早于该月（提交日期 {on}）。")
    return upsert(
        session,
        MonthlyReport,
        {"branch_id": branch.id, "month": key},
        {"submitted_on": on, "summary": optional_text(summary)},
        branch=branch.name,
        what=f"{key} 月度书面汇报",
        previous=lambda row: f"{row.submitted_on}" + (f"：{row.summary}" if row.summary else ""),
    )


@dataclass(frozen=True)
class MissingReport:
    branch: str
    month: str
    due: date


def missing_reports(session: Session, on: date) -> list[MissingReport]:
    campaign = current_campaign(session)
    months = phases.ended_months(phases.report_months(windows(session, campaign)), on)
    have = {
        (b, m)
        for b, m, d in session.exec(
            select(MonthlyReport.branch_id, MonthlyReport.month, MonthlyReport.submitted_on)
            .join(Branch, MonthlyReport.branch_id == Branch.id)
            .where(Branch.campaign_id == campaign.id)
        )
        if d <= on
    }
    branches = session.exec(
        select(Branch.id, Branch.name).where(Branch.campaign_id == campaign.id).order_by(Branch.seq)
    ).all()
    return [
        MissingReport(name, m, phases.month_end(m))
        for bid, name in branches
        for m in months
        if (bid, m) not in have
    ]


def add_regulation(session: Session, branch_name: str, name: str, on: date) -> Saved:
    """One of the 1–2 practical rules (制度) each branch sets up (seed 三、七).

    Fewer than one is a missing deliverable (jcnian.checklist); a third or later one is
    recorded with a note that the seed asks for 1–2, not refused.
    """
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    title = required_text(name, "制度名称")
    rows = session.exec(select(BranchRegulation).where(BranchRegulation.branch_id == branch.id)).all()
    note = None
    if len(rows) >= 2 and all(r.name != title for r in rows):
        names = "、".join(r.name for r in rows)
        note = f"{branch.name}已建立 {len(rows)} 项制度（{names}），活动要求 1–2 项务实管用的制度；本项照常登记。"
    saved = upsert(
        session,
        BranchRegulation,
        {"branch_id": branch.id, "name": title},
        {"adopted_on": on},
        branch=branch.name,
        what=f"制度“{title}”",
        previous=lambda row: str(row.adopted_on),
    )
    if note:
        saved.warnings.append(note)
    return saved


PUBLICITY_KINDS = {"slogan": "宣传标语", "column": "活动专栏"}


def add_publicity(session: Session, branch_name: str, kind: str, text: str, on: date) -> Saved:
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    body = required_text(text, "内容")
    return upsert(
        session,
        Publicity,
        {"branch_id": branch.id, "kind": kind, "text": body},
        {"on": on},
        branch=branch.name,
        what=f"{PUBLICITY_KINDS[kind]}“{body}”",
        previous=lambda row: str(row.on),
    )


@dataclass(frozen=True)
class CoverageView:
    enterprise: str
    found_on: date
    branch: str | None
    covered_on: date | None
    note: str | None


@dataclass(frozen=True)
class CoverageReport:
    due: date
    as_of: date
    total: int
    covered: int
    overdue: bool
    enterprises: list[CoverageView]


def record_enterprise(
    session: Session,
    name: str,
    found_on: date,
    branch_name: str | None = None,
    covered_on: date | None = None,
    note: str | None = None,
) -> Saved:
    """An enterprise from the 摸排; with a covering branch it counts as covered (全覆盖)."""
    in_campaign_year(session, found_on, "--on")
    in_campaign_year(session, covered_on, "--covered-on")
    campaign = current_campaign(session)
    key = normalise(name)
    if not key:
        raise InvalidInput("企业名称不能为空。")
    branch = find_branch(session, branch_name) if branch_name else None
    if branch is not None and covered_on is None:
        covered_on = found_on
    if covered_on is not None and branch is None:
        raise InvalidInput("登记覆盖日期时请用 --branch 说明由哪个党组织覆盖（单独组建或联合组建）。")
    row = session.exec(
        select(EnterpriseCoverage).where(
            EnterpriseCoverage.campaign_id == campaign.id, EnterpriseCoverage.name == key
        )
    ).first()
    what = f"企业“{key}”" + ("已覆盖" if branch else "（未覆盖）")
    branch_id = branch.id if branch else None
    note = optional_text(note)
    if row is None:
        session.add(
            EnterpriseCoverage(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                name=key,
                found_on=found_on,
                branch_id=branch_id,
                covered_on=covered_on,
                note=note,
            )
        )
        return Saved(branch.name if branch else "", what, "created")
    if branch is None and row.branch_id is not None:
        # A re-entry of the 摸排 does not undo a coverage already recorded.
        return Saved("", f"企业“{key}”", "unchanged")
    new = (row.found_on, branch_id, covered_on, note if note is not None else row.note)
    if (row.found_on, row.branch_id, row.covered_on, row.note) == new:
        return Saved(branch.name if branch else "", what, "unchanged")
    previous = f"覆盖于 {row.covered_on}" if row.covered_on else "未覆盖"
    row.branch_id, row.covered_on, row.note = branch_id, covered_on, new[3]
    session.add(row)
    return Saved(branch.name if branch else "", what, "updated", previous)


def coverage_report(session: Session, on: date) -> CoverageReport:
    campaign = current_campaign(session)
    due = dated_rules(session, campaign)["coverage"]
    rows = session.exec(
        select(EnterpriseCoverage, Branch.name)
        .join(Branch, EnterpriseCoverage.branch_id == Branch.id, isouter=True)
        .where(EnterpriseCoverage.campaign_id == campaign.id, EnterpriseCoverage.found_on <= on)
        .order_by(EnterpriseCoverage.id)
    ).all()
    views = [
        CoverageView(
            e.name,
            e.found_on,
            bname if e.covered_on and e.covered_on <= on else None,
            e.covered_on if e.covered_on and e.covered_on <= on else None,
            e.note,
        )
        for e, bname in rows
    ]
    covered = sum(1 for v in views if v.covered_on)
    return CoverageReport(due, on, len(views), covered, on > due and covered < len(views), views)
