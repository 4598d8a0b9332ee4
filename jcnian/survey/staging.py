"""The staging table that checked score rows pass through on their way into the ledger.

Files of a million rows must import at a rate comparable to a raw ``executemany``, so no ORM
object is made per row: checked rows go in chunks through the DBAPI into a temporary table,
and duplicates, conflicts with what the ledger holds and the final insert are then set
operations in SQL. Memory stays bounded: the rows live in the database, not in Python.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Connection, Float, Integer, MetaData, String, Table, and_, func, select

_meta = MetaData()
STAGE = Table(
    "survey_stage",
    _meta,
    Column("row_no", Integer, nullable=False),
    Column("col_no", Integer, nullable=False),
    Column("branch_id", Integer, nullable=False),
    Column("source", String, nullable=False),
    Column("indicator", String, nullable=False),
    Column("respondent", String, nullable=False),
    Column("item", String, nullable=False),  # "" for points, the 扣分事项 for a deduction
    Column("points", Float, nullable=False),
    prefixes=["TEMPORARY"],
)
# The (branch, source) pairs a file covers: what --replace replaces, and where conflicts can be.
PAIRS = Table(
    "survey_pairs",
    _meta,
    Column("branch_id", Integer, primary_key=True),
    Column("source", String, primary_key=True),
    prefixes=["TEMPORARY"],
)
_NATURAL_KEY = ("branch_id", "source", "indicator", "respondent", "item")
_PLACE = 100_000  # row_no * _PLACE + col_no orders and names a cell in one integer


@contextmanager
def staging_tables(conn: Connection) -> Iterator[None]:
    """Fresh STAGE and PAIRS tables for one file, dropped afterwards whatever happens."""
    from jcnian.changelog import summarised

    _drop(conn)
    STAGE.create(conn)
    PAIRS.create(conn)
    try:
        with summarised(conn, ("score", "deduction")):  # the log counts these rows, one entry per import
            yield
    finally:
        _drop(conn)


def _drop(conn: Connection) -> None:
    PAIRS.drop(conn, checkfirst=True)
    STAGE.drop(conn, checkfirst=True)


def insert_sql(conn: Connection, table: Table) -> str:
    """A plain INSERT of whole rows in the driver's own parameter style, for ``exec_driver_sql``."""
    style = conn.dialect.paramstyle
    n = len(table.columns)
    if style == "qmark":
        marks = ",".join("?" * n)
    elif style == "numeric":
        marks = ",".join(f":{i + 1}" for i in range(n))
    elif style in ("format", "pyformat"):
        marks = ",".join(["%s"] * n)
    else:  # pragma: no cover - "named" drivers are not used here
        raise NotImplementedError(style)
    return f"INSERT INTO {table.name} VALUES ({marks})"


def same_key(table: Table, stage: Table = STAGE) -> Any:
    """A ledger row (score or deduction) with the natural key of a staged row."""
    return and_(*(table.c[k] == stage.c[k] for k in _NATURAL_KEY if k in table.c))


def repeated_keys(conn: Connection, limit: int) -> Sequence[Any]:
    """Staged rows whose natural key an earlier cell of the file already has, with that first cell.

    Rows of (row_no, col_no, branch_id, source, indicator, respondent, item, first_row, first_col).
    """
    s = STAGE.c
    place = s.row_no * _PLACE + s.col_no
    keys = [s[k] for k in _NATURAL_KEY]
    groups = (
        select(*keys, func.min(place).label("first"))
        .group_by(*keys)
        .having(func.count() > 1)
        .subquery("dups")
    )
    g = groups.c
    rows = conn.execute(
        select(s.row_no, s.col_no, *keys, g.first)
        .join(groups, and_(*(s[k] == g[k] for k in _NATURAL_KEY)))
        .where(place > g.first)
        .order_by(s.row_no, s.col_no)
        .limit(limit)
    ).all()
    return [(*row[:-1], *divmod(row[-1], _PLACE)) for row in rows]
