"""The club's history: a movie night that happened, recorded once with who said they were going.

A night is recorded when it has ended and was not cancelled (`record_screenings`, run by the after-film post
and before history is read, so a post the bot missed loses nothing). The record is a copy: the film's slug,
title and year, the runtime and the times, and the members whose RSVP was "going" when it ended. So a film
removed from the library, or a night changed later, leaves the history as it was. Recording twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Row, Select, Table, Text, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import FilmRef
from bot.storage.state.base import Epoch, Int, Queries, metadata
from bot.storage.state.dialect import insert
from bot.storage.state.ratings import ratings
from bot.storage.state.tables import nights, rsvps

screenings = Table(
    "screenings",
    metadata,
    Column("night_id", Int, primary_key=True, autoincrement=False),  # the night's id (nights.id)
    Column("guild_id", Int, nullable=False),
    Column("channel_id", Int, nullable=False),
    Column("film_slug", Text, nullable=False),
    Column("film_title", Text, nullable=False),
    Column("film_year", Int),
    Column("runtime_minutes", Int),
    Column("starts_at", Epoch, nullable=False),
    Column("ends_at", Epoch, nullable=False),
    Column("recorded_at", Epoch, nullable=False),
    Index("screenings_by_guild", "guild_id", "starts_at"),
)

screening_attendees = Table(
    "screening_attendees",
    metadata,
    Column("night_id", Int, ForeignKey("screenings.night_id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Int, primary_key=True, autoincrement=False),
)


@dataclass(frozen=True)
class Screening:
    night_id: int
    guild_id: int
    channel_id: int
    film: FilmRef
    runtime_minutes: int | None
    starts_at: datetime
    ends_at: datetime
    attendance: int  # members who said they were going


def _listing() -> Select[Any]:
    attendance = (
        select(func.count())
        .where(screening_attendees.c.night_id == screenings.c.night_id)
        .scalar_subquery()
        .label("attendance")
    )
    return select(screenings, attendance)


def screening_of(row: Row[Any]) -> Screening:
    return Screening(
        night_id=row.night_id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        film=FilmRef(slug=row.film_slug, title=row.film_title, year=row.film_year),
        runtime_minutes=row.runtime_minutes,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        attendance=int(row.attendance),
    )


class HistoryQueries(Queries):
    async def record_screenings(
        self, *, now: datetime, guild_id: int | None = None, night_id: int | None = None
    ) -> list[Screening]:
        """Record every night (of the guild, or just `night_id`) that has ended without being cancelled and
        is not recorded yet. Returns the screenings recorded by this call (none when all were already)."""
        ended = select(nights).where(
            nights.c.status == "scheduled",
            nights.c.film_slug != "",  # a night whose film was never decided shows nothing to remember
            nights.c.ends_at <= now,
            nights.c.id.not_in(select(screenings.c.night_id)),
        )
        if guild_id is not None:
            ended = ended.where(nights.c.guild_id == guild_id)
        if night_id is not None:
            ended = ended.where(nights.c.id == night_id)

        async def work(conn: AsyncConnection, maybe_committed: bool) -> list[Screening]:
            recorded = []
            for night in await conn.execute(ended.order_by(nights.c.starts_at, nights.c.id)):
                values = {
                    "night_id": night.id,
                    "guild_id": night.guild_id,
                    "channel_id": night.channel_id,
                    "film_slug": night.film_slug,
                    "film_title": night.film_title,
                    "film_year": night.film_year,
                    "runtime_minutes": night.runtime_minutes,
                    "starts_at": night.starts_at,
                    "ends_at": night.ends_at,
                    "recorded_at": now,
                }
                added = await conn.execute(
                    insert(conn, screenings)
                    .values(values)
                    .on_conflict_do_nothing(index_elements=[screenings.c.night_id])
                    .returning(screenings.c.night_id)
                )
                if added.first() is None:
                    continue  # another process recorded it meanwhile
                going = select(rsvps.c.user_id).where(rsvps.c.night_id == night.id, rsvps.c.answer == "going")
                members = [row.user_id for row in await conn.execute(going)]
                if members:
                    await conn.execute(
                        insert(conn, screening_attendees)
                        .values([{"night_id": night.id, "user_id": member} for member in members])
                        .on_conflict_do_nothing()
                    )
                row = (await conn.execute(_listing().where(screenings.c.night_id == night.id))).one()
                recorded.append(screening_of(row))
            return recorded

        return await self.db.write(work)

    async def screenings(self, guild_id: int, *, limit: int | None = None) -> list[Screening]:
        """What the server watched, newest first."""
        query = (
            _listing()
            .where(screenings.c.guild_id == guild_id)
            .order_by(screenings.c.starts_at.desc(), screenings.c.night_id.desc())
            .limit(limit)
        )

        async def work(conn: AsyncConnection) -> list[Screening]:
            return [screening_of(row) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def screening(self, night_id: int) -> Screening | None:
        async def work(conn: AsyncConnection) -> Screening | None:
            row = (await conn.execute(_listing().where(screenings.c.night_id == night_id))).first()
            return None if row is None else screening_of(row)

        return await self.db.read(work)

    async def attendees(self, night_id: int) -> list[int]:
        """The members who said they were going to a recorded night."""
        query = (
            select(screening_attendees.c.user_id)
            .where(screening_attendees.c.night_id == night_id)
            .order_by(screening_attendees.c.user_id)
        )

        async def work(conn: AsyncConnection) -> list[int]:
            return [int(row.user_id) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def regulars(self, guild_id: int, *, limit: int = 10) -> list[tuple[int, int]]:
        """(member, nights attended), most first: only members who said they were going to one."""
        nights_attended = func.count().label("nights")
        query = (
            select(screening_attendees.c.user_id, nights_attended)
            .join(screenings, screenings.c.night_id == screening_attendees.c.night_id)
            .where(screenings.c.guild_id == guild_id)
            .group_by(screening_attendees.c.user_id)
            .order_by(nights_attended.desc(), screening_attendees.c.user_id)
            .limit(limit)
        )

        async def work(conn: AsyncConnection) -> list[tuple[int, int]]:
            return [(int(row.user_id), int(row.nights)) for row in await conn.execute(query)]

        return await self.db.read(work)

    async def watched(self, guild_id: int, slugs: Sequence[str]) -> set[str]:
        """Which of these films the server has watched at a movie night."""
        if not slugs:
            return set()
        query = (
            select(screenings.c.film_slug)
            .where(screenings.c.guild_id == guild_id, screenings.c.film_slug.in_(slugs))
            .distinct()
        )

        async def work(conn: AsyncConnection) -> set[str]:
            return {str(row.film_slug) for row in await conn.execute(query)}

        return await self.db.read(work)

    async def club_films(self, guild_id: int) -> list[FilmRef]:
        """Every film the server watched at a movie night or rated, by title (as last recorded)."""
        queries = [
            select(table.c.film_slug, table.c.film_title, table.c.film_year, when.label("at")).where(
                table.c.guild_id == guild_id
            )
            for table, when in ((screenings, screenings.c.ends_at), (ratings, ratings.c.updated_at))
        ]

        async def work(conn: AsyncConnection) -> list[FilmRef]:
            newest: dict[str, tuple[datetime, FilmRef]] = {}
            for query in queries:
                for row in await conn.execute(query):
                    if row.film_slug not in newest or row.at > newest[row.film_slug][0]:
                        newest[row.film_slug] = (
                            row.at,
                            FilmRef(row.film_slug, row.film_title, row.film_year),
                        )
            return sorted((ref for _, ref in newest.values()), key=lambda f: (f.title.casefold(), f.slug))

        return await self.db.read(work)
