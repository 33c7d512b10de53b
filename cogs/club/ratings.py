"""/rate, /unrate, /reviews, and the stars under a night's after-film post.

Thin: read options, check them (`bot.club`), call the state store, answer with `bot.present.ratings`. Every
answer to a rating is private; /reviews is public unless `private`. Film lookups go through `cogs.club.films`
(unknown films are answered by the tree's error handler with the closest names).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_PINGS
from bot.club.reviews import normalise
from bot.club.stars import StarsError, half_stars
from bot.present import paging
from bot.present import ratings as present
from bot.present.choices import film_choices
from bot.present.reply import Reply
from bot.storage.errors import KnowledgeUnavailable, LookupFailed
from bot.storage.state import HALF_STARS, UNSET
from cogs.club import films
from cogs.club.views import COG_NAME, RateButton
from cogs.film import per_user_cooldown, respond

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

FILM = "The film (autocompleted)"
LAST_FILM = "The film (autocompleted; the one the club watched last if left out)"


async def say(interaction: discord.Interaction[Any], content: str, **extra: Any) -> None:
    """A private answer that pings nobody, whether or not the interaction was answered already."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_PINGS, **extra)
    else:
        await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_PINGS, **extra)


class Ratings(commands.Cog, name=COG_NAME):
    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RateButton)
        paging.register(self.bot, "reviews", self._review_pages, "/reviews")

    async def cog_unload(self) -> None:
        paging.unregister(self.bot, "reviews")
        self.bot.remove_dynamic_items(RateButton)

    async def film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        found = await films.search(self.bot, interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=v) for n, v in film_choices(found, current)]

    async def past_film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        found = await films.search(self.bot, interaction.guild_id, current, history=True)
        return [app_commands.Choice(name=n, value=v) for n, v in film_choices(found, current)]

    # -- commands -------------------------------------------------------------------------------------------

    @app_commands.command(name="rate", description="Rate a film from ½ to 5 stars, with a review if you like")
    @app_commands.guild_only()
    @app_commands.describe(
        stars="½ to 5, in half stars: 3.5 is ★★★½",
        film=LAST_FILM,
        review=f"A few words (at most {present.REVIEW_MAX} characters; it can't ping anyone)",
        spoiler="Does your review give away the plot? It is then hidden behind a spoiler tag",
    )
    @app_commands.autocomplete(film=film_autocomplete)
    @per_user_cooldown()
    async def rate(
        self,
        interaction: discord.Interaction[Any],
        stars: app_commands.Range[float, 0.5, 5.0],
        film: app_commands.Range[str, 1, 100] | None = None,
        review: app_commands.Range[str, 1, present.REVIEW_MAX] | None = None,
        spoiler: bool | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await say(interaction, present.NOT_IN_GUILD)
            return
        try:
            half = half_stars(stars)
        except StarsError as error:
            await say(interaction, present.stars_error(error))
            return
        text = normalise(review)
        if text is not None and len(text) > present.REVIEW_MAX:
            kept = discord.File(io.BytesIO(text.encode()), filename="your-review.txt")
            await say(interaction, present.review_too_long(len(text)), file=kept)
            return
        ref = await films.resolve(self.bot, guild_id, film, last_watched=True)
        outcome = await self.bot.state.rate(
            guild_id,
            ref,
            interaction.user.id,
            half,
            now=self.bot.clock.now(),
            review=text if text is not None else UNSET,
            spoiler=bool(spoiler) if text is not None else (spoiler if spoiler is not None else UNSET),
        )
        log.info("guild %d: a member rated %s %d half stars", guild_id, ref.slug, half)
        await say(interaction, present.rated(outcome, film=ref))

    @app_commands.command(name="unrate", description="Take back your rating and review of a film")
    @app_commands.guild_only()
    @app_commands.describe(film=FILM)
    @app_commands.autocomplete(film=past_film_autocomplete)
    @per_user_cooldown()
    async def unrate(
        self, interaction: discord.Interaction[Any], film: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await say(interaction, present.NOT_IN_GUILD)
            return
        ref = await films.resolve(self.bot, guild_id, film, history=True)
        removed = await self.bot.state.unrate(guild_id, ref.slug, interaction.user.id)
        await say(interaction, present.unrated(ref, removed))

    @app_commands.command(name="reviews", description="What the club's members wrote about a film")
    @app_commands.guild_only()
    @app_commands.describe(film=LAST_FILM, private="Show the answer only to you")
    @app_commands.autocomplete(film=past_film_autocomplete)
    @per_user_cooldown()
    async def reviews(
        self,
        interaction: discord.Interaction[Any],
        film: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await say(interaction, present.NOT_IN_GUILD)
            return
        ref = await films.resolve(self.bot, guild_id, film, history=True, last_watched=True)
        pages = await self._review_pages(interaction, ref.slug)
        await respond(interaction, pages, private=private, kind="reviews", key=ref.slug)

    async def _review_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply]:
        """The pages of /reviews for the film `key` (a slug) in the interaction's server."""
        guild_id = interaction.guild_id
        if guild_id is None:
            return []
        try:
            ref = await films.resolve(self.bot, guild_id, key, history=True)
        except (LookupFailed, KnowledgeUnavailable):
            return []  # the film is gone: the pages have expired
        verdict = await self.bot.state.verdict(guild_id, ref.slug)
        written = await self.bot.state.reviews(guild_id, ref.slug)
        return present.reviews_pages(ref, verdict, written)

    # -- the stars under the after-film post ------------------------------------------------------------------

    async def rate_from_button(self, interaction: discord.Interaction[Any], night_id: int, half: int) -> None:
        if half not in HALF_STARS:
            await say(interaction, present.not_a_rating())
            return
        store, now = self.bot.state, self.bot.clock.now()
        night = await store.get_night(night_id)
        if night is None or night.guild_id != interaction.guild_id:
            await say(interaction, present.no_such_night(night_id))
            return
        if night.status == "cancelled" or night.ends_at > now:
            await say(interaction, present.rating_closed(night.status == "cancelled"))
            return
        if night.film is None:
            await say(interaction, present.no_film_to_rate())
            return
        outcome = await store.rate(
            night.guild_id, night.film, interaction.user.id, half, now=now, night_id=night.id
        )
        await say(interaction, present.rated(outcome, film=night.film, hint=True))
