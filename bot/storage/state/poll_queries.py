"""The queries of film polls (the schema and shared writes are in polls.py): create a poll with its jobs,
record it posted, close it with its counts, end it early, fail or cancel it, move it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateUnavailable
from bot.storage.state.base import Queries
from bot.storage.state.jobs import ERROR_MAX, new_nonce, nonce_written
from bot.storage.state.polls import (
    CLOSE_GRACE,
    Poll,
    PollOption,
    PollSource,
    PollStatus,
    insert_poll,
    poll_options,
    polls,
    read_poll,
    read_polls,
    stop_polls,
    write_options,
)
from bot.storage.state.tables import jobs


class PollQueries(Queries):
    async def create_poll(
        self,
        *,
        guild_id: int,
        channel_id: int,
        source: PollSource,
        options: Sequence[PollOption],
        opens_at: datetime,
        closes_at: datetime,
        created_by: int,
        now: datetime,
        night_id: int | None = None,
    ) -> Poll:
        """A poll with its jobs, in one transaction."""
        nonces = [new_nonce(), new_nonce()]

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll:
            written = await nonce_written(conn, nonces, "poll_id") if maybe_committed else None
            poll_id = written or await insert_poll(
                conn,
                guild_id=guild_id,
                channel_id=channel_id,
                night_id=night_id,
                source=source,
                options=options,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=created_by,
                nonces=nonces,
                now=now,
            )
            poll = await read_poll(conn, poll_id)
            if poll is None:
                raise StateUnavailable("the poll was not saved")
            return poll

        return await self.db.write(work)

    async def get_poll(self, poll_id: int) -> Poll | None:
        async def work(conn: AsyncConnection) -> Poll | None:
            return await read_poll(conn, poll_id)

        return await self.db.read(work)

    async def guild_polls(
        self, guild_id: int, statuses: Sequence[PollStatus], *, since: datetime | None = None, limit: int = 25
    ) -> list[Poll]:
        """A server's polls in these statuses (changed since `since`), soonest closing first."""
        where = (polls.c.guild_id == guild_id) & polls.c.status.in_(statuses)
        if since is not None:
            where = where & (polls.c.updated_at >= since)

        async def work(conn: AsyncConnection) -> list[Poll]:
            return await read_polls(conn, where, limit=limit)

        return await self.db.read(work)

    async def night_polls(self, night_id: int) -> list[Poll]:
        async def work(conn: AsyncConnection) -> list[Poll]:
            return await read_polls(conn, polls.c.night_id == night_id)

        return await self.db.read(work)

    async def set_poll_options(self, poll_id: int, options: Sequence[PollOption]) -> Poll | None:
        """Give a scheduled poll its options (drawn when it opens); kept when it already has some."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            poll = await read_poll(conn, poll_id)
            if poll is not None and not poll.options and poll.status == "scheduled":
                await write_options(conn, poll_id, options)
                poll = await read_poll(conn, poll_id)
            return poll

        return await self.db.write(work)

    async def mark_poll_posted(
        self, job_id: int, *, message_id: int, expires_at: datetime, now: datetime
    ) -> Poll | None:
        """The poll is in the channel: its opening job is sent, the poll open until Discord's expiry, and the
        result job due just after it. One transaction."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            sent = (
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == "sending")
                    .values(status="sent", message_id=message_id, last_error=None, updated_at=now)
                    .returning(jobs.c.poll_id)
                )
            ).first()
            if sent is None:
                return None
            await conn.execute(
                update(polls)
                .where(polls.c.id == sent.poll_id, polls.c.status == "scheduled")
                .values(status="open", message_id=message_id, closes_at=expires_at, updated_at=now)
            )
            due = expires_at + CLOSE_GRACE
            await conn.execute(
                update(jobs)
                .where(
                    jobs.c.poll_id == sent.poll_id, jobs.c.kind == "poll_close", jobs.c.status == "pending"
                )
                .values(due_at=due, next_attempt_at=due, updated_at=now)
            )
            return await read_poll(conn, sent.poll_id)

        return await self.db.write(work)

    async def close_poll(self, poll_id: int, *, counts: Mapping[int, int], now: datetime) -> Poll | None:
        """Record the final counts (position -> votes) and the winners: the positions with the most votes, or
        none when nobody voted. Only an open poll closes; a closed one is returned as it is."""
        top = max(counts.values(), default=0)
        winners = ",".join(str(p) for p in sorted(counts) if top and counts[p] == top)

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            closed = await conn.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.status == "open")
                .values(status="closed", winners=winners, total_votes=sum(counts.values()), updated_at=now)
            )
            if closed.rowcount == 1:
                for position, votes in counts.items():
                    await conn.execute(
                        update(poll_options)
                        .where(poll_options.c.poll_id == poll_id, poll_options.c.position == position)
                        .values(votes=votes)
                    )
            return await read_poll(conn, poll_id)

        return await self.db.write(work)

    async def end_poll_early(self, poll_id: int, *, ended_by: int, now: datetime) -> Poll | None:
        """An organiser ended the poll (Discord has expired it): read the result now."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            await conn.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.status == "open")
                .values(ended_by=ended_by, closes_at=now, updated_at=now)
            )
            await conn.execute(
                update(jobs)
                .where(jobs.c.poll_id == poll_id, jobs.c.kind == "poll_close", jobs.c.status == "pending")
                .values(due_at=now, next_attempt_at=now, updated_at=now)
            )
            return await read_poll(conn, poll_id)

        return await self.db.write(work)

    async def retime_poll(
        self, poll_id: int, *, opens_at: datetime, closes_at: datetime, now: datetime
    ) -> bool:
        """Move a poll that has not opened yet (its night moved), with its jobs."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            moved = await conn.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.status == "scheduled")
                .values(opens_at=opens_at, closes_at=closes_at, updated_at=now)
            )
            if moved.rowcount != 1:
                return False
            for kind, due in (("poll_open", opens_at), ("poll_close", closes_at + CLOSE_GRACE)):
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.poll_id == poll_id, jobs.c.kind == kind, jobs.c.status == "pending")
                    .values(due_at=due, next_attempt_at=due, updated_at=now)
                )
            return True

        return await self.db.write(work)

    async def fail_poll(self, poll_id: int, *, error: str, now: datetime) -> Poll | None:
        """Record why a poll could not go on (its message or channel is gone, or its result could not be
        posted): shown in /movienight list. Its pending jobs are cancelled; counts already read are kept."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            await conn.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.status.in_(("scheduled", "open", "closed")))
                .values(status="failed", error=error[:ERROR_MAX], updated_at=now)
            )
            await conn.execute(
                update(jobs)
                .where(jobs.c.poll_id == poll_id, jobs.c.status == "pending")
                .values(status="cancelled", updated_at=now)
            )
            return await read_poll(conn, poll_id)

        return await self.db.write(work)

    async def cancel_polls_of_night(self, night_id: int, *, now: datetime) -> list[Poll]:
        """Cancel the polls picking a night's film (the night was cancelled); the ones that were open."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> list[Poll]:
            was_open = await read_polls(conn, (polls.c.night_id == night_id) & (polls.c.status == "open"))
            await stop_polls(conn, polls.c.night_id == night_id, "cancelled", now)
            return was_open

        return await self.db.write(work)
