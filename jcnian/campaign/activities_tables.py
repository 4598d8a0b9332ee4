"""Tables of the seven activities (三) and the organisational guarantees (四) beyond the phases:
一句话承诺, 创先争优闪光言行, the 五个一 工程 of village branches, the 5月下旬 科学发展主题轮训,
each branch's 书记 and the changes of an unfit one, and the town's own 动员大会 (二、(一)).
"""

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class OneLinePledge(SQLModel, table=True):
    """一句话承诺 (三、七) of a branch (``member`` empty) or of one of its members.

    Apart from the plan's 公开承诺 (``plan pledge``): one per member and branch, re-entered to
    correct it.
    """

    __tablename__ = "one_line_pledge"
    __table_args__ = (UniqueConstraint("branch_id", "member"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    member: str = ""
    text: str
    on: date


class ShiningDeed(SQLModel, table=True):
    """创先争优闪光言行 (三、七): a person's deed, and whether the 展示评选 selected it."""

    __tablename__ = "shining_deed"
    __table_args__ = (UniqueConstraint("branch_id", "person", "deed"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person: str
    deed: str
    on: date
    selected_on: date | None = None
    note: str | None = None


class FiveOneItem(SQLModel, table=True):
    """One item of a village branch's 村党组织书记“五个一”工程 (三、四): met or not, with a note."""

    __tablename__ = "five_one_item"
    __table_args__ = (UniqueConstraint("branch_id", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    item: str
    met: bool
    on: date
    note: str | None = None


class TrainingSession(SQLModel, table=True):
    """A session of the 科学发展主题轮训 the village secretaries attend (三、四, 5月下旬)."""

    __tablename__ = "training_session"
    __table_args__ = (UniqueConstraint("campaign_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    start: date
    end: date
    title: str
    note: str | None = None


class TrainingAttendance(SQLModel, table=True):
    """A village branch's 党组织书记 at one training session."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "branch_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="training_session.id", ondelete="CASCADE", index=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person: str


class BranchSecretary(SQLModel, table=True):
    """A branch's 书记 / 主要负责人 (四、(一)), a Person like the liaisons, since a date."""

    __tablename__ = "branch_secretary"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", unique=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    since: date


class SecretaryChange(SQLModel, table=True):
    """调整不胜任的基层党组织书记 (三、三): who left, who came, when and why."""

    __tablename__ = "secretary_change"
    __table_args__ = (UniqueConstraint("branch_id", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    on: date
    previous: str | None = None
    successor: str
    reason: str


class TownRally(SQLModel, table=True):
    """镇党委 基层组织建设年活动动员大会 (二、(一)): the town's own rally, one per campaign."""

    __tablename__ = "town_rally"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", unique=True)
    held_on: date
    attendance: int | None = None
    note: str | None = None


class CadrePledge(SQLModel, table=True):
    """A village cadre's 创业承诺 or 辞职承诺 (三、四) and whether it has been 兑现."""

    __tablename__ = "cadre_pledge"
    __table_args__ = (UniqueConstraint("branch_id", "person", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person: str
    kind: str  # 创业承诺 | 辞职承诺
    text: str
    on: date
    status: str = "未兑现"  # 未兑现 | 已兑现
    status_on: date | None = None
    note: str | None = None


class QuarterAssessment(SQLModel, table=True):
    """村主职干部重点工作季考核 (三、四): one result per cadre and quarter."""

    __tablename__ = "quarter_assessment"
    __table_args__ = (UniqueConstraint("branch_id", "person", "quarter"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person: str
    quarter: int
    result: str
    on: date
    note: str | None = None


class EconomyPlan(SQLModel, table=True):
    """A village's 村级集体经济增收五年计划 (三、六): from a base year's income to a target."""

    __tablename__ = "economy_plan"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", unique=True)
    base_year: int
    base_income: float  # 万元
    target_year: int
    target_income: float  # 万元
    on: date


class VillageIncome(SQLModel, table=True):
    """A village's collective income of one year (万元)."""

    __tablename__ = "village_income"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    year: int
    income: float
    on: date


class Pairing(SQLModel, table=True):
    """城乡党组织结对帮扶 (三、六): 百企联百村 (an enterprise) or a 市直部门 with a 欠发达村."""

    __tablename__ = "pairing"
    __table_args__ = (UniqueConstraint("branch_id", "kind", "partner"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    kind: str  # 百企联百村 | 部门结对
    partner: str
    since: date
    note: str | None = None


class PairingActivity(SQLModel, table=True):
    """One activity of a pairing: what the partner did with the village, and when."""

    __tablename__ = "pairing_activity"
    __table_args__ = (UniqueConstraint("pairing_id", "on", "text"),)
    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", ondelete="CASCADE", index=True)
    on: date
    text: str


class GroupMember(SQLModel, table=True):
    """A member of the 领导小组, its 办公室 or the 督导检查组 (四、(一)(二)), with a role."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("campaign_id", "body", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    body: str
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    role: str
    on: date


class PublicationScope(SQLModel, table=True):
    """Where the grades published on a day were made public (二、二: 在一定范围内公开)."""

    __tablename__ = "publication_scope"
    __table_args__ = (UniqueConstraint("campaign_id", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    on: date
    scope: str
