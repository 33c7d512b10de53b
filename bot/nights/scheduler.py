"""The one task that does the scheduled work of movie nights, and the policy it follows.

Jobs are rows in the state database (see `bot.storage.state`): a night's posts (here), a poll's opening and
result (`bot.nights.polljobs`), a series' upkeep (`bot.nights.upkeep`). The task sleeps until the next due job
(woken early by `wake()` when something is scheduled, edited or cancelled), then for each due job:

1. decides whether the post is still useful (late posts get a note; posts that would arrive after the film
   ended, or reminders overtaken by a later post, are skipped and logged);
2. claims the job atomically (`pending` -> `sending`), so two workers never both send it;
3. hands it to the `Poster`, which sends with the job's nonce (fixed when the row was written), so a re-send
   after a crash or a timeout returns the message Discord already created instead of posting twice;
4. records the message id, or retries with backoff (5xx, 429, network) or records a permanent failure.

A worker killed mid-send leaves the job in `sending`; `recover()` (run at start) and every later pass put it
back to `pending` once its holder is dead (see `bot.nights.presence`: a live process's claims, e.g. another
process started with the same shard ids, are left alone), and it is sent again with the same nonce. Past
Discord's nonce window the poster is first asked whether the post is already in the channel
(`find_delivered`). While the state database is unreachable the loop logs it and tries again; nothing is
claimed meanwhile. No Discord types here: the poster translates.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.clock import Clock
from bot.nights.plans import plan_jobs as plan_jobs  # where the scheduler's users have found it
from bot.nights.presence import Liveness, Presence
from bot.shards import Shards
from bot.storage.errors import StateUnavailable
from bot.storage.state import Job, Night, StateStore

if TYPE_CHECKING:
    from bot.nights.polls import Films, PollPoster
    from bot.nights.upkeep import SeriesPoster

log = logging.getLogger(__name__)
T = TypeVar("T")


class DeliveryFailed(Exception):
    """A post could not be sent. Permanent failures (missing access, deleted channel) are not retried;
    temporary ones (5xx, 429, network) are, after `retry_after` seconds when the server said so."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Delivery:
    """One post to make: the claimed job, its night, and how late it is (None when on time)."""

    job: Job
    night: Night
    late_by: timedelta | None = None


class Poster(Protocol):
    async def deliver(self, delivery: Delivery) -> int:
        """Send the post with `delivery.job.nonce` (enforced); return the message id. Raises DeliveryFailed."""
        ...

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        """The id of this job's post if it is already in the channel (sent at or after `since`), else None."""
        ...

    async def retract(self, night: Night, announcement_id: int) -> None:
        """Mark a cancelled night's announcement as cancelled (and remove its buttons)."""
        ...


@dataclass(frozen=True)
class Policy:
    late_grace: timedelta = timedelta(minutes=2)  # later than this: the post says it is late
    spoilers_window: timedelta = timedelta(hours=12)  # a spoilers-ok post is useful this long after the end
    backoff_base: float = 5.0  # seconds before the first retry; doubles per attempt
    backoff_cap: float = 300.0
    max_attempts: int = 12
    nonce_window: timedelta = timedelta(minutes=2)  # conservative: Discord dedups "for a few minutes"
    stale_claim: timedelta = timedelta(minutes=15)  # a 'sending' claim this old is re-driven
    max_sleep: float = 600.0  # re-check at least this often
    error_pause: float = 5.0  # after an unexpected error (e.g. the database is locked)

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        delay = min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_cap)
        return max(delay, retry_after or 0.0)


@dataclass(frozen=True)
class Decision:
    send: bool
    late_by: timedelta | None = None
    reason: str = ""


def decide(job: Job, night: Night, siblings: Sequence[Job], now: datetime, policy: Policy) -> Decision:
    """Send now (with a late note past the grace period), or skip: after the film would have ended (the
    spoilers-ok post: after `spoilers_window`), or for a reminder overtaken by a later reminder/start that is
    also due."""
    if job.kind == "spoilers" and night.film is None:
        return Decision(False, reason="no film was chosen for this night")
    useful_until = job.due_at + policy.spoilers_window if job.kind == "spoilers" else night.ends_at
    if now >= useful_until:
        return Decision(False, reason=f"too late to be useful (was due {job.due_at:%Y-%m-%d %H:%M} UTC)")
    if job.kind == "reminder":
        for other in siblings:
            if (
                other.id != job.id
                and other.kind in ("reminder", "start")
                and other.revision == job.revision
                and other.status not in ("cancelled", "skipped")
                and job.due_at < other.due_at <= now
            ):
                return Decision(False, reason=f"superseded by the {other.kind} post that is also due")
    late = now - job.due_at
    return Decision(True, late_by=late if late > policy.late_grace else None)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    def __init__(
        self,
        store: StateStore,
        poster: Poster,
        clock: Clock,
        *,
        shards: Shards | None = None,
        policy: Policy | None = None,
        instance: str | None = None,
        liveness: Liveness | None = None,
        poll_poster: PollPoster | None = None,
        series_poster: SeriesPoster | None = None,
        films: Films | None = None,
    ) -> None:
        from bot.nights.polljobs import PollJobs
        from bot.nights.upkeep import Upkeep

        self.store = store
        self.poster = poster
        self.clock = clock
        self.polls = PollJobs(self, poll_poster, films)
        self.upkeep = Upkeep(self, series_poster, films)
        self.shards = shards
        self.policy = policy or Policy()
        self.instance = instance or instance_name()
        self.presence = Presence(store, self.instance, shards, liveness)
        self._wake = asyncio.Event()
        self._recovered = False
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="movie-night-scheduler")
            self.presence.start()
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await self.presence.stop()

    def wake(self) -> None:
        """Re-read the jobs now (a night was scheduled, edited or cancelled)."""
        self._wake.set()

    async def run(self) -> None:
        """Forever: deliver what is due, then sleep until the next due job or a wake-up."""
        log.info("movie night scheduler %s started (shards: %s)", self.instance, self.shards or "all")
        while True:
            self._wake.clear()
            try:
                if not self._recovered:
                    await self.recover()
                await self.run_due()
                delay = await self._delay()
            except asyncio.CancelledError:
                raise
            except StateUnavailable as error:
                log.warning("movie night posts wait for the state database: %s", error)
                delay = self.policy.error_pause
            except Exception:
                log.exception("movie night scheduler pass failed; trying again shortly")
                delay = self.policy.error_pause
            await self._sleep(delay)

    async def recover(self) -> int:
        """Register this instance, and re-drive the jobs that dead workers left in 'sending' (same nonce, so
        no duplicate)."""
        await self.presence.register()
        count = await self._requeue_dead()
        self._recovered = True
        if count:
            log.warning("re-driving %d movie night post(s) interrupted mid-send", count)
        return count

    async def _requeue_dead(self) -> int:
        """Claims of our guilds held by no live instance (ours included: between passes we hold none)."""
        live = await self.presence.others_alive()
        return await self.store.requeue_sending(now=self.clock.now(), shards=self.shards, live=live)

    async def _delay(self) -> float:
        now = self.clock.now()
        dead = await self._requeue_dead()
        stale = await self.store.requeue_sending(
            now=now, shards=self.shards, claimed_before=now - self.policy.stale_claim
        )
        if dead or stale:
            log.warning("re-driving %d movie night post(s) left in sending", dead + stale)
            return 0.0
        next_due = await self.store.next_due_at(self.shards)
        if next_due is None:
            return self.policy.max_sleep
        return min(max((next_due - now).total_seconds(), 0.0), self.policy.max_sleep)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    # -- delivering -----------------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Handle every job due now; returns how many were handled (sent, skipped, failed or retried)."""
        handled = 0
        seen: set[int] = set()
        while True:
            jobs = [
                job for job in await self.store.due_jobs(self.clock.now(), self.shards) if job.id not in seen
            ]
            if not jobs:
                return handled
            for job in jobs:
                seen.add(job.id)
                await self.process(job)
                handled += 1

    async def process(self, job: Job) -> None:
        if job.poll_id is not None:
            await self.polls.process(job)
        elif job.series_id is not None:
            await self.upkeep.process(job)
        else:
            await self._night_post(job)

    async def _night_post(self, job: Job) -> None:
        now = self.clock.now()
        night = await self.store.get_night(job.night_id) if job.night_id is not None else None
        if night is None or night.status != "scheduled":
            await self.store.mark_cancelled(job.id, now=now)
            return
        siblings = await self.store.jobs_for_night(night.id) if job.kind == "reminder" else []
        decision = decide(job, night, siblings, now, self.policy)
        if not decision.send:
            await self.skip(job, decision.reason)
            return

        async def send(claimed: Job) -> int:
            return await self.poster.deliver(Delivery(claimed, night, decision.late_by))

        async def find(claimed: Job, since: datetime) -> int | None:
            return await self.poster.find_delivered(Delivery(claimed, night, decision.late_by), since)

        async def sent(claimed: Job, message_id: int) -> None:
            await self._sent(Delivery(claimed, night, decision.late_by), message_id)

        await self.drive(job, send, find, sent)

    async def skip(self, job: Job, reason: str) -> None:
        if await self.store.mark_skipped(job.id, reason=reason, now=self.clock.now()):
            log.warning("%s: %s post #%d skipped: %s", job.owner, job.kind, job.id, reason)

    async def drive(
        self,
        job: Job,
        send: Callable[[Job], Awaitable[T]],
        find: Callable[[Job, datetime], Awaitable[T | None]],
        sent: Callable[[Job, T], Awaitable[None]],
        failed: Callable[[Job, DeliveryFailed], Awaitable[None]] | None = None,
    ) -> None:
        """The exactly-once path every job takes: claim it; past the nonce window, look for what an earlier
        attempt may have posted; send; then record the result, or retry later, or record the failure (and
        tell `failed` when it is permanent)."""
        now = self.clock.now()
        claimed = await self.store.claim_job(job.id, instance=self.instance, now=now)
        if claimed is None:
            return  # another worker took it, or it changed meanwhile
        found = await self._already_delivered(claimed, find, now)
        if found is not None:
            await sent(claimed, found)
            return
        try:
            result = await send(claimed)
        except DeliveryFailed as error:
            if await self._failed(claimed, error) and failed is not None:
                await failed(claimed, error)
        except Exception as error:
            log.exception("%s: %s post #%d raised", claimed.owner, claimed.kind, claimed.id)
            await self._failed(claimed, DeliveryFailed(f"{type(error).__name__}: {error}"))
        else:
            await sent(claimed, result)

    async def _already_delivered(
        self, job: Job, find: Callable[[Job, datetime], Awaitable[T | None]], now: datetime
    ) -> T | None:
        """Past the nonce window, a re-attempt first looks for the post in the channel."""
        first = job.first_claimed_at
        if job.attempts <= 1 or first is None or now - first <= self.policy.nonce_window:
            return None
        try:
            found = await find(job, first)
        except Exception:
            log.warning("%s: could not look for %s post #%d", job.owner, job.kind, job.id, exc_info=True)
            return None
        if found is not None:
            log.info("%s: %s post #%d was already sent", job.owner, job.kind, job.id)
        return found

    async def _sent(self, delivery: Delivery, message_id: int) -> None:
        job, now = delivery.job, self.clock.now()
        await self.store.mark_sent(job.id, message_id=message_id, now=now)
        late = f" ({delivery.late_by} late)" if delivery.late_by else ""
        log.info("%s: %s post #%d sent as %d%s", job.owner, job.kind, job.id, message_id, late)
        if job.kind == "start" and delivery.night.film is not None:
            watched = await self.store.mark_watched(delivery.night.id, now=now)
            if watched:
                log.info("%s: watchlist entries %s marked watched", job.owner, [e.id for e in watched])
        if job.kind != "announce":
            return
        night = await self.store.get_night(delivery.night.id)
        if (
            night is not None and night.status == "cancelled"
        ):  # cancelled while the announcement was in flight
            try:
                await self.poster.retract(night, message_id)
            except Exception:
                log.warning("night %d: could not mark the announcement cancelled", night.id, exc_info=True)

    async def _failed(self, job: Job, error: DeliveryFailed) -> bool:
        """Retry later, or record the failure; True when the job failed for good."""
        now = self.clock.now()
        if error.permanent:
            await self.store.mark_failed(job.id, error=error.reason, now=now)
            log.error("%s: %s post #%d failed: %s", job.owner, job.kind, job.id, error.reason)
            return True
        if job.attempts >= self.policy.max_attempts:
            reason = f"gave up after {job.attempts} attempts: {error.reason}"
            await self.store.mark_failed(job.id, error=reason, now=now)
            log.error("%s: %s post #%d %s", job.owner, job.kind, job.id, reason)
            return True
        delay = self.policy.backoff(job.attempts, error.retry_after)
        await self.store.retry_later(job.id, error=error.reason, at=now + timedelta(seconds=delay), now=now)
        log.warning(
            "%s: %s post #%d attempt %d failed (%s); retrying in %.0fs",
            job.owner,
            job.kind,
            job.id,
            job.attempts,
            error.reason,
            delay,
        )
        return False
