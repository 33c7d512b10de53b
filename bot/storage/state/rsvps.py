"""Members' answers to a night: one row per (night, member), replaced by a later answer (an upsert)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state.base import Queries
from bot.storage.state.dialect import insert
from bot.storage.state.tables import rsvps

Answer = Literal["going", "maybe", "no"]
ANSWERS: Final[tuple[Answer, ...]] = ("going", "maybe", "no")


@dataclass(frozen=True)
class RsvpCounts:
    going: int = 0
    maybe: int = 0
    no: int = 0

    def of(self, answer: Answer) -> int:
        return {"going": self.going, "maybe": self.maybe, "no": self.no}[answer]


@dataclass(frozen=True)
class Rsvp:
    user_id: int
    answer: Answer
    updated_at: datetime


async def _counts(conn: AsyncConnection, night_ids: Sequence[int]) -> dict[int, RsvpCounts]:
    query = (
        select(rsvps.c.night_id, rsvps.c.answer, func.count().label("n"))
        .where(rsvps.c.night_id.in_(night_ids))
        .group_by(rsvps.c.night_id, rsvps.c.answer)
    )
    by_night: dict[int, dict[str, int]] = {night_id: {} for night_id in night_ids}
    for row in await conn.execute(query):
        by_night[row.night_id][row.answer] = int(row.n)
    return {night_id: RsvpCounts(**answers) for night_id, answers in by_night.items()}


class RsvpQueries(Queries):
    async def set_rsvp(self, night_id: int, user_id: int, answer: Answer, *, now: datetime) -> RsvpCounts:
        """Record a member's answer; a second answer replaces the first (never counted twice). Returns the
        night's counts as of this answer."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown RSVP answer {answer!r}")

        async def work(conn: AsyncConnection, maybe_committed: bool) -> RsvpCounts:
            statement = insert(conn, rsvps).values(
                night_id=night_id, user_id=user_id, answer=answer, updated_at=now
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[rsvps.c.night_id, rsvps.c.user_id],
                    set_={"answer": statement.excluded.answer, "updated_at": statement.excluded.updated_at},
                )
            )
            return (await _counts(conn, [night_id]))[night_id]

        return await self.db.write(work)

    async def rsvp_counts(self, night_id: int) -> RsvpCounts:
        return (await self.rsvp_counts_for([night_id]))[night_id]

    async def rsvp_counts_for(self, night_ids: Sequence[int]) -> dict[int, RsvpCounts]:
        if not night_ids:
            return {}

        async def work(conn: AsyncConnection) -> dict[int, RsvpCounts]:
            return await _counts(conn, night_ids)

        return await self.db.read(work)

    async def rsvps(self, night_id: int) -> list[Rsvp]:
        query = (
            select(rsvps.c.user_id, rsvps.c.answer, rsvps.c.updated_at)
            .where(rsvps.c.night_id == night_id)
            .order_by(rsvps.c.updated_at, rsvps.c.user_id)
        )

        async def work(conn: AsyncConnection) -> list[Rsvp]:
            return [Rsvp(row.user_id, row.answer, row.updated_at) for row in await conn.execute(query)]

        return await self.db.read(work)
