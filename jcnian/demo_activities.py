"""The demo campaign's part of 三 and 四 beyond the phases (jcnian.campaign.activities): the
town's 动员大会, the branches' secretaries and one 调整, 一句话承诺, 闪光言行 and the 展示评选,
the 五个一 of the villages and the 5月下旬 轮训, the bodies of 四 (and the 督导检查组 on the
supervision records).

Drawn from a generator of its own (the demo's seed + 15), so that adding it changes nothing
the rest of the demo draws; ``forget_after`` takes out what is dated after a day, as the
demo's own ``forget_after`` does for the other tables.
"""

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from jcnian.campaign import activities, secretaries
from jcnian.campaign.activities_tables import (
    BranchSecretary,
    FiveOneItem,
    OneLinePledge,
    SecretaryChange,
    ShiningDeed,
    TownRally,
    TrainingAttendance,
    TrainingSession,
)

SURNAMES = "王李张陈刘杨赵黄周吴徐孙朱马胡郭何高林罗"
GIVEN = ["海燕", "立新", "秀英", "志刚", "红梅", "永庆", "晓东", "明辉"]
PLEDGES = (
    "带头服务群众，办好民生实事",
    "有事找支部，办事不出村",
    "党员户户挂牌，承诺件件兑现",
    "亮身份、作表率、争先锋",
)
MEMBER_PLEDGES = ("每月走访联系户一次", "带头参加星期六志愿服务", "帮助一户困难群众", "管好责任区网格")
DEEDS = (
    "雨夜抢修村道路灯",
    "义务调解邻里纠纷",
    "带头捐资修建文化礼堂",
    "抗台抢险冲在一线",
    "结对帮扶困难学生",
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def fill(session: Session, seed: int, branches: list[Any], backward: set[str]) -> None:
    """Record the demo's activities for ``branches`` (the seed's order); ``backward`` the 后进村."""
    rng = random.Random(seed + 15)
    activities.record_rally(session, date(2012, 4, 24), 126, "镇党委、各村和企事业单位党组织负责人参加")
    activities.record_publication_scope(
        session, date(2012, 4, 29), "镇政务公开栏、各村村务公开栏"
    )  # the demo's publish day
    owners = _owners(session)
    for b in branches:  # the secretary is the first project's owner: no new people to check
        secretaries.set_secretary(session, b.name, owners[b.name][0], date(2012, 3, 1))
    villages = [b for b in branches if b.category == activities.VILLAGE]
    for b in branches:
        day = date(2012, 5, 8) + timedelta(days=rng.randrange(20))
        activities.record_pledge(session, b.name, rng.choice(PLEDGES), day)
        for _ in range(rng.randrange(1, 4)):
            activities.record_pledge(session, b.name, rng.choice(MEMBER_PLEDGES), day, _name(rng))
    chosen = rng.sample(branches, 8)
    for b in chosen:
        person = _name(rng)
        deed = rng.choice(DEEDS)
        activities.record_deed(
            session, b.name, person, deed, date(2012, 6, 1) + timedelta(days=rng.randrange(30))
        )
    for b in chosen[:3]:
        activities.select_deed(session, b.name, _only_person(session, b.name), date(2012, 7, 1))
    activities.record_training(session, date(2012, 5, 24), date(2012, 5, 26))
    for b in villages[:-1]:  # one village secretary misses the training
        activities.record_attendance(session, b.name, date(2012, 5, 24))
    for b in [b for b in branches if b.name in backward and len(owners[b.name]) > 1][:1]:
        secretaries.change_secretary(
            session, b.name, owners[b.name][1], date(2012, 6, 18), "不胜任，整顿转化后进村"
        )
    for b in villages:
        for item in activities.FIVE_ONE:
            met = rng.random() < (0.5 if b.name in backward else 0.85)
            activities.record_five_one(
                session, b.name, item, met, date(2012, 8, 20), None if met else "尚需努力"
            )
    fill_guarantees(session, seed, branches, backward)


def fill_guarantees(session: Session, seed: int, branches: list[Any], backward: set[str]) -> None:
    """The demo's village cadres, 集体经济, 结对帮扶 and the campaign's bodies."""
    from jcnian.campaign import guarantees

    rng = random.Random(seed + 16)
    owners = _owners(session)
    for body, role, name in (
        ("领导小组", "组长", "章伟青"),
        ("领导小组", "副组长", "傅飞军"),
        ("领导小组", "成员", "王国尧"),
        ("办公室", "主任", "李庆炎"),
        ("督导检查组", "组长", "王国尧"),
        ("督导检查组", "成员", "许胜和"),
    ):
        guarantees.set_member(session, body, name, role, date(2012, 4, 25))
    _supervised_by(session, "督导检查组")
    villages = [b for b in branches if b.category == activities.VILLAGE]
    firms = [b for b in branches if b.category != activities.VILLAGE]
    for i, b in enumerate(villages):
        head = owners[b.name][0]
        guarantees.record_cadre_pledge(
            session, b.name, head, "创业承诺", date(2012, 5, 10), "年内办成一件惠民实事"
        )
        guarantees.record_cadre_pledge(
            session, b.name, head, "辞职承诺", date(2012, 5, 10), "考核不合格即辞职"
        )
        if b.name not in backward:
            guarantees.record_cadre_pledge(
                session, b.name, head, "创业承诺", date(2012, 9, 20), status="已兑现"
            )
        for quarter, day in ((1, date(2012, 4, 8)), (2, date(2012, 7, 6)), (3, date(2012, 10, 8))):
            result = (
                "基本合格" if b.name in backward and quarter == 2 else rng.choice(("优秀", "合格", "合格"))
            )
            guarantees.record_quarter(session, b.name, head, quarter, result, day)
        base = float(rng.randrange(30, 150))
        guarantees.set_economy_plan(session, b.name, 2011, base, 2016, base * 2, date(2012, 5, 15))
        guarantees.record_income(session, b.name, 2011, base, date(2012, 5, 15))
        guarantees.record_income(
            session, b.name, 2012, round(base * rng.uniform(1.05, 1.3), 1), date(2012, 12, 20)
        )
        if i < 8:
            firm = firms[i].name.removesuffix("党支部").removesuffix("党总支")
            guarantees.record_pairing(session, b.name, "百企联百村", firm, date(2012, 5, 20))
            guarantees.record_pairing_activity(
                session, b.name, firm, date(2012, 7, 10), "结对走访，共商增收项目"
            )
    for b in [v for v in villages if v.name in backward][:2]:
        guarantees.record_pairing(session, b.name, "部门结对", "市农业局", date(2012, 5, 22))
        guarantees.record_pairing_activity(
            session, b.name, "市农业局", date(2012, 6, 15), "帮助制定村级物业经营项目"
        )


def _supervised_by(session: Session, body: str) -> None:
    """Name the body on the demo's supervision records (四、(二)): recorded again with it, as a
    clerk would once the group's members are in the ledger."""
    from sqlmodel import select

    from jcnian.campaign import projects
    from jcnian.campaign.tables import Supervision
    from jcnian.models import Branch

    for branch, form, on in session.exec(
        select(Branch.name, Supervision.form, Supervision.on)
        .join(Supervision, Supervision.branch_id == Branch.id)
        .order_by(Supervision.id)  # type: ignore[arg-type]
    ).all():
        projects.record_supervision(session, branch, form, on, body=body)


def _owners(session: Session) -> dict[str, list[str]]:
    """Each branch's project owners, in the order the projects were entered."""
    from sqlmodel import select

    from jcnian.campaign.tables import Project
    from jcnian.ledger import current_campaign
    from jcnian.models import Branch, Person

    found: dict[str, list[str]] = {}
    for branch, person in session.exec(
        select(Branch.name, Person.name)
        .join(Project, Project.branch_id == Branch.id)
        .join(Person, Project.owner_id == Person.id)
        .where(Branch.campaign_id == current_campaign(session).id)
        .order_by(Branch.seq, Project.id)
    ).all():
        if person not in found.setdefault(branch, []):
            found[branch].append(person)
    return found


def _only_person(session: Session, branch: str) -> str:
    """The person of the one deed the demo gave ``branch``."""
    return next(d.person for d in activities.list_deeds(session, date(2012, 12, 31)) if d.branch == branch)


def forget_after(session: Session, until: date) -> None:
    """Take out of the demo's activities whatever is dated after ``until``."""
    from sqlalchemy import delete, update

    from jcnian.campaign.activities_tables import (
        CadrePledge,
        EconomyPlan,
        GroupMember,
        Pairing,
        PairingActivity,
        PublicationScope,
        QuarterAssessment,
        VillageIncome,
    )

    later = [s.id for s in session.exec(TrainingSession.__table__.select()).all() if s.start > until]  # type: ignore[attr-defined]
    statements: list[Any] = [
        delete(TrainingAttendance).where(TrainingAttendance.session_id.in_(later)),  # type: ignore[attr-defined]
        delete(TrainingSession).where(TrainingSession.start > until),  # type: ignore[arg-type]
        delete(FiveOneItem).where(FiveOneItem.on > until),  # type: ignore[arg-type]
        delete(ShiningDeed).where(ShiningDeed.on > until),  # type: ignore[arg-type]
        update(ShiningDeed).where(ShiningDeed.selected_on > until).values(selected_on=None),  # type: ignore[operator]
        delete(OneLinePledge).where(OneLinePledge.on > until),  # type: ignore[arg-type]
        delete(TownRally).where(TownRally.held_on > until),  # type: ignore[arg-type]
        delete(PublicationScope).where(PublicationScope.on > until),  # type: ignore[arg-type]
        delete(BranchSecretary).where(BranchSecretary.since > until),  # type: ignore[arg-type]
        delete(PairingActivity).where(PairingActivity.on > until),  # type: ignore[arg-type]
        delete(Pairing).where(Pairing.since > until),  # type: ignore[arg-type]
        delete(VillageIncome).where(VillageIncome.on > until),  # type: ignore[arg-type]
        delete(EconomyPlan).where(EconomyPlan.on > until),  # type: ignore[arg-type]
        delete(QuarterAssessment).where(QuarterAssessment.on > until),  # type: ignore[arg-type]
        delete(CadrePledge).where(CadrePledge.on > until),  # type: ignore[arg-type]
        update(CadrePledge).where(CadrePledge.status_on > until).values(status="未兑现", status_on=None),  # type: ignore[operator]
        delete(GroupMember).where(GroupMember.on > until),  # type: ignore[arg-type]
    ]
    for statement in statements:
        session.exec(statement)  # type: ignore[call-overload]
    for change in session.exec(SecretaryChange.__table__.select().where(SecretaryChange.on > until)).all():  # type: ignore[attr-defined]
        # The successor's record goes (above, dated the change); the one who left is put back.
        if change.previous:
            secretaries.set_secretary(
                session, _branch_name(session, change.branch_id), change.previous, date(until.year, 3, 1)
            )
    session.exec(delete(SecretaryChange).where(SecretaryChange.on > until))  # type: ignore[call-overload,arg-type]
    session.flush()


def _branch_name(session: Session, branch_id: int) -> str:
    from jcnian.models import Branch

    return session.get(Branch, branch_id).name  # type: ignore[union-attr]
