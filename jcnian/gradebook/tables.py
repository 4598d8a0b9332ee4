"""Tables of 分类定级: the rubric, scores, deductions, ballots, vetoes, grade history, imports."""

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from jcnian.models import utc_now


class RubricVersion(SQLModel, table=True):
    """One version of the rubric a ledger is graded with, kept as the TOML text it was set from.

    The newest row is in force; older rows stay so that a grade can be traced to the
    rubric that produced it. The parsed rubric is jcnian.grading.Rubric.
    """

    __tablename__ = "rubric"  # the table's name since the first release
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE", index=True)
    content: str
    set_at: datetime = Field(default_factory=utc_now)


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
    imported_at: datetime = Field(default_factory=utc_now)


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
    entered_at: datetime = Field(default_factory=utc_now)


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
    entered_at: datetime = Field(default_factory=utc_now)


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
    entered_at: datetime = Field(default_factory=utc_now)


class Veto(SQLModel, table=True):
    """一票否决: a condition from the rubric's veto list found at a branch."""

    __table_args__ = (UniqueConstraint("branch_id", "condition"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", ondelete="CASCADE", index=True)
    condition: str
    note: str | None = None
    entered_at: datetime = Field(default_factory=utc_now)


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
    at: datetime = Field(default_factory=utc_now)
