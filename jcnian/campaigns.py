"""Making campaigns: ``init`` (a town and year from a liaison table) and ``campaign new``
(next year's campaign carried forward from this year's).

A ledger holds many campaigns keyed by (town, year); choosing one is jcnian.ledger's
``current_campaign``. A new campaign's branches are written by a few set-based statements,
not one ORM round trip per branch: a city's liaison table of 100,000 branches seeds in
seconds, and the change log still sees every row (its triggers fire for Core statements too).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from jcnian.errors import Conflict, InvalidInput
from jcnian.gradebook.tables import RubricVersion
from jcnian.ledger import (
    CATEGORIES,
    NewBranch,
    campaign_key,
    campaign_label,
    check_form,
    count_rows,
    find_campaign,
    using_campaign,
)
from jcnian.models import Branch, BranchAlias, Campaign, Category, Liaison, Person, PhaseWindow
from jcnian.names import normalise
from jcnian.phases import default_windows

DEFAULT_TOWN = "驿亭镇"  # the seed's town and year, for a new ledger named by neither
DEFAULT_YEAR = 2012
IMAGED_ROWS = 2_000  # above this many rows an insert's rows are counted in the log, not imaged


@dataclass(frozen=True)
class InitResult:
    created: bool
    campaign: str
    key: str
    branches: int
    people: int
    campaigns: int  # in the ledger afterwards


def init_ledger(
    session: Session, town: str | None, year: int | None, rows: Sequence[NewBranch]
) -> InitResult:
    """Add the campaign (town, year) seeded from a liaison table; one that exists is left as it is.

    A new ledger needs neither (the seed's 驿亭镇 2012); a ledger with campaigns is only
    reported on when neither is given, and adding one needs both, so no campaign is ever
    made by a default a clerk did not see.
    """
    campaigns = session.exec(select(Campaign).order_by(Campaign.id)).all()
    if campaigns and town is None and year is None:
        return _unchanged(session, campaigns[0], len(campaigns))
    if campaigns and (town is None or year is None):
        raise InvalidInput("账本里已有活动；新增活动请同时写 --town 和 --year。")
    town = (DEFAULT_TOWN if town is None else town).strip()
    year = DEFAULT_YEAR if year is None else year
    found = next((c for c in campaigns if c.town == town and c.year == year), None)
    if found is not None:
        return _unchanged(session, found, len(campaigns))
    campaign = _new_campaign(session, town, year)
    _seed_branches(session, campaign, rows)
    with using_campaign(session, campaign):
        from jcnian.gradebook.reads import rubric_row

        rubric_row(session)  # stored now, so that no read ever has to store it on first use
    return _result(session, campaign, created=True, campaigns=len(campaigns) + 1)


def carry_forward(session: Session, town: str, year: int, source_key: str) -> InitResult:
    """``campaign new``: a campaign whose branches, aliases, people, liaisons, secretaries and
    rubric are those of ``source_key`` (驿亭镇/2012) — the records of the year are not.

    The seed asks for a 长效机制: next year's campaign starts from this year's organisation,
    not from an empty ledger, and its grades start again.
    """
    from jcnian.campaign.activities_tables import BranchSecretary

    source = find_campaign(session, source_key)
    town = town.strip()
    if session.exec(select(Campaign).where(Campaign.town == town, Campaign.year == year)).first():
        raise Conflict(f"活动 {town}/{year} 已在账本中。")
    campaign = _new_campaign(session, town, year)
    people = _copy_people(session, source, campaign)
    branches = _copy_branches(session, source, campaign)
    aliases = session.exec(select(BranchAlias).where(BranchAlias.campaign_id == source.id)).all()
    _insert_rows(
        session,
        BranchAlias,
        [dict(campaign_id=campaign.id, branch_id=branches[a.branch_id], alias=a.alias) for a in aliases],
    )
    liaisons = session.exec(select(Liaison).join(Branch).where(Branch.campaign_id == source.id)).all()
    _insert_rows(
        session,
        Liaison,
        [dict(branch_id=branches[x.branch_id], person_id=people[x.person_id], role=x.role) for x in liaisons],
    )
    secretaries = session.exec(
        select(BranchSecretary).join(Branch).where(Branch.campaign_id == source.id)
    ).all()
    _insert_rows(
        session,
        BranchSecretary,
        [
            dict(branch_id=branches[s.branch_id], person_id=people[s.person_id], since=s.since)
            for s in secretaries
        ],
    )
    rubric = session.exec(
        select(RubricVersion.content)
        .where(RubricVersion.campaign_id == source.id)
        .order_by(RubricVersion.id.desc())  # type: ignore[union-attr]
    ).first()
    if rubric is not None:
        session.add(RubricVersion(campaign_id=campaign.id, content=rubric))  # type: ignore[arg-type]
        session.flush()
    count = count_rows(session, Campaign)
    return _result(session, campaign, created=True, campaigns=count)


def _check_year(year: int) -> None:
    if not 1949 <= year <= 2100:
        raise InvalidInput(f"年份 {year} 不合理，请写四位年份，如 2012。")


def _new_campaign(session: Session, town: str, year: int) -> Campaign:
    _check_year(year)
    if not town:
        raise InvalidInput("镇名不能为空。")
    if "/" in town:
        raise InvalidInput(f"镇名“{town}”不能含“/”（活动写作 镇名/年份）。")
    campaign = Campaign(town=town, year=year)
    session.add(campaign)
    # The seed's four categories are one vocabulary for every campaign (the quota is
    # checked per category and the city compares them across towns), made with the first.
    known = set(session.exec(select(Category.name)).all())
    for seq, name in enumerate(CATEGORIES, start=1):
        if name not in known:
            session.add(Category(name=name, seq=seq))
    session.flush()
    for window in default_windows(year).values():
        session.add(
            PhaseWindow(campaign_id=campaign.id, phase=window.phase, start=window.start, end=window.end)
        )
    session.flush()
    return campaign


def _seed_branches(session: Session, campaign: Campaign, rows: Sequence[NewBranch]) -> None:
    """The liaison table's branches, people and liaisons, in three set-based inserts."""
    categories = dict(session.exec(select(Category.name, Category.id)).all())
    branch_rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for seq, row in enumerate(rows, start=1):
        name = normalise(row.name)
        if not name:
            raise InvalidInput("党组织名称不能为空。")
        if name in seen:
            raise Conflict(f"党组织“{name}”在联系表中出现了两次。")
        seen.add(name)
        if row.category.strip() not in categories:
            raise InvalidInput(f"分类“{row.category}”不存在，应为 {'/'.join(CATEGORIES)} 之一。")
        branch_rows.append(
            dict(
                campaign_id=campaign.id,
                seq=seq,
                name=name,
                form=check_form(name, row.form),
                category_id=categories[row.category.strip()],
                remarks=row.remarks,
            )
        )
    branch_ids = _insert(session, Branch, branch_rows, "name")
    names = list(
        dict.fromkeys(normalise(n) for row in rows for n in (row.leader, row.cadre) if n and normalise(n))
    )
    person_ids = dict(
        zip(
            names,
            _insert(session, Person, [dict(campaign_id=campaign.id, name=n) for n in names], "name"),
            strict=True,
        )
    )
    _insert_rows(
        session,
        Liaison,
        [
            dict(branch_id=branch_id, person_id=person_ids[normalise(name)], role=role)
            for branch_id, row in zip(branch_ids, rows, strict=True)
            for role, name in (("leader", row.leader), ("cadre", row.cadre))
            if name and normalise(name)
        ],
    )


def _copy_people(session: Session, source: Campaign, campaign: Campaign) -> dict[int, int]:
    old = session.exec(select(Person).where(Person.campaign_id == source.id).order_by(Person.id)).all()
    new = _insert(session, Person, [dict(campaign_id=campaign.id, name=p.name) for p in old], "name")
    return {p.id: n for p, n in zip(old, new, strict=True)}  # type: ignore[misc]


def _copy_branches(session: Session, source: Campaign, campaign: Campaign) -> dict[int, int]:
    old = session.exec(select(Branch).where(Branch.campaign_id == source.id).order_by(Branch.seq)).all()
    new = _insert(
        session,
        Branch,
        [
            dict(
                campaign_id=campaign.id,
                seq=b.seq,
                name=b.name,
                form=b.form,
                category_id=b.category_id,
                remarks=b.remarks,
            )
            for b in old
        ],
        "name",
    )
    return {b.id: n for b, n in zip(old, new, strict=True)}  # type: ignore[misc]


def _insert(session: Session, model: type, rows: list[dict[str, object]], key: str) -> list[int]:
    """Insert rows in one executemany and return their ids in the rows' order, found again by
    ``key`` (unique within the new campaign's rows). RETURNING would be one statement per
    row on SQLite; this is one statement and one read."""
    if not rows:
        return []
    table = _insert_rows(session, model, rows)
    campaign_ids = {row["campaign_id"] for row in rows}
    found = dict(
        session.execute(
            select(table.c[key], table.c.id).where(table.c.campaign_id.in_(campaign_ids))  # type: ignore[call-overload]
        ).all()
    )
    return [found[row[key]] for row in rows]


def _insert_rows(session: Session, model: type, rows: list[dict[str, object]]) -> Any:
    """One executemany; a city-sized one is counted by the change log, not imaged row by row
    (as the survey import's scores are): a town's liaison table is in the log whole."""
    table = model.__table__  # type: ignore[attr-defined]
    if not rows:
        return table
    if len(rows) > IMAGED_ROWS:
        from jcnian.changelog import summarised

        with summarised(session.connection(), (table.name,)):
            session.execute(insert(table), rows)
    else:
        session.execute(insert(table), rows)
    return table


def _result(session: Session, campaign: Campaign, *, created: bool, campaigns: int) -> InitResult:
    return InitResult(
        created=created,
        campaign=campaign_label(campaign),
        key=campaign_key(campaign),
        branches=count_rows(session, Branch, Branch.campaign_id == campaign.id),
        people=count_rows(session, Person, Person.campaign_id == campaign.id),
        campaigns=campaigns,
    )


def _unchanged(session: Session, campaign: Campaign, campaigns: int) -> InitResult:
    return _result(session, campaign, created=False, campaigns=campaigns)
