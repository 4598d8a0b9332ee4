"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

import sqlalchemy as sa
from alembic import op

from jcnian.migrations import columns

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A table this version adds is made by create_all; change only what exists, and look
    # first (columns(op.get_bind(), "table")): create_all may have made it in its newest shape.
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
