"""Alembic's environment for the warehouse: runs on the connection ``storage.migrasi`` opened and holds.

Never opens a URL of its own: the runner decides what a warehouse needs (a fresh one, one made before
migrations, one behind), locks it, and keeps the whole upgrade in its one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from desa_cantik.storage.schema import metadata


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, sa.Connection):
        raise RuntimeError("migrations run through desa_cantik.storage.migrasi (python -m desa_cantik migrasi)")
    # batch mode: SQLite alters a table by copying it (ALTER COLUMN, constraints); PostgreSQL alters in place
    context.configure(connection=connection, target_metadata=metadata(), render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


_run()
