"""The jobs of a night: which posts it gets and when. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.nights.offsets import end_of
from bot.storage.state import JobSpec


def plan_jobs(
    starts_at: datetime,
    runtime_minutes: int | None,
    reminders: Sequence[int],
    now: datetime,
    *,
    announce: bool = True,
) -> list[JobSpec]:
    """The posts of a night: the announcement (now), a reminder per offset still in the future, the start, and
    the spoilers-ok post when the film ends (two hours when the runtime is unknown)."""
    jobs = [JobSpec("announce", now)] if announce else []
    for offset in sorted(set(reminders), reverse=True):
        due = starts_at - timedelta(seconds=offset)
        if due > now:
            jobs.append(JobSpec("reminder", due, offset))
    jobs.append(JobSpec("start", starts_at))
    jobs.append(JobSpec("spoilers", end_of(starts_at, runtime_minutes)))
    return jobs
