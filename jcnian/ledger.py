"""Ledger queries and changes: the campaign, its branches, people and liaisons.

Functions take an open Session and return plain dataclasses or raise typed errors; they
never print and never commit (the caller's transaction does), so one command is one
transaction however many functions it calls.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, func
from sqlmodel import Session, select

from jcnian.errors import CampaignNotChosen, Conflict, InvalidInput, NotFound
from jcnian.models import Branch, BranchAlias, Campaign, Category, Liaison, Person
from jcnian.names import FORMS, form_from_name, near_duplicates, normalise, resolve

ROLES = ("leader", "cadre")
CATEGORIES = ("农村", "国有金融机构", "非公制企业", "机关事业单位")  # in the liaison table's order


@dataclass(frozen=True)
class NewBranch:
    """A branch to add, as the liaison table or ``branch add`` gives it; blank is None.

    ``form`` empty: taken from the name (…党支部 is a 党支部).
    """

    name: str
    form: str
    category: str
    leader: str | None
    cadre: str | None
    remarks: str | None


@dataclass(frozen=True)
class BranchView:
    """A branch as lists and the JSON contract show it."""

    name: str
    form: str
    category: str
    leader: str | None
    cadre: str | None
    remarks: str | None
    seq: int


@dataclass(frozen=True)
class BranchDetail:
    branch: BranchView
    aliases: list[str]
    campaign: str


@dataclass(frozen=True)
class LiaisonRef:
    branch: str
    role: str


@dataclass(frozen=True)
class PersonView:
    name: str
    liaisons: list[LiaisonRef] = field(default_factory=list)


@dataclass(frozen=True)
class RemoveResult:
    name: str
    liaisons: int


# --- campaign -----------------------------------------------------------------------


_CAMPAIGN_KEY = "jcnian.campaign"  # session.info: the campaign, looked up once per session
_CHOICE_KEY = "jcnian.campaign_choice"  # session.info: ``--campaign`` as given, e.g. 驿亭镇/2012


@dataclass(frozen=True)
class CampaignView:
    """A campaign as ``campaign list`` and the JSON contract show it."""

    key: str
    town: str
    year: int
    branches: int


def campaign_key(campaign: Campaign) -> str:
    """How a clerk names a campaign on the command line: 驿亭镇/2012."""
    return f"{campaign.town}/{campaign.year}"


def choose_campaign(session: Session, key: str | None) -> None:
    """Let ``current_campaign`` pick the campaign ``--campaign`` (or $JCNIAN_CAMPAIGN) names."""
    session.info[_CHOICE_KEY] = key.strip() if key and key.strip() else None
    session.info.pop(_CAMPAIGN_KEY, None)


def _campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(Campaign.town, Campaign.year)).all())


def _known(campaigns: Sequence[Campaign]) -> str:
    return "、".join(campaign_key(c) for c in campaigns)


def find_campaign(session: Session, key: str) -> Campaign:
    """The campaign named ``镇名/年份`` (``驿亭镇/2012``; ``驿亭镇2012`` and ``驿亭镇 2012`` too)."""
    text = normalise(key).replace("／", "/")
    town, sep, year = text.rpartition("/")
    if not sep:
        town, year = text.rstrip("0123456789"), text[len(text.rstrip("0123456789")) :]
    if not town or len(year) != 4 or not year.isdigit():
        raise InvalidInput(f"活动“{key}”的写法不对，应写成 镇名/年份，如 驿亭镇/2012。")
    found = session.exec(select(Campaign).where(Campaign.town == town, Campaign.year == int(year))).first()
    if found is None:
        known = _campaigns(session)
        hint = f"账本里有：{_known(known)}。" if known else "账本里还没有活动，请先运行 jcnian init。"
        raise NotFound(f"账本里没有活动“{town}/{year}”。{hint}")
    return found


def current_campaign(session: Session) -> Campaign:
    """The campaign this command works on, looked up once per session.

    The one ``--campaign`` names; else the ledger's only campaign. With several and none
    chosen nothing is guessed: the command is refused with the list, so a clerk of one town
    never writes into another's records.
    """
    cached = session.info.get(_CAMPAIGN_KEY)
    if cached is None:
        choice = session.info.get(_CHOICE_KEY)
        if choice:
            cached = find_campaign(session, choice)
        else:
            found = session.exec(select(Campaign).order_by(Campaign.id).limit(2)).all()
            if not found:
                raise NotFound("账本里还没有活动，请先运行 jcnian init。")
            if len(found) > 1:
                raise CampaignNotChosen(
                    f"账本里有多个活动：{_known(_campaigns(session))}；请用 --campaign 镇名/年份"
                    "（或环境变量 JCNIAN_CAMPAIGN）指定其一。"
                )
            cached = found[0]
        session.info[_CAMPAIGN_KEY] = cached
    return cached


def chosen_campaign(session: Session) -> Campaign | None:
    """The campaign this session's command has worked on so far, without choosing one (the
    change log names it beside a write whose rows do not)."""
    return session.info.get(_CAMPAIGN_KEY)  # type: ignore[no-any-return]


@contextmanager
def using_campaign(session: Session, campaign: Campaign) -> Iterator[None]:
    """Run existing reads on another campaign of the same ledger (year-over-year, the city's
    roll-up): within the block ``current_campaign`` is ``campaign``. What a session caches
    for a campaign (its rubric) is keyed by the campaign's id, so nothing else is swapped."""
    saved = session.info.get(_CAMPAIGN_KEY)
    session.info[_CAMPAIGN_KEY] = campaign
    try:
        yield
    finally:
        if saved is None:
            session.info.pop(_CAMPAIGN_KEY, None)
        else:
            session.info[_CAMPAIGN_KEY] = saved


def list_campaigns(session: Session) -> list[CampaignView]:
    """Every campaign of the ledger by town and year, with its number of branches."""
    counts = dict(
        session.exec(select(Branch.campaign_id, func.count()).group_by(Branch.campaign_id)).all()  # type: ignore[arg-type]
    )
    return [
        CampaignView(key=campaign_key(c), town=c.town, year=c.year, branches=counts.get(c.id, 0))
        for c in _campaigns(session)
    ]


def campaign_label(campaign: Campaign) -> str:
    return f"{campaign.town}{campaign.year}年基层组织建设年活动"


def count_rows(session: Session, model: type, *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# --- branches -----------------------------------------------------------------------


def _category(session: Session, name: str) -> Category:
    cat = session.exec(select(Category).where(Category.name == name.strip())).first()
    if cat is None:
        raise InvalidInput(f"分类“{name}”不存在，应为 {'/'.join(CATEGORIES)} 之一。")
    return cat


def find_branch(session: Session, query: str) -> Branch:
    """A branch by full name, alias or unique part (``五夫村`` → 五夫村党总支).

    The full name is one indexed query; only a short form or alias reads every name.
    """
    campaign = current_campaign(session)
    exact = session.exec(
        select(Branch).where(Branch.campaign_id == campaign.id, Branch.name == normalise(query))
    ).first()
    if exact is not None:
        return exact
    branches = session.exec(select(Branch).where(Branch.campaign_id == campaign.id)).all()
    by_name = {b.name: b for b in branches}
    aliases = {
        a.alias: session.get(Branch, a.branch_id)
        for a in session.exec(select(BranchAlias).where(BranchAlias.campaign_id == campaign.id))
    }
    return resolve(query, by_name, "党组织", aliases)


def list_branches(session: Session, category: str | None = None) -> list[BranchView]:
    """Branches in the seed's order with their liaisons, in one query."""
    return list(branch_views(session, category))


def branch_views(session: Session, category: str | None = None) -> Iterator[BranchView]:
    """``list_branches``' views made one branch at a time, for a writer that needs each once.

    Plain columns, not ORM entities, the liaisons joined in (a branch has one leader and one
    cadre at most) and the rows streamed: a city-wide ledger of 100,000 branches holds
    neither the views nor its 200,000 liaisons."""
    from sqlalchemy.orm import aliased

    from jcnian.db import streamed

    campaign = current_campaign(session)
    leader, cadre = aliased(Liaison), aliased(Liaison)
    leader_name, cadre_name = aliased(Person), aliased(Person)
    stmt = (
        select(
            Branch.seq,
            Branch.name,
            Branch.form,
            Branch.remarks,
            Category.name,
            leader_name.name,
            cadre_name.name,
        )
        .join(Category, Branch.category_id == Category.id)
        .outerjoin(leader, (leader.branch_id == Branch.id) & (leader.role == "leader"))
        .outerjoin(leader_name, leader_name.id == leader.person_id)
        .outerjoin(cadre, (cadre.branch_id == Branch.id) & (cadre.role == "cadre"))
        .outerjoin(cadre_name, cadre_name.id == cadre.person_id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq)  # type: ignore[arg-type]
    )
    if category:
        stmt = stmt.where(Category.id == _category(session, category).id)
    for seq, name, form, remarks, cat, leads, works in streamed(session, stmt):
        yield BranchView(
            name=name, form=form, category=cat, leader=leads, cadre=works, remarks=remarks, seq=seq
        )


def _view(session: Session, branch: Branch) -> BranchView:
    cat = session.get(Category, branch.category_id)
    names = {
        role: name
        for role, name in session.exec(
            select(Liaison.role, Person.name)
            .join(Person, Liaison.person_id == Person.id)
            .where(Liaison.branch_id == branch.id)
        )
    }
    return BranchView(
        name=branch.name,
        form=branch.form,
        category=cat.name if cat else "",
        leader=names.get("leader"),
        cadre=names.get("cadre"),
        remarks=branch.remarks,
        seq=branch.seq,
    )


def show_branch(session: Session, query: str) -> BranchDetail:
    branch = find_branch(session, query)
    aliases = session.exec(select(BranchAlias.alias).where(BranchAlias.branch_id == branch.id)).all()
    return BranchDetail(
        branch=_view(session, branch),
        aliases=sorted(aliases),
        campaign=campaign_label(current_campaign(session)),
    )


def check_form(name: str, form: str | None) -> str:
    if form:
        if form.strip() not in FORMS:
            raise InvalidInput(f"组织形式“{form}”无效，应为 {'/'.join(FORMS)} 之一。")
        return form.strip()
    chosen = form_from_name(name)
    if chosen is None:
        raise InvalidInput(f"无法从名称“{name}”判断组织形式，请用 --form 指定 {'/'.join(FORMS)} 之一。")
    return chosen


def _add_branch(session: Session, campaign: Campaign, row: NewBranch) -> Branch:
    name = normalise(row.name)
    if not name:
        raise InvalidInput("党组织名称不能为空。")
    clash = session.exec(select(Branch).where(Branch.campaign_id == campaign.id, Branch.name == name)).first()
    if clash is not None:
        raise Conflict(f"党组织“{name}”已在账本中。")
    last = session.exec(select(func.max(Branch.seq)).where(Branch.campaign_id == campaign.id)).one()
    branch = Branch(
        campaign_id=campaign.id,  # type: ignore[arg-type]
        seq=(last or 0) + 1,
        name=name,
        form=check_form(name, row.form),
        category_id=_category(session, row.category).id,  # type: ignore[arg-type]
        remarks=row.remarks,
    )
    session.add(branch)
    session.flush()
    for role, person in (("leader", row.leader), ("cadre", row.cadre)):
        if person:
            _set_role(session, campaign, branch, role, person)
    return branch


def add_branch(session: Session, row: NewBranch) -> BranchView:
    """Add a branch at the end of the seed's order."""
    branch = _add_branch(session, current_campaign(session), row)
    return _view(session, branch)


def edit_branch(
    session: Session,
    query: str,
    *,
    new_name: str | None = None,
    form: str | None = None,
    category: str | None = None,
    remarks: str | None = None,
) -> BranchView:
    """Change a branch's name, form, category or remarks (``remarks=""`` clears them)."""
    branch = find_branch(session, query)
    if new_name is not None:
        name = normalise(new_name)
        if not name:
            raise InvalidInput("新名称不能为空。")
        clash = session.exec(
            select(Branch).where(
                Branch.campaign_id == branch.campaign_id, Branch.name == name, Branch.id != branch.id
            )
        ).first()
        if clash is not None:
            raise Conflict(f"党组织“{name}”已在账本中，不能重名。")
        branch.name = name
    if form is not None:
        branch.form = check_form(branch.name, form)
    if category is not None:
        branch.category_id = _category(session, category).id  # type: ignore[assignment]
    if remarks is not None:
        branch.remarks = remarks.strip() or None
    session.add(branch)
    session.flush()
    return _view(session, branch)


def remove_branch(session: Session, query: str) -> RemoveResult:
    """Delete a branch and, by cascade, everything recorded for it."""
    branch = find_branch(session, query)
    liaisons = count_rows(session, Liaison, Liaison.branch_id == branch.id)
    name = branch.name
    session.delete(branch)
    session.flush()
    return RemoveResult(name=name, liaisons=liaisons)


def add_alias(session: Session, query: str, alias: str) -> tuple[str, str]:
    """Register another spelling of a branch's name, for imports and typing."""
    branch = find_branch(session, query)
    key = normalise(alias)
    if not key:
        raise InvalidInput("别名不能为空。")
    taken = session.exec(
        select(Branch.name).where(Branch.campaign_id == branch.campaign_id, Branch.name == key)
    ).first()
    other = session.exec(
        select(BranchAlias).where(BranchAlias.campaign_id == branch.campaign_id, BranchAlias.alias == key)
    ).first()
    if taken or (other and other.branch_id != branch.id):
        raise Conflict(f"“{key}”已是另一个党组织的名称或别名。")
    if other is None:
        session.add(BranchAlias(campaign_id=branch.campaign_id, branch_id=branch.id, alias=key))  # type: ignore[arg-type]
        session.flush()
    return branch.name, key


# --- people and liaisons ------------------------------------------------------------


def ensure_person(
    session: Session, campaign: Campaign, name: str, what: str = "人名", warnings: list[str] | None = None
) -> Person:
    """The person of that name, added on first mention; ``what`` names the field when it is blank.

    A new name one character away from a known one is probably a typo, but may be another
    person: it is added, and a warning for the clerk is appended to ``warnings`` if given.
    """
    key = normalise(name)
    if not key:
        raise InvalidInput(f"{what}不能为空。")
    person = session.exec(select(Person).where(Person.campaign_id == campaign.id, Person.name == key)).first()
    if person is None:
        if warnings is not None:
            known = session.exec(select(Person.name).where(Person.campaign_id == campaign.id)).all()
            for a, b in near_duplicates([key, *known]):
                if key in (a, b):
                    other = b if a == key else a
                    warnings.append(f"新增人员“{key}”，与已有的“{other}”只差一字，如为同一人请改正。")
        person = Person(campaign_id=campaign.id, name=key)  # type: ignore[arg-type]
        session.add(person)
        session.flush()
    return person


def _set_role(
    session: Session,
    campaign: Campaign,
    branch: Branch,
    role: str,
    name: str,
    warnings: list[str] | None = None,
) -> None:
    person = ensure_person(session, campaign, name, warnings=warnings)
    liaison = session.exec(
        select(Liaison).where(Liaison.branch_id == branch.id, Liaison.role == role)
    ).first()
    if liaison is None:
        session.add(Liaison(branch_id=branch.id, person_id=person.id, role=role))  # type: ignore[arg-type]
    else:
        liaison.person_id = person.id  # type: ignore[assignment]
        session.add(liaison)
    session.flush()


@dataclass(frozen=True)
class LiaisonView(BranchView):
    """The branch after a liaison change, with warnings for the clerk (a near-duplicate name)."""

    warnings: list[str] = field(default_factory=list)


def set_liaison(
    session: Session, query: str, *, leader: str | None = None, cadre: str | None = None
) -> LiaisonView:
    """Assign a branch's 联系领导 and/or 联系干部, replacing whoever held the role."""
    if leader is None and cadre is None:
        raise InvalidInput("请至少给出 --leader 或 --cadre。")
    campaign = current_campaign(session)
    branch = find_branch(session, query)
    warnings: list[str] = []
    for role, name in (("leader", leader), ("cadre", cadre)):
        if name is not None:
            _set_role(session, campaign, branch, role, name, warnings)
    return LiaisonView(**asdict(_view(session, branch)), warnings=warnings)


def clear_liaison(session: Session, query: str, roles: Sequence[str] = ROLES) -> BranchView:
    """Remove a branch's liaisons; the people stay, with whatever other duties they hold."""
    branch = find_branch(session, query)
    session.exec(
        delete(Liaison).where(Liaison.branch_id == branch.id, Liaison.role.in_(roles))  # type: ignore[call-overload,attr-defined]
    )
    session.flush()
    return _view(session, branch)


def list_people(session: Session) -> list[PersonView]:
    """Every person with their liaisons, in the seed's branch order, leader before cadre."""
    campaign = current_campaign(session)
    people = session.exec(select(Person).where(Person.campaign_id == campaign.id).order_by(Person.id)).all()
    duties: dict[int, list[LiaisonRef]] = {p.id: [] for p in people}  # type: ignore[misc]
    for person_id, branch_name, role in session.exec(
        select(Liaison.person_id, Branch.name, Liaison.role)
        .join(Branch, Liaison.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id)
        .order_by(Branch.seq, Liaison.role.desc())  # type: ignore[attr-defined]
    ):
        duties[person_id].append(LiaisonRef(branch=branch_name, role=role))
    return [PersonView(name=p.name, liaisons=duties[p.id]) for p in people]  # type: ignore[index]


def show_person(session: Session, query: str) -> PersonView:
    people = {p.name: p for p in list_people(session)}
    return resolve(query, people, "人员")


def check_people(session: Session) -> list[tuple[PersonView, PersonView]]:
    """Pairs of people whose names may be one person mistyped (魏建亮 / 魏建良)."""
    people = {p.name: p for p in list_people(session)}
    return [(people[a], people[b]) for a, b in near_duplicates(people)]
