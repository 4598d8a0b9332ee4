"""Every --override is one record (gate_override) that the grade history and every report read."""

import json
import sqlite3
from datetime import date

import pytest
from ledgerkit import sql
from sqlmodel import select

from jcnian import db as storage
from jcnian.campaign import acceptance
from jcnian.campaign.tables import GateOverride
from jcnian.data_files import default_rubric_text
from jcnian.gradebook import steps as grade_steps
from jcnian.gradebook.tables import Score
from jcnian.grading import parse_rubric
from jcnian.models import SCHEMA_VERSION, Branch

RUBRIC = parse_rubric(default_rubric_text())


def _all_average(db: str) -> None:
    """Every branch scored 75 by every source: all 一般, so the quota (30 % 好+较好) fails."""
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        for branch in session.exec(select(Branch)).all():
            for source in RUBRIC.sources:
                for indicator, full in RUBRIC.indicators.items():
                    session.add(
                        Score(
                            branch_id=branch.id,
                            source=source,
                            indicator=indicator,
                            respondent="",
                            points=full * 0.75,
                        )
                    )
        grade_steps.compute(session, date(2012, 4, 20))
        grade_steps.deliberate(session, ["五夫村"], date(2012, 4, 22))
    engine.dispose()


def _events(db: str) -> dict[str, int | None]:
    rows = sql(
        db,
        "SELECT b.name, e.override_id FROM grade_event e JOIN branch b ON b.id = e.branch_id "
        "WHERE e.step = 'final'",
    )
    return dict(rows)


def test_an_approval_records_each_override_once_and_links_the_grades_it_let_through(seeded, db) -> None:  # type: ignore[no-untyped-def]
    _all_average(db)
    result = seeded("grade", "approve", "--all", "--on", "2012-04-25", "--override", "镇党委会议决定")
    assert result.exit_code == 0, result.stderr
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        records = session.exec(select(GateOverride)).all()
        report = acceptance.acceptance_report(session, date(2012, 9, 30))
    engine.dispose()
    whole_list = [r for r in records if r.branch_id is None]
    per_branch = [r for r in records if r.branch_id is not None]
    assert len(whole_list) == 1 and "比例" in whole_list[0].refused
    assert len(per_branch) == 31  # every branch but 五夫村 went through undeliberated
    links = _events(db)
    assert links["五夫村党总支"] == whole_list[0].id  # deliberated: only the quota stood in its way
    assert len({v for k, v in links.items() if k != "五夫村党总支"}) == 31
    # The acceptance report (and so the monthly workbook) lists the grade overrides too.
    assert len(report.overrides) == 32
    assert {o["gate"] for o in report.overrides} == {"grade-final"}


def test_a_grade_change_records_no_override_it_did_not_need(seeded, db) -> None:  # type: ignore[no-untyped-def]
    _all_average(db)
    assert seeded("grade", "approve", "--all", "--on", "2012-04-25", "--override", "决定").exit_code == 0
    before = len(_events(db))
    changed = seeded(
        "grade", "change", "二都村", "较好", "--reason", "复核", "--override", "x", "--on", "2012-04-26"
    )
    assert changed.exit_code == 0 and "未记入" in changed.stderr
    ((link,),) = sql(db, "SELECT override_id FROM grade_event WHERE step = 'changed'")
    assert link is None and len(_events(db)) == before


@pytest.mark.sqlite_only("upgrades an SQLite fixture ledger (tests/fixtures)")
def test_a_version_3_ledger_keeps_its_overrides_when_upgraded(seeded, db) -> None:  # type: ignore[no-untyped-def]
    """Version 3 kept the reason as text on the grade event: it moves into gate_override."""
    _all_average(db)
    assert seeded("grade", "approve", "--all", "--on", "2012-04-25", "--override", "会议决定").exit_code == 0
    with sqlite3.connect(db) as conn:  # back to version 3's shape
        conn.execute("ALTER TABLE grade_event ADD COLUMN override VARCHAR")
        conn.execute(
            "UPDATE grade_event SET override = (SELECT reason FROM gate_override g WHERE g.id = override_id)"
        )
        # (SQLite cannot drop a column with a foreign key: an unset override_id stands for none.)
        conn.execute("UPDATE grade_event SET override_id = NULL")
        conn.execute("ALTER TABLE acceptance_decision ADD COLUMN override VARCHAR")
        conn.execute("DELETE FROM gate_override")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    history = seeded("grade", "history", "二都村", "--format", "json")
    assert history.exit_code == 0, history.stderr
    final = [e for e in json.loads(history.stdout)["events"] if e["step"] == "final"]
    assert [e["override"] for e in final] == ["会议决定"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        (count,) = conn.execute("SELECT COUNT(*) FROM gate_override").fetchone()
        columns = {r[1] for r in conn.execute("PRAGMA table_info(grade_event)")}
    assert count == 32 and "override" not in columns
