"""Adding and removing a server's films: the steps between the command and the databases.

An add is two steps, so that a merge can wait for a confirm button:
1. `preview`: the checked documents (and, for a merge, the film's stored ones) are prepared in a worker
   process. Nothing is stored. The preview says what the film would be: new, or a merge into one the server
   already has; or why it cannot be added.
2. `commit`: the documents go into the state store (one transaction, within the server's quota), then the
   film is written to the knowledge database (one transaction). A crash between the two leaves documents
   that the next sync ingests: the film is then whole, never half there.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from bot.ingest.outcome import DocumentVerdict, Prepared, verdicts
from bot.ingest.sources import DocumentSource, FilmSource
from bot.library.engine import Library
from bot.library.limits import QUOTA
from bot.library.uploads import Refused, Upload
from bot.storage.knowledge.records import FilmRecord
from bot.storage.models import FilmRef
from bot.storage.state.library import LibraryFilm, NewDocument, Quota, StoredDocument

PROVISIONAL = "film"  # the slug documents are first read under when no title was given


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")


@dataclass(frozen=True)
class Preview:
    """What an add would do. `film` is the film as it would be after the add (merged when `existing`)."""

    guild_id: int
    slug: str
    film: FilmRecord
    uploads: tuple[Upload, ...]  # the new documents, as checked (the film may not use them all)
    existing: LibraryFilm | None
    verdicts: tuple[DocumentVerdict, ...]
    refused: tuple[Refused, ...] = ()

    @property
    def merge(self) -> bool:
        return self.existing is not None

    @property
    def used(self) -> tuple[Upload, ...]:
        """The new documents the film uses: the ones that are stored."""
        names = {d.name for d in self.film.documents}
        return tuple(u for u in self.uploads if u.name in names)

    def left_out(self) -> list[Refused]:
        """Every new document the film does not use, with why."""
        names = {u.name: u.original for u in self.uploads}
        unused = [
            Refused(names.get(v.name, v.name), "; ".join(v.warnings) or "nothing in it could be used")
            for v in self.verdicts
            if not v.used and v.name in names
        ]
        return [*self.refused, *unused]


@dataclass(frozen=True)
class Refusal:
    """Why nothing was added, and the documents' own reasons."""

    reason: Literal[
        "nothing_usable", "no_title", "shared", "nothing_new", "too_many_films", "too_many_bytes", "changed"
    ]
    documents: tuple[Refused, ...] = ()
    film: FilmRef | None = None


@dataclass
class LibraryService:
    library: Library
    quota: Quota = QUOTA
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)

    def lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    async def preview(
        self, guild_id: int, uploads: Sequence[Upload], refused: Sequence[Refused], title: str | None
    ) -> Preview | Refusal:
        """Prepare the film these documents describe (merged into the server's film of that title, if any)."""
        hint = slugify(title) if title else ""
        first = await self.library.prepare(_source(hint or PROVISIONAL, guild_id, uploads))
        if not isinstance(first, FilmRecord):
            return Refusal("nothing_usable", (*refused, *_unusable(first, uploads)))
        if not title and first.fact("title") is None:
            return Refusal("no_title", tuple(refused))
        shared = self._shared_twin(first)
        if shared is not None:
            return Refusal("shared", tuple(refused), shared)
        own = await self.library.state.library_films(guild_id)
        existing = _same_film(own, first, hint or None)
        if existing is not None:
            return await self._merge_preview(guild_id, existing, uploads, refused)
        slug = _free_slug(hint or slugify(first.title) or "film", first.year, own)
        source = _source(slug, guild_id, uploads)
        film = first if slug == first.slug else await self.library.prepare(source)
        if not isinstance(film, FilmRecord):
            return Refusal("nothing_usable", (*refused, *_unusable(film, uploads)))
        return Preview(
            guild_id, slug, film, tuple(uploads), None, tuple(verdicts(source, film)), tuple(refused)
        )

    async def _merge_preview(
        self, guild_id: int, existing: LibraryFilm, uploads: Sequence[Upload], refused: Sequence[Refused]
    ) -> Preview | Refusal:
        stored = await self.library.state.library_films(guild_id, slug=existing.slug, with_data=True)
        if not stored:
            return Refusal("changed")
        known = {d.sha256 for d in stored[0].documents}
        fresh = [u for u in uploads if u.sha256 not in known]
        already = [Refused(u.original, "is already in this film") for u in uploads if u.sha256 in known]
        if not fresh:
            return Refusal("nothing_new", (*refused, *already))
        taken = {d.name for d in stored[0].documents}
        fresh = [replace(u, name=_unique(u.name, taken)) for u in fresh]
        source = _source(existing.slug, guild_id, fresh, stored[0].documents)
        film = await self.library.prepare(source)
        if not isinstance(film, FilmRecord):
            return Refusal("nothing_usable", (*refused, *already, *_unusable(film, fresh)))
        return Preview(
            guild_id,
            existing.slug,
            film,
            tuple(fresh),
            stored[0],
            tuple(verdicts(source, film)),
            (*refused, *already),
        )

    def _shared_twin(self, film: FilmRecord) -> FilmRef | None:
        """A shared film with this title and year: the server sees it already, and cannot change it."""
        for ref in self.library.knowledge.visible(None):
            if ref.title.casefold() == film.title.casefold() and (
                ref.year == film.year or None in (ref.year, film.year)
            ):
                return ref
        return None

    async def commit(self, preview: Preview, *, by: int, now: datetime) -> Preview | Refusal:
        """Store the documents, then write the film: the film as written, or why not (quota, or the film changed
        since the preview). Call it holding `lock(preview.guild_id)`."""
        state = self.library.state
        current = await state.library_films(preview.guild_id, slug=preview.slug)
        before = {d.sha256 for d in preview.existing.documents} if preview.existing else None
        if (before is None) != (not current) or (
            current and {d.sha256 for d in current[0].documents} != before
        ):
            return Refusal("changed", film=_ref(preview))
        documents = [NewDocument(u.name, u.sha256, u.data) for u in preview.used]
        async with self.library.changing_here() as moved:
            outcome = await state.store_library_documents(
                preview.guild_id,
                preview.slug,
                title=preview.film.title,
                year=preview.film.year,
                documents=documents,
                by=by,
                now=now,
                quota=self.quota,
            )
            if outcome in ("too_many_films", "too_many_bytes", "nothing_new"):
                return Refusal(outcome, film=_ref(preview))
            moved()
            await self.library.write(preview.film)
        return preview

    async def remove(self, guild_id: int, slug: str) -> bool:
        """Remove one of the server's films: its documents from the state store, then its rows."""
        async with self.lock(guild_id), self.library.changing_here() as moved:
            removed = await self.library.state.remove_library_film(guild_id, slug)
            if removed:
                moved()
            written = await self.library.remove(FilmSource(slug, guild_id, ()).key)
        return removed or written


def _source(
    slug: str, guild_id: int, uploads: Sequence[Upload], stored: Sequence[StoredDocument] = ()
) -> FilmSource:
    docs = [DocumentSource(d.name, d.sha256, data=d.data) for d in stored]
    docs += [DocumentSource(u.name, u.sha256, data=u.data) for u in uploads]
    return FilmSource(slug, guild_id, tuple(sorted(docs, key=lambda d: d.name)))


def _ref(preview: Preview) -> FilmRef:
    return FilmRef(preview.film.key, preview.film.title, preview.film.year, preview.guild_id)


def _unusable(prepared: Prepared, uploads: Sequence[Upload]) -> list[Refused]:
    """Each document's reason when no film could be made of them."""
    out = []
    for upload in uploads:
        prefix = f"/{upload.name}: "
        notes = [w.split(prefix, 1)[1] for w in prepared.warnings if prefix in w]
        out.append(Refused(upload.original, "; ".join(notes) or "nothing in it could be used"))
    if not isinstance(prepared, FilmRecord) and not out:  # an Unusable: why none could be made
        out.append(Refused("(documents)", "nothing in them could be used"))
    return out


def _same_film(own: Sequence[LibraryFilm], film: FilmRecord, slug: str | None) -> LibraryFilm | None:
    """The server's film these documents are about: the same slug (a title given), or the same title and a
    year that does not differ."""
    for existing in own:
        if slug is not None and existing.slug == slug:
            return existing
        same_year = existing.year == film.year or None in (existing.year, film.year)
        if existing.title.casefold() == film.title.casefold() and same_year:
            return existing
    return None


def _free_slug(slug: str, year: int | None, own: Sequence[LibraryFilm]) -> str:
    taken = {f.slug for f in own}
    if slug not in taken:
        return slug
    if year is not None and f"{slug}-{year}" not in taken:
        return f"{slug}-{year}"
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _unique(name: str, taken: set[str]) -> str:
    stem, _, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}.{ext}", n + 1
    taken.add(candidate)
    return candidate
