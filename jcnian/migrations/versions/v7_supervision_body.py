"""Schema version 7: a supervision record (督促指导) names the body that did it — the
督导检查组 or another body of ``group set`` (四、(二): 领导小组抽调专人组成督导检查组 … 督查指导)
— in a new nullable column ``supervision.body``; records made before say nothing (NULL).

Revision ID: v7
Revises: v6
"""

import sqlalchemy as sa
from alembic import op

from jcnian.migrations import columns

revision = "v7"
down_revision = "v6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "body" not in columns(op.get_bind(), "supervision"):
        op.add_column("supervision", sa.Column("body", sa.String(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
