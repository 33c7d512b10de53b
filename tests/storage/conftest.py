"""The state store on each backend: every test that uses `state_location` or `store` runs on SQLite and on
PostgreSQL (a fresh database per test on the throwaway server, see tests/postgres.py), with the same
assertions. Without PostgreSQL, the PostgreSQL half is skipped with one line saying what to install."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.state import StateStore
from tests.postgres import PostgresServer

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
async def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Path | str]:
    """Where a state database lives: a file path, or the DSN of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "state.db"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    dsn = await server.create_database()
    try:
        yield dsn
    finally:
        if server.throwaway is None or server.throwaway.running:
            await server.drop_database(dsn)


@pytest.fixture
async def store(state_location: Path | str) -> AsyncIterator[StateStore]:
    opened = await StateStore.open(state_location)
    yield opened
    await opened.close()
