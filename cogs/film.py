"""Film commands: /movie, /cast, /plot, /soundtrack, /reception, /search, /sources.

Each command: parse options, call a query, present, respond. Lookup errors (unknown film or name) go to the
tree-level error handler, which answers ephemerally with the closest names.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.present import choices as present_choices
from bot.present import film as present
from bot.present import paging
from bot.present.errors import blank_option
from bot.present.reply import NO_MENTIONS, Reply
from bot.present.text import given
from cogs.club.hooks import after_critics, with_club_verdict

if TYPE_CHECKING:
    from bot.client import FilmBot
    from bot.storage.knowledge import GuildKnowledge
    from bot.storage.models import Credit, FilmRef, SearchHit

log = logging.getLogger(__name__)

FILM = "Which film (autocompleted; optional when the library has one)"
PRIVATE = "Show the answer only to you"
REPLIES = 512  # answers to /search and /cast name kept rendered, each (least recently used first out)
Part = Literal["beginning", "middle", "end"]


class UserCooldown:
    """At most `rate` uses per `per` seconds per user. discord.py's own cooldown check walks every user seen in
    the window on each use (7% of the bot's time at 700 interactions/s); this one forgets users from the
    oldest end, so a use costs the same however many members are active."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self.seen: OrderedDict[int, deque[float]] = OrderedDict()  # by last use, oldest first

    def retry_after(self, user_id: int, now: float) -> float:
        """0 when the user may go on (counted), else the seconds until they may."""
        while self.seen:
            oldest = next(iter(self.seen.values()))
            if now - oldest[-1] < self.per:
                break
            self.seen.popitem(last=False)
        times = self.seen.pop(user_id, None) or deque()
        while times and now - times[0] >= self.per:
            times.popleft()
        if len(times) < self.rate:
            times.append(now)
            self.seen[user_id] = times
            return 0.0
        self.seen[user_id] = times
        return self.per - (now - times[0])


def per_user_cooldown(rate: int = 5, per: float = 10.0) -> Any:
    """Five commands per ten seconds per user: enough to browse, not enough to spam. A refusal is discord.py's
    CommandOnCooldown, answered by the tree's error handler."""
    cooldown = UserCooldown(rate, per)

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        wait = cooldown.retry_after(interaction.user.id, interaction.created_at.timestamp())
        if wait > 0:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(rate, per), wait)
        return True

    return app_commands.check(predicate)


@lru_cache(maxsize=REPLIES)
def _search_reply(query: str, hits: tuple[SearchHit, ...]) -> Reply:
    """The search's answer, rendered once for the same query and hits (the hits of a film changed since
    differ, so they are rendered anew)."""
    return present.search(query, list(hits))


@lru_cache(maxsize=REPLIES)
def _credits_reply(film: FilmRef, name: str, credits: tuple[Credit, ...]) -> Reply:
    """/cast name's answer, rendered once for the same film, name and credits."""
    return present.credit_matches(film, name, list(credits))


async def respond(
    interaction: discord.Interaction[Any],
    pages: Sequence[Reply],
    *,
    private: bool = False,
    kind: str = "",
    key: str = "",
) -> None:
    """Send one reply, or the first of several pages with Previous/Next buttons (`kind`/`key` name them, so
    a click renders the page again, after a restart too)."""
    await paging.send_pages(interaction, pages, kind, key, private=private)


class Film(commands.Cog):
    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        paging.register(self.bot, "cast", self._cast_pages, "/cast")
        paging.register(self.bot, "plot", self._plot_pages, "/plot")

    async def cog_unload(self) -> None:
        paging.unregister(self.bot, "cast")
        paging.unregister(self.bot, "plot")

    def _library(self, interaction: discord.Interaction[Any]) -> GuildKnowledge:
        """The films this server sees: the shared ones and its own (only the shared ones in a DM)."""
        return self.bot.knowledge.for_guild(interaction.guild_id)

    async def _film(self, interaction: discord.Interaction[Any], text: str | None) -> FilmRef:
        """The film an option names; an option that shows nothing (spaces, invisible characters) names none."""
        return await self._library(interaction).resolve_film(given(text))

    async def _cast_pages(self, interaction: discord.Interaction[Any], slug: str) -> list[Reply] | None:
        library = self._library(interaction)
        ref = await library.film(slug)
        if ref is None:
            return None
        credits = await library.cast(slug)
        return library.memo(slug, ("cast",), lambda: present.cast_pages(ref, credits))

    async def _plot_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply] | None:
        part, _, slug = key.partition(":")
        library = self._library(interaction)
        if await library.film(slug) is None or part not in (*present.PARTS, "all"):
            return None
        plot, chosen = await library.plot(slug), None if part == "all" else part
        return library.memo(slug, ("plot", chosen), lambda: present.plot(plot, chosen))

    async def film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        films = await self._library(interaction).find_films(current)
        return [app_commands.Choice(name=n, value=v) for n, v in present_choices.film_choices(films, current)]

    async def name_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            film = await self._film(interaction, getattr(interaction.namespace, "film", None))
        except Exception:  # no film chosen yet among several, or a typo: nothing to suggest
            return []
        credits = await self._library(interaction).cast(film.slug)
        return [
            app_commands.Choice(name=n, value=v) for n, v in present_choices.credit_choices(credits, current)
        ]

    @app_commands.command(name="movie", description="Overview of a film: credits, dates, runtime, premise")
    @app_commands.describe(film=FILM)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def movie(self, interaction: discord.Interaction[Any], film: str | None = None) -> None:
        ref = await self._film(interaction, film)
        library = self._library(interaction)
        overview = await library.overview(ref.slug)
        reply = library.memo(ref.slug, ("movie",), lambda: present.overview(overview))
        with_verdict = await with_club_verdict(
            self.bot,
            interaction,
            ref,
            reply,
            detailed=False,
            remember=lambda name, compute: library.memo(ref.slug, ("movie", *name), compute),
        )
        await respond(interaction, [with_verdict])

    @app_commands.command(name="cast", description="The cast in billing order, or who plays a character")
    @app_commands.describe(name="An actor or a character (typos are fine)", film=FILM, private=PRIVATE)
    @app_commands.autocomplete(name=name_autocomplete, film=film_autocomplete)
    @per_user_cooldown()
    async def cast(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100] | None = None,
        film: str | None = None,
        private: bool = False,
    ) -> None:
        ref = await self._film(interaction, film)
        if name is not None and given(name) is None:
            await interaction.response.send_message(
                blank_option(
                    "name", "/cast name:<an actor or a character>", "Leave `name` out for the whole cast."
                ),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        if name is None:
            library = self._library(interaction)
            credits = await library.cast(ref.slug)
            pages = library.memo(ref.slug, ("cast",), lambda: present.cast_pages(ref, credits))
        else:
            found = await self._library(interaction).find_credits(ref.slug, name)
            pages = [_credits_reply(ref, name, tuple(found))]
        await respond(interaction, pages, private=private, kind="cast", key=ref.slug)

    @app_commands.command(
        name="plot", description="The premise, then every plot beat behind its own spoiler tag"
    )
    @app_commands.describe(film=FILM, part="Only the beginning, middle or end", private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def plot(
        self,
        interaction: discord.Interaction[Any],
        film: str | None = None,
        part: Part | None = None,
        private: bool = False,
    ) -> None:
        ref = await self._film(interaction, film)
        library = self._library(interaction)
        plot = await library.plot(ref.slug)
        pages = library.memo(ref.slug, ("plot", part), lambda: present.plot(plot, part))
        await respond(interaction, pages, private=private, kind="plot", key=f"{part or 'all'}:{ref.slug}")

    @app_commands.command(name="soundtrack", description="Score composer, classical pieces and songs")
    @app_commands.describe(film=FILM)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def soundtrack(self, interaction: discord.Interaction[Any], film: str | None = None) -> None:
        ref = await self._film(interaction, film)
        library = self._library(interaction)
        soundtrack = await library.soundtrack(ref.slug)
        await respond(
            interaction, [library.memo(ref.slug, ("soundtrack",), lambda: present.soundtrack(soundtrack))]
        )

    @app_commands.command(name="reception", description="Critics' scores, consensus and quotes")
    @app_commands.describe(film=FILM, private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def reception(
        self, interaction: discord.Interaction[Any], film: str | None = None, private: bool = False
    ) -> None:
        ref = await self._film(interaction, film)
        library = self._library(interaction)
        known = await library.reception(ref.slug)
        rendered = library.memo(ref.slug, ("reception",), lambda: present.reception(known))
        reply = await with_club_verdict(
            self.bot,
            interaction,
            ref,
            rendered,
            position=after_critics(known),
            remember=lambda name, compute: library.memo(ref.slug, ("reception", *name), compute),
        )
        await respond(interaction, [reply], private=private)

    @app_commands.command(name="search", description="Search the documents about a film")
    @app_commands.describe(query="Words to look for", film=FILM, private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def search(
        self,
        interaction: discord.Interaction[Any],
        query: app_commands.Range[str, 1, 200],
        film: str | None = None,
        private: bool = False,
    ) -> None:
        if given(query) is None:
            await interaction.response.send_message(
                blank_option("query", "/search query:<a word or a phrase>"),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        named = given(film)
        slug = (
            (await self._film(interaction, named)).slug
            if named or len(await self._library(interaction).films()) == 1
            else None
        )
        hits = await self._library(interaction).search(query, slug)
        await respond(interaction, [_search_reply(query, tuple(hits))], private=private)

    @app_commands.command(
        name="sources", description="The documents, how reliable each is, and where they differ"
    )
    @app_commands.describe(film=FILM, private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def sources(
        self, interaction: discord.Interaction[Any], film: str | None = None, private: bool = False
    ) -> None:
        ref = await self._film(interaction, film)
        library = self._library(interaction)
        sources = await library.sources(ref.slug)
        await respond(
            interaction,
            [library.memo(ref.slug, ("sources",), lambda: present.sources(sources))],
            private=private,
        )


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Film(bot))
