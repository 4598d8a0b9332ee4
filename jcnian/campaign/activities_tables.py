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
