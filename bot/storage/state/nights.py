"""Movie nights: created with their jobs in one transaction, edited (re-planning the jobs under a new
revision), cancelled (with every pending job), and the Discord event's id or error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateUnavailable
from bot.storage.models import FilmRef
from bot.storage.state.base import UNSET, Queries, _Unset
from bot.storage.state.jobs import JobSpec, insert_jobs, new_nonce, nonce_written
from bot.storage.state.tables import jobs, nights


@dataclass(frozen=True)
class Night:
    id: int
    guild_id: int
    channel_id: int
    film: FilmRef
    runtime_minutes: int | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    role_id: int | None
    note: str
    status: Literal["scheduled", "cancelled"]
    revision: int
    announcement_id: int | None
    event_id: int | None
    event_error: str | None
    created_by: int
    created_at: datetime


def night_of(row: Row[Any]) -> Night:
    return Night(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        film=FilmRef(slug=row.film_slug, title=row.film_title, year=row.film_year),
        runtime_minutes=row.runtime_minutes,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        role_id=row.role_id,
        note=row.note,
        status=row.status,
        revision=row.revision,
        announcement_id=row.announcement_id,
        event_id=row.event_id,
        event_error=row.event_error,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def _night(conn: AsyncConnection, night_id: int) -> Night | None:
    row = (await conn.execute(select(nights).where(nights.c.id == night_id))).first()
    return None if row is None else night_of(row)


async def _cancelled_at(conn: AsyncConnection, night_id: int, now: datetime) -> bool:
    """Whether the night was cancelled at `now` (by an earlier attempt of the same call)."""
    query = select(nights.c.id).where(
        nights.c.id == night_id, nights.c.status == "cancelled", nights.c.updated_at == now
    )
    return (await conn.execute(query)).first() is not None


class NightQueries(Queries):
    async def create_night(
        self,
        *,
        guild_id: int,
        channel_id: int,
        film: FilmRef,
        runtime_minutes: int | None,
        starts_at: datetime,
        ends_at: datetime,
        timezone: str,
        role_id: int | None,
        note: str,
        created_by: int,
        now: datetime,
        jobs: Sequence[JobSpec],
    ) -> Night:
        """Write the night and its jobs in one transaction: either all of it exists or none."""
        nonces = [new_nonce() for _ in jobs]
        values = {
            "guild_id": guild_id,
            "channel_id": channel_id,
            "film_slug": film.slug,
            "film_title": film.title,
            "film_year": film.year,
            "runtime_minutes": runtime_minutes,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": timezone,
            "role_id": role_id,
            "note": note,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        }

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Night:
            if maybe_committed:
                if not nonces:
                    raise StateUnavailable(
                        "the connection dropped while saving the night; it may not be saved"
                    )
                written = await nonce_written(conn, nonces)
                if written is not None:
                    night = await _night(conn, written)
                    assert night is not None
                    return night
            night_id = (await conn.execute(insert(nights).values(values).returning(nights.c.id))).scalar_one()
            await insert_jobs(conn, night_id, guild_id, 0, jobs, nonces, now)
            night = await _night(conn, night_id)
            assert night is not None
            return night

        return await self.db.write(work)

    async def get_night(self, night_id: int) -> Night | None:
        async def work(conn: AsyncConnection) -> Night | None:
            return await _night(conn, night_id)

        return await self.db.read(work)

    async def upcoming_nights(self, guild_id: int, now: datetime, *, limit: int = 25) -> list[Night]:
        """Scheduled nights that have not ended yet, soonest first."""
        query = (
            select(nights)
            .where(nights.c.guild_id == guild_id, nights.c.status == "scheduled", nights.c.ends_at > now)
            .order_by(nights.c.starts_at, nights.c.id)
            .limit(limit)
        )

        async def work(conn: AsyncConnection) -> list[Night]:
            return [night_of(row) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def update_night(
        self,
        night_id: int,
        *,
        now: datetime,
        starts_at: datetime | _Unset = UNSET,
        ends_at: datetime | _Unset = UNSET,
        film: FilmRef | _Unset = UNSET,
        runtime_minutes: int | _Unset | None = UNSET,
        note: str | _Unset = UNSET,
        replan: Sequence[JobSpec] | None = None,
    ) -> Night | None:
        """Change a scheduled night. With `replan`, every pending job except the announcement is cancelled and
        the given jobs are written under the next revision. Returns None when the night is not scheduled."""
        changes: dict[str, Any] = {}
        if not isinstance(starts_at, _Unset):
            changes["starts_at"] = starts_at
        if not isinstance(ends_at, _Unset):
            changes["ends_at"] = ends_at
        if not isinstance(film, _Unset):
            changes.update(film_slug=film.slug, film_title=film.title, film_year=film.year)
        if not isinstance(runtime_minutes, _Unset):
            changes["runtime_minutes"] = runtime_minutes
        if not isinstance(note, _Unset):
            changes["note"] = note
        nonces = [new_nonce() for _ in replan or ()]

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Night | None:
            if maybe_committed and await nonce_written(conn, nonces) is not None:
                return await _night(conn, night_id)  # the first attempt's re-plan was applied
            current = (
                await conn.execute(
                    select(nights.c.guild_id, nights.c.revision)
                    .where(nights.c.id == night_id, nights.c.status == "scheduled")
                    .with_for_update()
                )
            ).first()
            if current is None:
                return None
            revision = current.revision + (1 if replan is not None else 0)
            await conn.execute(
                update(nights)
                .where(nights.c.id == night_id)
                .values(**changes, revision=revision, updated_at=now)
            )
            if replan is not None:
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.night_id == night_id, jobs.c.status == "pending", jobs.c.kind != "announce")
                    .values(status="cancelled", updated_at=now)
                )
                await insert_jobs(conn, night_id, current.guild_id, revision, replan, nonces, now)
            return await _night(conn, night_id)

        return await self.db.write(work)

    async def cancel_night(self, night_id: int, *, now: datetime) -> Night | None:
        """Mark the night cancelled and cancel every pending job. None when it was not scheduled."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Night | None:
            cancelled = await conn.execute(
                update(nights)
                .where(nights.c.id == night_id, nights.c.status == "scheduled")
                .values(status="cancelled", updated_at=now)
            )
            if cancelled.rowcount != 1 and not (maybe_committed and await _cancelled_at(conn, night_id, now)):
                return None
            await conn.execute(
                update(jobs)
                .where(jobs.c.night_id == night_id, jobs.c.status == "pending")
                .values(status="cancelled", updated_at=now)
            )
            return await _night(conn, night_id)

        return await self.db.write(work)

    async def set_event(self, night_id: int, *, event_id: int | None, error: str | None) -> None:
        change = update(nights).where(nights.c.id == night_id).values(event_id=event_id, event_error=error)

        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            await conn.execute(change)

        await self.db.write(work)
