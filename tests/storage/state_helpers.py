"""Helpers for the state-store tests (fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import datetime

from bot.nights.offsets import end_of
from bot.nights.scheduler import plan_jobs
from bot.storage.state import DEFAULT_REMINDERS, Night, StateStore
from tests.fakes import (
    PERFECTION,
    utc,
)

NOW = utc(2026, 11, 20, 12, 0)
START = utc(2026, 11, 28, 20, 0)


async def make_night(store: StateStore, *, guild_id: int = 1 << 22, start: datetime = START) -> Night:
    """A night a week ahead with the default plan: announce, 2 reminders, start, spoilers (5 jobs)."""
    return await store.create_night(
        guild_id=guild_id,
        channel_id=10,
        film=PERFECTION,
        runtime_minutes=90,
        starts_at=start,
        ends_at=end_of(start, 90),
        timezone="Europe/London",
        role_id=20,
        note="bring snacks",
        created_by=30,
        now=NOW,
        jobs=plan_jobs(start, 90, DEFAULT_REMINDERS, NOW),
    )
