"""Schema version 3 keeps in the schema what must exist once.

A grade event takes a numbered place in its branch's history (``seq``, unique per branch),
so two writers that read the same history cannot both append to it; the same repeated
event next to itself (what two computes at once used to write) is removed first. An import
log entry names the campaign's newest import when it was written (``follows``), unique with
the file's hash, so one file is not logged twice on top of the same ledger (a --replace
later, or a re-import after a change, follows another entry and is logged again, as it
should be). Every campaign gets its stored rubric now, so that no read ever has to store the
default on first use.

Revision ID: v3
Revises: v2
"""

import sqlalchemy as sa
from alembic import op

from jcnian import models
from jcnian.migrations import columns

revision = "v3"
down_revision = "v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    events = columns(bind, "grade_event")
    if "seq" not in events:
        op.execute("ALTER TABLE grade_event ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
    compared = ("step", "grade", "score", "on", "reason", "override", "override_id", "by", "rubric_id")
    same = " AND ".join(
        f'(later."{c}" = earlier."{c}" OR (later."{c}" IS NULL AND earlier."{c}" IS NULL))'
        for c in compared
        if c in events  # the columns of the version being upgraded (override became override_id in 4)
    )
    op.execute(
        "DELETE FROM grade_event WHERE id IN (SELECT later.id FROM grade_event AS later "
        "JOIN grade_event AS earlier ON earlier.branch_id = later.branch_id AND earlier.id = "
        "(SELECT MAX(id) FROM grade_event AS e WHERE e.branch_id = later.branch_id AND e.id < later.id) "
        f"WHERE {same})"
    )
    op.execute(
        "UPDATE grade_event SET seq = (SELECT COUNT(*) FROM grade_event AS e "
        "WHERE e.branch_id = grade_event.branch_id AND e.id <= grade_event.id)"
    )
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS ux_grade_event_seq ON grade_event (branch_id, seq)")

    if "follows" not in columns(bind, "survey_import"):
        op.execute("ALTER TABLE survey_import ADD COLUMN follows INTEGER NOT NULL DEFAULT 0")
    op.execute(
        "UPDATE survey_import SET follows = COALESCE((SELECT MAX(id) FROM survey_import AS s "
        "WHERE s.campaign_id = survey_import.campaign_id AND s.id < survey_import.id), 0)"
    )
    op.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS ux_survey_import_once ON survey_import (campaign_id, sha256, follows)"
    )
    store_default_rubrics(bind)


def store_default_rubrics(bind: sa.Connection) -> None:
    """Store the shipped rubric for every campaign that has none stored yet."""
    from jcnian.data_files import default_rubric_text

    bind.execute(
        sa.text(
            "INSERT INTO rubric (campaign_id, content, set_at) SELECT id, :content, :now FROM campaign "
            "WHERE NOT EXISTS (SELECT 1 FROM rubric WHERE rubric.campaign_id = campaign.id)"
        ),
        {"content": default_rubric_text(), "now": models.utc_now()},
    )


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
