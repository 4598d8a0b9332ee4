"""Schema version 4 keeps every override in one table (gate_override).

Grade events and acceptance decisions held the override's reason as text of their own,
which the reports read apart from gate_override and so missed. Each such reason becomes a
gate_override row (an acceptance decision's is there already, recorded by its gate), and
the event or decision points to it; the text column goes (on SQLite a batch copy of the
table, with foreign keys off: rectification rows point at acceptance decisions).

Revision ID: v4
Revises: v3
"""

import sqlalchemy as sa
from alembic import op

from jcnian import models
from jcnian.migrations import add_reference, columns

revision = "v4"
down_revision = "v3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table, gate, day in (
        ("grade_event", "'grade-' || t.step", 'COALESCE(t."on", DATE(t.at))'),
        ("acceptance_decision", "'accept-decision'", 't."on"'),
    ):
        found = columns(bind, table)
        if "override_id" not in found:
            add_reference(op, table, "override_id", "gate_override")
        if "override" not in found:
            continue
        _move_reasons(bind, table, gate, day)
        # SQLite reflects the foreign key added above without its ON DELETE: say it again.
        pointer = sa.Column(
            "override_id", sa.Integer(), sa.ForeignKey("gate_override.id", ondelete="SET NULL")
        )
        with op.batch_alter_table(table, reflect_args=[pointer]) as batch:
            batch.drop_column("override")


def _move_reasons(bind: sa.Connection, table: str, gate: str, day: str) -> None:
    rows = bind.execute(
        sa.text(
            f"SELECT t.id, b.campaign_id, t.branch_id, {gate}, t.override, {day} FROM {table} AS t "
            "JOIN branch AS b ON b.id = t.branch_id WHERE t.override IS NOT NULL ORDER BY t.id"
        )
    ).all()
    for row_id, campaign_id, branch_id, gate_name, reason, on in rows:
        found = bind.execute(
            sa.text(
                "SELECT id FROM gate_override WHERE campaign_id = :c AND branch_id = :b AND reason = :r "
                'AND "on" = :on ORDER BY id LIMIT 1'
            ),
            {"c": campaign_id, "b": branch_id, "r": reason, "on": on},
        ).first()
        if found is None:
            bind.execute(
                sa.text(
                    'INSERT INTO gate_override (campaign_id, branch_id, gate, refused, reason, "on", at) '
                    "VALUES (:c, :b, :g, :refused, :r, :on, :at)"
                ),
                {
                    "c": campaign_id,
                    "b": branch_id,
                    "g": gate_name,
                    "refused": "（升级前的记录，未载明）",
                    "r": reason,
                    "on": on,
                    "at": models.utc_now(),
                },
            )
            found = bind.execute(sa.text("SELECT MAX(id) FROM gate_override")).first()
        bind.execute(
            sa.text(f"UPDATE {table} SET override_id = :o WHERE id = :id"), {"o": found[0], "id": row_id}
        )


def downgrade() -> None:
    raise NotImplementedError("jcnian ledgers are not downgraded; restore a safety copy instead")
