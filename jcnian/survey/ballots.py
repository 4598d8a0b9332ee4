"""Ballot counts from count sheets and one-ballot-per-row sheets, as ``grade ballot`` keeps them.

A branch's ballot is one unit: the counts of all its options. Re-importing the same counts
changes nothing; different counts are a conflict unless ``--replace``, which replaces the
branch's whole ballot. Ballot files are small (one row per branch, or per voter of a town),
so they are checked in Python and written with one bulk insert, without a staging table.
"""

from collections import Counter

from sqlalchemy import delete, insert, select

from jcnian import models
from jcnian.gradebook.tables import Ballot
from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS, check_ballot_form
from jcnian.models import Branch
from jcnian.survey.context import FileReport, ImportContext, report_for
from jcnian.survey.log import import_file_names, record_import
from jcnian.survey.records import CountRow, SurveyFile, VoteRow

_ballot = Ballot.__table__  # type: ignore[attr-defined]
_branch = Branch.__table__  # type: ignore[attr-defined]
_OPTIONS = GRADE_OPTIONS + SATISFACTION_OPTIONS


def import_ballots(ctx: ImportContext, survey: SurveyFile) -> FileReport | None:
    """Check and (unless a dry run) write one counts or ballots file; None when it has problems."""
    problems, lookup = ctx.problems, ctx.lookup
    cols = survey.columns
    before = problems.count
    counts: dict[int, dict[str, int]] = {}
    first_row: dict[int, int] = {}
    voters: dict[tuple[int, str], int] = {}
    # A branch's ballot is one form (grading.check_ballot_form): its options, and the row and
    # option that set it, for the message when another row mixes in the other form.
    forms: dict[int, tuple[tuple[str, ...], int, str]] = {}
    for record in survey.records(problems, progress=ctx.read_progress(survey)):
        bid = lookup.branch(record.branch)
        if type(bid) is not int:
            problems.add(survey.problem(str(bid), record.row, cols.branch))
            continue
        if isinstance(record, CountRow):
            if bid in counts:
                problems.add(
                    survey.problem(
                        f"“{lookup.names[bid]}”与第 {first_row[bid]} 行重复（同一党组织的票数只能有一行）",
                        record.row,
                        cols.branch,
                    )
                )
                continue
            counts[bid] = dict(record.counts)
            first_row[bid] = record.row
            continue
        assert isinstance(record, VoteRow)
        form = GRADE_OPTIONS if record.option in GRADE_OPTIONS else SATISFACTION_OPTIONS
        chosen = forms.setdefault(bid, (form, record.row, record.option))
        if chosen[0] is not form:
            problems.add(
                survey.problem(
                    f"“{record.option}”与第 {chosen[1]} 行的“{chosen[2]}”不是同一种选票：“{lookup.names[bid]}”的选票"
                    f"只能用 {'/'.join(GRADE_OPTIONS)} 或 {'/'.join(SATISFACTION_OPTIONS)} 中的一种",
                    record.row,
                    record.col,
                )
            )
            continue
        if record.respondent:
            key = (bid, record.respondent)
            if key in voters:
                problems.add(
                    survey.problem(
                        f"测评人“{record.respondent}”对“{lookup.names[bid]}”投了两次（另见第 {voters[key]} 行）",
                        record.row,
                        cols.respondent,
                    )
                )
                continue
            voters[key] = record.row
        tally = counts.setdefault(bid, {})
        tally[record.option] = tally.get(record.option, 0) + 1
        first_row.setdefault(bid, record.row)
    if problems.count > before or not counts:
        return None
    for bid, (options, _row, _option) in forms.items():
        # A ballot per row: the options of the branch's form that nobody chose count, as 0.
        for option in options:
            counts[bid].setdefault(option, 0)
    for tally in counts.values():
        check_ballot_form(tally)  # the rule grade ballot keeps; the checks above located it

    held: dict[int, dict[str, tuple[int, int | None]]] = {}
    for bid, option, count, import_id in ctx.conn.execute(
        select(_ballot.c.branch_id, _ballot.c.option, _ballot.c.count, _ballot.c.import_id)
        .join(_branch, _branch.c.id == _ballot.c.branch_id)
        .where(_branch.c.campaign_id == ctx.campaign_id)
    ):
        if bid in counts:
            held.setdefault(bid, {})[option] = (count, import_id)
    changed = [bid for bid, tally in counts.items() if bid in held and _plain(held[bid]) != tally]
    new = [bid for bid in counts if bid not in held]
    if changed and not ctx.replace:
        files = import_file_names(ctx.conn, {imp for bid in changed for _c, imp in held[bid].values()})
        for bid in sorted(changed, key=lambda b: first_row[b]):
            imp = next(iter(held[bid].values()))[1]
            origin = f"来自 {files[imp]}" if imp in files else "手工录入"
            problems.add(
                survey.problem(
                    f"账本中“{lookup.names[bid]}”已有不同的票数 {_show_counts(_plain(held[bid]))}（{origin}），"
                    f"本文件为 {_show_counts(counts[bid])}；如以本文件为准，请加 --replace",
                    first_row[bid],
                    cols.branch,
                )
            )
        return None
    totals: Counter[str] = Counter()
    for tally in counts.values():
        totals.update(tally)
    breakdown = [(o, totals[o]) for o in _OPTIONS if o in totals]
    report = report_for(ctx, survey, records=len(counts), branches=len(counts), breakdown=breakdown)
    write = new + changed
    unchanged = len(counts) - len(write)
    if not write:
        return report(added=0, unchanged=unchanged, replaced=None, status="unchanged")
    replaced = None
    if changed:
        replaced = {
            "ballot": sum(len(held[bid]) for bid in changed),
            "branches": len(changed),
            "names": [lookup.names[bid] for bid in changed][:20],
        }
    if ctx.dry_run:
        return report(added=len(new), unchanged=unchanged, replaced=replaced, status="dry-run")
    rows = [(bid, option, count) for bid in write for option, count in counts[bid].items()]
    sources = [ctx.default_source] if ctx.default_source else []
    import_id = record_import(ctx.session, ctx.campaign_id, survey, sources, len(rows), replaced)
    if changed:
        ctx.conn.execute(delete(_ballot).where(_ballot.c.branch_id.in_(changed)))
    now = models.utc_now()
    ctx.conn.execute(
        insert(_ballot),
        [
            {"branch_id": bid, "option": option, "count": count, "import_id": import_id, "entered_at": now}
            for bid, option, count in rows
        ],
    )
    return report(added=len(new), unchanged=unchanged, replaced=replaced, status="imported")


def _plain(held: dict[str, tuple[int, int | None]]) -> dict[str, int]:
    return {option: count for option, (count, _imp) in held.items()}


def _show_counts(counts: dict[str, int]) -> str:
    return " ".join(f"{o}{counts[o]}" for o in _OPTIONS if o in counts)
