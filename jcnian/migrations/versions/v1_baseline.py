"""Schema version 1, the first released ledger: the baseline.

A ledger of version 1 is stamped with this revision and upgraded from it; a new ledger is
made whole by ``create_all`` and stamped at the head, so this revision creates nothing.

Revision ID: v1
Revises:
"""

revision = "v1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
