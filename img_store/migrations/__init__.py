"""Alembic migrations for the project's own tables (not Rasa's tracker table).

python -m img_store migrate     # bring the database to the latest schema (make migrate)
python -m img_store check       # exit 1 if the schema is behind
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

UPGRADE_COMMAND = "make migrate"
# Our own version table, so the project never collides with another Alembic user of the DB.
VERSION_TABLE = "img_alembic_version"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def check_schema_current(engine: Engine) -> None:
    """Raise SchemaBehindError (naming the upgrade command) unless the schema is at head."""
    from img_store.profiles import SchemaBehindError

    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        raise SchemaBehindError(
            f"the database schema is at {current or 'nothing'}, this code needs {head}: "
            f"run `{UPGRADE_COMMAND}` (python -m img_store migrate)"
        )
