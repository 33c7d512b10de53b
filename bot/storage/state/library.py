"""Each server's own films: the documents its members uploaded with /film add (user data: the bytes, a safe
name, the content hash, who added it and when), and who may add them.

The documents live here, in the state store, because this is what several processes (and machines) share and
what an operator backs up; each machine's knowledge database is derived from them (bot/library/engine.py).
A document is never written to a file, least of all under a name a user chose.

- `library_films`: one row per (server, film slug), with the title and year learned when it was added.
- `library_documents`: the documents of those films. A document (by content hash) is in a film at most once.
- `library_settings`: per server, a role that may add and remove films besides members with Manage Server.
- `meta['library_revision']` grows with every add and remove, so other processes notice cheaply (one read).

Quotas are checked in the transaction that writes, with the server's settings row locked
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serializes writers), so two adds at once cannot pass a cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
    cast,
    delete,
    func,
    select,
)
from sqlalchemy import Integer as SqlInteger
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state.base import Epoch, Int, Queries, metadata
from bot.storage.state.dialect import insert
from bot.storage.state.tables import meta

REVISION_KEY: Final = "library_revision"

library_films = Table(
    "library_films",
    metadata,
    Column("guild_id", Int, primary_key=True, autoincrement=False),
    Column("slug", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("year", Int),
    Column("added_by", Int, nullable=False),
    Column("added_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
)

library_documents = Table(
    "library_documents",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("guild_id", Int, nullable=False),
    Column("slug", Text, nullable=False),
    Column("name", Text, nullable=False),  # a safe name made by the bot, never a path
    Column("sha256", Text, nullable=False),
    Column("size", Int, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("added_by", Int, nullable=False),
    Column("added_at", Epoch, nullable=False),
    ForeignKeyConstraint(
        ["guild_id", "slug"], ["library_films.guild_id", "library_films.slug"], ondelete="CASCADE"
    ),
    UniqueConstraint("guild_id", "slug", "name"),
    UniqueConstraint("guild_id", "slug", "sha256"),
    sqlite_autoincrement=True,
)

library_settings = Table(
    "library_settings",
    metadata,
    Column("guild_id", Int, primary_key=True, autoincrement=False),
    Column("editor_role_id", Int),  # may add and remove films, besides Manage Server
    Column("updated_at", Epoch, nullable=False),
)

Stored = Literal["added", "merged", "too_many_films", "too_many_bytes", "nothing_new"]


@dataclass(frozen=True)
class Quota:
    films: int  # films per server
    bytes: int  # bytes of documents per server


@dataclass(frozen=True)
class NewDocument:
    name: str
    sha256: str
    data: bytes


@dataclass(frozen=True)
class StoredDocument:
    name: str
    sha256: str
    size: int
    added_by: int
    added_at: datetime
    data: bytes | None = None  # loaded only when asked for


@dataclass(frozen=True)
class LibraryFilm:
    guild_id: int
    slug: str
    title: str
    year: int | None
    added_by: int
    added_at: datetime
    updated_at: datetime
    documents: tuple[StoredDocument, ...]

    @property
    def size(self) -> int:
        return sum(d.size for d in self.documents)


@dataclass(frozen=True)
class Usage:
    films: int
    bytes: int


def _documents_query(with_data: bool) -> Any:
    columns = [c for c in library_documents.c if with_data or c.name != "data"]
    return select(*columns).order_by(
        library_documents.c.guild_id, library_documents.c.slug, library_documents.c.name
    )


def _films(films: Sequence[Any], documents: Sequence[Any]) -> list[LibraryFilm]:
    by_film: dict[tuple[int, str], list[StoredDocument]] = {}
    for d in documents:
        stored = StoredDocument(
            d.name, d.sha256, int(d.size), int(d.added_by), d.added_at, getattr(d, "data", None)
        )
        by_film.setdefault((int(d.guild_id), d.slug), []).append(stored)
    return [
        LibraryFilm(
            int(f.guild_id),
            f.slug,
            f.title,
            f.year,
            int(f.added_by),
            f.added_at,
            f.updated_at,
            tuple(by_film.get((int(f.guild_id), f.slug), ())),
        )
        for f in films
    ]


async def _bump(conn: AsyncConnection) -> None:
    row = insert(conn, meta).values(key=REVISION_KEY, value="1")
    await conn.execute(
        row.on_conflict_do_update(
            index_elements=[meta.c.key], set_={"value": cast(cast(meta.c.value, SqlInteger) + 1, Text)}
        )
    )


class LibraryQueries(Queries):
    async def library_revision(self) -> int:
        """Grows with every add and remove in any process: compare it to notice changes."""

        async def work(conn: AsyncConnection) -> int:
            value = (await conn.execute(select(meta.c.value).where(meta.c.key == REVISION_KEY))).scalar()
            return int(value or 0)

        return await self.db.read(work)

    async def library_films(
        self, guild_id: int | None = None, *, slug: str | None = None, with_data: bool = False
    ) -> list[LibraryFilm]:
        """The servers' films (one server's, or one film) with their documents (bytes only when asked)."""
        films_q = select(library_films).order_by(library_films.c.guild_id, library_films.c.slug)
        docs_q = _documents_query(with_data)
        if guild_id is not None:
            films_q = films_q.where(library_films.c.guild_id == guild_id)
            docs_q = docs_q.where(library_documents.c.guild_id == guild_id)
        if slug is not None:
            films_q = films_q.where(library_films.c.slug == slug)
            docs_q = docs_q.where(library_documents.c.slug == slug)

        async def work(conn: AsyncConnection) -> list[LibraryFilm]:
            films = (await conn.execute(films_q)).all()
            documents = (await conn.execute(docs_q)).all() if films else []
            return _films(films, documents)

        return await self.db.read(work)

    async def library_usage(self, guild_id: int) -> Usage:
        async def work(conn: AsyncConnection) -> Usage:
            return await _usage(conn, guild_id)

        return await self.db.read(work)

    async def store_library_documents(
        self,
        guild_id: int,
        slug: str,
        *,
        title: str,
        year: int | None,
        documents: Sequence[NewDocument],
        by: int,
        now: datetime,
        quota: Quota,
    ) -> Stored:
        """Add documents to a server's film (creating it), within the quota, in one transaction. Documents
        already in the film (same content) are left as they are."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> Stored:
            await _lock_guild(conn, guild_id, now)
            existing = (
                await conn.execute(
                    select(library_films.c.slug).where(
                        (library_films.c.guild_id == guild_id) & (library_films.c.slug == slug)
                    )
                )
            ).first()
            known = set(
                (
                    await conn.execute(
                        select(library_documents.c.sha256).where(
                            (library_documents.c.guild_id == guild_id) & (library_documents.c.slug == slug)
                        )
                    )
                ).scalars()
            )
            new = [d for d in documents if d.sha256 not in known]
            if not new:
                return "nothing_new"
            usage = await _usage(conn, guild_id)
            if existing is None and usage.films >= quota.films:
                return "too_many_films"
            if usage.bytes + sum(len(d.data) for d in new) > quota.bytes:
                return "too_many_bytes"
            if existing is None:
                await conn.execute(
                    insert(conn, library_films).values(
                        guild_id=guild_id,
                        slug=slug,
                        title=title,
                        year=year,
                        added_by=by,
                        added_at=now,
                        updated_at=now,
                    )
                )
            else:
                await conn.execute(
                    library_films.update()
                    .where((library_films.c.guild_id == guild_id) & (library_films.c.slug == slug))
                    .values(title=title, year=year, updated_at=now)
                )
            for d in new:
                await conn.execute(
                    insert(conn, library_documents).values(
                        guild_id=guild_id,
                        slug=slug,
                        name=d.name,
                        sha256=d.sha256,
                        size=len(d.data),
                        data=d.data,
                        added_by=by,
                        added_at=now,
                    )
                )
            await _bump(conn)
            return "added" if existing is None else "merged"

        return await self.db.write(work)

    async def remove_library_film(self, guild_id: int, slug: str) -> bool:
        """Remove a server's film and its documents; False when there was none."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            where_docs = (library_documents.c.guild_id == guild_id) & (library_documents.c.slug == slug)
            await conn.execute(delete(library_documents).where(where_docs))
            where = (library_films.c.guild_id == guild_id) & (library_films.c.slug == slug)
            removed = (await conn.execute(delete(library_films).where(where))).rowcount
            if removed:
                await _bump(conn)
            return bool(removed)

        return await self.db.write(work)

    async def library_editor_role(self, guild_id: int) -> int | None:
        async def work(conn: AsyncConnection) -> int | None:
            query = select(library_settings.c.editor_role_id).where(library_settings.c.guild_id == guild_id)
            value = (await conn.execute(query)).scalar()
            return None if value is None else int(value)

        return await self.db.read(work)

    async def set_library_editor_role(self, guild_id: int, role_id: int | None, *, now: datetime) -> None:
        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            row = insert(conn, library_settings).values(
                guild_id=guild_id, editor_role_id=role_id, updated_at=now
            )
            await conn.execute(
                row.on_conflict_do_update(
                    index_elements=[library_settings.c.guild_id],
                    set_={"editor_role_id": role_id, "updated_at": now},
                )
            )

        await self.db.write(work)


async def _lock_guild(conn: AsyncConnection, guild_id: int, now: datetime) -> None:
    """Serialize the server's library writes: its settings row, created if missing, locked until COMMIT."""
    row = insert(conn, library_settings).values(guild_id=guild_id, updated_at=now)
    await conn.execute(row.on_conflict_do_nothing(index_elements=[library_settings.c.guild_id]))
    query = select(library_settings.c.guild_id).where(library_settings.c.guild_id == guild_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    await conn.execute(query)


async def _usage(conn: AsyncConnection, guild_id: int) -> Usage:
    films = (
        await conn.execute(
            select(func.count()).select_from(library_films).where(library_films.c.guild_id == guild_id)
        )
    ).scalar()
    size = (
        await conn.execute(
            select(func.coalesce(func.sum(library_documents.c.size), 0)).where(
                library_documents.c.guild_id == guild_id
            )
        )
    ).scalar()
    return Usage(int(films or 0), int(size or 0))
