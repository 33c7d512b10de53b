"""The state store on each backend: every test that uses `store` (or `state_location`, tests/postgres.py) runs
on SQLite and on PostgreSQL (a fresh database per test on the throwaway server), with the same assertions.
Without PostgreSQL, the PostgreSQL half is skipped with one line saying what to install."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.state import StateStore


@pytest.fixture
async def store(state_location: Path | str) -> AsyncIterator[StateStore]:
    opened = await StateStore.open(state_location)
    yield opened
    await opened.close()
