"""The scheduler's poll jobs: open a poll, then read its result and announce it. Both go through the
scheduler's exactly-once path (claim, nonce, look before re-sending), so a winner is announced once across
restarts, downtime and several processes.

- `poll_open`: draws the answers if the poll has none yet (a series' poll), and posts the poll so that it
  closes when planned. Too late to run an hour: the poll fails ("could not open in time"), unless an earlier
  attempt (interrupted before it was recorded) posted it: that poll is found in the channel and goes on.
- `poll_close`, due just after Discord's expiry (or at once when an organiser ended the poll): reads the
  final counts from the expired message (never from vote events), records them, gives a series occurrence
  its film when there is one winner, posts the result (late, with a note, if the bot was down), and updates
  the occurrence's announcement and event. A deleted message or channel fails the poll for good; counts
  Discord has not finalized yet are read again shortly.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from bot.nights import polls as rules
from bot.nights.offsets import end_of
from bot.nights.plans import plan_jobs
from bot.nights.scheduler import DeliveryFailed
from bot.storage.models import FilmRef
from bot.storage.state import Job, Night
from bot.storage.state.polls import Poll

if TYPE_CHECKING:
    from bot.nights.scheduler import Scheduler

log = logging.getLogger(__name__)

OPEN_SLACK: Final = timedelta(
    minutes=5
)  # times are stored to the second; a poll opened a little late still runs


def winning_film(poll: Poll) -> FilmRef | None:
    """The film of the one winning answer (None for a tie or no votes)."""
    if not poll.winners or len(poll.winners) != 1:
        return None
    option = poll.option(poll.winners[0])
    return None if option is None else rules.option_film(option)


class PollJobs:
    def __init__(
        self, scheduler: Scheduler, poster: rules.PollPoster | None, films: rules.Films | None
    ) -> None:
        self.scheduler = scheduler
        self.poster = poster
        self.films = films

    async def process(self, job: Job) -> None:
        assert job.poll_id is not None
        store, now = self.scheduler.store, self.scheduler.clock.now()
        poll = await store.get_poll(job.poll_id)
        if poll is None or poll.status in ("failed", "cancelled"):
            await store.mark_cancelled(job.id, now=now)
            return
        if self.poster is None:
            await self.scheduler.skip(job, "this process does not serve polls")
            return
        if job.kind == "poll_open":
            await self._open(job, poll, self.poster, now)
        else:
            await self._close(job, poll, self.poster, now)

    # -- opening ----------------------------------------------------------------------------------------------

    async def _open(self, job: Job, poll: Poll, poster: rules.PollPoster, now: datetime) -> None:
        store = self.scheduler.store
        if poll.status != "scheduled":
            await store.mark_cancelled(job.id, now=now)
            return
        too_late = poll.closes_at - now < rules.MIN_OPEN - OPEN_SLACK
        late_reason = f"could not open in time (it was to close {poll.closes_at:%Y-%m-%d %H:%M} UTC)"
        if too_late and job.attempts == 0:
            await self.scheduler.skip(job, late_reason)
            await store.fail_poll(poll.id, error=late_reason, now=now)
            return
        if not poll.options:
            drawn = await self._draw(poll)
            if len(drawn.options) < 2:
                reason = "not enough films to vote on (fewer than 2 in the watchlist and the library)"
                await self.scheduler.skip(job, reason)
                await store.fail_poll(poll.id, error=reason, now=now)
                return
            poll = await store.set_poll_options(poll.id, drawn.options) or poll
        delivery = rules.PollDelivery(job, poll, hours=rules.hours_until(poll.closes_at, now))

        async def send(claimed: Job) -> rules.PollPosted:
            if too_late:  # an earlier attempt may have posted it (then its votes count): only look for it
                since = claimed.first_claimed_at or poll.created_at
                found = await poster.find_poll(_with(delivery, claimed), since)
                if found is None:
                    raise DeliveryFailed(late_reason, permanent=True)
                return found
            return await poster.open_poll(_with(delivery, claimed))

        async def find(claimed: Job, since: datetime) -> rules.PollPosted | None:
            return await poster.find_poll(_with(delivery, claimed), since)

        async def sent(claimed: Job, posted: rules.PollPosted) -> None:
            await store.mark_poll_posted(
                claimed.id,
                message_id=posted.message_id,
                expires_at=posted.expires_at,
                now=self.scheduler.clock.now(),
            )
            log.info(
                "poll %d: posted as %d, closes %s", poll.id, posted.message_id, posted.expires_at.isoformat()
            )

        await self.scheduler.drive(job, send, find, sent, self._poll_failed)

    async def _draw(self, poll: Poll) -> rules.Drawn:
        entries = await self.scheduler.store.watchlist(poll.guild_id)
        films = await self.films.films(poll.guild_id) if self.films is not None else []
        return rules.draw(poll.source, entries, films, fallback=True)

    # -- the result -------------------------------------------------------------------------------------------

    async def _close(self, job: Job, poll: Poll, poster: rules.PollPoster, now: datetime) -> None:
        store = self.scheduler.store
        if poll.status == "scheduled":  # never posted (its opening failed or was skipped)
            await self.scheduler.skip(job, "the poll was never posted")
            return
        late = now - job.due_at
        late_by = late if late > self.scheduler.policy.late_grace else None
        chosen: list[Night] = []

        async def result(claimed: Job) -> rules.PollDelivery:
            current = await store.get_poll(poll.id) or poll
            if current.status == "open":
                counts = await poster.read_poll(current)
                current = (
                    await store.close_poll(current.id, counts=counts, now=self.scheduler.clock.now())
                    or current
                )
            night = await self._apply(current, chosen)
            return rules.PollDelivery(claimed, current, late_by, night=night)

        async def send(claimed: Job) -> int:
            return await poster.post_result(await result(claimed))

        async def find(claimed: Job, since: datetime) -> int | None:
            return await poster.find_result(await result(claimed), since)

        async def sent(claimed: Job, message_id: int) -> None:
            await store.mark_sent(claimed.id, message_id=message_id, now=self.scheduler.clock.now())
            note = f" ({late_by} late)" if late_by else ""
            log.info("poll %d: result posted as %d%s", poll.id, message_id, note)
            for night in chosen:
                try:
                    await poster.film_chosen(night)
                except Exception:
                    log.warning("night %d: announcement or event not updated", night.id, exc_info=True)

        await self.scheduler.drive(job, send, find, sent, self._poll_failed)

    async def _apply(self, poll: Poll, chosen: list[Night]) -> Night | None:
        """Give the poll's occurrence its film (one winner, the night still open and without a film); the
        occurrence as it is now."""
        store, now = self.scheduler.store, self.scheduler.clock.now()
        if poll.night_id is None:
            return None
        night = await store.get_night(poll.night_id)
        film = winning_film(poll)
        if night is None or film is None or not night.is_open(now):
            return night
        if night.film is not None:
            if night.film == film:  # set by an earlier attempt: its announcement may still need the update
                chosen.append(night)
            return night
        runtime = await self.films.runtime(night.guild_id, film.slug) if self.films is not None else None
        settings = await store.guild_settings(night.guild_id)
        updated = await store.update_night(
            night.id,
            now=now,
            film=film,
            runtime_minutes=runtime,
            ends_at=end_of(night.starts_at, runtime),
            replan=plan_jobs(night.starts_at, runtime, settings.reminders, now, announce=False),
        )
        if updated is not None:
            log.info("night %d: poll %d chose %s", night.id, poll.id, film.slug)
            chosen.append(updated)
        return updated or night

    async def _poll_failed(self, job: Job, error: DeliveryFailed) -> None:
        assert job.poll_id is not None
        await self.scheduler.store.fail_poll(job.poll_id, error=error.reason, now=self.scheduler.clock.now())
        log.error("poll %d failed: %s", job.poll_id, error.reason)


def _with(delivery: rules.PollDelivery, job: Job) -> rules.PollDelivery:
    return rules.PollDelivery(job, delivery.poll, delivery.late_by, delivery.hours, delivery.night)
