"""Store tests run on a fresh SQLite file and on the real PostgreSQL (database `test`)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from img_store.profiles import make_engine
from img_store.settings import DatabaseSettings

OUR_TABLES = ("img_profiles", "img_webhook_deliveries", "img_alembic_version", "events")


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
        monkeypatch.setenv("TRACKER_DB", str(tmp_path / "store.db"))
        yield DatabaseSettings("sqlite", str(tmp_path / "store.db"))
        return
    for key, value in {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_DB": "test",
        "TRACKER_HOST": "127.0.0.1",
        "TRACKER_PORT": "5432",
        "TRACKER_USER": "postgres",
    }.items():
        monkeypatch.setenv(key, value)
    pg = DatabaseSettings("postgresql", "test", host="127.0.0.1", port=5432, username="postgres")
    engine = make_engine(pg)

    def drop() -> None:
        with engine.begin() as connection:
            for table in OUR_TABLES:
                connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))

    drop()
    yield pg
    drop()
    engine.dispose()
