"""The watchlist: films members suggest, who supports each, which library film it is, and whether the club
watched it.

An entry is open until a night showing its film starts (then `watched_at` is set). Caps on open suggestions
(per member, per server) are checked in the same transaction that writes, with the server's settings row
locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serializes writers), so two members adding at once can
neither pass a cap nor add the same film twice. Matching a suggestion to an entry is the caller's rule (a
predicate), kept out of SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import Column, ForeignKey, Index, Row, Table, Text, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import FilmRef
from bot.storage.state.base import Epoch, Int, Queries, metadata
from bot.storage.state.dialect import insert as upsert
from bot.storage.state.tables import guild_settings, nights

watchlist = Table(
    "watchlist",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("guild_id", Int, nullable=False),
    Column("title", Text, nullable=False),  # as suggested (cleaned, at most 100 characters)
    Column("title_key", Text, nullable=False),  # normalised for comparison
    Column("year", Int),
    Column("film_slug", Text),  # the library film it names, once known
    Column("suggested_by", Int, nullable=False),
    Column("suggested_at", Epoch, nullable=False),
    Column("watched_at", Epoch),
    Column("watched_night_id", Int, ForeignKey("nights.id", ondelete="SET NULL")),
    Index("watchlist_by_guild", "guild_id", "watched_at"),
    sqlite_autoincrement=True,
)

watchlist_supporters = Table(
    "watchlist_supporters",  # the suggester is the first supporter
    metadata,
    Column("entry_id", Int, ForeignKey("watchlist.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Int, primary_key=True, autoincrement=False),
    Column("supported_at", Epoch, nullable=False),
)

UNLISTED_PREFIX: Final = "watchlist-"  # a night's film_slug for a suggestion that is not in the library

Added = Literal["added", "supported", "already", "member_cap", "server_cap"]
Removed = Literal["removed", "unsupported", "not_found", "not_allowed"]
Matcher = Callable[[str, "int | None"], bool]  # (title_key, year) of an open entry -> names the same film?


@dataclass(frozen=True)
class WatchEntry:
    id: int
    guild_id: int
    title: str
    year: int | None
    film: FilmRef | None  # the linked library film
    suggested_by: int
    suggested_at: datetime
    watched_at: datetime | None
    supporters: int

    @property
    def watched(self) -> bool:
        return self.watched_at is not None


@dataclass(frozen=True)
class AddOutcome:
    result: Added
    entry: WatchEntry | None  # the entry added or supported (None when refused by a cap)
    open_count: int  # the member's open suggestions after this (for caps)
    watched_before: WatchEntry | None = None  # a watched entry for the same film, if any


def _support_counts(entry_ids: Sequence[int]) -> Any:
    return (
        select(watchlist_supporters.c.entry_id, func.count().label("n"))
        .where(watchlist_supporters.c.entry_id.in_(entry_ids))
        .group_by(watchlist_supporters.c.entry_id)
    )


async def _entries(conn: AsyncConnection, query: Any) -> list[WatchEntry]:
    rows = list(await conn.execute(query))
    ids = [row.id for row in rows]
    counts = {r.entry_id: int(r.n) for r in await conn.execute(_support_counts(ids))} if ids else {}
    return [_entry(row, counts.get(row.id, 0)) for row in rows]


def _entry(row: Row[Any], supporters: int) -> WatchEntry:
    film = None
    if row.film_slug:
        film = FilmRef(slug=row.film_slug, title=row.title, year=row.year)
    return WatchEntry(
        id=row.id,
        guild_id=row.guild_id,
        title=row.title,
        year=row.year,
        film=film,
        suggested_by=row.suggested_by,
        suggested_at=row.suggested_at,
        watched_at=row.watched_at,
        supporters=supporters,
    )


async def _lock_guild(conn: AsyncConnection, guild_id: int, now: datetime) -> None:
    """Serialize watchlist writes per server: lock its settings row (created if missing)."""
    create = upsert(conn, guild_settings).values(guild_id=guild_id, updated_at=now)
    await conn.execute(create.on_conflict_do_nothing(index_elements=[guild_settings.c.guild_id]))
    await conn.execute(
        select(guild_settings.c.guild_id).where(guild_settings.c.guild_id == guild_id).with_for_update()
    )


async def _entry_by_id(conn: AsyncConnection, entry_id: int) -> WatchEntry | None:
    found = await _entries(conn, select(watchlist).where(watchlist.c.id == entry_id))
    return found[0] if found else None


async def _support(
    conn: AsyncConnection,
    match: Row[Any],
    user_id: int,
    film: FilmRef | None,
    mine: int,
    before: WatchEntry | None,
    now: datetime,
    maybe_committed: bool,
) -> AddOutcome:
    """Count the member as a supporter of an open entry (once), linking it to `film` if it was not yet."""
    supporter = upsert(conn, watchlist_supporters).values(
        entry_id=match.id, user_id=user_id, supported_at=now
    )
    added = await conn.execute(
        supporter.on_conflict_do_nothing(
            index_elements=[watchlist_supporters.c.entry_id, watchlist_supporters.c.user_id]
        )
    )
    if film is not None and not match.film_slug:
        await conn.execute(update(watchlist).where(watchlist.c.id == match.id).values(film_slug=film.slug))
    result: Added = "supported" if added.rowcount == 1 else "already"
    if result == "already" and maybe_committed:  # our first attempt may have written it: `now` says so
        if match.suggested_by == user_id and match.suggested_at == now:
            result = "added"
        else:
            mine_now = select(watchlist_supporters.c.user_id).where(
                watchlist_supporters.c.entry_id == match.id,
                watchlist_supporters.c.user_id == user_id,
                watchlist_supporters.c.supported_at == now,
            )
            if (await conn.execute(mine_now)).first() is not None:
                result = "supported"
    entry = await _entry_by_id(conn, match.id)
    return AddOutcome(result, entry, mine, before)


def _open(guild_id: int) -> Any:
    return (watchlist.c.guild_id == guild_id) & watchlist.c.watched_at.is_(None)


class WatchlistQueries(Queries):
    async def add_suggestion(
        self,
        *,
        guild_id: int,
        user_id: int,
        title: str,
        title_key: str,
        year: int | None,
        film: FilmRef | None,
        same: Matcher,
        member_cap: int,
        server_cap: int,
        now: datetime,
    ) -> AddOutcome:
        """Add a suggestion, or count the member as a supporter of the open entry for the same film (the same
        library film, or `same(title_key, year)`). Caps apply to new entries only."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> AddOutcome:
            await _lock_guild(conn, guild_id, now)
            entries = list(await conn.execute(select(watchlist).where(watchlist.c.guild_id == guild_id)))
            mine = sum(1 for e in entries if e.suggested_by == user_id and e.watched_at is None)

            def names_it(row: Row[Any]) -> bool:
                if film is not None and row.film_slug:
                    return bool(row.film_slug == film.slug)
                return same(row.title_key, row.year)

            match = next((e for e in entries if e.watched_at is None and names_it(e)), None)
            watched = [e for e in entries if e.watched_at is not None and names_it(e)]
            before = await _entry_by_id(conn, watched[-1].id) if watched else None
            if match is not None:
                return await _support(conn, match, user_id, film, mine, before, now, maybe_committed)
            if mine >= member_cap:
                return AddOutcome("member_cap", None, mine, before)
            if sum(1 for e in entries if e.watched_at is None) >= server_cap:
                return AddOutcome("server_cap", None, mine, before)
            entry_id = (
                await conn.execute(
                    insert(watchlist)
                    .values(
                        guild_id=guild_id,
                        title=film.title if film is not None else title,
                        title_key=title_key,
                        year=film.year if film is not None else year,
                        film_slug=film.slug if film is not None else None,
                        suggested_by=user_id,
                        suggested_at=now,
                    )
                    .returning(watchlist.c.id)
                )
            ).scalar_one()
            await conn.execute(
                insert(watchlist_supporters).values(entry_id=entry_id, user_id=user_id, supported_at=now)
            )
            entry = await _entry_by_id(conn, entry_id)
            assert entry is not None
            return AddOutcome("added", entry, mine + 1, before)

        return await self.db.write(work)

    async def watchlist(self, guild_id: int, *, watched: bool = True) -> list[WatchEntry]:
        """Open entries (most supported first, then oldest), then watched ones (most recent first)."""
        query = select(watchlist).where(watchlist.c.guild_id == guild_id)
        if not watched:
            query = query.where(watchlist.c.watched_at.is_(None))

        async def work(conn: AsyncConnection) -> list[WatchEntry]:
            entries = await _entries(conn, query)
            open_ = sorted(
                (e for e in entries if not e.watched), key=lambda e: (-e.supporters, e.suggested_at, e.id)
            )
            done = sorted((e for e in entries if e.watched), key=lambda e: (e.watched_at, e.id), reverse=True)
            return open_ + done

        return await self.db.read(work)

    async def watch_entry(self, entry_id: int) -> WatchEntry | None:
        async def work(conn: AsyncConnection) -> WatchEntry | None:
            return await _entry_by_id(conn, entry_id)

        return await self.db.read(work)

    async def supporters(self, entry_id: int) -> list[int]:
        query = (
            select(watchlist_supporters.c.user_id)
            .where(watchlist_supporters.c.entry_id == entry_id)
            .order_by(watchlist_supporters.c.supported_at, watchlist_supporters.c.user_id)
        )

        async def work(conn: AsyncConnection) -> list[int]:
            return [int(user) for user in (await conn.execute(query)).scalars()]

        return await self.db.read(work)

    async def remove_suggestion(
        self, *, guild_id: int, entry_id: int, user_id: int, organiser: bool, now: datetime
    ) -> tuple[Removed, WatchEntry | None]:
        """The suggester or an organiser removes the entry; a supporter withdraws their support."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> tuple[Removed, WatchEntry | None]:
            await _lock_guild(conn, guild_id, now)
            found = await _entries(
                conn, select(watchlist).where(watchlist.c.id == entry_id, watchlist.c.guild_id == guild_id)
            )
            if not found:
                return "not_found", None
            entry = found[0]
            if organiser or entry.suggested_by == user_id:
                await conn.execute(delete(watchlist).where(watchlist.c.id == entry_id))
                return "removed", entry
            dropped = await conn.execute(
                delete(watchlist_supporters).where(
                    watchlist_supporters.c.entry_id == entry_id, watchlist_supporters.c.user_id == user_id
                )
            )
            return ("unsupported" if dropped.rowcount == 1 else "not_allowed"), entry

        return await self.db.write(work)

    async def unlinked_entries(self, guild_id: int | None = None) -> list[WatchEntry]:
        """Open entries not linked to a library film yet (of one server, or of all)."""
        query = select(watchlist).where(watchlist.c.film_slug.is_(None), watchlist.c.watched_at.is_(None))
        if guild_id is not None:
            query = query.where(watchlist.c.guild_id == guild_id)

        async def work(conn: AsyncConnection) -> list[WatchEntry]:
            return await _entries(conn, query)

        return await self.db.read(work)

    async def link_entries(self, links: Mapping[int, FilmRef]) -> int:
        """Link entries to library films found since they were suggested (only entries still unlinked)."""
        if not links:
            return 0

        async def work(conn: AsyncConnection, maybe_committed: bool) -> int:
            linked = 0
            for entry_id, film in links.items():
                done = await conn.execute(
                    update(watchlist)
                    .where(watchlist.c.id == entry_id, watchlist.c.film_slug.is_(None))
                    .values(film_slug=film.slug, title=film.title, year=film.year)
                )
                linked += done.rowcount
            return linked

        return await self.db.write(work)

    async def mark_watched(self, night_id: int, *, now: datetime) -> list[WatchEntry]:
        """The night's film was shown: its open watchlist entries in that server are watched."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> list[WatchEntry]:
            night = (
                await conn.execute(
                    select(nights.c.guild_id, nights.c.film_slug).where(nights.c.id == night_id)
                )
            ).first()
            if night is None or not night.film_slug:
                return []
            which = watchlist.c.film_slug == night.film_slug
            unlisted = night.film_slug.removeprefix(UNLISTED_PREFIX)
            if unlisted != night.film_slug and unlisted.isdigit():
                which = which | (watchlist.c.id == int(unlisted))
            which = _open(night.guild_id) & which
            ids = list((await conn.execute(select(watchlist.c.id).where(which))).scalars())
            if not ids:
                return []
            await conn.execute(
                update(watchlist)
                .where(watchlist.c.id.in_(ids))
                .values(watched_at=now, watched_night_id=night_id)
            )
            return await _entries(conn, select(watchlist).where(watchlist.c.id.in_(ids)))

        return await self.db.write(work)
