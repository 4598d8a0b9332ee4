"""总结验收 in the ledger: the four ways of acceptance per round, the decision with the
re-assessed grade (重新评定级次, kept in the grade history), the rectification a failed branch
carries until it is accepted again, and the acceptance report.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.dates import windows
from jcnian.campaign.facts import NO_GRADE, CampaignFacts, backward_ids, branch_rows, grade_facts
from jcnian.campaign.plans import plan_row
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, override_log, pass_gate, upsert
from jcnian.campaign.tables import AcceptanceDecision, AcceptanceStep, GateOverride, Project, Rectification
from jcnian.errors import Conflict, InvalidInput
from jcnian.gradebook.reads import grade_states
from jcnian.grading import movement
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Branch


def _decisions(session: Session, branch: Branch) -> list[AcceptanceDecision]:
    return list(
        session.exec(
            select(AcceptanceDecision)
            .where(AcceptanceDecision.branch_id == branch.id)
            .order_by(AcceptanceDecision.round)
        ).all()
    )


def _round(decisions: Sequence[AcceptanceDecision]) -> int:
    if decisions and decisions[-1].passed:
        return decisions[-1].round
    return 1 + sum(1 for d in decisions if not d.passed)


def _parse_rate(rate: float | None) -> float | None:
    """A satisfaction rate as a share (0–1); what a clerk types (30%, 30, 0.3) is read by the one
    percentage rule at the edge (jcnian.typed.parse_percent), not guessed again here."""
    if rate is None:
        return None
    if not 0 <= rate <= 1:
        raise InvalidInput(f"满意率 {rate} 无效，应为 0–1 的比例。")
    return round(rate, 4)


def record_step(
    session: Session,
    branch_name: str,
    method: str,
    on: date,
    *,
    rate: float | None = None,
    note: str | None = None,
    override: str | None = None,
) -> Saved:
    """One of 自查初评、实地调查、满意度测评、组织评审 in the branch's current round."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    kind = phases.parse_choice(method, phases.ACCEPTANCE_METHODS, "验收方式", phases.ACCEPTANCE_ALIASES)
    value = _parse_rate(rate)
    if kind == "满意度测评" and value is None:
        raise InvalidInput("党员群众满意度测评须用 --rate 给出满意率，如 0.93 或 93。")
    if kind != "满意度测评" and value is not None:
        raise InvalidInput("--rate 只用于满意度测评。")
    decisions = _decisions(session, branch)
    if decisions and decisions[-1].passed:
        raise Conflict(f"{branch.name}已于 {decisions[-1].on} 通过验收，不再登记验收步骤。")
    rnd = _round(decisions)
    return upsert(
        session,
        AcceptanceStep,
        {"branch_id": branch.id, "round": rnd, "method": kind},
        {"on": on, "rate": value, "note": optional_text(note)},
        branch=branch.name,
        what=f"第 {rnd} 轮{kind}" + (f"（满意率 {value:.0%}）" if value is not None else ""),
        previous=lambda row: f"{row.on}" + (f"，满意率 {row.rate:.0%}" if row.rate is not None else ""),
        gate=lambda: pass_gate(
            session,
            branch,
            "accept-step",
            f"登记{kind}",
            phases.step_gate(on, windows(session)["accept"]),
            override,
            on,
        ),
    )


@dataclass(frozen=True)
class DecisionView:
    branch: str
    round: int
    on: date
    passed: bool
    grade: str | None
    reason: str | None
    override: str | None
    opinion: str | None
    deadline: date | None
    status: str  # created | unchanged


def decide(
    session: Session,
    branch_name: str,
    *,
    passed: bool,
    on: date,
    grade: str | None = None,
    reason: str | None = None,
    opinion: str | None = None,
    deadline: date | None = None,
    override: str | None = None,
) -> DecisionView:
    """Pass or fail a branch's acceptance round and re-assess its grade (重新评定级次).

    A fail carries a rectification opinion with a deadline; the branch is accepted again
    in the next round once the rectification is done.
    """
    from jcnian.gradebook import steps as grade_steps
    from jcnian.grading import parse_grade

    in_campaign_year(session, on, "--on")
    in_campaign_year(session, deadline, "--deadline")
    branch = find_branch(session, branch_name)
    new_grade = parse_grade(grade) if grade else None
    if passed and new_grade is None:
        raise InvalidInput("验收通过须用 --grade 重新评定级次（好/较好/一般/较差）。")
    opinion = optional_text(opinion)
    if not passed and (opinion is None or deadline is None):
        raise InvalidInput("未通过验收须给出整改意见 --opinion 和整改期限 --deadline。")
    if deadline is not None and deadline <= on:
        raise InvalidInput(f"整改期限 {deadline} 应晚于验收日期 {on}。")
    decisions = _decisions(session, branch)
    if decisions and decisions[-1].passed:
        last = decisions[-1]
        if passed and (last.on, last.grade) == (on, new_grade):
            return _decision_view(session, branch, last, "unchanged")
        raise Conflict(f"{branch.name}已于 {last.on} 通过验收（{last.grade}），不能再次决定。")
    rnd = _round(decisions)
    campaign = current_campaign(session)
    states = grade_states(session)  # once: both the grade and the backward list come from it
    facts = grade_facts(session, campaign, states).get(branch.id, NO_GRADE)  # type: ignore[arg-type]
    plan = plan_row(session, branch)
    steps = session.exec(
        select(AcceptanceStep.method).where(
            AcceptanceStep.branch_id == branch.id, AcceptanceStep.round == rnd
        )
    ).all()
    backward = branch.id in backward_ids(session, states.values())
    one_village = bool(
        session.exec(select(Project.id).where(Project.branch_id == branch.id, Project.one_village)).first()
    )
    open_rect = session.exec(
        select(Rectification).where(Rectification.branch_id == branch.id, Rectification.closed_on.is_(None))  # type: ignore[union-attr]
    ).first()
    reasons = phases.decision_gate(
        on=on,
        accept=windows(session, campaign)["accept"],
        has_final_grade=facts.final is not None,
        has_plan=bool(plan and plan.plan),
        methods_done=steps,
        backward=backward,
        has_one_village=one_village,
        passing=passed,
        open_rectification=open_rect.deadline if open_rect else None,
    )
    counted = None
    if new_grade is not None:
        # The rate that counts: this round's 党员群众满意度测评 where there is one, else the ballots.
        rate = session.exec(
            select(AcceptanceStep.rate)
            .where(
                AcceptanceStep.branch_id == branch.id,
                AcceptanceStep.round == rnd,
                AcceptanceStep.rate.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(AcceptanceStep.on.desc())  # type: ignore[attr-defined]
        ).first()
        counted = Fraction(rate).limit_denominator(10_000) if rate is not None else None
        grade_steps.cap_check(
            session,
            [(states[branch.id], new_grade)],
            optional_text(override),
            "重新评定的等级",
            counted,  # type: ignore[index]
        )
    used = pass_gate(session, branch, "accept-decision", "作出验收决定", reasons, override, on)
    row = AcceptanceDecision(
        branch_id=branch.id,  # type: ignore[arg-type]
        round=rnd,
        on=on,
        passed=passed,
        grade=new_grade.value if new_grade else None,
        reason=optional_text(reason),
        override_id=used.id if used else None,
    )
    session.add(row)
    session.flush()
    if new_grade is not None:
        why = reason or f"第 {rnd} 轮总结验收{'通过' if passed else '未通过'}，重新评定级次"
        grade_steps.record_regrade(
            session,
            branch.id,
            new_grade,
            on,
            why,
            override=used,
            satisfaction=counted,
            cap_override=override,  # type: ignore[arg-type]
        )
    if not passed:
        if open_rect is not None:
            open_rect.closed_on = on
            open_rect.note = f"第 {rnd} 轮验收未通过，由新的整改意见取代"
            session.add(open_rect)
        session.add(
            Rectification(
                branch_id=branch.id,  # type: ignore[arg-type]
                decision_id=row.id,  # type: ignore[arg-type]
                opinion=opinion,  # type: ignore[arg-type]
                deadline=deadline,  # type: ignore[arg-type]
                opened_on=on,
            )
        )
        session.flush()
    return _decision_view(session, branch, row, "created")


def _decision_view(session: Session, branch: Branch, row: AcceptanceDecision, status: str) -> DecisionView:
    rect = session.exec(select(Rectification).where(Rectification.decision_id == row.id)).first()
    return DecisionView(
        branch.name,
        row.round,
        row.on,
        row.passed,
        row.grade,
        row.reason,
        session.get(GateOverride, row.override_id).reason if row.override_id else None,  # type: ignore[union-attr]
        rect.opinion if rect else None,
        rect.deadline if rect else None,
        status,
    )


def close_rectification(session: Session, branch_name: str, on: date, note: str | None = None) -> Saved:
    """Mark a branch's open rectification done, so it can be accepted again."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    row = session.exec(
        select(Rectification)
        .where(Rectification.branch_id == branch.id, Rectification.closed_on.is_(None))  # type: ignore[union-attr]
        .order_by(Rectification.id.desc())  # type: ignore[union-attr]
    ).first()
    if row is None:
        raise Conflict(f"{branch.name}没有未完成的整改意见。")
    if on < row.opened_on:
        raise InvalidInput(f"整改完成日期 {on} 早于提出整改意见的日期 {row.opened_on}。")
    row.closed_on = on
    row.note = optional_text(note) or row.note
    session.add(row)
    late = f"（超过期限 {row.deadline}）" if on > row.deadline else ""
    return Saved(branch.name, f"整改完成{late}", "created")


@dataclass(frozen=True)
class AcceptanceRow:
    branch: str
    category: str
    initial: str | None
    final: str | None
    moved: str
    result: str
    rounds: int
    satisfaction: float | None
    rectification: str | None


@dataclass(frozen=True)
class AcceptanceReport:
    as_of: date
    rows: list[AcceptanceRow]
    moved_up: list[str]
    moved_down: list[str]
    failed: list[str]
    open_rectifications: list[dict[str, Any]]
    pending: list[str]
    overrides: list[dict[str, Any]]


def acceptance_report(session: Session, on: date, facts: CampaignFacts | None = None) -> AcceptanceReport:
    """Initial against final grade per branch, who moved up, who failed, what is still open.

    ``facts``: the facts pass, when the caller has it already (its grades are used).
    """
    campaign = current_campaign(session)
    grades = facts.grades if facts is not None else grade_facts(session, campaign, as_of=on)
    in_campaign = Branch.campaign_id == campaign.id
    decisions: dict[int, list[tuple[int, str | None, bool]]] = defaultdict(list)
    for bid, rnd, grade, passed in session.exec(
        select(
            AcceptanceDecision.branch_id,
            AcceptanceDecision.round,
            AcceptanceDecision.grade,
            AcceptanceDecision.passed,
        )
        .join(Branch, AcceptanceDecision.branch_id == Branch.id)
        .where(in_campaign, AcceptanceDecision.on <= on)
        .order_by(AcceptanceDecision.round)
    ):
        decisions[bid].append((rnd, grade, passed))
    rates: dict[int, tuple[int, float]] = {}
    for bid, rnd, rate in session.exec(
        select(AcceptanceStep.branch_id, AcceptanceStep.round, AcceptanceStep.rate)
        .join(Branch, AcceptanceStep.branch_id == Branch.id)
        .where(in_campaign, AcceptanceStep.rate.is_not(None), AcceptanceStep.on <= on)  # type: ignore[union-attr]
    ):
        if bid not in rates or rates[bid][0] < rnd:
            rates[bid] = (rnd, rate)
    rects: dict[int, list[tuple[str, date, date | None]]] = defaultdict(list)
    for bid, opinion, deadline, closed_on in session.exec(
        select(
            Rectification.branch_id, Rectification.opinion, Rectification.deadline, Rectification.closed_on
        )
        .join(Branch, Rectification.branch_id == Branch.id)
        .where(in_campaign, Rectification.opened_on <= on)
        .order_by(Rectification.id)  # type: ignore[arg-type]
    ):
        rects[bid].append((opinion, deadline, closed_on))
    rows, moved_up, moved_down, failed, open_rects, pending = [], [], [], [], [], []
    for bid, name, category in branch_rows(session, campaign):
        g = grades.get(bid, NO_GRADE)
        ds = decisions.get(bid, [])
        final = next((grade for _r, grade, _p in reversed(ds) if grade), None)
        if ds and ds[-1][2]:
            result = "通过" + (f"（第 {ds[-1][0]} 轮）" if ds[-1][0] > 1 else "")
        elif ds:
            result = "未通过"
            failed.append(name)
        else:
            result = "未验收"
            pending.append(name)
        moved = movement(g.initial, final) or ""
        if moved == "升级":
            moved_up.append(name)
        elif moved == "降级":
            moved_down.append(name)
        opened = rects.get(bid, [])
        still = [r for r in opened if r[2] is None or r[2] > on]
        for opinion, deadline, _closed in still:
            open_rects.append(
                {"branch": name, "opinion": opinion, "deadline": deadline, "overdue": on > deadline}
            )
        rect_note = f"整改中，期限 {still[-1][1]}" if still else None
        if opened and not still:
            rect_note = f"已整改（{opened[-1][2]}）"
        rows.append(
            AcceptanceRow(
                name,
                category,
                g.initial,
                final,
                moved,
                result,
                len(ds),
                rates[bid][1] if bid in rates else None,
                rect_note,
            )
        )
    overrides = [asdict(o) for o in override_log(session, on)]
    return AcceptanceReport(on, rows, moved_up, moved_down, failed, open_rects, pending, overrides)
