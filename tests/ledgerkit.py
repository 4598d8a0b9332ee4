"""What several test modules need to build a ledger quickly: the seed's names, scores, sessions.

Imported by the test modules (pytest puts this folder on the path); the fixtures built on it
(ledger templates copied per test) are in conftest.py.
"""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlmodel import Session, select

from jcnian import db as storage
from jcnian.data_files import default_rubric_text
from jcnian.gradebook.tables import Score
from jcnian.grading import parse_rubric
from jcnian.models import Branch, Campaign
from jcnian.seed import default_seed_path, read_seed

SEED = [row.name for row in read_seed(default_seed_path())]
VILLAGES, FIRMS = SEED[:16], SEED[16:]
RUBRIC = parse_rubric(default_rubric_text())
ENTERED = datetime(2012, 4, 1, tzinfo=UTC)


@contextmanager
def session_of(db: str) -> Iterator[Session]:
    """One transaction on the ledger at ``db``, as a command has."""
    engine = storage.open_engine(db)
    try:
        with storage.transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def engine_of(db: str) -> Iterator[Engine]:
    """A plain engine on the ledger at ``db`` (a file path or a URL), disposed afterwards:
    none of the program's checks, settings or change log, as another program would see it."""
    engine = create_engine(storage.resolve_url(db))
    try:
        yield engine
    finally:
        engine.dispose()


def sql(db: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one query on the ledger at ``db``, whatever the backend: named ``:params``.

    Values come as the database gives them: a boolean is 0/1 on SQLite and False/True on
    PostgreSQL, a date text on SQLite and a ``date`` on PostgreSQL (compare in Python)."""
    with engine_of(db) as engine, engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(query), params)]


def execute(db: str, *statements: str, **params: Any) -> None:
    """Statements written straight into the ledger at ``db``, in one transaction (committed),
    as an older version or another program might have written them."""
    with engine_of(db) as engine, engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def fill(
    db: str,
    scores: dict[str, float],
    *,
    skip_source: dict[str, str] | None = None,
    campaign: tuple[str, int] | None = None,
) -> None:
    """Write collective scores the way the survey import does (Core bulk insert).

    Every indicator gets ``score`` % of its full marks, so the weighted total is ``score``;
    ``skip_source`` leaves one source out for the branches it names.
    """
    skip_source = skip_source or {}
    with session_of(db) as session:
        branches = select(Branch)
        if campaign is not None:  # (town, year) in a ledger of several, whose names recur
            town, year = campaign
            branches = branches.join(Campaign).where(Campaign.town == town, Campaign.year == year)
        ids = {b.name: b.id for b in session.exec(branches).all()}
        rows = [
            {
                "branch_id": ids[name],
                "source": source,
                "indicator": indicator,
                "respondent": "",
                "points": full * score / 100,
                "entered_at": ENTERED,
            }
            for name, score in scores.items()
            for source in RUBRIC.sources
            if skip_source.get(name) != source
            for indicator, full in RUBRIC.indicators.items()
        ]
        session.execute(insert(Score), rows)


def within_quota() -> dict[str, float]:
    """Distinct scores; villages 5/10/1 and enterprises 5/9/2: overall 10/19/3, the seed's targets."""
    scores = {}
    for group, (top, middle) in ((VILLAGES, (5, 10)), (FIRMS, (5, 9))):
        for i, name in enumerate(group):
            if i < top:
                scores[name] = 96.0 - i
            elif i < top + middle:
                scores[name] = 75.0 - i * 0.5
            else:
                scores[name] = 50.0 - i * 0.5
    return scores


def copy_ledger(source: Path | str, target: Path | str) -> None:
    """A ledger file with its side files, or a PostgreSQL database (both URLs): a template
    copied is a fresh ledger in no time."""
    if "://" in str(source) or "://" in str(target):
        from pgcluster import copy_database

        copy_database(str(source), str(target))
        return
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def js(result) -> object:  # type: ignore[no-untyped-def]
    """The JSON a command printed, after checking that it succeeded."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)
