"""The movie-night cog: `/movienight` (schedule, edit, cancel, list, rsvps, settings, poll start|end), the
RSVP buttons' answers, and the one scheduler task (started in `cog_load`, stopped in `cog_unload`).

Thin: read options, call the state store and the nights logic, render with `bot.present`, reply. The command
groups live in mixins, one module each, read top to bottom: schedule.py (schedule, series), changes.py (edit,
cancel, "this night or the whole series?"), polls.py (polls and their results); this module adds the
commands that only read or set defaults. The Discord side of delivering posts is poster.py and
pollposter.py; the buttons and the form are views.py.

Permissions: schedule, edit, cancel, settings and poll need Manage Events, enforced by a check
(`manage_events_only`); the bot's tree-level error handler answers a refusal ephemerally. `default_permissions`
is not used: Discord ignores it on subcommands, and `/movienight list` and `rsvps` are for everyone.
Knowledge lookup errors also go to that handler; unreadable times and settings are answered here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.client import NO_PINGS
from bot.nights.library import Library
from bot.nights.offsets import OffsetError, parse_offsets
from bot.nights.scheduler import Scheduler
from bot.nights.timeparse import ParseError, resolve_timezone
from bot.nights.usual import parse_usual
from bot.present import nights as present
from bot.present import paging
from bot.present import polls as present_polls
from bot.present.errors import STATE_UNAVAILABLE
from bot.present.reply import Reply
from bot.present.text import given
from bot.storage.errors import StateUnavailable
from bot.storage.state import UNSET, Answer
from cogs.nights.base import NightsBase, manage_events_only, movienight, say
from cogs.nights.changes import Changes
from cogs.nights.pollposter import DiscordPollPoster
from cogs.nights.polls import PollCommands
from cogs.nights.poster import DiscordPoster
from cogs.nights.views import COG_NAME, PollResultButton, RsvpButton, ScopeButton, rsvp_view

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

LIST_LIMIT = 1000  # nights /movienight list pages through (autocomplete offers the first 25)

DYNAMIC_ITEMS = (RsvpButton, PollResultButton, ScopeButton)


class MovieNight(PollCommands, name=COG_NAME):
    movienight = movienight

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        self.library = Library(bot.knowledge)
        self.poster = DiscordPoster(bot, self.library)
        self.poll_poster = DiscordPollPoster(bot, self.poster)
        self.pending: dict[str, Changes] = {}
        self.scheduler = Scheduler(
            bot.state,
            self.poster,
            bot.clock,
            shards=bot.served_shards,
            poll_poster=self.poll_poster,
            series_poster=self.poster,
            films=self.library,
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        paging.register(self.bot, "nights", self._night_pages, "/movienight list")
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()
        paging.unregister(self.bot, "nights")
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @movienight.command(
        name="list", description="Upcoming movie nights and polls, with RSVPs and delivery problems"
    )
    async def list_nights(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild_id is None:
            await say(interaction, present.NOT_IN_GUILD)
            return
        pages = await self._night_pages(interaction, "")
        await paging.send_pages(interaction, pages, "nights", "", private=True)

    async def _night_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply]:
        """The pages of /movienight list for the server the interaction is in (rendered again on a click)."""
        if interaction.guild_id is None:
            return [Reply(present.NOT_IN_GUILD, ephemeral=True)]
        store, now = self.bot.state, self.bot.clock.now()
        nights = await store.upcoming_nights(interaction.guild_id, now, limit=LIST_LIMIT)
        ids = [n.id for n in nights]
        texts = present.night_list(nights, await store.rsvp_counts_for(ids), await store.problem_jobs(ids))
        polls = await store.guild_polls(interaction.guild_id, ("scheduled", "open"))
        polls += await store.guild_polls(
            interaction.guild_id, ("failed",), since=now - present_polls.FAILED_SHOWN
        )
        lines = present_polls.poll_lines(polls)
        if lines:
            texts = present_polls.with_polls(texts, lines)
        return [Reply(text, ephemeral=True) for text in texts]

    @movienight.command(name="rsvps", description="Who is coming to a movie night")
    @app_commands.rename(night_id="id")
    @app_commands.describe(night_id="The movie night (see /movienight list)")
    @app_commands.autocomplete(night_id=NightsBase.night_autocomplete)
    async def rsvps(self, interaction: discord.Interaction[Any], night_id: int) -> None:
        night = await self.bot.state.get_night(night_id)
        if night is None or night.guild_id != interaction.guild_id:
            await say(interaction, present.night_not_found(night_id))
            return
        await say(interaction, present.rsvp_list(night, await self.bot.state.rsvps(night.id)))

    @movienight.command(
        name="settings", description="Show or change movie night defaults (needs Manage Events)"
    )
    @app_commands.describe(
        channel="Default channel for announcements",
        timezone="Default timezone for `when`, e.g. Europe/London",
        role="Default role to ping",
        reminders="Reminders before the start, e.g. '24h,15m' (or 'none')",
        clear_role="Stop pinging a role by default",
        usual_night="The club's usual night, e.g. 'friday 20:00' (or 'none'): prefills \"Schedule it\"",
    )
    @app_commands.autocomplete(timezone=NightsBase.timezone_autocomplete)
    @manage_events_only()
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        role: discord.Role | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        clear_role: bool = False,
        usual_night: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        store = self.bot.state
        options = (channel, timezone, role, reminders, usual_night)
        if all(option is None for option in options) and not clear_role:
            current = await store.guild_settings(guild_id)
            await say(interaction, present_polls.with_usual(present.settings_summary(current), current))
            return
        timezone, reminders, usual_night = given(timezone), given(reminders), given(usual_night)
        try:
            zone = str(resolve_timezone(timezone)) if timezone is not None else UNSET
            offsets = parse_offsets(reminders) if reminders is not None else UNSET
            usual = parse_usual(usual_night) if usual_night is not None else UNSET
        except (ParseError, OffsetError) as error:
            await say(interaction, present.settings_error(str(error)))
            return
        if role is not None and role.is_default():
            await say(interaction, present.everyone_role())
            return
        updated = await store.update_guild_settings(
            guild_id,
            now=self.bot.clock.now(),
            channel_id=channel.id if channel is not None else UNSET,
            timezone=zone,
            role_id=role.id if role is not None else (None if clear_role else UNSET),
            reminders=offsets,
            usual=UNSET if usual is UNSET else (None if usual is None else (usual[0], f"{usual[1]:%H:%M}")),
        )
        await say(
            interaction, present_polls.with_usual(present.settings_summary(updated, changed=True), updated)
        )

    # -- RSVP -----------------------------------------------------------------------------------------------

    async def answer_rsvp(self, interaction: discord.Interaction[Any], night_id: int, answer: Answer) -> None:
        try:
            await self._answer_rsvp(interaction, night_id, answer)
        except StateUnavailable as error:  # buttons have no tree-level handler: answer here
            log.warning("RSVP for night %d not recorded: %s", night_id, error)
            await say(interaction, STATE_UNAVAILABLE)

    async def _answer_rsvp(
        self, interaction: discord.Interaction[Any], night_id: int, answer: Answer
    ) -> None:
        store, now = self.bot.state, self.bot.clock.now()
        night = await store.get_night(night_id)
        if night is not None and night.guild_id != interaction.guild_id:
            night = None  # another server's night: not this server's business
        if night is None or not night.is_open(now):
            if night is not None:
                await say(interaction, present.rsvp_closed(night))
            else:
                await say(interaction, present.night_not_found(night_id))
            return
        counts = await store.set_rsvp(night_id, interaction.user.id, answer, now=now)
        await interaction.response.edit_message(
            view=rsvp_view(night_id, counts.going, counts.maybe, counts.no)
        )
        await interaction.followup.send(
            present.rsvp_ack(answer, night), ephemeral=True, allowed_mentions=NO_PINGS
        )
