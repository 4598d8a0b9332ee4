"""Schema version 2: who decided a grade event and by which rubric; the survey index.

Version 1 had no phase tables (``create_all`` makes them), and grade events without ``by``
and ``rubric_id``; this adds the columns and the index the survey import looks up by.

Revision ID: v2
Revises: v1
"""

import sqlalchemy as sa
from alembic import op

from jcnian.migrations import add_reference, columns

revision = "v2"
down_revision = "v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    found = columns(op.get_bind(), "grade_event")
    if "by" not in found:
        with op.batch_alter_table("grade_event") as batch:
            batch.add_column(sa.Column("by", sa.String()))
    if "rubric_id" not in found:
        add_reference(op, "grade_event", "rubric_id", "rubric")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_score_survey ON score (branch_id, source, indicator) "
        "WHERE respondent <> ''"
    )


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
