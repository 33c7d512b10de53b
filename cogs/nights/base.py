"""What the movie-night command groups share: the `/movienight` group (and its `poll` subgroup), the organiser
check, ephemeral replies, and the autocompletes. `MovieNight` (cog.py) combines the command mixins
(schedule.py, changes.py, polls.py) over this base; discord.py collects their commands through the MRO."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_PINGS
from bot.nights.library import Library
from bot.nights.scheduler import Scheduler
from bot.nights.timeparse import timezone_names
from bot.present import nights as present
from bot.present import polls as present_polls
from bot.storage.state import Night

if TYPE_CHECKING:
    from bot.client import FilmBot
    from cogs.nights.pollposter import DiscordPollPoster
    from cogs.nights.poster import DiscordPoster

log = logging.getLogger(__name__)

movienight = app_commands.Group(
    name="movienight", description="Plan movie nights: schedule, RSVP, reminders, polls", guild_only=True
)
poll_group = app_commands.Group(
    name="poll", description="A poll that picks the next film (needs Manage Events)", parent=movienight
)


def manage_events_only() -> Any:
    """The check for organiser commands (raises MissingPermissions, answered by the tree's error handler)."""
    return app_commands.checks.has_permissions(manage_events=True)


def is_organiser(interaction: discord.Interaction[Any]) -> bool:
    permissions = getattr(interaction, "permissions", None)
    return bool(permissions is not None and permissions.manage_events)


async def say(interaction: discord.Interaction[Any], content: str) -> None:
    """An ephemeral reply that pings nobody, whether or not the interaction was answered already."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_PINGS)


class NightsBase(commands.Cog):
    """Set up by `MovieNight.__init__`; the mixins' commands run with the cog as `self`."""

    bot: FilmBot
    library: Library
    poster: DiscordPoster
    poll_poster: DiscordPollPoster
    scheduler: Scheduler

    async def upcoming(self, interaction: discord.Interaction[Any], night_id: int) -> Night | None:
        """The server's night `night_id` if it is open (scheduled, not over); else answers and None."""
        night = await self.bot.state.get_night(night_id)
        if night is None or night.guild_id != interaction.guild_id or not night.is_open(self.bot.clock.now()):
            await say(interaction, present.night_not_found(night_id))
            return None
        return night

    def channel_name(self, guild_id: int | None, channel_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id) if guild_id is not None else None
        channel = guild.get_channel(channel_id) if guild is not None else None
        return channel.name if channel is not None else None

    # -- autocomplete ---------------------------------------------------------------------------------------

    async def film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            films = await self.library.find(interaction.guild_id, current, limit=25)
        except Exception:
            log.warning("film autocomplete failed", exc_info=True)
            return []
        return [app_commands.Choice(name=present.film_choice(f), value=f.slug) for f in films[:25]]

    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in timezone_names(current, 25)]

    async def night_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        nights = await self.bot.state.upcoming_nights(interaction.guild_id, self.bot.clock.now())
        text = current.strip().lstrip("#").lower()
        return [
            app_commands.Choice(name=present.night_choice(n), value=n.id)
            for n in nights
            if not text or text in present.night_choice(n).lower()
        ][:25]

    async def poll_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        polls = await self.bot.state.guild_polls(interaction.guild_id, ("open",))
        text = current.strip().lstrip("#").lower()
        return [
            app_commands.Choice(name=present_polls.poll_choice(p), value=p.id)
            for p in polls
            if not text or text in present_polls.poll_choice(p).lower()
        ][:25]
