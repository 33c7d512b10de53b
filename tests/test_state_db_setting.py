"""STATE_DB: a file path (SQLite) or a PostgreSQL DSN, whose password never shows in reprs or logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from bot.storage.dsn import mask, parse_state_db
from bot.storage.state.engine import engine_url


def test_paths_and_dsns() -> None:
    assert Settings.from_env({}, dotenv=False).state_db == Path("data/state.db")
    assert Settings.from_env({"STATE_DB": " /srv/bot/state.db "}, dotenv=False).state_db == Path(
        "/srv/bot/state.db"
    )
    dsn = "postgresql://bot:s3cret@db.example:5432/filmclub"
    assert Settings.from_env({"STATE_DB": dsn}, dotenv=False).state_db == dsn
    assert engine_url(dsn).drivername == "postgresql+asyncpg"
    assert engine_url("postgres://bot@db/filmclub").drivername == "postgresql+asyncpg"
    assert engine_url(Path("data/state.db")).drivername == "sqlite+aiosqlite"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("mysql://bot@db/x", "file path or a postgresql:// DSN"),
        ("postgresql://bot@db:5432", "name a database"),
    ],
)
def test_unusable_urls_are_refused(raw: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        Settings.from_env({"STATE_DB": raw}, dotenv=False)
    with pytest.raises(ValueError, match=problem):
        parse_state_db(raw)


def test_the_password_is_masked() -> None:
    settings = Settings.from_env(
        {"STATE_DB": "postgresql://bot:s3cret@db.example:5432/filmclub"}, dotenv=False
    )
    assert "s3cret" not in repr(settings) and "postgresql://bot:***@db.example:5432/filmclub" in repr(
        settings
    )
    assert mask("postgresql://bot@db/x?password=s3cret&sslmode=require") == (
        "postgresql://bot@db/x?password=***&sslmode=require"
    )
    assert mask("postgresql://bot:p%40ss@[::1]:5432/x") == "postgresql://bot:***@[::1]:5432/x"
    assert mask(Path("data/state.db")) == "data/state.db"
