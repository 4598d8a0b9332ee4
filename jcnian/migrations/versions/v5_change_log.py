"""Schema version 5 adds the change log (``change_log``, made by ``create_all`` with the
triggers that refuse UPDATE and DELETE on it); no table that exists changes.

Revision ID: v5
Revises: v4
"""

revision = "v5"
down_revision = "v4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
