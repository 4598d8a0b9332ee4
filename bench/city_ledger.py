"""A city ledger for the benchmarks: many towns' campaigns in one ledger, filled in bulk.

``build(url, towns)`` makes the schema the normal way (``db.open_engine(create=True)``), then
writes every campaign with bulk statements on one connection outside jcnian's transactions
(so the change log captures nothing): the campaign, its phase windows and rubric, its
branches, people and liaisons, every branch's 28 scores (4 sources × 7 indicators), mass
ballots, and a recorded proposal and final grade worked out by the pure grading rules, so
that grade reads, ``grade compute`` and the monthly export all have work. SQLite takes
``executemany``; PostgreSQL takes ``COPY`` (psycopg 3), an order of magnitude faster there.

Every town draws from its own seeded generator: the same town gets the same rows in the
city ledger and in a ledger of that town alone, which is what the clerk-of-one-town check
compares.

A throw-away PostgreSQL cluster for the benchmarks: ``PostgresCluster`` (initdb in a temporary
folder, run as the ``postgres`` user when we are root, a Unix socket in that folder, removed
afterwards).
"""

import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jcnian.data_files import default_rubric_text
from jcnian.grading import assess_total, parse_rubric, round_score, satisfaction_rate

RUBRIC = parse_rubric(default_rubric_text())
YEAR = 2012
CLERK_TOWN = "驿亭镇"  # the seed's town: its 32 branches from 附件1
PROPOSED_ON = date(2012, 4, 20)
FINAL_ON = date(2012, 4, 25)
NOW = datetime(2012, 4, 20, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Town:
    name: str
    branches: Sequence[tuple[str, str, str, str | None, str | None]]  # name, form, category, leader, cadre


def clerk_town() -> Town:
    """驿亭镇 with 附件1's 32 branches, their leaders and cadres."""
    from jcnian.seed import default_seed_path, read_seed

    rows = read_seed(default_seed_path())
    return Town(CLERK_TOWN, [(r.name, r.form or "党支部", r.category, r.leader, r.cadre) for r in rows])


def generated_town(index: int, size: int) -> Town:
    """A town of ``size`` branches, two villages to one firm, a liaison per ten branches."""
    name = f"第{index:02d}镇"
    rows = []
    for i in range(1, size + 1):
        village = i % 3 != 0
        branch = f"{name}第{i:04d}村党支部" if village else f"{name}第{i:04d}号电器有限公司党支部"
        leader = f"{name}领导{i // 40 + 1:02d}"
        cadre = f"{name}干部{i // 10 + 1:03d}" if i % 4 else None
        rows.append((branch, "党支部", "农村" if village else "非公制企业", leader, cadre))
    return Town(name, rows)


def city_towns(total: int = 100_000, towns: int = 50) -> list[Town]:
    """``towns`` towns of ``total`` branches in all: 驿亭镇 (32, placed last) and the rest even."""
    others = towns - 1
    rest = total - 32
    sizes = [rest // others + (1 if i < rest % others else 0) for i in range(others)]
    return [*(generated_town(i + 1, n) for i, n in enumerate(sizes)), clerk_town()]


# --- writing in bulk ----------------------------------------------------------------------


class _Writer:
    """Bulk rows into one table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        cur = self.raw.cursor()
        names = ", ".join(f'"{c}"' for c in columns)  # "on" and "end" are reserved words
        if self.dialect == "postgresql":
            with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", map(_sqlite_values, rows))
        cur.close()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cur = self.raw.cursor()
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cur.execute(sql, params)
        found = cur.fetchone() if cur.description else None
        cur.close()
        return found


def _sqlite_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """Dates and times as SQLAlchemy stores them in SQLite (text), not by sqlite3's adapters."""
    return tuple(
        v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )


class _Ids:
    """The next id of each table (ids are given explicitly, so rows can name each other)."""

    def __init__(self, w: _Writer, tables: Sequence[str]) -> None:
        self.next = {t: (w.one(f"SELECT MAX(id) FROM {t}")[0] or 0) + 1 for t in tables}

    def take(self, table: str, n: int = 1) -> int:
        first = self.next[table]
        self.next[table] += n
        return first


def _town_rows(w: _Writer, ids: _Ids, town: Town, cats: dict[str, int], rubric_id: int, campaign: int) -> int:
    rng = random.Random(town.name)  # the same rows for the town wherever it is built
    people: dict[str, int] = {}
    for _name, _form, _cat, leader, cadre in town.branches:
        for person in (leader, cadre):
            if person and person not in people:
                people[person] = ids.take("person")
    w.rows("person", ("id", "campaign_id", "name"), ((pid, campaign, n) for n, pid in people.items()))
    first = ids.take("branch", len(town.branches))
    w.rows(
        "branch",
        ("id", "campaign_id", "seq", "name", "form", "category_id"),
        (
            (first + i, campaign, i + 1, name, form, cats[cat])
            for i, (name, form, cat, _l, _c) in enumerate(town.branches)
        ),
    )
    liaisons = []
    for i, (_name, _form, _cat, leader, cadre) in enumerate(town.branches):
        for role, person in (("leader", leader), ("cadre", cadre)):
            if person:
                liaisons.append((ids.take("liaison"), first + i, people[person], role))
    w.rows("liaison", ("id", "branch_id", "person_id", "role"), liaisons)
    scores, ballots, events = [], [], []
    for i in range(len(town.branches)):
        bid = first + i
        level = rng.uniform(0.55, 1.0)
        total = 0.0
        for source, weight in RUBRIC.sources.items():
            for indicator, full in RUBRIC.indicators.items():
                points = max(0.0, round(min(float(full), float(full) * rng.gauss(level, 0.06)), 1))
                scores.append((ids.take("score"), bid, source, indicator, "", points, NOW))
                total += points * float(weight)
        good = rng.randint(60, 160)
        votes = {
            "好": good,
            "较好": rng.randint(20, 80),
            "一般": rng.randint(0, 20),
            "较差": rng.randint(0, 8),
        }
        for option, count in votes.items():
            ballots.append((ids.take("ballot"), bid, option, count, NOW))
        result = assess_total(total, RUBRIC, satisfaction=satisfaction_rate(votes))
        grade = result.proposed.value if result.proposed else None
        score = round_score(total)
        events.append(
            (ids.take("grade_event"), bid, "proposed", grade, score, PROPOSED_ON, rubric_id, NOW, 1)
        )
        events.append((ids.take("grade_event"), bid, "final", grade, None, FINAL_ON, None, NOW, 2))
    w.rows("score", ("id", "branch_id", "source", "indicator", "respondent", "points", "entered_at"), scores)
    w.rows("ballot", ("id", "branch_id", "option", "count", "entered_at"), ballots)
    w.rows(
        "grade_event", ("id", "branch_id", "step", "grade", "score", "on", "rubric_id", "at", "seq"), events
    )
    return len(scores)


def build(url: str, towns: Sequence[Town]) -> dict[str, float]:
    """The ledger at ``url`` (new) with one campaign per town for YEAR; returns counts and seconds."""
    from jcnian import db, models
    from jcnian.ledger import CATEGORIES
    from jcnian.phases import default_windows

    start = time.perf_counter()
    engine = db.open_engine(url, create=True)
    models.load_all_tables()
    raw = engine.raw_connection()
    dialect = engine.dialect.name
    w = _Writer(raw.driver_connection, dialect)
    if dialect == "sqlite":  # jcnian's engine runs pysqlite in autocommit: one transaction here
        w.one("BEGIN")
    ids = _Ids(
        w,
        (
            "campaign",
            "phase_window",
            "rubric",
            "person",
            "branch",
            "liaison",
            "score",
            "ballot",
            "grade_event",
        ),
    )
    for seq, name in enumerate(CATEGORIES, start=1):
        if w.one("SELECT id FROM category WHERE name = ?", (name,)) is None:
            w.one("INSERT INTO category (name, seq) VALUES (?, ?)", (name, seq))
    cats = {name: w.one("SELECT id FROM category WHERE name = ?", (name,))[0] for name in CATEGORIES}
    scores = branches = 0
    windows = list(default_windows(YEAR).values())
    for town in towns:
        campaign = ids.take("campaign")
        w.rows("campaign", ("id", "town", "year", "created_at"), [(campaign, town.name, YEAR, NOW)])
        w.rows(
            "phase_window",
            ("id", "campaign_id", "phase", "start", "end"),
            [(ids.take("phase_window"), campaign, x.phase, x.start, x.end) for x in windows],
        )
        rubric_id = ids.take("rubric")
        w.rows(
            "rubric",
            ("id", "campaign_id", "content", "set_at"),
            [(rubric_id, campaign, default_rubric_text(), NOW)],
        )
        scores += _town_rows(w, ids, town, cats, rubric_id, campaign)
        branches += len(town.branches)
    if dialect == "postgresql":  # the sequences behind the ids given explicitly
        for table, nxt in ids.next.items():
            w.one(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ?)", (nxt,))
        w.one("ANALYZE")
    else:
        w.one("ANALYZE")
    raw.commit()
    raw.close()
    engine.dispose()
    return {
        "towns": len(towns),
        "branches": branches,
        "scores": scores,
        "seconds": time.perf_counter() - start,
    }


# --- a throw-away PostgreSQL cluster ------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_available() -> str | None:
    """Why PostgreSQL cannot be benchmarked here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'jcnian[postgres]')"
    if not (PG_BIN / "initdb").exists():
        return f"no server binaries in {PG_BIN}"
    return None


class PostgresCluster:
    """initdb in a temporary folder, the server on a socket there; stopped and removed on exit.

    PostgreSQL refuses to run as root: then the cluster belongs to the ``postgres`` user."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="jcnian-bench-pg-"))
        self.data = self.dir / "data"
        self.sock = self.dir / "sock"

    def _run(self, *argv: str) -> None:
        cmd = [str(PG_BIN / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> "PostgresCluster":
        self.sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.sock, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = f"-k {self.sock} -c listen_addresses='' -c fsync=off -c shared_buffers=256MB"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-l", str(self.dir / "log"), "start")
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.sock}"

    def create(self, database: str) -> str:
        import psycopg

        with psycopg.connect(f"host={self.sock} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def __exit__(self, *exc: object) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def iter_towns(towns: Sequence[Town]) -> Iterator[str]:
    for t in towns:
        yield f"{t.name}/{YEAR}"
