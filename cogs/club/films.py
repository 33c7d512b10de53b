"""Which films a server has, for the club's commands: the one place the club's film lookups go through.

A server sees the shared films and its own (`Knowledge.for_guild`), never another server's. `resolve` also finds films that are only in the server's history
(watched or rated, then removed from the library) when asked to, so their reviews and history stay reachable.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.club.scores import critics_score
from bot.club.stats import FilmFacts, people
from bot.storage.errors import KnowledgeUnavailable, LookupFailed
from bot.storage.models import FilmRef
from cogs.club.hooks import record_nights

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)


async def library_lookup(bot: FilmBot, guild_id: int | None, text: str | None) -> FilmRef:
    """The server's film that `text` names (raises LookupFailed / FilmAmbiguous like the knowledge base)."""
    return await bot.knowledge.for_guild(guild_id).resolve_film(text)


async def library_search(bot: FilmBot, guild_id: int | None, text: str, limit: int = 25) -> list[FilmRef]:
    return await bot.knowledge.for_guild(guild_id).find_films(text, limit=limit)


def _same(film: FilmRef, text: str) -> bool:
    folded = " ".join(text.split()).casefold()
    return folded in {film.slug.casefold(), film.title.casefold(), f"{film.title} ({film.year})".casefold()}


async def resolve(
    bot: FilmBot,
    guild_id: int | None,
    text: str | None,
    *,
    history: bool = False,
    last_watched: bool = False,
) -> FilmRef:
    """The film `text` names in the server's library; with `history`, also one the server watched or rated
    that the library no longer has (named exactly). With `last_watched`, no text means the film of the
    server's latest movie night that has happened (else the library's only film)."""
    if last_watched and guild_id is not None and not (text or "").strip():
        await record_nights(bot, now=bot.clock.now(), guild_id=guild_id)
        latest = await bot.state.screenings(guild_id, limit=1)
        if latest:
            return latest[0].film
    try:
        return await library_lookup(bot, guild_id, text)
    except (LookupFailed, KnowledgeUnavailable):
        if not history or guild_id is None or not text:
            raise
        past = await bot.state.club_films(guild_id)
        found = next((film for film in past if _same(film, text)), None)
        if found is None:
            raise
        return found


async def search(bot: FilmBot, guild_id: int | None, text: str, *, history: bool = False) -> list[FilmRef]:
    """Films for autocomplete: the library's best matches, then (with `history`) past films it lacks."""
    try:
        found = await library_search(bot, guild_id, text)
    except KnowledgeUnavailable:
        found = []
    if history and guild_id is not None:
        slugs = {film.slug for film in found}
        needle = text.casefold().strip()
        found += [
            film
            for film in await bot.state.club_films(guild_id)
            if film.slug not in slugs and needle in film.title.casefold()
        ]
    return found


async def facts(bot: FilmBot, guild_id: int | None, slug: str) -> FilmFacts | None:
    """Directors, cast and critics' score of a film the server sees; None when it has no such film."""
    library = bot.knowledge.for_guild(guild_id)
    try:
        overview = await library.overview(slug)
        cast = await library.cast(slug)
        reception = await library.reception(slug)
    except (LookupFailed, KnowledgeUnavailable):
        return None
    director = overview.facts.get("director")
    return FilmFacts(
        directors=tuple(people(director.value)) if director else (),
        actors=tuple(c.actor for c in sorted(cast, key=lambda c: c.billing) if c.actor.strip()),
        critics=critics_score(reception),
    )
