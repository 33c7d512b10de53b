"""/watchlist: the films members suggest for movie nights.

    /watchlist add title [year]   suggest a film (anyone); the same film suggested again counts a supporter
    /watchlist show               the list, paged: supporters, who suggested it, watched or not, premise
    /watchlist remove entry       the suggester or an organiser removes it; a supporter withdraws support

A title found in the server's library (fuzzy title and year) is linked to its knowledge; any other is kept
as typed and linked later, when documents for it are added (checked when the bot starts, and whenever the
list is shown or a poll drawn from it). Caps: `MEMBER_CAP` open suggestions per member, `SERVER_CAP` per
server. A night showing a film marks its entry watched (when its start post goes out).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.nights.library import Library
from bot.nights.watchlist import (
    MEMBER_CAP,
    SERVER_CAP,
    TITLE_MAX,
    TitleError,
    clean_title,
    library_match,
    same_film,
)
from bot.present import limits, paging
from bot.present import nights as present_nights
from bot.present import watchlist as present
from bot.present.reply import Reply
from cogs.nights.base import is_organiser, say

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)


@app_commands.guild_only()
class Watchlist(
    commands.GroupCog, group_name="watchlist", group_description="The club's watchlist: suggest films"
):
    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        self.library = Library(bot.knowledge)

    async def cog_load(self) -> None:
        paging.register(self.bot, "watchlist", self._pages, "/watchlist show")
        try:
            await self.library.link_watchlist(self.bot.state)
        except Exception:
            log.warning("could not link watchlist suggestions to the library", exc_info=True)

    async def cog_unload(self) -> None:
        paging.unregister(self.bot, "watchlist")

    # -- autocomplete -------------------------------------------------------------------------------------------

    async def title_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Library films, so a suggestion can name one exactly (any other title can still be typed)."""
        try:
            films = await self.library.find(interaction.guild_id, current, limit=25)
        except Exception:
            log.warning("watchlist title autocomplete failed", exc_info=True)
            return []
        names = [present_nights.film_name(f) for f in films]
        return [
            app_commands.Choice(name=present_nights.film_choice(f), value=name)
            for f, name in zip(films, names, strict=True)
            if len(name) <= limits.CHOICE_VALUE
        ][:25]

    async def entry_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        entries = await self.bot.state.watchlist(interaction.guild_id, watched=False)
        text = current.strip().casefold()
        return [
            app_commands.Choice(name=present.entry_choice(e), value=e.id)
            for e in entries
            if not text or text in e.title.casefold()
        ][:25]

    # -- commands -----------------------------------------------------------------------------------------------

    @app_commands.command(name="add", description="Suggest a film for a movie night")
    @app_commands.describe(title=present.TITLE_HELP, year="The year it came out, if the title is ambiguous")
    @app_commands.autocomplete(title=title_autocomplete)
    async def add(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, TITLE_MAX],
        year: app_commands.Range[int, 1870, 2100] | None = None,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        try:
            cleaned = clean_title(title, year, this_year=self.bot.clock.now().year)
        except TitleError as error:
            await say(interaction, present.title_error(str(error)))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        film = library_match(cleaned, await self.library.films(guild_id))
        outcome = await self.bot.state.add_suggestion(
            guild_id=guild_id,
            user_id=interaction.user.id,
            title=cleaned.text,
            title_key=cleaned.key,
            year=cleaned.year,
            film=film,
            same=lambda key, other_year: same_film(cleaned.key, cleaned.year, key, other_year),
            member_cap=MEMBER_CAP,
            server_cap=SERVER_CAP,
            now=self.bot.clock.now(),
        )
        if outcome.result == "member_cap":
            await say(interaction, present.member_cap(outcome.open_count))
            return
        if outcome.result == "server_cap":
            await say(interaction, present.server_cap())
            return
        entry = outcome.entry
        assert entry is not None
        log.info(
            "watchlist %d in guild %d: %s by %d", entry.id, guild_id, outcome.result, interaction.user.id
        )
        overview = await self.library.overview(guild_id, entry.film.slug) if entry.film else None
        await say(interaction, present.added(outcome, overview))

    @app_commands.command(name="show", description="The watchlist: suggested films, most supported first")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = cast(int, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.library.link_watchlist(self.bot.state, guild_id)
        await paging.send_pages(
            interaction, await self._pages(interaction, ""), "watchlist", "", private=True
        )

    async def _pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply]:
        """The pages of /watchlist show for the server the interaction is in (rendered again on a click)."""
        if interaction.guild_id is None:
            return []
        guild_id = interaction.guild_id
        entries = await self.bot.state.watchlist(guild_id)
        premises = {}
        for entry in entries:
            if entry.film is not None and not entry.watched:
                overview = await self.library.overview(guild_id, entry.film.slug)
                if overview is not None and overview.premise.strip():
                    premises[entry.id] = overview.premise
        server = interaction.guild.name if interaction.guild is not None else "this server"
        return present.watchlist_pages(entries, premises, server=server)

    @app_commands.command(name="remove", description="Remove a suggestion (yours, or any with Manage Events)")
    @app_commands.describe(entry="The suggestion (pick from the list as you type)")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def remove(self, interaction: discord.Interaction[Any], entry: int) -> None:
        result, found = await self.bot.state.remove_suggestion(
            guild_id=cast(int, interaction.guild_id),
            entry_id=entry,
            user_id=interaction.user.id,
            organiser=is_organiser(interaction),
            now=self.bot.clock.now(),
        )
        if result in ("removed", "unsupported"):
            log.info("watchlist %d: %s by %d", entry, result, interaction.user.id)
        await say(interaction, present.removed(result, found, entry))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Watchlist(cast("FilmBot", bot)))
