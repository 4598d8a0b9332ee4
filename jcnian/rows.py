"""Rows found and written by their natural key: the one upsert every recording step uses.

A clerk's entry names its slot (a branch and a month, a score cell, a project) rather than a
row id, so every write is "the row at this key, created or changed". Hand entry
(``jcnian.campaign.recording``, ``jcnian.gradebook.entry``) goes through these two
functions; the survey import writes in bulk with its own staged statements.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select


def matching(model: type[SQLModel], key: Mapping[str, Any]) -> Any:
    """The SELECT of ``model``'s rows whose columns equal ``key``'s values."""
    return select(model).where(*(getattr(model, k) == v for k, v in key.items()))


def find(session: Session, model: type[SQLModel], key: Mapping[str, Any]) -> Any:
    """The row of ``model`` at ``key``, or None."""
    return session.exec(matching(model, key)).first()


def insert(session: Session, model: type[SQLModel], key: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """Insert the row at ``key`` with ``values``; None if the ledger already holds one there.

    The look-up before it may have found nothing that another program then entered: the
    schema's unique key refuses the second row, and only that insert (a savepoint) is
    undone, so the caller can answer as for a row it had found.
    """
    session.flush()  # what is already pending stays outside the savepoint
    row = model(**key, **values)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if find(session, model, key) is None:
            raise  # another constraint: not "already there"
        return None
    return row


def write(
    session: Session, model: type[SQLModel], row: Any, key: Mapping[str, Any], values: Mapping[str, Any]
) -> Any:
    """Create the row at ``key`` with ``values`` (``row`` is None), or set ``values`` on ``row``."""
    if row is None:
        row = model(**key, **values)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.add(row)
    return row


def put(session: Session, model: type[SQLModel], key: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """Create or change the row at ``key``; return the row as found (None when it was created).

    The row returned is the live object, already changed: read what it held before calling.
    """
    row = find(session, model, key)
    write(session, model, row, key, values)
    return row
