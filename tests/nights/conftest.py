"""Fixtures for the movie-night logic tests: a real state store (on SQLite and on PostgreSQL, see
tests/postgres.py), a fake clock, a poster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.state import StateStore
from tests.fakes import (
    FakeClock,
    RecordingPoster,
    utc,
)


@pytest.fixture
async def store(state_location: Path | str) -> AsyncIterator[StateStore]:
    opened = await StateStore.open(state_location)
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2026, 11, 20, 12, 0))


@pytest.fixture
def poster() -> RecordingPoster:
    return RecordingPoster()
