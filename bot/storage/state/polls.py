"""Film polls: a native Discord poll the bot opens, and later reads to announce the winner.

A poll is written with its two jobs in one transaction: `poll_open` (post it, at `opens_at`) and
`poll_close` (read the final counts and post the result, shortly after `closes_at`). Statuses:

    scheduled -> open -> closed          the normal life (`mark_poll_posted`, then `close_poll`)
    scheduled|open -> failed             the message or channel is gone, or it could not be posted in time
    scheduled|open -> cancelled          its night was cancelled

A poll that picks the film of a series occurrence has `night_id`. Its options are drawn when it opens (the
watchlist then), so a poll opened by a series has none while `scheduled`.

This module holds the schema, the rows as dataclasses, and the writes other modules share (a series writes
its occurrences' polls); the queries are `poll_queries.PollQueries`.
"""

from __future__ import annotations

from collections.abc import Sequence
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

from bot.storage.models import FilmRef
from bot.storage.state.base import Epoch, Int, metadata
from bot.storage.state.jobs import JobSpec, insert_jobs
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


async def read_poll(conn: AsyncConnection, poll_id: int) -> Poll | None:
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
