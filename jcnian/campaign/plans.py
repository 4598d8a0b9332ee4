"""深入实施's plan in the ledger: each branch's 争创目标, 整改措施 and 实施方案 (set after its
grade), and the public pledge (公开承诺) of what it has set.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.facts import NO_GRADE, grade_facts
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, pass_gate, required_text, upsert
from jcnian.campaign.tables import BranchPlan, Pledge
from jcnian.errors import InvalidInput
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Branch

PLAN_LABELS = {"goal": "争创目标", "measures": "整改措施", "plan": "实施方案"}


@dataclass(frozen=True)
class PlanView:
    branch: str
    goal: str | None
    goal_on: date | None
    measures: str | None
    measures_on: date | None
    plan: str | None
    plan_on: date | None
    pledge: str | None
    pledge_on: date | None
    pledge_medium: str | None


def plan_row(session: Session, branch: Branch) -> BranchPlan | None:
    return session.exec(select(BranchPlan).where(BranchPlan.branch_id == branch.id)).first()


def show_plan(session: Session, branch_name: str) -> PlanView:
    branch = find_branch(session, branch_name)
    row = plan_row(session, branch) or BranchPlan(branch_id=branch.id)  # type: ignore[arg-type]
    pledge = session.exec(select(Pledge).where(Pledge.branch_id == branch.id)).first()
    return PlanView(
        branch.name,
        row.goal,
        row.goal_on,
        row.measures,
        row.measures_on,
        row.plan,
        row.plan_on,
        pledge.text if pledge else None,
        pledge.pledged_on if pledge else None,
        pledge.medium if pledge else None,
    )


def set_plan(
    session: Session,
    branch_name: str,
    on: date,
    *,
    goal: str | None = None,
    measures: str | None = None,
    plan: str | None = None,
    override: str | None = None,
) -> list[Saved]:
    """Set a branch's 争创目标, 整改措施 and/or 实施方案; each part keeps its own date."""
    branch = find_branch(session, branch_name)
    parts = [
        (k, v.strip()) for k, v in (("goal", goal), ("measures", measures), ("plan", plan)) if v is not None
    ]
    if not parts:
        raise InvalidInput("请至少给出 --goal、--measures 或 --plan 之一。")
    for key, value in parts:
        if not value:
            raise InvalidInput(f"{PLAN_LABELS[key]}不能为空。")
    in_campaign_year(session, on, "--on")
    row = plan_row(session, branch) or BranchPlan(branch_id=branch.id)  # type: ignore[arg-type]
    changes = [(k, v) for k, v in parts if getattr(row, k) != v]
    saved = [Saved(branch.name, PLAN_LABELS[k], "unchanged") for k, v in parts if getattr(row, k) == v]
    if not changes:
        return saved
    facts = grade_facts(session, current_campaign(session)).get(branch.id, NO_GRADE)  # type: ignore[arg-type]
    used = pass_gate(
        session,
        branch,
        "plan",
        "制定争创目标和实施方案",
        phases.plan_gate(facts.final is not None),
        override,
        on,
    )
    for key, value in changes:
        old = getattr(row, key)
        setattr(row, key, value)
        # The date says since when the branch has had one: a later rewording keeps it.
        since = getattr(row, f"{key}_on")
        setattr(row, f"{key}_on", min(since, on) if since else on)
        saved.append(
            Saved(
                branch.name,
                PLAN_LABELS[key],
                "updated" if old else "created",
                old,
                used.reason if used else None,
            )
        )
    session.add(row)
    return saved


def record_pledge(
    session: Session,
    branch_name: str,
    text: str,
    on: date,
    medium: str | None = None,
    override: str | None = None,
) -> Saved:
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)

    def gate() -> str | None:
        plan = plan_row(session, branch)
        reasons = phases.pledge_gate(
            bool(plan and plan.goal), bool(plan and plan.measures), bool(plan and plan.plan)
        )
        return pass_gate(session, branch, "pledge", "公开承诺", reasons, override, on)

    return upsert(
        session,
        Pledge,
        {"branch_id": branch.id},
        {"text": required_text(text, "承诺内容"), "pledged_on": on, "medium": optional_text(medium)},
        branch=branch.name,
        what="公开承诺",
        previous=lambda row: f"{row.pledged_on}：{row.text}",
        gate=gate,
    )
