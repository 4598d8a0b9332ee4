"""动员部署 in the ledger: each branch's mobilisation meeting, its survey methods, and the
问题台账 of the problems found (and later resolved).

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian import phases, rows
from jcnian.campaign.recording import Saved, in_campaign_year, optional_text, required_text, upsert
from jcnian.campaign.tables import MobilisationMeeting, Problem, SurveyMethod
from jcnian.errors import InvalidInput, NotFound
from jcnian.ledger import current_campaign, find_branch
from jcnian.models import Branch


def record_meeting(
    session: Session, branch_name: str, held_on: date, attendance: int | None = None, note: str | None = None
) -> Saved:
    in_campaign_year(session, held_on, "--on")
    branch = find_branch(session, branch_name)
    if attendance is not None and attendance < 0:
        raise InvalidInput("参会人数不能为负数。")
    return upsert(
        session,
        MobilisationMeeting,
        {"branch_id": branch.id},
        {"held_on": held_on, "attendance": attendance, "note": optional_text(note)},
        branch=branch.name,
        what="动员会议",
        previous=lambda row: (
            f"{row.held_on}" + (f"，{row.attendance} 人" if row.attendance is not None else "")
        ),
    )


def record_survey(
    session: Session, branch_name: str, methods: Sequence[str], on: date, note: str | None = None
) -> list[Saved]:
    """Survey methods a branch has used; several at once, each kept with its date."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    from jcnian.typed import parse_list

    methods = parse_list(methods)  # 座谈会，问卷调查 as well as 座谈会 问卷调查
    if not methods:
        raise InvalidInput(f"请至少给出一种调查方式：{'、'.join(phases.SURVEY_METHODS)}。")
    chosen = [phases.parse_choice(m, phases.SURVEY_METHODS, "调查方式") for m in methods]
    # Without --note a re-entry keeps the note already there.
    values = {"done_on": on} | ({"note": note} if note is not None else {})
    return [
        upsert(
            session,
            SurveyMethod,
            {"branch_id": branch.id, "method": method},
            values,
            branch=branch.name,
            what=method,
            previous=lambda row: str(row.done_on),
        )
        for method in dict.fromkeys(chosen)
    ]


PROBLEM_SOURCES = (*phases.SURVEY_METHODS, "调研走访", "回头看", "督查", "其他")


@dataclass(frozen=True)
class ProblemView:
    id: int
    branch: str
    text: str
    source: str
    found_on: date
    status: str
    resolved_on: date | None
    note: str | None


def _problem_view(p: Problem, branch: str) -> ProblemView:
    return ProblemView(p.id, branch, p.text, p.source, p.found_on, p.status, p.resolved_on, p.note)  # type: ignore[arg-type]


def add_problem(
    session: Session, branch_name: str, text: str, source: str, found_on: date
) -> tuple[ProblemView, bool]:
    """Enter a problem in the 问题台账; the same text for the same branch is not entered twice."""
    branch = find_branch(session, branch_name)
    body = required_text(text, "问题内容")
    src = phases.parse_choice(source, PROBLEM_SOURCES, "问题来源")
    in_campaign_year(session, found_on, "--on")
    key = {"branch_id": branch.id, "text": body}
    row = rows.find(session, Problem, key)
    if row is None:
        row = rows.insert(session, Problem, key, {"source": src, "found_on": found_on})
        if row is not None:
            return _problem_view(row, branch.name), True
        row = rows.find(session, Problem, key)  # another program entered it meanwhile
    return _problem_view(row, branch.name), False


def list_problems(
    session: Session, branch_name: str | None = None, status: str | None = None
) -> list[ProblemView]:
    campaign = current_campaign(session)
    stmt = (
        select(Problem, Branch.name)
        .join(Branch, Problem.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq, Problem.id)
    )
    if branch_name:
        stmt = stmt.where(Branch.id == find_branch(session, branch_name).id)
    if status:
        stmt = stmt.where(Problem.status == phases.parse_choice(status, phases.PROBLEM_STATES, "状态"))
    return [_problem_view(p, name) for p, name in session.exec(stmt)]


def update_problem(
    session: Session, problem_id: int, status: str, on: date, note: str | None = None
) -> tuple[ProblemView, str]:
    """Move a problem to 整改中 or 已解决 (or back); returns the view and the old status."""
    in_campaign_year(session, on, "--on")
    row = session.get(Problem, problem_id)
    branch = session.get(Branch, row.branch_id) if row else None
    if row is None or branch is None or branch.campaign_id != current_campaign(session).id:
        raise NotFound(f"问题台账里没有编号 {problem_id}，请用 jcnian problem list 查看编号。")
    new = phases.parse_choice(status, phases.PROBLEM_STATES, "状态")
    if new == "已解决" and on < row.found_on:
        raise InvalidInput(f"解决日期 {on} 早于发现日期 {row.found_on}。")
    old = row.status
    row.status = new
    row.resolved_on = on if new == "已解决" else None
    if note:
        row.note = note.strip()
    session.add(row)
    return _problem_view(row, branch.name), old
