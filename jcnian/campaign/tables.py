"""Tables of 动员部署, 深入实施 and 总结验收 (and the campaign's other dated rules)."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from jcnian.models import utc_now


class DatedRule(SQLModel, table=True):
    """A dated rule outside the four windows: 回头看 by 06-30, enterprise coverage before 07-01.

    Kept per campaign, like the windows, so another year's dates can be set.
    """

    __tablename__ = "dated_rule"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    code: str
    due: date


class MobilisationMeeting(SQLModel, table=True):
    """动员会议 of one branch (one per branch; attendance is optional)."""

    __tablename__ = "mobilisation_meeting"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", unique=True)
    held_on: date
    attendance: int | None = None
    note: str | None = None


class SurveyMethod(SQLModel, table=True):
    """One way a branch canvassed opinion: 座谈会、问卷调查、个别访谈、入户走访、群众测评."""

    __tablename__ = "survey_method"
    __table_args__ = (UniqueConstraint("branch_id", "method"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    method: str
    done_on: date
    note: str | None = None


class Problem(SQLModel, table=True):
    """问题台账: a problem found while canvassing, until it is resolved."""

    __table_args__ = (UniqueConstraint("branch_id", "text"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    text: str
    source: str
    found_on: date
    status: str = "未解决"  # 未解决 | 整改中 | 已解决
    resolved_on: date | None = None
    note: str | None = None


class BranchPlan(SQLModel, table=True):
    """争创目标、整改措施、实施方案 of a branch, each dated when it was set."""

    __tablename__ = "branch_plan"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", unique=True)
    goal: str | None = None
    goal_on: date | None = None
    measures: str | None = None
    measures_on: date | None = None
    plan: str | None = None
    plan_on: date | None = None


class Pledge(SQLModel, table=True):
    """公开承诺: what a branch promised in public, and when."""

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", unique=True)
    text: str
    pledged_on: date
    medium: str | None = None


class Project(SQLModel, table=True):
    """工程项目 of a branch, owned by one person; ``one_village`` marks a 一村一策 plan."""

    __table_args__ = (UniqueConstraint("branch_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    name: str
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    start: date
    due: date
    quality: str | None = None
    effect: str | None = None
    one_village: bool = False
    created_on: date


class ProjectTask(SQLModel, table=True):
    """A task of a project scheduled to a week (``unit="week"``, the Monday) or a day."""

    __tablename__ = "project_task"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    name: str
    unit: str  # week | day
    on: date
    done_on: date | None = None


class ProgressUpdate(SQLModel, table=True):
    """A project's progress on a date; one per project and day."""

    __tablename__ = "progress_update"
    __table_args__ = (UniqueConstraint("project_id", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    on: date
    percent: int
    note: str | None = None


class MonthlyAssessment(SQLModel, table=True):
    """考核到月: a project's assessment for one month (``YYYY-MM``)."""

    __tablename__ = "monthly_assessment"
    __table_args__ = (UniqueConstraint("project_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    month: str
    result: str
    assessed_on: date
    note: str | None = None


class Supervision(SQLModel, table=True):
    """督促指导 by the town committee: 现场会、工作推进会、交流座谈会 or a 督查."""

    __table_args__ = (UniqueConstraint("branch_id", "on", "form"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="SET NULL")
    on: date
    form: str
    note: str | None = None
    body: str | None = None  # who did it: the 督导检查组 or another body of ``group set`` (schema 7)


class Visit(SQLModel, table=True):
    """调研走访 of a branch, or the 回头看 of a village's election (五个摸清)."""

    __table_args__ = (UniqueConstraint("branch_id", "kind", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    kind: str  # 走访 | 回头看
    on: date
    by: str | None = None
    findings: str | None = None


class MonthlyReport(SQLModel, table=True):
    """月度书面汇报: one per branch per month (seed 四、(一))."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("branch_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    month: str
    submitted_on: date
    summary: str | None = None


class BranchRegulation(SQLModel, table=True):
    """One of the 1–2 务实管用的制度 every branch sets up (seed 三、七)."""

    __tablename__ = "branch_regulation"
    __table_args__ = (UniqueConstraint("branch_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    name: str
    adopted_on: date


class Publicity(SQLModel, table=True):
    """A branch's fixed slogan (标语) or campaign column (专栏) (seed 四、(三))."""

    __table_args__ = (UniqueConstraint("branch_id", "kind", "text"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    kind: str  # slogan | column
    text: str
    on: date


class EnterpriseCoverage(SQLModel, table=True):
    """A non-public enterprise from the 摸排, and the branch that covers it once it is covered."""

    __tablename__ = "enterprise_coverage"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    name: str
    found_on: date
    branch_id: int | None = Field(default=None, foreign_key="branch.id", ondelete="SET NULL")
    covered_on: date | None = None
    note: str | None = None


class AcceptanceStep(SQLModel, table=True):
    """One method of 总结验收 in one round: 自查初评、实地调查、满意度测评、组织评审."""

    __tablename__ = "acceptance_step"
    __table_args__ = (UniqueConstraint("branch_id", "round", "method"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    round: int
    method: str
    on: date
    rate: float | None = None  # 满意度, 0–1, for 党员群众满意度测评
    note: str | None = None


class AcceptanceDecision(SQLModel, table=True):
    """Pass or fail of one acceptance round, with the re-assessed grade."""

    __tablename__ = "acceptance_decision"
    __table_args__ = (UniqueConstraint("branch_id", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    round: int
    on: date
    passed: bool
    grade: str | None = None
    reason: str | None = None
    override_id: int | None = Field(default=None, foreign_key="gate_override.id", ondelete="SET NULL")


class Rectification(SQLModel, table=True):
    """整改意见 after a failed round: a deadline, open until closed."""

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    decision_id: int = Field(foreign_key="acceptance_decision.id", ondelete="CASCADE", unique=True)
    opinion: str
    deadline: date
    opened_on: date
    closed_on: date | None = None
    note: str | None = None


class GateOverride(SQLModel, table=True):
    """A step taken out of order on the committee's say-so: what was refused and why it went on.

    The one record of every ``--override``, whatever the step (a plan, an acceptance step or
    decision, a grade approved, published or changed): the rows it let through point here
    (``override_id``), and every report reads the overrides from this table alone.
    ``branch_id`` is None for a decision about the whole list (the quota).
    """

    __tablename__ = "gate_override"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    branch_id: int | None = Field(default=None, foreign_key="branch.id", ondelete="CASCADE", index=True)
    gate: str
    refused: str
    reason: str
    on: date
    at: datetime = Field(default_factory=utc_now)
