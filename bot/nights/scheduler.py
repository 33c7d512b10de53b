"""The one task that delivers movie-night posts, and the policy it follows.

Jobs are rows in the state database (see `bot.storage.state`). The task sleeps until the next due job (woken
early by `wake()` when a night is scheduled, edited or cancelled), then for each due job:

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.nights.offsets import end_of
from bot.nights.presence import Liveness, Presence
from bot.shards import Shards
from bot.storage.errors import StateUnavailable
from bot.storage.state import Job, JobSpec, Night, StateStore

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Decision:
    send: bool
    late_by: timedelta | None = None
    reason: str = ""


def decide(job: Job, night: Night, siblings: Sequence[Job], now: datetime, policy: Policy) -> Decision:
    """Send now (with a late note past the grace period), or skip: after the film would have ended (the
    spoilers-ok post: after `spoilers_window`), or for a reminder overtaken by a later reminder/start that is
    also due."""
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
    ) -> None:
        self.store = store
        self.poster = poster
        self.clock = clock
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
        now = self.clock.now()
        night = await self.store.get_night(job.night_id)
        if night is None or night.status != "scheduled":
            await self.store.mark_cancelled(job.id, now=now)
            return
        siblings = await self.store.jobs_for_night(night.id) if job.kind == "reminder" else []
        decision = decide(job, night, siblings, now, self.policy)
        if not decision.send:
            if await self.store.mark_skipped(job.id, reason=decision.reason, now=now):
                log.warning("night %d: %s post #%d skipped: %s", night.id, job.kind, job.id, decision.reason)
            return
        claimed = await self.store.claim_job(job.id, instance=self.instance, now=now)
        if claimed is None:
            return  # another worker took it, or it changed meanwhile
        delivery = Delivery(claimed, night, decision.late_by)
        if await self._already_delivered(delivery, now):
            return
        try:
            message_id = await self.poster.deliver(delivery)
        except DeliveryFailed as error:
            await self._failed(claimed, error)
        except Exception as error:
            log.exception("night %d: %s post #%d raised", night.id, claimed.kind, claimed.id)
            await self._failed(claimed, DeliveryFailed(f"{type(error).__name__}: {error}"))
        else:
            await self._sent(delivery, message_id)

    async def _already_delivered(self, delivery: Delivery, now: datetime) -> bool:
        """Past the nonce window, a re-attempt first looks for the post in the channel."""
        job = delivery.job
        first = job.first_claimed_at
        if job.attempts <= 1 or first is None or now - first <= self.policy.nonce_window:
            return False
        try:
            found = await self.poster.find_delivered(delivery, first)
        except Exception:
            log.warning(
                "night %d: could not look for %s post #%d", job.night_id, job.kind, job.id, exc_info=True
            )
            return False
        if found is None:
            return False
        log.info("night %d: %s post #%d was already sent as %d", job.night_id, job.kind, job.id, found)
        await self._sent(delivery, found)
        return True

    async def _sent(self, delivery: Delivery, message_id: int) -> None:
        job = delivery.job
        await self.store.mark_sent(job.id, message_id=message_id, now=self.clock.now())
        late = f" ({delivery.late_by} late)" if delivery.late_by else ""
        log.info("night %d: %s post #%d sent as %d%s", job.night_id, job.kind, job.id, message_id, late)
        if job.kind != "announce":
            return
        night = await self.store.get_night(job.night_id)
        if (
            night is not None and night.status == "cancelled"
        ):  # cancelled while the announcement was in flight
            try:
                await self.poster.retract(night, message_id)
            except Exception:
                log.warning("night %d: could not mark the announcement cancelled", night.id, exc_info=True)

    async def _failed(self, job: Job, error: DeliveryFailed) -> None:
        now = self.clock.now()
        if error.permanent:
            await self.store.mark_failed(job.id, error=error.reason, now=now)
            log.error("night %d: %s post #%d failed: %s", job.night_id, job.kind, job.id, error.reason)
        elif job.attempts >= self.policy.max_attempts:
            reason = f"gave up after {job.attempts} attempts: {error.reason}"
            await self.store.mark_failed(job.id, error=reason, now=now)
            log.error("night %d: %s post #%d %s", job.night_id, job.kind, job.id, reason)
        else:
            delay = self.policy.backoff(job.attempts, error.retry_after)
            await self.store.retry_later(
                job.id, error=error.reason, at=now + timedelta(seconds=delay), now=now
            )
            log.warning(
                "night %d: %s post #%d attempt %d failed (%s); retrying in %.0fs",
                job.night_id,
                job.kind,
                job.id,
                job.attempts,
                error.reason,
                delay,
            )
