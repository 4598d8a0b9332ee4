"""The committee's steps of 分类定级 (seed, 三、二) and every grade event they leave.

compute records the proposals; then 群众党员会议审议 (deliberate), 组织考评 by the town
committee (approve), 公开 (publish), and changes after that with a reason (change_grade,
and record_regrade after 总结验收). Each step appends GradeEvent rows and never rewrites
one, so ``history`` shows every decision; jcnian.gradebook.reads derives the current grades.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from sqlalchemy import insert
from sqlmodel import Session, select

from jcnian import models
from jcnian.campaign.dates import windows
from jcnian.campaign.recording import record_override
from jcnian.campaign.tables import GateOverride
from jcnian.errors import Conflict, GateError, InvalidInput
from jcnian.gradebook.reads import (
    GradeState,
    QuotaReport,
    categories,
    current_rubric,
    current_rubric_id,
    grade_states,
    lookup_branch,
    paused_gc,
    quota_of,
)
from jcnian.gradebook.tables import GradeEvent
from jcnian.grading import Grade, cap_breaches, movement
from jcnian.models import Branch

STEP_LABELS = {
    "proposed": "拟定（计算）",
    "deliberated": "群众党员会议审议",
    "final": "组织考评（终定）",
    "published": "公开",
    "changed": "改定",
    "regraded": "验收后重新评定",
}
COMMITTEE = "镇党委"


# --- compute --------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputeResult:
    states: list[GradeState]
    recorded: int  # proposals recorded (new or changed since the last compute)


def _proposal_rows(states: Iterable[GradeState], on: date, rubric_id: int | None) -> list[dict[str, object]]:
    now = models.utc_now()
    rows = []
    for s in states:
        if s.proposed is None:
            continue
        if s.recorded == (s.score, s.proposed.value):
            continue
        rows.append(
            {
                "branch_id": s.branch_id,
                "step": "proposed",
                "grade": s.proposed.value,
                "score": s.score,
                "on": on,
                "rubric_id": rubric_id,
                "at": now,
            }
        )
    return rows


def _record_proposals(session: Session, states: Iterable[GradeState], on: date) -> set[int]:
    """Record each proposal that is new or changed since the last one (one bulk insert).

    Returns the ids of the branches whose proposal was recorded.
    """
    rows = _proposal_rows(states, on, current_rubric_id(session))
    if rows:
        session.execute(insert(GradeEvent), rows)
    return {row["branch_id"] for row in rows}  # type: ignore[misc]


def compute(session: Session, on: date) -> ComputeResult:
    """Grade every complete branch and record each proposal that is new or has changed."""
    states = grade_states(session)
    with paused_gc():
        recorded = _record_proposals(session, states.values(), on)
        listed = [
            replace(s, recorded=(s.score, s.proposed.value)) if s.branch_id in recorded else s  # type: ignore[union-attr]
            for s in states.values()
        ]
    return ComputeResult(listed, len(recorded))


# --- the steps: deliberation, approval, publication, changes --------------------------


@dataclass(frozen=True)
class StepEntry:
    branch: str
    before: Grade | None
    grade: Grade
    recorded: bool  # False: the ledger already held exactly this step


@dataclass(frozen=True)
class StepResult:
    step: str
    on: date
    entries: list[StepEntry]
    quota: QuotaReport | None = None
    warnings: list[str] = field(default_factory=list)
    override: str | None = None

    @property
    def recorded(self) -> int:
        return sum(e.recorded for e in self.entries)


def _names(names: Sequence[str], limit: int = 8) -> str:
    """A list of branch names short enough to read in one error line."""
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个党组织" if len(names) > limit else "")


def _checked_quota(
    session: Session, states: Iterable[GradeState], override: str | None, refusal: str
) -> QuotaReport:
    """The quota over the grades as they would stand; a list failing it needs ``override``."""
    report = quota_of(states, current_rubric(session), categories(session))
    if not report.ok and override is None:
        error = GateError(refusal)
        error.problems = [  # type: ignore[attr-defined]  # shown line by line
            f"{where}：{b.band} 实有 {b.actual} 个，允许 {b.min}–{b.max} 个（目标 {b.target}）。"
            for where, check in (("全部", report.overall), *report.categories.items())
            for b in check.bands
            if not b.ok
        ]
        raise error
    return report


def _window_warning(session: Session, on: date, what: str) -> list[str]:
    window = windows(session)["classify"]
    if not window.start <= on <= window.end:
        return [f"{what}日期 {on.isoformat()} 不在分类定级阶段（{window.start} 至 {window.end}）内。"]
    return []


def _targets(
    session: Session,
    states: Mapping[int, GradeState],
    refs: Sequence[str | int] | None,
    grade: Grade | None,
    pending: Callable[[GradeState], bool],
) -> list[GradeState]:
    """The branches a step applies to: those named, or (``refs=None``) every pending one.

    A step applies only to branches with a proposal: an incomplete one stops it whole.
    """
    if refs is None:
        if grade is not None:
            raise InvalidInput("改变等级须逐个指定党组织，不能与“全部”同用。")
        targets = [s for s in states.values() if s.proposed and pending(s)]
    else:
        chosen: dict[int, GradeState] = {}
        for ref in refs:
            branch = lookup_branch(session, ref)
            chosen[branch.id] = states[branch.id]  # type: ignore[index]
        targets = list(chosen.values())
    lacking = [f"{s.name}：{'；'.join(s.missing)}" for s in targets if s.proposed is None]
    if lacking:
        raise InvalidInput(f"{len(lacking)} 个党组织评分不全，尚无拟定等级，未作任何改动：", lacking)
    return targets


QUOTA_REFUSED = "等级比例不符合要求"
CAP_GATE = "grade-cap"  # a grade set above the satisfaction cap or despite a veto


def cap_check(
    session: Session,
    chosen: Iterable[tuple[GradeState, Grade]],
    override: str | None,
    what: str,
    satisfaction: "Fraction | None" = None,
) -> dict[int, list[str]]:
    """Which of the grades a person sets break the satisfaction cap or a veto, by branch id.

    ``satisfaction``: the rate that counts instead of the ballots' (an acceptance round's
    满意度测评). Any breach without ``override`` stops the step whole (GateError).
    """
    rubric = current_rubric(session)
    found: dict[int, tuple[str, list[str]]] = {}
    for s, grade in chosen:
        rate = s.satisfaction if satisfaction is None else satisfaction
        reasons = cap_breaches(grade, rubric, satisfaction=rate, vetoes=s.vetoes)
        if reasons:
            found[s.branch_id] = (s.name, reasons)
    if found and override is None:
        error = GateError(f"{what}高于评分办法允许的等级；确需如此，请加 --override 写明理由：")
        error.problems = [f"{name}：{'；'.join(r)}。" for name, r in found.values()]  # type: ignore[attr-defined]
        raise error
    return {bid: reasons for bid, (_n, reasons) in found.items()}


def _cap_record(
    session: Session, branch_id: int, reasons: list[str], override: str | None, on: date
) -> GateOverride | None:
    """The override record for one branch's grade set above the cap (None: no breach)."""
    if not reasons or override is None:
        return None
    return record_override(session, session.get(Branch, branch_id), CAP_GATE, reasons, override, on)


def _quota_override(
    session: Session, report: QuotaReport, gate: str, override: str | None, on: date
) -> GateOverride | None:
    """The record of an override of the quota check, for the whole list (None: the quota holds)."""
    if report.ok or override is None:
        return None
    return record_override(session, None, gate, [QUOTA_REFUSED], override, on)


def _reason(reason: str | None) -> str | None:
    return (reason or "").strip() or None


def _add_event(
    session: Session, state: GradeState, step: str, grade: Grade, on: date, **extra: object
) -> None:
    session.add(
        GradeEvent(branch_id=state.branch_id, step=step, grade=grade.value, score=state.score, on=on, **extra)  # type: ignore[arg-type]
    )


def deliberate(
    session: Session,
    refs: Sequence[str | int] | None,
    on: date,
    *,
    grade: Grade | None = None,
    reason: str | None = None,
    by: str | None = None,
    override: str | None = None,
) -> StepResult:
    """群众党员会议审议: agree with the proposal, or change it with a reason.

    ``refs=None`` agrees for every graded branch the meetings have not yet deliberated. A
    grade above the satisfaction cap (or despite a veto) needs ``override``, recorded.
    """
    states = grade_states(session)
    reason, override = _reason(reason), _reason(override)
    targets = _targets(session, states, refs, grade, lambda s: s.deliberated is None and s.final is None)
    done = [s.name for s in targets if s.final is not None]
    if done:
        raise Conflict(f"{'、'.join(done)} 已由镇党委终定等级，如需改动请用 jcnian grade change。")
    if grade is not None and reason is None and any(grade != s.proposed for s in targets):
        raise InvalidInput("审议改变了拟定等级，须用 --reason 写明理由。")
    breaches = cap_check(session, [(s, grade or s.proposed) for s in targets], override, "审议等级")  # type: ignore[misc]
    _record_proposals(session, targets, on)
    entries = []
    for s in targets:
        chosen = grade or s.proposed
        assert chosen is not None
        same = s.deliberated == chosen
        if not same:
            gate = _cap_record(session, s.branch_id, breaches.get(s.branch_id, []), override, on)
            _add_event(
                session,
                s,
                "deliberated",
                chosen,
                on,
                reason=reason if chosen != s.proposed else None,
                override_id=gate.id if gate else None,
                by=by,
            )
        entries.append(StepEntry(s.name, s.proposed, chosen, not same))
    session.flush()
    used = override if breaches else None
    return StepResult(
        "deliberated", on, entries, warnings=_window_warning(session, on, "审议"), override=used
    )


def approve(
    session: Session,
    refs: Sequence[str | int] | None,
    on: date,
    *,
    grade: Grade | None = None,
    reason: str | None = None,
    override: str | None = None,
    by: str | None = None,
) -> StepResult:
    """组织考评: the town committee's final grade, after deliberation and within the quota.

    Without deliberation, or when the list would fail the quota check, it needs
    ``override``: the reason is recorded once per branch let through undeliberated, and once
    for the whole list when the quota fails; each final grade points to the record that let
    it through, and a branch no gate stopped carries none.
    """
    states = grade_states(session)
    reason, override = _reason(reason), _reason(override)
    targets = _targets(session, states, refs, grade, lambda s: s.final is None)
    changed = [
        f"{s.name}（{s.final}）" for s in targets if s.final is not None and s.final != (grade or s.final)
    ]
    if changed:
        raise Conflict(f"{'、'.join(changed)} 已有终定等级，如需改动请用 jcnian grade change 并写明理由。")
    undeliberated = [s.name for s in targets if s.final is None and s.deliberated is None]
    if undeliberated and override is None:
        raise GateError(
            f"{_names(undeliberated)} 尚未经群众党员会议审议（jcnian grade deliberate）；"
            "确需先行终定，请加 --override 写明理由。"
        )
    if grade is not None and reason is None and any(grade != (s.deliberated or s.proposed) for s in targets):
        raise InvalidInput("终定等级与审议（拟定）等级不同，须用 --reason 写明理由。")
    plan = {s.branch_id: grade or s.final or s.deliberated or s.proposed for s in targets}
    projected = [replace(s, final=plan[s.branch_id]) if s.branch_id in plan else s for s in states.values()]
    breaches = cap_check(  # each branch's own rule first, then the list's quota
        session,
        [(s, plan[s.branch_id]) for s in targets if s.final is None],
        override,
        "终定等级",  # type: ignore[misc]
    )
    report = _checked_quota(
        session, projected, override, "按此终定，等级比例不符合要求；确需批准，请加 --override 写明理由："
    )
    used = override if (undeliberated or not report.ok or breaches) else None
    quota_gate = _quota_override(session, report, "grade-final", override, on)
    _record_proposals(session, targets, on)
    entries = []
    for s in targets:
        chosen = plan[s.branch_id]
        assert chosen is not None
        if s.final is not None:
            entries.append(StepEntry(s.name, s.final, chosen, False))
            continue
        basis = s.deliberated or s.proposed
        gate = quota_gate
        capped = breaches.get(s.branch_id, [])
        if s.deliberated is None or capped:
            refused = [
                *(["尚未经群众党员会议审议"] if s.deliberated is None else []),
                *capped,
                *([QUOTA_REFUSED] if quota_gate else []),
            ]
            gate = record_override(
                session,
                session.get(Branch, s.branch_id),
                CAP_GATE if capped else "grade-final",
                refused,
                override,  # type: ignore[arg-type]
                on,
            )
        _add_event(
            session,
            s,
            "final",
            chosen,
            on,
            reason=reason if chosen != basis else None,
            override_id=gate.id if gate else None,
            by=by or COMMITTEE,
        )
        entries.append(StepEntry(s.name, basis, chosen, True))
    session.flush()
    return StepResult("final", on, entries, report, _window_warning(session, on, "终定"), used)


def publish(session: Session, on: date, *, override: str | None = None, by: str | None = None) -> StepResult:
    """公开: publish the final grades on a date; every branch needs one, and the quota must hold."""
    states = grade_states(session)
    override = _reason(override)
    pending = [s.name for s in states.values() if s.final is None]
    if pending and override is None:
        raise GateError(
            f"{_names(pending)} 尚无终定等级，不能公开；确需先公开已终定的，请加 --override 写明理由。"
        )
    report = _checked_quota(
        session, states.values(), override, "等级比例不符合要求；确需公开，请加 --override 写明理由："
    )
    used = override if (pending or not report.ok) else None
    refused = [f"{len(pending)} 个党组织尚无终定等级"] if pending else []
    refused += [] if report.ok else [QUOTA_REFUSED]
    gate = record_override(session, None, "grade-published", refused, override, on) if refused else None  # type: ignore[arg-type]
    entries = []
    for s in states.values():
        if s.final is None:
            continue
        fresh = s.published != s.final or s.republish
        if fresh:
            _add_event(
                session,
                s,
                "published",
                s.final,
                on,
                override_id=gate.id if gate else None,
                by=by or COMMITTEE,
            )
        entries.append(StepEntry(s.name, s.published, s.final, fresh))
    if not entries:
        raise GateError("还没有任何终定等级可以公开（先用 jcnian grade approve）。")
    session.flush()
    return StepResult("published", on, entries, report, _window_warning(session, on, "公开"), used)


@dataclass(frozen=True)
class GradeChange:
    branch: str
    before: Grade | None
    after: Grade
    on: date
    published: bool  # the grade had been published before this change
    recorded: bool
    warnings: tuple[str, ...] = ()


def _change(
    session: Session,
    branch: Branch,
    state: GradeState,
    step: str,
    grade: Grade,
    on: date,
    reason: str | None,
    override: GateOverride | None,
    by: str | None,
) -> GradeChange:
    """Append a change to the history; ``override`` is the record of the gate that let it through."""
    reason = _reason(reason)
    if reason is None:
        raise InvalidInput("改定等级须用 --reason 写明理由。")
    last = session.exec(
        select(GradeEvent).where(GradeEvent.branch_id == branch.id).order_by(GradeEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    repeat = (
        last is not None
        and last.step == step
        and last.grade == grade.value
        and last.on == on
        and last.reason == reason
    )
    if not repeat:
        _add_event(
            session,
            state,
            step,
            grade,
            on,
            reason=reason,
            override_id=override.id if override else None,
            by=by,
        )
        session.flush()
    return GradeChange(branch.name, state.final, grade, on, state.published is not None, not repeat)


def _state_of(session: Session, branch: Branch) -> GradeState:
    """One branch's state (the full computation is cheap next to a clerk's typing)."""
    return grade_states(session)[branch.id]  # type: ignore[index]


def change_grade(
    session: Session,
    branch: str | int,
    grade: Grade,
    on: date,
    reason: str | None,
    *,
    override: str | None = None,
    by: str | None = None,
) -> GradeChange:
    """改定 a final grade (after approval, before or after publication); always with a reason.

    The one gate is the satisfaction cap and the vetoes: a grade above them needs
    ``override``, recorded; otherwise an ``override`` is not recorded (and said so).
    """
    b = lookup_branch(session, branch)
    state = _state_of(session, b)
    if state.final is None:
        raise GateError(f"{b.name} 尚无终定等级，请先用 jcnian grade approve。")
    if state.final == grade:
        raise Conflict(f"{b.name} 的终定等级已是“{grade}”，无需改定。")
    if _reason(reason) is None:
        raise InvalidInput("改定等级须用 --reason 写明理由。")
    breaches = cap_check(session, [(state, grade)], _reason(override), "改定等级").get(b.id, [])  # type: ignore[arg-type]
    gate = _cap_record(session, b.id, breaches, _reason(override), on)  # type: ignore[arg-type]
    change = _change(session, b, state, "changed", grade, on, reason, gate, by)
    if _reason(override) and gate is None:
        return replace(change, warnings=("改定等级没有需要越过的检查，--override 的理由未记入。",))
    return change


def record_regrade(
    session: Session,
    branch_id: int,
    grade: Grade,
    on: date,
    reason: str,
    override: GateOverride | None = None,
    *,
    satisfaction: "Fraction | None" = None,
    cap_override: str | None = None,
) -> GradeChange:
    """重新评定级次 after acceptance (总结验收); ``override``: the acceptance gate's record, if any.

    The grade is held to the cap with ``satisfaction`` (the round's 满意度测评, when there is
    one; the ballots otherwise); a breach needs ``cap_override`` and is recorded on its own.
    """
    b = lookup_branch(session, branch_id)
    state = _state_of(session, b)
    breaches = cap_check(session, [(state, grade)], _reason(cap_override), "重新评定的等级", satisfaction)
    gate = _cap_record(session, branch_id, breaches.get(branch_id, []), _reason(cap_override), on)
    return _change(session, b, state, "regraded", grade, on, reason, gate or override, None)


# --- history --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    step: str
    label: str
    grade: str | None
    score: float | None
    on: date | None
    reason: str | None
    override: str | None
    by: str | None


@dataclass(frozen=True)
class BranchHistory:
    branch: str
    category: str
    initial: Grade | None
    final: Grade | None
    events: list[HistoryEntry]

    @property
    def movement(self) -> str | None:
        """分类升级 (moved up) or 降级 since the first final grade."""
        moved = movement(self.initial, self.final)
        return None if moved == "持平" else moved


def history(session: Session, branch: str | int, as_of: date | None = None) -> BranchHistory:
    """Every grade event of one branch, oldest first (those dated on or before ``as_of``)."""
    from jcnian.gradebook.reads import event_dated_by

    b = lookup_branch(session, branch)
    state = grade_states(session, as_of=as_of)[b.id]  # type: ignore[index]
    events = session.exec(
        select(GradeEvent, GateOverride.reason)
        .join(GateOverride, GradeEvent.override_id == GateOverride.id, isouter=True)  # type: ignore[arg-type]
        .where(GradeEvent.branch_id == b.id, *([event_dated_by(as_of)] if as_of is not None else []))
        .order_by(GradeEvent.id)  # type: ignore[arg-type]
    ).all()
    return BranchHistory(
        b.name,
        state.category,
        state.initial,
        state.final,
        [
            HistoryEntry(e.step, STEP_LABELS.get(e.step, e.step), e.grade, e.score, e.on, e.reason, why, e.by)
            for e, why in events
        ],
    )
