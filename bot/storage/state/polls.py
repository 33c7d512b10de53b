"""Film polls: a native Discord poll the bot opens, and later reads to announce the winner.

A poll is written with its two jobs in one transaction: `poll_open` (post it, at `opens_at`) and
`poll_close` (read the final counts and post the result, shortly after `closes_at`). Statuses:

    scheduled -> open -> closed          the normal life (`mark_poll_posted`, then `close_poll`)
    scheduled|open -> failed             the message or channel is gone, or it could not be posted in time
    scheduled|open -> cancelled          its night was cancelled

A poll that picks the film of a series occurrence has `night_id`. Its options are drawn when it opens (the
watchlist then), so a poll opened by a series has none while `scheduled`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Row,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateUnavailable
from bot.storage.models import FilmRef
from bot.storage.state.base import Epoch, Int, Queries, metadata
from bot.storage.state.jobs import ERROR_MAX, JobSpec, insert_jobs, new_nonce, nonce_written
from bot.storage.state.tables import jobs

polls = Table(
    "polls",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("guild_id", Int, nullable=False),
    Column("channel_id", Int, nullable=False),
    Column("message_id", Int),
    Column("night_id", Int, ForeignKey("nights.id", ondelete="CASCADE")),  # picks this occurrence's film
    Column("source", Text, nullable=False),  # 'watchlist' or 'library'
    Column("status", Text, nullable=False, server_default=text("'scheduled'")),
    Column("opens_at", Epoch, nullable=False),
    Column("closes_at", Epoch, nullable=False),
    Column("ended_by", Int),  # an organiser who ended it early
    Column("winners", Text),  # positions with the most votes, comma-separated ('' = nobody voted)
    Column("total_votes", Int),
    Column("error", Text),
    Column("created_by", Int, nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("source IN ('watchlist', 'library')", name="source"),
    CheckConstraint("status IN ('scheduled', 'open', 'closed', 'failed', 'cancelled')", name="status"),
    Index("polls_by_guild", "guild_id", "status"),
    Index("polls_by_night", "night_id"),
    sqlite_autoincrement=True,
)

poll_options = Table(
    "poll_options",
    metadata,
    Column("poll_id", Int, ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Int, primary_key=True, autoincrement=False),  # Discord's answer_id, 1-10
    Column("title", Text, nullable=False),
    Column("year", Int),
    Column("film_slug", Text),
    Column("watch_id", Int),  # the watchlist entry it came from
    Column("votes", Int),  # final count, once closed
)

PollStatus = Literal["scheduled", "open", "closed", "failed", "cancelled"]
PollSource = Literal["watchlist", "library"]
CLOSE_GRACE: Final = timedelta(seconds=10)  # read the result this long after Discord's expiry


@dataclass(frozen=True)
class PollOption:
    position: int
    title: str
    year: int | None
    film_slug: str | None = None
    watch_id: int | None = None
    votes: int | None = None

    @property
    def film(self) -> FilmRef | None:
        return None if self.film_slug is None else FilmRef(self.film_slug, self.title, self.year)


@dataclass(frozen=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    night_id: int | None
    source: PollSource
    status: PollStatus
    opens_at: datetime
    closes_at: datetime
    ended_by: int | None
    winners: tuple[int, ...] | None  # None until closed; () when nobody voted
    total_votes: int | None
    error: str | None
    created_by: int
    created_at: datetime
    options: tuple[PollOption, ...] = field(default=())

    def option(self, position: int) -> PollOption | None:
        return next((o for o in self.options if o.position == position), None)

    @property
    def winning(self) -> tuple[PollOption, ...]:
        return tuple(o for o in self.options if self.winners and o.position in self.winners)


def _poll(row: Row[Any], options: Sequence[PollOption]) -> Poll:
    winners = None
    if row.winners is not None:
        winners = tuple(int(p) for p in row.winners.split(",") if p)
    return Poll(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        night_id=row.night_id,
        source=row.source,
        status=row.status,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        ended_by=row.ended_by,
        winners=winners,
        total_votes=row.total_votes,
        error=row.error,
        created_by=row.created_by,
        created_at=row.created_at,
        options=tuple(options),
    )


async def read_polls(conn: AsyncConnection, where: Any, *, limit: int | None = None) -> list[Poll]:
    query = select(polls).where(where).order_by(polls.c.closes_at, polls.c.id)
    rows = list(await conn.execute(query if limit is None else query.limit(limit)))
    if not rows:
        return []
    by_poll: dict[int, list[PollOption]] = {row.id: [] for row in rows}
    option_rows = await conn.execute(
        select(poll_options).where(poll_options.c.poll_id.in_(by_poll)).order_by(poll_options.c.position)
    )
    for o in option_rows:
        by_poll[o.poll_id].append(PollOption(o.position, o.title, o.year, o.film_slug, o.watch_id, o.votes))
    return [_poll(row, by_poll[row.id]) for row in rows]


async def _one(conn: AsyncConnection, poll_id: int) -> Poll | None:
    found = await read_polls(conn, polls.c.id == poll_id)
    return found[0] if found else None


async def write_options(conn: AsyncConnection, poll_id: int, options: Sequence[PollOption]) -> None:
    if options:
        await conn.execute(
            insert(poll_options),
            [
                {
                    "poll_id": poll_id,
                    "position": o.position,
                    "title": o.title,
                    "year": o.year,
                    "film_slug": o.film_slug,
                    "watch_id": o.watch_id,
                }
                for o in options
            ],
        )


async def insert_poll(
    conn: AsyncConnection,
    *,
    guild_id: int,
    channel_id: int,
    night_id: int | None,
    source: PollSource,
    options: Sequence[PollOption],
    opens_at: datetime,
    closes_at: datetime,
    created_by: int,
    nonces: Sequence[str],
    now: datetime,
) -> int:
    """Write a poll, its options and its two jobs (part of the caller's transaction); `nonces` are the jobs'."""
    poll_id = (
        await conn.execute(
            insert(polls)
            .values(
                guild_id=guild_id,
                channel_id=channel_id,
                night_id=night_id,
                source=source,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
            .returning(polls.c.id)
        )
    ).scalar_one()
    await write_options(conn, poll_id, options)
    specs = [JobSpec("poll_open", opens_at), JobSpec("poll_close", closes_at + CLOSE_GRACE)]
    await insert_jobs(conn, None, guild_id, 0, specs, nonces, now, poll_id=poll_id)
    return int(poll_id)


async def stop_polls(conn: AsyncConnection, where: Any, status: PollStatus, now: datetime) -> list[int]:
    """Fail or cancel the polls matching `where` that are still scheduled or open, with their pending jobs."""
    ids = list(
        (
            await conn.execute(select(polls.c.id).where(where, polls.c.status.in_(("scheduled", "open"))))
        ).scalars()
    )
    if ids:
        await conn.execute(update(polls).where(polls.c.id.in_(ids)).values(status=status, updated_at=now))
        await conn.execute(
            update(jobs)
            .where(jobs.c.poll_id.in_(ids), jobs.c.status == "pending")
            .values(status="cancelled", updated_at=now)
        )
    return [int(i) for i in ids]


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
            poll = await _one(conn, poll_id)
            if poll is None:
                raise StateUnavailable("the poll was not saved")
            return poll

        return await self.db.write(work)

    async def get_poll(self, poll_id: int) -> Poll | None:
        async def work(conn: AsyncConnection) -> Poll | None:
            return await _one(conn, poll_id)

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
            poll = await _one(conn, poll_id)
            if poll is not None and not poll.options and poll.status == "scheduled":
                await write_options(conn, poll_id, options)
                poll = await _one(conn, poll_id)
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
            return await _one(conn, sent.poll_id)

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
            return await _one(conn, poll_id)

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
            return await _one(conn, poll_id)

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
        """Record why a poll could not go on (its message or channel is gone...): shown in /movienight list."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Poll | None:
            await conn.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.status.in_(("scheduled", "open")))
                .values(error=error[:ERROR_MAX])
            )
            await stop_polls(conn, polls.c.id == poll_id, "failed", now)
            return await _one(conn, poll_id)

        return await self.db.write(work)

    async def cancel_polls_of_night(self, night_id: int, *, now: datetime) -> list[Poll]:
        """Cancel the polls picking a night's film (the night was cancelled); the ones that were open."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> list[Poll]:
            was_open = await read_polls(conn, (polls.c.night_id == night_id) & (polls.c.status == "open"))
            await stop_polls(conn, polls.c.night_id == night_id, "cancelled", now)
            return was_open

        return await self.db.write(work)
