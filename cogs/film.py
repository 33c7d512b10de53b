"""Film commands: /movie, /cast, /plot, /soundtrack, /reception, /search, /sources.

Each command: parse options, call a query, present, respond. Lookup errors (unknown film or name) go to the
tree-level error handler, which answers ephemerally with the closest names.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.present import film as present
from bot.present import paging
from bot.present.errors import blank_option
from bot.present.reply import NO_MENTIONS, Reply
from bot.present.text import given
from cogs.club.hooks import after_critics, with_club_verdict

if TYPE_CHECKING:
    from bot.client import FilmBot
    from bot.storage.models import FilmRef

log = logging.getLogger(__name__)

FILM = "Which film (autocompleted; optional when the library has one)"
PRIVATE = "Show the answer only to you"
Part = Literal["beginning", "middle", "end"]


def per_user_cooldown() -> Any:
    """Five commands per ten seconds per user: enough to browse, not enough to spam."""
    return app_commands.checks.cooldown(5, 10.0, key=lambda i: i.user.id)


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

    async def _film(self, text: str | None) -> FilmRef:
        """The film an option names; an option that shows nothing (spaces, invisible characters) names none."""
        return await self.bot.knowledge.resolve_film(given(text))

    async def _by_slug(self, slug: str) -> FilmRef | None:
        return next((f for f in await self.bot.knowledge.films() if f.slug == slug), None)

    async def _cast_pages(self, interaction: discord.Interaction[Any], slug: str) -> list[Reply] | None:
        ref = await self._by_slug(slug)
        return None if ref is None else present.cast_pages(ref, await self.bot.knowledge.cast(slug))

    async def _plot_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply] | None:
        part, _, slug = key.partition(":")
        ref = await self._by_slug(slug)
        if ref is None or part not in (*present.PARTS, "all"):
            return None
        return present.plot(await self.bot.knowledge.plot(slug), None if part == "all" else part)

    async def film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        films = await self.bot.knowledge.find_films(current)
        return [app_commands.Choice(name=n, value=v) for n, v in present.film_choices(films, current)]

    async def name_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            film = await self._film(getattr(interaction.namespace, "film", None))
        except Exception:  # no film chosen yet among several, or a typo: nothing to suggest
            return []
        credits = await self.bot.knowledge.cast(film.slug)
        return [app_commands.Choice(name=n, value=v) for n, v in present.credit_choices(credits, current)]

    @app_commands.command(name="movie", description="Overview of a film: credits, dates, runtime, premise")
    @app_commands.describe(film=FILM)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def movie(self, interaction: discord.Interaction[Any], film: str | None = None) -> None:
        ref = await self._film(film)
        reply = present.overview(await self.bot.knowledge.overview(ref.slug))
        await respond(
            interaction, [await with_club_verdict(self.bot, interaction, ref, reply, detailed=False)]
        )

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
        ref = await self._film(film)
        if name is not None and given(name) is None:
            await interaction.response.send_message(
                blank_option("name", "/cast name:Paloma", "Leave `name` out for the whole cast."),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        if name is None:
            pages = present.cast_pages(ref, await self.bot.knowledge.cast(ref.slug))
        else:
            pages = [present.credit_matches(ref, name, await self.bot.knowledge.find_credits(ref.slug, name))]
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
        ref = await self._film(film)
        pages = present.plot(await self.bot.knowledge.plot(ref.slug), part)
        await respond(interaction, pages, private=private, kind="plot", key=f"{part or 'all'}:{ref.slug}")

    @app_commands.command(name="soundtrack", description="Score composer, featured music and songs")
    @app_commands.describe(film=FILM)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def soundtrack(self, interaction: discord.Interaction[Any], film: str | None = None) -> None:
        ref = await self._film(film)
        await respond(interaction, [present.soundtrack(await self.bot.knowledge.soundtrack(ref.slug))])

    @app_commands.command(name="reception", description="Critics' scores, consensus and quotes")
    @app_commands.describe(film=FILM, private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def reception(
        self, interaction: discord.Interaction[Any], film: str | None = None, private: bool = False
    ) -> None:
        ref = await self._film(film)
        known = await self.bot.knowledge.reception(ref.slug)
        reply = await with_club_verdict(
            self.bot, interaction, ref, present.reception(known), position=after_critics(known)
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
                blank_option("query", "/search query:cello"), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        named = given(film)
        slug = (await self._film(named)).slug if named or len(await self.bot.knowledge.films()) == 1 else None
        hits = await self.bot.knowledge.search(query, slug)
        await respond(interaction, [present.search(query, hits)], private=private)

    @app_commands.command(
        name="sources", description="The documents, how reliable each is, and where they differ"
    )
    @app_commands.describe(film=FILM, private=PRIVATE)
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def sources(
        self, interaction: discord.Interaction[Any], film: str | None = None, private: bool = False
    ) -> None:
        ref = await self._film(film)
        await respond(
            interaction, [present.sources(await self.bot.knowledge.sources(ref.slug))], private=private
        )


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Film(bot))
