"""SQLModel tables of the ledger.

Names follow the glossary in DESIGN.md. Values a clerk reads (categories, grades, indicator
and source names) are stored in Chinese as the seed writes them, because the rubric that
defines indicators and sources is a configurable file keyed by those names.

Every table that hangs off a branch deletes with it (``ON DELETE CASCADE``); the CLI asks
for ``--yes`` and reports what goes before it removes a branch.
"""

from datetime import UTC, date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 1


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- ledger ---------------------------------------------------------------------------


class Meta(SQLModel, table=True):
    """Key/value facts about the ledger itself, such as ``schema_version``."""

    key: str = Field(primary_key=True)
    value: str


class Campaign(SQLModel, table=True):
    """One 基层组织建设年活动: a town and a year (seed: 驿亭镇, 2012)."""

    __table_args__ = (UniqueConstraint("town", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    town: str
    year: int
    created_at: datetime = Field(default_factory=_now)


class PhaseWindow(SQLModel, table=True):
    """The dates of one phase; windows may overlap, as they do in the seed."""

    __tablename__ = "phase_window"
    __table_args__ = (UniqueConstraint("campaign_id", "phase"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    phase: str
    start: date
    end: date


class Category(SQLModel, table=True):
    """分类: the seed's four categories; a category may have no branch."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    seq: int


class Branch(SQLModel, table=True):
    """基层党组织. ``seq`` keeps the seed's order, which every report follows."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    seq: int
    name: str
    form: str
    category_id: int = Field(foreign_key="category.id")
    remarks: str | None = None


class BranchAlias(SQLModel, table=True):
    """Another name a spreadsheet may use for a branch (``branch alias``)."""

    __tablename__ = "branch_alias"
    __table_args__ = (UniqueConstraint("campaign_id", "alias"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    alias: str


class Person(SQLModel, table=True):
    """A 联系领导 or 联系干部, identified by the name with all whitespace removed."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    name: str


class Liaison(SQLModel, table=True):
    """A person's liaison duty for a branch: one leader and one cadre per branch at most."""

    __table_args__ = (UniqueConstraint("branch_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    role: str  # "leader" | "cadre"


# --- grading (分类定级) ----------------------------------------------------------------


class Rubric(SQLModel, table=True):
    """The rubric a ledger is graded with, kept as the TOML text it was set from.

    The newest row is in force; older rows stay so that a grade can be traced to the
    rubric that produced it.
    """

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    content: str
    set_at: datetime = Field(default_factory=_now)


class SurveyImport(SQLModel, table=True):
    """One batch import of survey results; score and ballot rows point back to it."""

    __tablename__ = "survey_import"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    file_name: str
    sha256: str = Field(index=True)
    layout: str
    source: str | None = None
    rows: int
    replaced: str | None = None  # JSON summary of the rows a --replace removed
    imported_at: datetime = Field(default_factory=_now)


class Score(SQLModel, table=True):
    """Points one respondent gave a branch on one indicator, for one evaluation source.

    ``respondent`` is "" for a single collective score; with many respondents the
    source's points on that indicator are their mean.
    """

    __table_args__ = (
        UniqueConstraint("branch_id", "source", "indicator", "respondent"),
        # Survey rows only (partial): compute finds the few keys that need a mean at once.
        Index(
            "ix_score_survey",
            "branch_id",
            "source",
            "indicator",
            sqlite_where=text("respondent <> ''"),
            postgresql_where=text("respondent <> ''"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    source: str
    indicator: str
    respondent: str = ""
    points: float
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=_now)


class Deduction(SQLModel, table=True):
    """逐项扣分: one item deducted from an indicator's full marks."""

    __table_args__ = (UniqueConstraint("branch_id", "source", "indicator", "respondent", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    source: str
    indicator: str
    respondent: str = ""
    item: str
    points: float
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=_now)


class Ballot(SQLModel, table=True):
    """Mass ballot counts for a branch: 好/较好/一般/较差 or 满意/基本满意/不满意."""

    __table_args__ = (UniqueConstraint("branch_id", "option"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    option: str
    count: int
    import_id: int | None = Field(
        default=None, foreign_key="survey_import.id", ondelete="SET NULL", index=True
    )
    entered_at: datetime = Field(default_factory=_now)


class Veto(SQLModel, table=True):
    """一票否决: a condition from the rubric's veto list found at a branch."""

    __table_args__ = (UniqueConstraint("branch_id", "condition"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    condition: str
    note: str | None = None
    entered_at: datetime = Field(default_factory=_now)


class GradeEvent(SQLModel, table=True):
    """One step of a branch's grade history; the current grades are derived from these.

    ``step`` is one of proposed, deliberated, final, published, changed, regraded.
    ``rubric_id`` names the rubric a proposal was computed with; ``by`` who decided.
    """

    __tablename__ = "grade_event"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    step: str
    grade: str | None = None
    score: float | None = None
    on: date | None = None
    reason: str | None = None
    override: str | None = None
    by: str | None = None
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=_now)


# --- phases (动员部署 / 深入实施 / 总结验收) ---------------------------------------------


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
    override: str | None = None


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
    """A step taken out of order on the committee's say-so: what was refused and why it went on."""

    __tablename__ = "gate_override"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    branch_id: int | None = Field(default=None, foreign_key="branch.id", ondelete="CASCADE", index=True)
    gate: str
    refused: str
    reason: str
    on: date
    at: datetime = Field(default_factory=_now)
