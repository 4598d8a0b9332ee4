"""Each branch's 书记 / 主要负责人 (四、(一)) and the 调整不胜任的书记 (三、三): who leads a
branch on a day, the 负责人 the 问责 lists name beside a project's 具体责任人, and the
secretaries of the backward list.

Functions take an open Session and return plain dataclasses or raise typed errors; they never
print and never commit. Recording is idempotent (see ``jcnian.campaign.recording``).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, and_, select

from jcnian.campaign.activities_tables import BranchSecretary, SecretaryChange
from jcnian.campaign.recording import Saved, in_campaign_year, required_text, upsert
from jcnian.db import streamed
from jcnian.errors import InvalidInput
from jcnian.ledger import current_campaign, ensure_person, find_branch
from jcnian.models import Branch, Category, Person
from jcnian.names import normalise


def secretary_of(session: Session, branch_id: int | None) -> str | None:
    return session.exec(
        select(Person.name)
        .join(BranchSecretary, BranchSecretary.person_id == Person.id)
        .where(BranchSecretary.branch_id == branch_id)
    ).first()


def set_secretary(session: Session, branch_name: str, name: str, on: date) -> Saved:
    """A branch's 书记 / 负责人, a person like the liaisons (a near-duplicate name is warned of).

    Recording a different person here corrects the entry; a real change of an unfit secretary
    is ``change_secretary``, which keeps who left and why.
    """
    in_campaign_year(session, on, "--on")
    campaign = current_campaign(session)
    branch = find_branch(session, branch_name)
    warnings: list[str] = []
    person = ensure_person(session, campaign, name, "书记姓名", warnings)
    return upsert(
        session,
        BranchSecretary,
        {"branch_id": branch.id},
        {"person_id": person.id, "since": on},
        branch=branch.name,
        what=f"书记（负责人）{person.name}",
        previous=lambda row: f"{session.get(Person, row.person_id).name}，{row.since} 起",  # type: ignore[union-attr]
        warnings=warnings,
    )


def change_secretary(
    session: Session, branch_name: str, successor: str, on: date, reason: str
) -> list[Saved]:
    """调整不胜任的书记: the change with its reason, and the successor as the branch's secretary."""
    in_campaign_year(session, on, "--on")
    branch = find_branch(session, branch_name)
    why = required_text(reason, "调整理由（--reason）")
    before = secretary_of(session, branch.id)
    new = normalise(successor)
    if not new:
        raise InvalidInput("新任书记姓名不能为空。")
    if before == new:
        existing = session.exec(
            select(SecretaryChange).where(SecretaryChange.branch_id == branch.id, SecretaryChange.on == on)
        ).first()
        if existing is None:
            raise InvalidInput(f"{branch.name}的书记已是{new}，调整须换成另一人。")
        before = existing.previous
    change = upsert(
        session,
        SecretaryChange,
        {"branch_id": branch.id, "on": on},
        {"previous": before, "successor": new, "reason": why},
        branch=branch.name,
        what=f"{on} 调整书记：{before or '（未登记）'} → {new}",
        previous=lambda row: f"{row.previous or '（未登记）'} → {row.successor}，{row.reason}",
    )
    return [change, set_secretary(session, branch.name, new, on)]


@dataclass(frozen=True)
class SecretaryView:
    branch: str
    category: str
    secretary: str | None
    since: date | None
    changes: list[str]


def list_secretaries(session: Session, on: date) -> list[SecretaryView]:
    return list(secretary_rows(session, on))


def secretary_rows(session: Session, on: date) -> Iterator[SecretaryView]:
    """``list_secretaries``' rows made one branch at a time: the branches and their current
    secretaries come streamed from one query, only the recorded changes are held."""
    campaign = current_campaign(session)
    changes: dict[int, list[tuple[date, str | None, str, str]]] = {}
    for bid, *change in session.exec(
        select(
            SecretaryChange.branch_id,
            SecretaryChange.on,
            SecretaryChange.previous,
            SecretaryChange.successor,
            SecretaryChange.reason,
        )
        .join(Branch, SecretaryChange.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(SecretaryChange.on)  # type: ignore[arg-type]
    ):
        changes.setdefault(bid, []).append(tuple(change))  # type: ignore[arg-type]
    rows = streamed(
        session,
        select(Branch.id, Branch.name, Category.name, Person.name, BranchSecretary.since)
        .join(Category, Branch.category_id == Category.id)
        .outerjoin(BranchSecretary, BranchSecretary.branch_id == Branch.id)
        .outerjoin(Person, and_(BranchSecretary.person_id == Person.id, Person.campaign_id == campaign.id))
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq),  # type: ignore[arg-type]
    )
    for bid, branch, category, name, since in rows:
        if name is None:  # no secretary (or, never so, one of another campaign's people)
            since = None
        own = changes.get(bid, [])
        done = [c for c in own if c[0] <= on]
        if since is not None and since > on:  # the one before the first change after ``on``
            later = [c for c in own if c[0] > on]
            name, since = (later[0][1], None) if later else (None, None)
        yield SecretaryView(
            branch,
            category,
            name,
            since,
            [f"{day} {before or '（未登记）'} → {after}：{why}" for day, before, after, why in done],
        )


@dataclass(frozen=True)
class BackwardLeadership:
    """倒排 (三、三) with each backward branch's 书记 and the 调整不胜任书记 recorded for it:
    the seed turns a backward village round by adjusting an unfit secretary."""

    report: Any  # gradebook.reads.BackwardReport
    secretaries: dict[str, SecretaryView]  # by branch name, for the branches on the list


def backward_leadership(session: Session, as_of: date | None = None) -> BackwardLeadership:
    """The backward list as of ``as_of`` (None: as the ledger stands) with its secretaries that day."""
    from jcnian.gradebook.reads import backward_report

    report = backward_report(session, as_of=as_of)
    return BackwardLeadership(
        report, secretaries_of(session, [e.name for e in report.entries], as_of or date.max)
    )


def secretaries_of(session: Session, branches: Sequence[str], on: date) -> dict[str, SecretaryView]:
    """The 书记 of the named branches on ``on``, with the changes recorded by then (the rows of
    every branch stream past: a city's backward list names a few thousand of 100,000)."""
    wanted = set(branches)
    return {s.branch: s for s in secretary_rows(session, on) if s.branch in wanted}


def secretaries_on(session: Session, on: date) -> dict[str, str]:
    """Each branch's 书记 on ``on`` by branch name: the 负责人 the 问责 lists name beside a
    project's 具体责任人 (二、(三)). A secretary changed on 6-20 is the 负责人 from 6-20 on."""
    return {s.branch: s.secretary for s in secretary_rows(session, on) if s.secretary}
