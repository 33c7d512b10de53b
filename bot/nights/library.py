"""Film lookups for movie nights, the watchlist and polls, in one place.

Every lookup goes through `Library` with the server's id: a server sees the shared films and its own
(`Knowledge.for_guild`), never another server's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.nights.offsets import parse_runtime
from bot.nights.watchlist import Title, library_match, title_key
from bot.storage.errors import KnowledgeUnavailable, LookupFailed
from bot.storage.models import FilmRef, Overview
from bot.storage.state.watchlist import UNLISTED_PREFIX

if TYPE_CHECKING:
    from bot.storage.knowledge import GuildKnowledge, Knowledge
    from bot.storage.state import StateStore

log = logging.getLogger(__name__)


class Library:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    def _scoped(self, guild_id: int | None) -> GuildKnowledge:
        """The films a server sees: the shared ones and its own."""
        return self.knowledge.for_guild(guild_id)

    async def films(self, guild_id: int | None) -> list[FilmRef]:
        return await self._scoped(guild_id).films()

    async def find(self, guild_id: int | None, text: str, limit: int = 25) -> list[FilmRef]:
        return await self._scoped(guild_id).find_films(text, limit=limit)

    async def resolve(self, guild_id: int | None, text: str | None) -> FilmRef:
        """The film `text` means (raises the knowledge layer's lookup errors, answered by the error handler)."""
        return await self._scoped(guild_id).resolve_film(text)

    async def overview(self, guild_id: int | None, slug: str) -> Overview | None:
        """A film's overview, or None when it has none (not in the library, or the library is unavailable)."""
        if slug.startswith(UNLISTED_PREFIX):  # a watchlist suggestion that is not in the library
            return None
        try:
            return await self._scoped(guild_id).overview(slug)
        except (LookupFailed, KnowledgeUnavailable):
            log.warning("no overview for film %r; posting without details", slug)
            return None

    async def runtime(self, guild_id: int | None, slug: str) -> int | None:
        return runtime_of(await self.overview(guild_id, slug))

    async def link_watchlist(self, store: StateStore, guild_id: int | None = None) -> int:
        """Link watchlist suggestions to library films added since (of one server, or of all)."""
        entries = await store.unlinked_entries(guild_id)
        links = {}
        for entry in entries:
            film = library_match(
                Title(entry.title, entry.year, title_key(entry.title)), await self.films(entry.guild_id)
            )
            if film is not None:
                links[entry.id] = film
        linked = await store.link_entries(links) if links else 0
        if linked:
            log.info("linked %d watchlist suggestion(s) to library films", linked)
        return linked


def runtime_of(overview: Overview | None) -> int | None:
    """Minutes, as the knowledge base stores them (None when unknown)."""
    if overview is None:
        return None
    if overview.runtime_minutes is not None:
        return overview.runtime_minutes
    return parse_runtime(overview.facts["runtime"].value) if "runtime" in overview.facts else None
