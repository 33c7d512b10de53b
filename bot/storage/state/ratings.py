"""Members' ratings and reviews of films, per server: one row per (server, film, member), changed in place.

A rating is a whole number of half stars, 1 (½ star) to 10 (5 stars). The film's title and year are kept on
the row, so a film removed from the library keeps its ratings and still has a name. A review is the member's
raw text (presentation escapes it) and whether they said it spoils.

Writes are upserts keyed by (guild, film, member): a double click, or a retried transaction, leaves one row.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Row,
    Table,
    Text,
    delete,
    false,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import FilmRef
from bot.storage.state.base import UNSET, Epoch, Int, Queries, _Unset, metadata
from bot.storage.state.dialect import insert

HALF_STARS: Final = range(1, 11)  # ½ star .. 5 stars
REVIEWS_READ: Final = 500  # the most reviews of one film read at once (newest first)

ratings = Table(
    "ratings",
    metadata,
    Column("guild_id", Int, primary_key=True, autoincrement=False),
    Column("film_slug", Text, primary_key=True),
    Column("user_id", Int, primary_key=True, autoincrement=False),
    Column("film_title", Text, nullable=False),
    Column("film_year", Int),
    Column("half_stars", Int, nullable=False),
    Column("review", Text),  # the member's raw text; NULL: no review
    Column("spoiler", Boolean, nullable=False, server_default=false()),
    Column("night_id", Int),  # the night whose after-film post it was given on, if any
    Column("created_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("half_stars BETWEEN 1 AND 10", name="half_stars"),
    Index("ratings_by_member", "guild_id", "user_id"),
)


@dataclass(frozen=True)
class Rating:
    guild_id: int
    film: FilmRef
    user_id: int
    half_stars: int
    review: str | None
    spoiler: bool
    night_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Verdict:
    """What a server's members think of a film: how many rated it, and how many gave each half star."""

    distribution: tuple[int, ...] = (0,) * 10  # index h - 1: members who gave h half stars

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        """The mean, in stars (0.5 .. 5.0); None when nobody rated."""
        if not self.count:
            return None
        return sum(h * n for h, n in enumerate(self.distribution, 1)) / self.count / 2

    @classmethod
    def of(cls, counts: dict[int, int]) -> Verdict:
        return cls(tuple(counts.get(h, 0) for h in HALF_STARS))


@dataclass(frozen=True)
class Rated:
    """The outcome of rating: the member's rating now, what it was before (None: new), the film's verdict."""

    rating: Rating
    previous: Rating | None
    verdict: Verdict

    @property
    def changed(self) -> bool:
        old = self.previous
        new = self.rating
        return old is None or (old.half_stars, old.review, old.spoiler) != (
            new.half_stars,
            new.review,
            new.spoiler,
        )


def rating_of(row: Row[Any]) -> Rating:
    return Rating(
        guild_id=row.guild_id,
        film=FilmRef(slug=row.film_slug, title=row.film_title, year=row.film_year),
        user_id=row.user_id,
        half_stars=row.half_stars,
        review=row.review,
        spoiler=bool(row.spoiler),
        night_id=row.night_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _key(guild_id: int, slug: str) -> Any:
    return (ratings.c.guild_id == guild_id) & (ratings.c.film_slug == slug)


async def _one(conn: AsyncConnection, guild_id: int, slug: str, user_id: int) -> Rating | None:
    query = select(ratings).where(_key(guild_id, slug), ratings.c.user_id == user_id)
    row = (await conn.execute(query)).first()
    return None if row is None else rating_of(row)


async def _verdicts(conn: AsyncConnection, guild_id: int, slugs: Sequence[str] | None) -> dict[str, Verdict]:
    query = select(ratings.c.film_slug, ratings.c.half_stars, func.count().label("n")).where(
        ratings.c.guild_id == guild_id
    )
    if slugs is not None:
        query = query.where(ratings.c.film_slug.in_(slugs))
    counts: dict[str, dict[int, int]] = {slug: {} for slug in slugs or ()}
    for row in await conn.execute(query.group_by(ratings.c.film_slug, ratings.c.half_stars)):
        counts.setdefault(row.film_slug, {})[int(row.half_stars)] = int(row.n)
    return {slug: Verdict.of(by_stars) for slug, by_stars in counts.items()}


VERDICT_TTL_S = (
    30.0  # how long this process trusts the verdicts it read (its own ratings update them at once)
)


@dataclass
class _ServerVerdicts:
    """Every rated film's verdict in one server, as read at one time (a film not in it: nobody rated it)."""

    expires: float
    by_film: dict[str, Verdict]


class RatingQueries(Queries):
    """Ratings and reviews. A server's verdict on a film is asked for with every /movie and /reception, so a
    server's verdicts are read in one query (every film its members rated; the others have none) and kept in
    this process for VERDICT_TTL_S: a server's interactions all reach the process serving its shard, whose own
    `rate` and `unrate` update them at once; a verdict changed elsewhere shows within the TTL. A film nobody
    rated, however many a library holds, costs no query."""

    _verdicts_seen: dict[int, _ServerVerdicts]
    _verdicts_loading: dict[int, asyncio.Future[_ServerVerdicts]]
    _verdicts_changes: dict[int, int]  # per server: how many times this process changed its ratings

    def _verdict_cache(self) -> dict[int, _ServerVerdicts]:
        if not hasattr(self, "_verdicts_seen"):
            self._verdicts_seen, self._verdicts_loading, self._verdicts_changes = {}, {}, {}
        return self._verdicts_seen

    async def _server_verdicts(self, guild_id: int) -> _ServerVerdicts:
        """The server's verdicts, read once per TTL however many interactions ask at the same time."""
        seen = self._verdict_cache().get(guild_id)
        if seen is not None and seen.expires > time.monotonic():
            return seen
        loading = self._verdicts_loading.get(guild_id)
        if loading is None:
            loading = asyncio.ensure_future(self._read_server_verdicts(guild_id))
            self._verdicts_loading[guild_id] = loading
            loading.add_done_callback(lambda done: self._forget_loading(guild_id, done))
        return await asyncio.shield(loading)

    def _forget_loading(self, guild_id: int, done: asyncio.Future[_ServerVerdicts]) -> None:
        if self._verdicts_loading.get(guild_id) is done:
            del self._verdicts_loading[guild_id]

    async def _read_server_verdicts(self, guild_id: int) -> _ServerVerdicts:
        changes = self._verdicts_changes.get(guild_id, 0)
        read = _ServerVerdicts(time.monotonic() + VERDICT_TTL_S, await self.verdicts(guild_id))
        if self._verdicts_changes.get(guild_id, 0) == changes:  # else a rating made meanwhile may be missing
            self._verdict_cache()[guild_id] = read
        return read

    def _verdict_changed(self, guild_id: int, slug: str, verdict: Verdict | None) -> None:
        """This process changed a film's ratings: its verdict now (None: read the server's again)."""
        cache = self._verdict_cache()
        self._verdicts_changes[guild_id] = self._verdicts_changes.get(guild_id, 0) + 1
        self._verdicts_loading.pop(guild_id, None)  # a read under way may miss the change: the next one reads
        seen = cache.get(guild_id)
        if verdict is None or seen is None:
            cache.pop(guild_id, None)
        else:
            seen.by_film[slug] = verdict

    async def rate(
        self,
        guild_id: int,
        film: FilmRef,
        user_id: int,
        half_stars: int,
        *,
        now: datetime,
        review: str | _Unset | None = UNSET,
        spoiler: bool | _Unset = UNSET,
        night_id: int | None = None,
    ) -> Rated:
        """Set a member's rating of a film (replacing theirs, never adding a second). `review` and `spoiler`
        left UNSET keep what the member wrote before; a review of None removes it."""
        if half_stars not in HALF_STARS:
            raise ValueError(f"a rating is 1 to 10 half stars, not {half_stars!r}")
        changes: dict[str, Any] = {
            "film_title": film.title,
            "film_year": film.year,
            "half_stars": half_stars,
            "updated_at": now,
        }
        if not isinstance(review, _Unset):
            changes["review"] = review
        if not isinstance(spoiler, _Unset):
            changes["spoiler"] = spoiler
        if night_id is not None:
            changes["night_id"] = night_id

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Rated:
            previous = await _one(conn, guild_id, film.slug, user_id)
            statement = insert(conn, ratings).values(
                guild_id=guild_id, film_slug=film.slug, user_id=user_id, created_at=now, **changes
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[ratings.c.guild_id, ratings.c.film_slug, ratings.c.user_id],
                    set_=changes,
                )
            )
            rating = await _one(conn, guild_id, film.slug, user_id)
            assert rating is not None
            verdict = (await _verdicts(conn, guild_id, [film.slug]))[film.slug]
            return Rated(rating, previous, verdict)

        rated = await self.db.write(work)
        self._verdict_changed(guild_id, film.slug, rated.verdict)
        return rated

    async def unrate(self, guild_id: int, slug: str, user_id: int) -> Rating | None:
        """Remove a member's rating and review of a film; what was removed (None: there was none)."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Rating | None:
            found = await _one(conn, guild_id, slug, user_id)
            if found is not None:
                await conn.execute(delete(ratings).where(_key(guild_id, slug), ratings.c.user_id == user_id))
            return found

        removed = await self.db.write(work)
        self._verdict_changed(guild_id, slug, None)
        return removed

    async def rating(self, guild_id: int, slug: str, user_id: int) -> Rating | None:
        async def work(conn: AsyncConnection) -> Rating | None:
            return await _one(conn, guild_id, slug, user_id)

        return await self.db.read(work)

    async def verdict(self, guild_id: int, slug: str) -> Verdict:
        """The server's verdict on the film (empty when nobody rated it), as read within VERDICT_TTL_S."""
        return (await self._server_verdicts(guild_id)).by_film.get(slug, Verdict())

    async def verdicts(self, guild_id: int, slugs: Sequence[str] | None = None) -> dict[str, Verdict]:
        """Each film's verdict in this server (every rated film when `slugs` is None; unrated ones: empty)."""

        async def work(conn: AsyncConnection) -> dict[str, Verdict]:
            return await _verdicts(conn, guild_id, slugs)

        return await self.db.read(work)

    async def rated_films(self, guild_id: int) -> list[tuple[FilmRef, Verdict]]:
        """Every film the server's members rated, with its verdict (title and year as last rated)."""

        async def work(conn: AsyncConnection) -> list[tuple[FilmRef, Verdict]]:
            latest = (
                select(ratings.c.film_slug, ratings.c.film_title, ratings.c.film_year)
                .where(ratings.c.guild_id == guild_id)
                .order_by(ratings.c.film_slug, ratings.c.updated_at.desc(), ratings.c.user_id)
            )
            refs: dict[str, FilmRef] = {}
            for row in await conn.execute(latest):
                refs.setdefault(row.film_slug, FilmRef(row.film_slug, row.film_title, row.film_year))
            verdicts = await _verdicts(conn, guild_id, None)
            return [(refs[slug], verdicts[slug]) for slug in sorted(refs)]

        return await self.db.read(work)

    async def reviews(self, guild_id: int, slug: str, *, limit: int = REVIEWS_READ) -> list[Rating]:
        """Ratings of the film that carry a review, newest first."""
        query = (
            select(ratings)
            .where(_key(guild_id, slug), ratings.c.review.is_not(None))
            .order_by(ratings.c.updated_at.desc(), ratings.c.user_id)
            .limit(limit)
        )

        async def work(conn: AsyncConnection) -> list[Rating]:
            return [rating_of(row) for row in await conn.execute(query)]

        return await self.db.read(work)
