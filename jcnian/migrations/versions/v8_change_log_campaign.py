"""Schema version 8: each change-log entry names the campaign it was for, in a new nullable,
indexed column ``change_log.campaign_id``, so that ``jcnian log`` of one town's campaign lists
none of another's entries (issue 16). Entries made before are attributed from the rows they
changed (``changelog.campaign_of``: through a branch, project or pairing, including those
removed since, as the log's own images of them give them); in a ledger of one campaign
every entry is that campaign's. An entry whose rows name several campaigns, or none in a
ledger of several, stays NULL: a write across the ledger, listed with every campaign.

The log refuses UPDATE: its guard is lifted for this one backfill and put back in the
same transaction. The hashes do not cover the column (as they do not cover ``tables`` and
``branches``, the other index columns), so the chain still verifies.

Revision ID: v8
Revises: v7
"""

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from jcnian.changelog import POSTGRESQL_GUARD, SQLITE_GUARD, Owners, campaign_of
from jcnian.migrations import columns

revision = "v8"
down_revision = "v7"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    if "campaign_id" in columns(bind, "change_log"):
        return  # made by create_all in its newest shape just now
    op.add_column("change_log", sa.Column("campaign_id", sa.Integer(), nullable=True))
    op.create_index("ix_change_log_campaign_id", "change_log", ["campaign_id"])
    attributed = _attribute(bind)
    if not attributed:
        return
    _lift_guard(bind)
    bind.execute(sa.text("UPDATE change_log SET campaign_id = :c WHERE id = :id"), attributed)
    for statement in SQLITE_GUARD if bind.dialect.name == "sqlite" else POSTGRESQL_GUARD:
        bind.exec_driver_sql(statement)


def _entries(bind: sa.Connection) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Every entry's id and changes, in batches: a log's changes may hold a year of images."""
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, changes FROM change_log WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        for entry_id, changes in rows:
            yield entry_id, json.loads(changes)
        last = rows[-1][0]


def _owners(bind: sa.Connection) -> Owners:
    """The campaign of each branch, project and pairing that is in the ledger or ever was:
    the tables as they are, and the rows the log saw (a branch removed since, its scores)."""
    branch = dict(bind.execute(sa.text("SELECT id, campaign_id FROM branch")).all())
    parent = {
        "project_id": dict(bind.execute(sa.text("SELECT id, branch_id FROM project")).all()),
        "pairing_id": dict(bind.execute(sa.text("SELECT id, branch_id FROM pairing")).all()),
    }
    table_of = {"project": "project_id", "pairing": "pairing_id"}
    for _id, changes in _entries(bind):
        for change in changes:
            for image in (change.get("before"), change.get("after")):
                if not isinstance(image, dict) or not isinstance(image.get("id"), int):
                    continue
                if change["table"] == "branch" and isinstance(image.get("campaign_id"), int):
                    branch.setdefault(image["id"], image["campaign_id"])
                elif change["table"] in table_of and isinstance(image.get("branch_id"), int):
                    parent[table_of[change["table"]]].setdefault(image["id"], image["branch_id"])

    def owners(column: str, ids: list[int]) -> set[int]:
        branches = ids if column == "branch_id" else [parent[column].get(i) for i in ids]
        return {c for c in (branch.get(b) for b in branches if b is not None) if c is not None}

    return owners


def _attribute(bind: sa.Connection) -> list[dict[str, int]]:
    campaigns = [row[0] for row in bind.execute(sa.text("SELECT id FROM campaign ORDER BY id"))]
    if not campaigns:
        return []
    if len(campaigns) == 1:
        ids = bind.execute(sa.text("SELECT id FROM change_log")).scalars()
        return [{"id": entry_id, "c": campaigns[0]} for entry_id in ids]
    owners = _owners(bind)
    out: list[dict[str, int]] = []
    for entry_id, changes in _entries(bind):
        campaign = campaign_of(changes, owners, None)
        if campaign is not None:
            out.append({"id": entry_id, "c": campaign})
    return out


def _lift_guard(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_no_update")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_no_delete")
    else:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_append_only ON change_log")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_no_truncate ON change_log")


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
