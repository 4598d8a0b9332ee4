"""What the import of each file shares: the command's context in, a ``FileReport`` out."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from jcnian.survey.log import earlier_import
from jcnian.survey.lookup import Lookup
from jcnian.survey.problems import Problems
from jcnian.survey.records import ReadProgress, SurveyFile

# (file name, phase, done, total): phase "read" streams the file (bytes or rows), "write"
# is the set-based check and insert that follows, with no measurable progress (total 0).
Progress = Callable[[str, str, int, int], None]


@dataclass
class ImportContext:
    """One ``survey import`` command: its transaction, what the ledger knows, its options, its problems."""

    session: Session
    conn: Connection
    lookup: Lookup
    problems: Problems
    default_source: str | None  # --source, for files with no 评价主体 column
    replace: bool
    dry_run: bool
    progress: Progress | None

    @property
    def campaign_id(self) -> int:
        return self.lookup.campaign.id  # type: ignore[return-value]

    def read_progress(self, survey: SurveyFile) -> ReadProgress | None:
        """The reader's (done, total) callback for one file; None when no bar is shown."""
        progress = self.progress
        if progress is None:
            return None
        return lambda done, total: progress(survey.name, "read", done, total)


@dataclass(frozen=True)
class FileReport:
    """What one file brought (or would bring) into the ledger."""

    file: str
    sha256: str
    layout: str  # long | wide | counts | ballots
    how: str  # how the file was read: layout, header row, encoding, sheet
    records: int  # scores/deductions, or branches with ballots
    branches: int
    added: int
    unchanged: int
    replaced: dict[str, Any] | None
    status: str  # imported | unchanged | dry-run
    earlier: str | None = None  # an earlier import of the same bytes
    notes: list[str] = field(default_factory=list)
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # per source or ballot option
    shape: str = ""  # what the file holds, in the clerk's terms: "8 个党组织 × 7 项，支部自评"
    deductions: int = 0  # of ``added``, the deductions (扣分) among the scores
    skips: list[tuple[int, str, str]] = field(default_factory=list)  # rows read past: (row, why, what)
    skipped: int = 0  # all rows read past, template rows too (``skips`` keeps the first of them)


def score_shape(
    scores: int, branches: int, indicators: int, respondents: int, per_source: list[tuple[str, int]]
) -> str:
    """A score file's content as the clerk counts it: ``8 个党组织 × 7 项，支部自评`` when it is
    a full grid, ``8 个党组织、5 项指标，群众初评 30、党员评议 10`` otherwise."""
    sources = [s for s, _ in per_source]
    dims = [f"{branches} 个党组织", f"{indicators} 项"] + ([f"{respondents} 名测评人"] if respondents else [])
    if scores == branches * indicators * max(respondents, 1) * len(sources):
        text = " × ".join(dims)
    else:
        text = "、".join([dims[0], f"{indicators} 项指标", *dims[2:]])
    if len(sources) == 1:
        return f"{text}，{sources[0]}"
    return f"{text}，" + "、".join(f"{s} {n}" for s, n in per_source)


def report_for(
    ctx: ImportContext, survey: SurveyFile, *, records: int, branches: int, breakdown: list[tuple[str, int]]
) -> Callable[..., FileReport]:
    """A FileReport with all but the outcome filled in; call it with added, unchanged, replaced, status."""
    return partial(
        FileReport,
        file=survey.name,
        sha256=survey.sha256,
        layout=survey.layout,
        how=survey.describe(),
        records=records,
        branches=branches,
        earlier=earlier_import(ctx.conn, ctx.campaign_id, survey.sha256),
        notes=survey.read_notes(),
        breakdown=breakdown,
        skips=list(survey.skips),
        skipped=survey.skipped + survey.empty_rows,
    )
