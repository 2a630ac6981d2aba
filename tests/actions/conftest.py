from __future__ import annotations

import pytest

from actions.store import profile_store
from img_store import migrations
from img_store.profiles import make_engine
from img_store.settings import DatabaseSettings


@pytest.fixture(autouse=True)
def profile_db(tmp_path, monkeypatch):
    """Each action test gets its own migrated SQLite profile store."""
    path = tmp_path / "profiles.db"
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(path))
    monkeypatch.setenv("IMG_ADVISOR_TODAY", "2026-11-23")
    migrations.upgrade(make_engine(DatabaseSettings("sqlite", str(path))))
    profile_store.cache_clear()
    yield path
    profile_store.cache_clear()
