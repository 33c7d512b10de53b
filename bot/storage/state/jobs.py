"""Scheduled posts as rows: one per announcement, reminder, start and spoilers-ok post of a night.

A job carries a nonce fixed when its row is written, is claimed atomically by a conditional
`UPDATE ... WHERE status = 'pending' ... RETURNING` (on PostgreSQL a concurrent claimer waits for the row and
then finds it taken; on SQLite writers are serialized), and is marked sent with the message id. A claim left in
`sending` by a dead worker is put back to `pending` by `requeue_sending`, keeping its nonce.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import Row, case, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.shards import Shards
from bot.storage.state.base import Epoch, Queries, served_by
from bot.storage.state.tables import jobs, nights

JobKind = Literal["announce", "reminder", "start", "spoilers"]
JobStatus = Literal["pending", "sending", "sent", "failed", "skipped", "cancelled"]
ERROR_MAX: Final = 500


def new_nonce() -> str:
    """A Discord message nonce (at most 25 characters), fixed per job when its row is written."""
    return "mn" + secrets.token_hex(10)


@dataclass(frozen=True)
class JobSpec:
    """A job to write: what to post and when."""

    kind: JobKind
    due_at: datetime
    offset_s: int = 0  # reminders: seconds before the start


@dataclass(frozen=True)
class Job:
    id: int
    night_id: int
    guild_id: int
    kind: JobKind
    offset_s: int
    revision: int
    due_at: datetime
    next_attempt_at: datetime
    status: JobStatus
    attempts: int
    nonce: str
    message_id: int | None
    last_error: str | None
    first_claimed_at: datetime | None
    claimed_at: datetime | None
    claimed_by: str | None


def job_of(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        night_id=row.night_id,
        guild_id=row.guild_id,
        kind=row.kind,
        offset_s=row.offset_s,
        revision=row.revision,
        due_at=row.due_at,
        next_attempt_at=row.next_attempt_at,
        status=row.status,
        attempts=row.attempts,
        nonce=row.nonce,
        message_id=row.message_id,
        last_error=row.last_error,
        first_claimed_at=row.first_claimed_at,
        claimed_at=row.claimed_at,
        claimed_by=row.claimed_by,
    )


async def insert_jobs(
    conn: AsyncConnection,
    night_id: int,
    guild_id: int,
    revision: int,
    specs: Sequence[JobSpec],
    nonces: Sequence[str],
    now: datetime,
) -> None:
    """Write a night's jobs (part of the caller's transaction); `nonces` are chosen by the caller, so that a
    retried transaction can tell whether its first attempt was applied."""
    if not specs:
        return
    await conn.execute(
        insert(jobs),
        [
            {
                "night_id": night_id,
                "guild_id": guild_id,
                "kind": spec.kind,
                "offset_s": spec.offset_s,
                "revision": revision,
                "due_at": spec.due_at,
                "next_attempt_at": spec.due_at,
                "nonce": nonce,
                "updated_at": now,
            }
            for spec, nonce in zip(specs, nonces, strict=True)
        ],
    )


async def nonce_written(conn: AsyncConnection, nonces: Sequence[str]) -> int | None:
    """The night id of a job with one of these nonces, if one was written (an earlier attempt committed)."""
    if not nonces:
        return None
    found = (await conn.execute(select(jobs.c.night_id).where(jobs.c.nonce.in_(nonces)).limit(1))).scalar()
    return None if found is None else int(found)


class JobQueries(Queries):
    async def get_job(self, job_id: int) -> Job | None:
        async def work(conn: AsyncConnection) -> Job | None:
            row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).first()
            return None if row is None else job_of(row)

        return await self.db.read(work)

    async def jobs_for_night(self, night_id: int) -> list[Job]:
        query = select(jobs).where(jobs.c.night_id == night_id).order_by(jobs.c.due_at, jobs.c.id)
        return await self._jobs(query)

    async def _jobs(self, query: Any) -> list[Job]:
        async def work(conn: AsyncConnection) -> list[Job]:
            return [job_of(row) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def next_due_at(self, shards: Shards | None = None) -> datetime | None:
        """When the earliest pending job of the served guilds is due (None when there is none)."""
        query = select(func.min(jobs.c.next_attempt_at)).where(
            jobs.c.status == "pending", served_by(jobs.c.guild_id, shards)
        )

        async def work(conn: AsyncConnection) -> datetime | None:
            value: datetime | None = (await conn.execute(query)).scalar()
            return value

        return await self.db.read(work)

    async def due_jobs(self, now: datetime, shards: Shards | None = None, *, limit: int = 50) -> list[Job]:
        query = (
            select(jobs)
            .where(
                jobs.c.status == "pending", jobs.c.next_attempt_at <= now, served_by(jobs.c.guild_id, shards)
            )
            .order_by(jobs.c.next_attempt_at, jobs.c.id)
            .limit(limit)
        )
        return await self._jobs(query)

    async def claim_job(self, job_id: int, *, instance: str, now: datetime) -> Job | None:
        """Atomically take a pending job for sending. None when another worker got it first (or it changed)."""
        claim = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == "pending", jobs.c.next_attempt_at <= now)
            .values(
                status="sending",
                attempts=jobs.c.attempts + 1,
                claimed_by=instance,
                claimed_at=now,
                first_claimed_at=func.coalesce(jobs.c.first_claimed_at, literal(now, Epoch())),
                updated_at=now,
            )
            .returning(*jobs.c)
        )

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Job | None:
            row = (await conn.execute(claim)).first()
            if (
                row is None and maybe_committed
            ):  # our first attempt may have taken it: (instance, now) says so
                mine = select(jobs).where(
                    jobs.c.id == job_id,
                    jobs.c.status == "sending",
                    jobs.c.claimed_by == instance,
                    jobs.c.claimed_at == now,
                )
                row = (await conn.execute(mine)).first()
            return None if row is None else job_of(row)

        return await self.db.write(work)

    async def mark_sent(self, job_id: int, *, message_id: int, now: datetime) -> bool:
        """Record the message of a job being sent. The announcement's id is also kept on the night."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            sent = (
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == "sending")
                .values(status="sent", message_id=message_id, last_error=None, updated_at=now)
                .returning(jobs.c.night_id, jobs.c.kind)
            )
            row = (await conn.execute(sent)).first()
            if row is None:
                return False
            if row.kind == "announce":
                await conn.execute(
                    update(nights).where(nights.c.id == row.night_id).values(announcement_id=message_id)
                )
            return True

        return await self.db.write(work)

    async def retry_later(self, job_id: int, *, error: str, at: datetime, now: datetime) -> bool:
        """A temporary failure: back to pending, tried again at `at` with the same nonce."""
        return await self._finish(
            job_id,
            ("sending",),
            status="pending",
            next_attempt_at=at,
            last_error=error[:ERROR_MAX],
            updated_at=now,
        )

    async def mark_failed(self, job_id: int, *, error: str, now: datetime) -> bool:
        """A permanent failure: recorded (and shown in /movienight list), never retried."""
        return await self._finish(
            job_id, ("pending", "sending"), status="failed", last_error=error[:ERROR_MAX], updated_at=now
        )

    async def mark_skipped(self, job_id: int, *, reason: str, now: datetime) -> bool:
        """Not sent on purpose (too late to be useful, or superseded by a later post)."""
        return await self._finish(
            job_id, ("pending", "sending"), status="skipped", last_error=reason[:ERROR_MAX], updated_at=now
        )

    async def mark_cancelled(self, job_id: int, *, now: datetime) -> bool:
        return await self._finish(job_id, ("pending", "sending"), status="cancelled", updated_at=now)

    async def _finish(self, job_id: int, from_status: Collection[str], **values: Any) -> bool:
        """Move a job out of one of `from_status`; False when it was in none of them (e.g. already done)."""
        change = update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(from_status)).values(**values)

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            return bool((await conn.execute(change)).rowcount == 1)

        return await self.db.write(work)

    async def requeue_sending(
        self,
        *,
        now: datetime,
        shards: Shards | None = None,
        claimed_before: datetime | None = None,
        live: Collection[str] | None = None,
    ) -> int:
        """Put jobs left in 'sending' (their worker died mid-send) back to pending; they keep their nonce, so
        sending again cannot duplicate a message Discord already created. Only claims older than
        `claimed_before` (default: all), and not held by one of the `live` instances (default: any holder).
        Returns how many."""
        conditions = [jobs.c.status == "sending", served_by(jobs.c.guild_id, shards)]
        conditions.append(jobs.c.claimed_at < (claimed_before or now + timedelta(seconds=1)))
        if live:
            conditions.append(jobs.c.claimed_by.not_in(live) | jobs.c.claimed_by.is_(None))
        requeue = (
            update(jobs)
            .where(*conditions)
            .values(
                status="pending",
                next_attempt_at=case(
                    (jobs.c.next_attempt_at < now, jobs.c.next_attempt_at), else_=literal(now, Epoch())
                ),
                updated_at=now,
            )
        )

        async def work(conn: AsyncConnection, maybe_committed: bool) -> int:
            return int((await conn.execute(requeue)).rowcount)

        return await self.db.write(work)

    async def problem_jobs(self, night_ids: Sequence[int]) -> dict[int, list[Job]]:
        """Failed jobs, and pending ones whose last attempt failed, per night: the announcement and the posts of
        the night's current plan (failures of reminders an edit replaced no longer matter)."""
        result: dict[int, list[Job]] = {night_id: [] for night_id in night_ids}
        if not night_ids:
            return result
        query = (
            select(jobs)
            .join(nights, nights.c.id == jobs.c.night_id)
            .where(
                jobs.c.night_id.in_(night_ids),
                (jobs.c.kind == "announce") | (jobs.c.revision == nights.c.revision),
                (jobs.c.status == "failed") | ((jobs.c.status == "pending") & jobs.c.last_error.is_not(None)),
            )
            .order_by(jobs.c.due_at, jobs.c.id)
        )
        for job in await self._jobs(query):
            result[job.night_id].append(job)
        return result
