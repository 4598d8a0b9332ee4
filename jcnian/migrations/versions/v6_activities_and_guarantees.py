"""Schema version 6 adds the tables of the seven activities and the guarantees (三, 四;
issue 15: one_line_pledge, shining_deed, five_one_item, training_session,
training_attendance, branch_secretary, secretary_change, town_rally, cadre_pledge,
quarter_assessment, economy_plan, village_income, pairing, pairing_activity, group_member,
publication_scope), all made by ``create_all``; no table that exists changes.

Revision ID: v6
Revises: v5
"""

revision = "v6"
down_revision = "v5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
