"""Alembic's environment for the ledger: always online, on the connection jcnian hands over
(``jcnian.migrations.config``), inside jcnian's own transaction (Alembic begins none of its
own when one is open); batch mode so that SQLite can take an ALTER TABLE it lacks."""

from alembic import context
from sqlmodel import SQLModel

from jcnian.models import load_all_tables

load_all_tables()
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("jcnian's migrations run on the ledger's connection (jcnian db upgrade)")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
