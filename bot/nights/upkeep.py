"""A series' upkeep: create its next occurrences (each with its posts and, optionally, the poll that picks its
film) so that `series.HORIZON` of them have not started, then come back when the next one starts.

The cog runs it once when the series is created (`plan_series` + `StateStore.create_series`); afterwards
the scheduler runs it as the series' job (kind `series`), through the same claim as every job. Writing is
one transaction that also marks the job done and writes the next one, so a pass interrupted anywhere is
either whole or not done, and runs again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING, Protocol

from bot.nights.series import Plan, Rule, plan
from bot.storage.models import FilmRef
from bot.storage.state import Job, Night, StateStore
from bot.storage.state.series import Series

if TYPE_CHECKING:
    from bot.nights.polls import Films
    from bot.nights.scheduler import Scheduler

log = logging.getLogger(__name__)


class SeriesPoster(Protocol):
    async def occurrences_added(self, nights: Sequence[Night]) -> None:
        """New occurrences were written: create their scheduled events (once each)."""
        ...


def rule_of(series: Series) -> Rule:
    hour, minute = (int(part) for part in series.local_time.split(":"))
    return Rule(series.first_date, time(hour, minute), series.timezone, series.repeat, series.until)


async def plan_series(
    store: StateStore,
    series: Series,
    now: datetime,
    *,
    first_film: FilmRef | None = None,
    first_runtime: int | None = None,
) -> Plan:
    """The occurrences the series needs now (see `bot.nights.series.plan`)."""
    existing = [
        (n.occurrence or 0, n.starts_at, n.status == "scheduled") for n in await store.occurrences(series.id)
    ]
    settings = await store.guild_settings(series.guild_id)
    return plan(
        rule_of(series),
        existing,
        now,
        reminders=settings.reminders,
        poll_days=series.poll_days,
        first_film=first_film,
        first_runtime=first_runtime,
    )


class Upkeep:
    """The scheduler's handler for `series` jobs."""

    def __init__(self, scheduler: Scheduler, poster: SeriesPoster | None, films: Films | None) -> None:
        self.scheduler = scheduler
        self.poster = poster
        self.films = films

    async def process(self, job: Job) -> None:
        assert job.series_id is not None
        store, now = self.scheduler.store, self.scheduler.clock.now()
        series = await store.get_series(job.series_id)
        if series is None or series.status != "active":
            await store.mark_cancelled(job.id, now=now)
            return

        async def send(claimed: Job) -> list[Night]:
            upkeep = await plan_series(store, series, self.scheduler.clock.now())
            return await store.add_occurrences(
                series.id,
                job_id=claimed.id,
                plans=upkeep.occurrences,
                next_upkeep=upkeep.next_upkeep,
                now=self.scheduler.clock.now(),
            )

        async def nothing_to_find(claimed: Job, since: datetime) -> list[Night] | None:
            return None  # nothing is posted: the pass is one transaction, done or not

        async def sent(claimed: Job, added: list[Night]) -> None:
            if added:
                log.info("series %d: occurrences %s added", series.id, [n.id for n in added])
            if added and self.poster is not None:
                try:
                    await self.poster.occurrences_added(added)
                except Exception:
                    log.warning("series %d: scheduled events not created", series.id, exc_info=True)

        await self.scheduler.drive(job, send, nothing_to_find, sent)
