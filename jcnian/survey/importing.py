"""``survey import``: every file read, checked against the ledger, then written all or nothing.

Files are taken in order inside the caller's single transaction, each seeing what the ones
before it wrote. Every problem of every file is collected (up to a limit) with
file:row:column; any problem raises InvalidInput and the caller rolls the transaction back,
so nothing is written.
"""

from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from jcnian.errors import InvalidInput
from jcnian.survey.ballots import import_ballots
from jcnian.survey.context import FileReport, ImportContext, Progress
from jcnian.survey.lookup import Lookup
from jcnian.survey.problems import Problems
from jcnian.survey.reader import open_survey
from jcnian.survey.scores import import_scores


def import_surveys(
    session: Session,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    encoding: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Import survey files into the caller's transaction; raise InvalidInput listing every problem.

    ``dry_run`` checks and counts everything but writes nothing (each file is then compared
    with the ledger as it stands).
    """
    from jcnian.gradebook.reads import current_rubric

    ctx = ImportContext(
        session=session,
        conn=session.connection(),
        lookup=Lookup(session, current_rubric(session)),
        problems=Problems(),
        default_source=source,
        replace=replace,
        dry_run=dry_run,
        progress=progress,
    )
    problems = ctx.problems
    reports = []
    for path in paths:
        before = problems.count
        name = _display_name(path, paths)
        survey = open_survey(Path(path), problems, encoding=encoding, name=name)
        if survey is None:
            continue
        with survey:
            if survey.layout in ("long", "wide"):
                report = import_scores(
                    ctx,
                    survey,
                    lambda p=path, n=name: open_survey(Path(p), problems, encoding=encoding, name=n),
                )
            else:
                report = import_ballots(ctx, survey)
        if report is not None and problems.count == before:
            reports.append(report)
    if problems:
        files = {p.file for p in problems.items}
        raise InvalidInput(
            f"发现 {problems.count} 个问题（涉及 {len(files)} 个文件），未写入任何数据；请改正后重新导入：",
            problems.lines(),
        )
    return reports


def _display_name(path: Path | str, paths: Sequence[Path | str]) -> str:
    """The file's name, or its path where two files given share a name."""
    name = Path(path).name
    return str(path) if sum(Path(p).name == name for p in paths) > 1 else name
