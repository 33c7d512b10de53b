"""The pytest fixtures on a throwaway PostgreSQL server (bot/offline/postgres.py), registered for the whole
suite by tests/conftest.py:
- `pg_server` (session): the server, or a skip with one line saying what to install when there is none
  (a failure instead when STATE_PG_REQUIRED is set, as .ci/run does);
- `pg_dsn`: a fresh, empty database on it for one test, dropped afterwards;
- `state_location` (parametrized: sqlite, postgresql): a state file path, or the DSN of a fresh database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.offline.postgres import ENV_REQUIRED, MISSING, PostgresServer, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        if server is None:
            if os.environ.get(ENV_REQUIRED):
                pytest.fail(MISSING.replace("skipped", f"required ({ENV_REQUIRED} is set)"))
            pytest.skip(MISSING)
        yield server


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
async def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Path | str]:
    """Where a state database lives: a file path, or the DSN of a fresh PostgreSQL database. Only the
    PostgreSQL half needs (and may skip for want of) a server."""
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
async def pg_dsn(pg_server: PostgresServer) -> AsyncIterator[str]:
    dsn = await pg_server.create_database()
    try:
        yield dsn
    finally:
        if pg_server.throwaway is None or pg_server.throwaway.running:
            await asyncio.wait_for(pg_server.drop_database(dsn), 30)
