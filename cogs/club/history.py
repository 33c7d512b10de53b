"""/history and /stats: what the club watched, and what it adds up to.

Thin: record any night that has ended (so nothing depends on the after-film post having gone out), read the
history and ratings from the state store and each film's facts from the knowledge base (`cogs.club.films`),
compute (`bot.club.stats`), present (`bot.present.history`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.club import stats as club_stats
from bot.club.scores import CriticsScore
from bot.club.stats import FilmFacts
from bot.present import history as present
from bot.present import paging
from bot.present.ratings import NOT_IN_GUILD
from bot.present.reply import Reply
from cogs.club import films
from cogs.club.hooks import record_nights
from cogs.club.ratings import say
from cogs.film import per_user_cooldown, respond

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

PRIVATE = "Show the answer only to you"


class History(commands.Cog):
    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Record the nights that ended while the bot was down (their after-film post may have been skipped)."""
        paging.register(self.bot, "history", self._history_pages, "/history")
        try:
            await record_nights(self.bot, now=self.bot.clock.now())
        except Exception:
            log.warning("could not record the nights that ended meanwhile; /history will", exc_info=True)

    async def cog_unload(self) -> None:
        paging.unregister(self.bot, "history")

    async def _facts(self, guild_id: int, slugs: Iterable[str]) -> dict[str, FilmFacts | None]:
        return {slug: await films.facts(self.bot, guild_id, slug) for slug in dict.fromkeys(slugs)}

    @app_commands.command(
        name="history", description="What the club watched, with its scores and the critics'"
    )
    @app_commands.guild_only()
    @app_commands.describe(private=PRIVATE)
    @per_user_cooldown()
    async def history(self, interaction: discord.Interaction[Any], private: bool = False) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await say(interaction, NOT_IN_GUILD)
            return
        await record_nights(self.bot, now=self.bot.clock.now(), guild_id=guild_id)
        pages = await self._history_pages(interaction, "")
        await respond(interaction, pages, private=private, kind="history", key="")

    async def _history_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply]:
        """The pages of /history for the server the interaction is in (rendered again when a page is turned)."""
        guild_id = interaction.guild_id
        if guild_id is None:
            return []
        screenings = await self.bot.state.screenings(guild_id)
        slugs = [s.film.slug for s in screenings]
        verdicts = await self.bot.state.verdicts(guild_id, list(dict.fromkeys(slugs)))
        facts = await self._facts(guild_id, slugs)
        scores: dict[str, CriticsScore | None] = {
            slug: known.critics if known else None for slug, known in facts.items()
        }
        return present.history_pages(screenings, verdicts, scores)

    @app_commands.command(name="stats", description="The club in numbers: films, hours, favourites, regulars")
    @app_commands.guild_only()
    @app_commands.describe(private=PRIVATE)
    @per_user_cooldown()
    async def stats(self, interaction: discord.Interaction[Any], private: bool = False) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await say(interaction, NOT_IN_GUILD)
            return
        await record_nights(self.bot, now=self.bot.clock.now(), guild_id=guild_id)
        store = self.bot.state
        screenings = await store.screenings(guild_id)
        rated = await store.rated_films(guild_id)
        facts = await self._facts(
            guild_id, [*(s.film.slug for s in screenings), *(film.slug for film, _ in rated)]
        )
        computed = club_stats.compute(screenings, rated, facts, await store.regulars(guild_id))
        await respond(interaction, [present.stats_reply(computed)], private=private)
