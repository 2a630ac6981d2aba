"""Alembic environment: runs on the engine handed over by img_store.migrations."""

from __future__ import annotations

from alembic import context

from img_store.migrations import VERSION_TABLE
from img_store.profiles import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
