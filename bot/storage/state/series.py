"""Recurring movie nights: a series keeps its wall-clock time and IANA timezone (never an offset), and its
occurrences are ordinary nights (`nights.series_id`, `nights.occurrence`) created a few at a time.

`create_series` writes the series, its first occurrences (each with its jobs, and the poll that will pick its
film if the series has one) and its upkeep job in one transaction. The upkeep job (kind `series`) comes due
when the next occurrence starts; `add_occurrences` then writes the next ones, marks that job done and writes
the next, again in one transaction. An occurrence index is unique per series, so a pass run twice adds
nothing twice. When the series is past its `until` date, it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import CheckConstraint, Column, Row, Table, Text, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateUnavailable
from bot.storage.models import FilmRef
from bot.storage.state.base import UNSET, Epoch, Int, Queries, _Unset, metadata
from bot.storage.state.jobs import JobSpec, insert_jobs, new_nonce, nonce_written
from bot.storage.state.nights import Night, film_columns, night_of
from bot.storage.state.polls import Poll, PollSource, insert_poll, polls, read_polls, stop_polls
from bot.storage.state.tables import jobs, nights

series = Table(
    "series",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("guild_id", Int, nullable=False),
    Column("channel_id", Int, nullable=False),
    Column("role_id", Int),
    Column("timezone", Text, nullable=False),  # IANA name
    Column("local_time", Text, nullable=False),  # 'HH:MM', wall-clock time in `timezone`
    Column("first_date", Text, nullable=False),  # 'YYYY-MM-DD', local date of occurrence 0
    Column("repeat", Text, nullable=False),
    Column("until", Text),  # 'YYYY-MM-DD', the last local date an occurrence may fall on
    Column("poll_days", Int),  # open a poll this many days before each occurrence to pick its film
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("status", Text, nullable=False, server_default=text("'active'")),
    Column("created_by", Int, nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("repeat IN ('weekly', 'fortnightly', 'monthly')", name="repeat"),
    CheckConstraint("status IN ('active', 'ended', 'cancelled')", name="status"),
    sqlite_autoincrement=True,
)

Repeat = Literal["weekly", "fortnightly", "monthly"]
SeriesStatus = Literal["active", "ended", "cancelled"]


@dataclass(frozen=True)
class Series:
    id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    timezone: str
    local_time: str
    first_date: date
    repeat: Repeat
    until: date | None
    poll_days: int | None
    note: str
    status: SeriesStatus
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class PollPlan:
    """The poll that will pick an occurrence's film: opened and closed at these times, drawing from
    `source` (or the other when it has too few films)."""

    opens_at: datetime
    closes_at: datetime
    source: PollSource


@dataclass(frozen=True)
class OccurrencePlan:
    """One occurrence to write: its index, times, film (None: to be decided), jobs and poll."""

    index: int
    starts_at: datetime
    ends_at: datetime
    film: FilmRef | None
    runtime_minutes: int | None
    jobs: Sequence[JobSpec]
    poll: PollPlan | None = None
    nonces: list[str] = field(default_factory=list)  # filled when written

    def job_nonces(self) -> list[str]:
        if not self.nonces:
            self.nonces.extend(new_nonce() for _ in [*self.jobs, *(("o", "c") if self.poll else ())])
        return self.nonces


def series_of(row: Row[Any]) -> Series:
    return Series(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        role_id=row.role_id,
        timezone=row.timezone,
        local_time=row.local_time,
        first_date=date.fromisoformat(row.first_date),
        repeat=row.repeat,
        until=date.fromisoformat(row.until) if row.until else None,
        poll_days=row.poll_days,
        note=row.note,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def _series(conn: AsyncConnection, series_id: int) -> Series | None:
    row = (await conn.execute(select(series).where(series.c.id == series_id))).first()
    return None if row is None else series_of(row)


async def _occurrences(conn: AsyncConnection, series_id: int) -> list[Night]:
    query = select(nights).where(nights.c.series_id == series_id).order_by(nights.c.occurrence)
    return [night_of(row) for row in await conn.execute(query)]


async def _write_occurrences(
    conn: AsyncConnection, row: Series, plans: Sequence[OccurrencePlan], now: datetime
) -> None:
    """Insert the occurrences this series does not have yet, each with its jobs and poll."""
    have = {n.occurrence for n in await _occurrences(conn, row.id)}
    for plan in plans:
        if plan.index in have:
            continue
        nonces = plan.job_nonces()
        night_id = (
            await conn.execute(
                insert(nights)
                .values(
                    guild_id=row.guild_id,
                    channel_id=row.channel_id,
                    **film_columns(plan.film),
                    runtime_minutes=plan.runtime_minutes,
                    starts_at=plan.starts_at,
                    ends_at=plan.ends_at,
                    timezone=row.timezone,
                    role_id=row.role_id,
                    note=row.note,
                    created_by=row.created_by,
                    created_at=now,
                    updated_at=now,
                    series_id=row.id,
                    occurrence=plan.index,
                )
                .returning(nights.c.id)
            )
        ).scalar_one()
        await insert_jobs(conn, night_id, row.guild_id, 0, plan.jobs, nonces[: len(plan.jobs)], now)
        if plan.poll is not None:
            await insert_poll(
                conn,
                guild_id=row.guild_id,
                channel_id=row.channel_id,
                night_id=night_id,
                source=plan.poll.source,
                options=(),
                opens_at=plan.poll.opens_at,
                closes_at=plan.poll.closes_at,
                created_by=row.created_by,
                nonces=nonces[len(plan.jobs) :],
                now=now,
            )


async def _upkeep_at(
    conn: AsyncConnection, row: Series, due: datetime | None, nonce: str, now: datetime
) -> None:
    """The next upkeep pass at `due`; or, with nothing left to add, the series has ended."""
    if due is None:
        await conn.execute(
            update(series)
            .where(series.c.id == row.id, series.c.status == "active")
            .values(status="ended", updated_at=now)
        )
        return
    await insert_jobs(conn, None, row.guild_id, 0, [JobSpec("series", due)], [nonce], now, series_id=row.id)


class SeriesQueries(Queries):
    async def create_series(
        self,
        *,
        guild_id: int,
        channel_id: int,
        role_id: int | None,
        timezone: str,
        local_time: str,
        first_date: date,
        repeat: Repeat,
        until: date | None,
        poll_days: int | None,
        note: str,
        created_by: int,
        plans: Sequence[OccurrencePlan],
        next_upkeep: datetime | None,
        now: datetime,
    ) -> tuple[Series, list[Night]]:
        """The series, its first occurrences and its upkeep job, in one transaction."""
        upkeep_nonce = new_nonce()
        values = {
            "guild_id": guild_id,
            "channel_id": channel_id,
            "role_id": role_id,
            "timezone": timezone,
            "local_time": local_time,
            "first_date": first_date.isoformat(),
            "repeat": repeat,
            "until": until.isoformat() if until else None,
            "poll_days": poll_days,
            "note": note,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        }

        async def work(conn: AsyncConnection, maybe_committed: bool) -> tuple[Series, list[Night]]:
            written = await nonce_written(conn, [upkeep_nonce], "series_id") if maybe_committed else None
            if written is None:
                written = (
                    await conn.execute(insert(series).values(values).returning(series.c.id))
                ).scalar_one()
                row = await _series(conn, written)
                assert row is not None
                await _write_occurrences(conn, row, plans, now)
                await _upkeep_at(conn, row, next_upkeep, upkeep_nonce, now)
            row = await _series(conn, written)
            if row is None:
                raise StateUnavailable("the series was not saved")
            return row, await _occurrences(conn, written)

        return await self.db.write(work)

    async def add_occurrences(
        self,
        series_id: int,
        *,
        job_id: int,
        plans: Sequence[OccurrencePlan],
        next_upkeep: datetime | None,
        now: datetime,
    ) -> list[Night]:
        """An upkeep pass (claimed job `job_id`): write the planned occurrences the series lacks, mark the job
        done and write the next one (or end the series). Returns the occurrences added by this call."""
        nonce = new_nonce()

        async def work(conn: AsyncConnection, maybe_committed: bool) -> list[Night]:
            row = await _series(conn, series_id)
            before = {n.id for n in await _occurrences(conn, series_id)}
            done = await conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == "sending")
                .values(status="sent", last_error=None, updated_at=now)
            )
            if done.rowcount != 1:  # taken back, or done by our first attempt (whose occurrences are `now`'s)
                return [
                    n for n in await _occurrences(conn, series_id) if maybe_committed and n.created_at == now
                ]
            if row is None or row.status != "active":
                return []
            await _write_occurrences(conn, row, plans, now)
            await _upkeep_at(conn, row, next_upkeep, nonce, now)
            return [n for n in await _occurrences(conn, series_id) if n.id not in before]

        return await self.db.write(work)

    async def get_series(self, series_id: int) -> Series | None:
        async def work(conn: AsyncConnection) -> Series | None:
            return await _series(conn, series_id)

        return await self.db.read(work)

    async def guild_series(self, guild_id: int) -> list[Series]:
        query = (
            select(series)
            .where(series.c.guild_id == guild_id, series.c.status == "active")
            .order_by(series.c.id)
        )

        async def work(conn: AsyncConnection) -> list[Series]:
            return [series_of(row) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def occurrences(self, series_id: int) -> list[Night]:
        async def work(conn: AsyncConnection) -> list[Night]:
            return await _occurrences(conn, series_id)

        return await self.db.read(work)

    async def update_series(
        self,
        series_id: int,
        *,
        now: datetime,
        first_date: date | _Unset = UNSET,
        local_time: str | _Unset = UNSET,
        note: str | _Unset = UNSET,
    ) -> Series | None:
        """Change an active series' rule or note (its occurrences are re-timed by the caller, one by one)."""
        changes: dict[str, Any] = {}
        if not isinstance(first_date, _Unset):
            changes["first_date"] = first_date.isoformat()
        if not isinstance(local_time, _Unset):
            changes["local_time"] = local_time
        if not isinstance(note, _Unset):
            changes["note"] = note

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Series | None:
            await conn.execute(
                update(series)
                .where(series.c.id == series_id, series.c.status == "active")
                .values(**changes, updated_at=now)
            )
            return await _series(conn, series_id)

        return await self.db.write(work)

    async def cancel_series(self, series_id: int, *, now: datetime) -> tuple[list[Night], list[Poll]]:
        """Cancel the series: every occurrence that has not started, their jobs and polls, and the upkeep job.
        Returns the occurrences cancelled and the polls that were open (to expire on Discord)."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> tuple[list[Night], list[Poll]]:
            await conn.execute(
                update(series)
                .where(series.c.id == series_id, series.c.status == "active")
                .values(status="cancelled", updated_at=now)
            )
            future = (
                (nights.c.series_id == series_id)
                & (nights.c.status == "scheduled")
                & (nights.c.starts_at > now)
            )
            ids = list((await conn.execute(select(nights.c.id).where(future))).scalars())
            open_polls = (
                await read_polls(conn, polls.c.night_id.in_(ids) & (polls.c.status == "open")) if ids else []
            )
            if ids:
                await conn.execute(
                    update(nights).where(nights.c.id.in_(ids)).values(status="cancelled", updated_at=now)
                )
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.night_id.in_(ids), jobs.c.status == "pending")
                    .values(status="cancelled", updated_at=now)
                )
                await stop_polls(conn, polls.c.night_id.in_(ids), "cancelled", now)
            await conn.execute(
                update(jobs)
                .where(jobs.c.series_id == series_id, jobs.c.status == "pending")
                .values(status="cancelled", updated_at=now)
            )
            cancelled = (
                [night_of(r) for r in await conn.execute(select(nights).where(nights.c.id.in_(ids)))]
                if ids
                else []
            )
            return sorted(cancelled, key=lambda n: n.starts_at), open_polls

        return await self.db.write(work)

    async def wake_series(self, series_id: int, *, now: datetime) -> bool:
        """Run the series' upkeep now (an occurrence was cancelled: the next one may be due)."""
        change = (
            update(jobs)
            .where(jobs.c.series_id == series_id, jobs.c.status == "pending")
            .values(due_at=now, next_attempt_at=now, updated_at=now)
        )

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            return bool((await conn.execute(change)).rowcount)

        return await self.db.write(work)
