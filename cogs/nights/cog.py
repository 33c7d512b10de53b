"""The movie-night cog: /movienight schedule, list, edit, cancel, RSVPs, settings and a film poll.

Thin: read options, call the state store and the nights logic, render with `bot.present.nights`, reply.
The Discord side of delivering posts is `cogs.nights.poster.DiscordPoster`; the RSVP buttons are
`cogs.nights.views`. The one scheduler task is started in `cog_load` and stopped in `cog_unload`.

Permissions: schedule, edit, cancel, settings and poll need Manage Events, enforced by a check
(`manage_events_only`); the bot's tree-level error handler answers a refusal ephemerally. `default_permissions`
is not used: Discord ignores it on subcommands, and `/movienight list` and `rsvps` are for everyone.
Knowledge lookup errors also go to that handler; unreadable times and settings are answered here.

Choosing the film: `/movienight poll [hours]` posts a native Discord poll (discord.Poll) of the library's films
as the command's reply: at most 10 answers (Discord's limit; the first 10 by title), open 1-168 hours. It is a
separate command rather than an option of `schedule`, because a night needs its film when it is scheduled
(announcement, event, runtime); the organiser schedules the winner. The bot does not read poll results (that
would need the poll intents, which the bot does not request).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_PINGS
from bot.nights.offsets import OffsetError, end_of, parse_offsets, parse_runtime
from bot.nights.scheduler import Scheduler, plan_jobs
from bot.nights.timeparse import ParseError, parse_when, resolve_timezone, timezone_names
from bot.present import nights as present
from bot.storage.state import UNSET, Answer, Night
from cogs.nights.poster import DiscordPoster
from cogs.nights.views import COG_NAME, RsvpButton, rsvp_view

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)


def manage_events_only() -> Any:
    """The check for organiser commands (raises MissingPermissions, answered by the tree's error handler)."""
    return app_commands.checks.has_permissions(manage_events=True)


# -- the cog ------------------------------------------------------------------------------------------------


class MovieNight(commands.Cog, name=COG_NAME):
    movienight = app_commands.Group(
        name="movienight", description="Plan movie nights: schedule, RSVP, reminders", guild_only=True
    )

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        self.poster = DiscordPoster(bot)
        self.scheduler = Scheduler(bot.state, self.poster, bot.clock, shards=bot.served_shards)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton)
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()
        self.bot.remove_dynamic_items(RsvpButton)

    # -- helpers --------------------------------------------------------------------------------------------

    @staticmethod
    async def _say(interaction: discord.Interaction[Any], content: str) -> None:
        """An ephemeral reply that pings nobody, whether or not the interaction was deferred."""
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _upcoming(self, interaction: discord.Interaction[Any], night_id: int) -> Night | None:
        night = await self.bot.state.get_night(night_id)
        if night is None or night.guild_id != interaction.guild_id or not night.is_open(self.bot.clock.now()):
            await self._say(interaction, present.night_not_found(night_id))
            return None
        return night

    def _channel_name(self, interaction: discord.Interaction[Any], channel_id: int) -> str | None:
        channel = interaction.guild.get_channel(channel_id) if interaction.guild else None
        return channel.name if channel is not None else None

    # -- autocomplete ---------------------------------------------------------------------------------------

    async def film_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            films = await self.bot.knowledge.find_films(current, limit=25)
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

    # -- commands -------------------------------------------------------------------------------------------

    @movienight.command(name="schedule", description="Schedule a movie night (needs Manage Events)")
    @app_commands.describe(
        when="When it starts: '2026-11-28 20:00', 'friday 8pm', 'tomorrow 20:30', 'in 2 hours'",
        film="The film (the only one in the library if left out)",
        channel="Where to announce it (default: the server's movie night channel, else here)",
        role="A role to ping (default: the server's movie night role)",
        timezone="The timezone `when` is in, e.g. Europe/London (default: the server's)",
        note="A note for the announcement (it can't ping anyone)",
    )
    @app_commands.autocomplete(film=film_autocomplete, timezone=timezone_autocomplete)
    @manage_events_only()
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
        when: app_commands.Range[str, 1, 100],
        film: app_commands.Range[str, 1, 100] | None = None,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        note: app_commands.Range[str, 1, present.NOTE_MAX] | None = None,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        store, now = self.bot.state, self.bot.clock.now()
        settings = await store.guild_settings(guild_id)
        try:
            zone = str(resolve_timezone(timezone or settings.timezone))
            starts_at = parse_when(when, zone, now)
        except ParseError as error:
            await self._say(interaction, present.time_error(str(error)))
            return
        if role is not None and role.is_default():
            await self._say(interaction, present.everyone_role())
            return
        ref = await self.bot.knowledge.resolve_film(film)  # lookup errors: answered by the tree's handler
        await interaction.response.defer(ephemeral=True, thinking=True)
        overview = await self.poster.overview(ref.slug)
        runtime = parse_runtime(
            overview.facts["runtime"].value if overview and "runtime" in overview.facts else None
        )
        channel_id = channel.id if channel else settings.channel_id or cast(int, interaction.channel_id)
        night = await store.create_night(
            guild_id=guild_id,
            channel_id=channel_id,
            film=ref,
            runtime_minutes=runtime,
            starts_at=starts_at,
            ends_at=end_of(starts_at, runtime),
            timezone=zone,
            role_id=role.id if role else settings.role_id,
            note=note or "",
            created_by=interaction.user.id,
            now=now,
            jobs=plan_jobs(starts_at, runtime, settings.reminders, now),
        )
        self.scheduler.wake()
        log.info("night %d scheduled in guild %d for %s", night.id, guild_id, starts_at.isoformat())
        await self.poster.create_event(
            night, overview, channel.name if channel else self._channel_name(interaction, channel_id)
        )
        night = await store.get_night(night.id) or night
        await self._say(interaction, present.scheduled(night, event_error=night.event_error))

    @movienight.command(
        name="edit", description="Change a movie night's time, film or note (needs Manage Events)"
    )
    @app_commands.rename(night_id="id")
    @app_commands.describe(
        night_id="The movie night (see /movienight list)",
        when="The new start, read in the night's timezone",
        film="The new film",
        note="The new note (replaces the old one)",
    )
    @app_commands.autocomplete(night_id=night_autocomplete)
    @app_commands.autocomplete(film=film_autocomplete)
    @manage_events_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        night_id: int,
        when: app_commands.Range[str, 1, 100] | None = None,
        film: app_commands.Range[str, 1, 100] | None = None,
        note: app_commands.Range[str, 1, present.NOTE_MAX] | None = None,
    ) -> None:
        night = await self._upcoming(interaction, night_id)
        if night is None:
            return
        if when is None and film is None and note is None:
            await self._say(interaction, present.nothing_to_edit())
            return
        now = self.bot.clock.now()
        starts_at = night.starts_at
        if when is not None:
            try:
                starts_at = parse_when(when, night.timezone, now)
            except ParseError as error:
                await self._say(interaction, present.time_error(str(error)))
                return
        ref = night.film if film is None else await self.bot.knowledge.resolve_film(film)
        await interaction.response.defer(ephemeral=True, thinking=True)
        overview = await self.poster.overview(ref.slug)
        runtime = night.runtime_minutes
        if ref.slug != night.film.slug:
            runtime = parse_runtime(
                overview.facts["runtime"].value if overview and "runtime" in overview.facts else None
            )
        replan = None
        if starts_at != night.starts_at or runtime != night.runtime_minutes:
            settings = await self.bot.state.guild_settings(night.guild_id)
            replan = plan_jobs(starts_at, runtime, settings.reminders, now, announce=False)
        updated = await self.bot.state.update_night(
            night.id,
            now=now,
            starts_at=starts_at,
            ends_at=end_of(starts_at, runtime),
            film=ref,
            runtime_minutes=runtime,
            note=note if note is not None else UNSET,
            replan=replan,
        )
        if updated is None:
            await self._say(interaction, present.night_not_found(night_id))
            return
        self.scheduler.wake()
        try:
            await self.poster.refresh(updated)
        except discord.HTTPException as error:
            log.warning("night %d: announcement not updated: %s", updated.id, error)
        await self.poster.update_event(updated, overview, self._channel_name(interaction, updated.channel_id))
        updated = await self.bot.state.get_night(updated.id) or updated
        await self._say(interaction, present.edited(updated, event_error=updated.event_error))

    @movienight.command(name="cancel", description="Cancel a movie night (needs Manage Events)")
    @app_commands.rename(night_id="id")
    @app_commands.describe(night_id="The movie night (see /movienight list)")
    @app_commands.autocomplete(night_id=night_autocomplete)
    @manage_events_only()
    async def cancel(self, interaction: discord.Interaction[Any], night_id: int) -> None:
        night = await self._upcoming(interaction, night_id)
        if night is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        cancelled = await self.bot.state.cancel_night(night.id, now=self.bot.clock.now())
        if cancelled is None:
            await self._say(interaction, present.night_not_found(night_id))
            return
        self.scheduler.wake()
        log.info("night %d cancelled", night.id)
        if cancelled.announcement_id is not None:
            try:
                await self.poster.retract(cancelled, cancelled.announcement_id)
            except discord.HTTPException as error:
                log.warning("night %d: announcement not marked cancelled: %s", night.id, error)
        await self.poster.cancel_event(cancelled)
        await self._say(interaction, present.cancelled(cancelled))

    @movienight.command(name="list", description="Upcoming movie nights, with RSVPs and delivery problems")
    async def list_nights(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild_id is None:
            await self._say(interaction, present.NOT_IN_GUILD)
            return
        store = self.bot.state
        nights = await store.upcoming_nights(interaction.guild_id, self.bot.clock.now())
        ids = [n.id for n in nights]
        text = present.night_list(nights, await store.rsvp_counts_for(ids), await store.problem_jobs(ids))
        await self._say(interaction, text)

    @movienight.command(name="rsvps", description="Who is coming to a movie night")
    @app_commands.rename(night_id="id")
    @app_commands.describe(night_id="The movie night (see /movienight list)")
    @app_commands.autocomplete(night_id=night_autocomplete)
    async def rsvps(self, interaction: discord.Interaction[Any], night_id: int) -> None:
        night = await self.bot.state.get_night(night_id)
        if night is None or night.guild_id != interaction.guild_id:
            await self._say(interaction, present.night_not_found(night_id))
            return
        await self._say(interaction, present.rsvp_list(night, await self.bot.state.rsvps(night.id)))

    @movienight.command(
        name="settings", description="Show or change movie night defaults (needs Manage Events)"
    )
    @app_commands.describe(
        channel="Default channel for announcements",
        timezone="Default timezone for `when`, e.g. Europe/London",
        role="Default role to ping",
        reminders="Reminders before the start, e.g. '24h,15m' (or 'none')",
        clear_role="Stop pinging a role by default",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @manage_events_only()
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        role: discord.Role | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        clear_role: bool = False,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        store = self.bot.state
        if channel is None and timezone is None and role is None and reminders is None and not clear_role:
            await self._say(interaction, present.settings_summary(await store.guild_settings(guild_id)))
            return
        try:
            zone = str(resolve_timezone(timezone)) if timezone is not None else UNSET
            offsets = parse_offsets(reminders) if reminders is not None else UNSET
        except (ParseError, OffsetError) as error:
            await self._say(interaction, present.settings_error(str(error)))
            return
        if role is not None and role.is_default():
            await self._say(interaction, present.everyone_role())
            return
        updated = await store.update_guild_settings(
            guild_id,
            now=self.bot.clock.now(),
            channel_id=channel.id if channel is not None else UNSET,
            timezone=zone,
            role_id=role.id if role is not None else (None if clear_role else UNSET),
            reminders=offsets,
        )
        await self._say(interaction, present.settings_summary(updated, changed=True))

    @movienight.command(name="poll", description="Post a poll to choose the next film (needs Manage Events)")
    @app_commands.describe(hours="How long the poll stays open, in hours (default 24)")
    @manage_events_only()
    async def poll(
        self, interaction: discord.Interaction[Any], hours: app_commands.Range[int, 1, 168] = 24
    ) -> None:
        films = await self.bot.knowledge.films()
        if len(films) < 2:
            await self._say(interaction, present.poll_needs_films(films))
            return
        films = sorted(films, key=lambda f: (f.title.casefold(), f.year or 0))
        poll = discord.Poll(question=present.poll_question(), duration=timedelta(hours=hours))
        for film in films[: present.POLL_ANSWERS]:
            poll.add_answer(text=present.poll_answer(film), emoji="🎬")
        await interaction.response.send_message(poll=poll, allowed_mentions=NO_PINGS)
        await interaction.followup.send(
            present.poll_posted(len(films)), ephemeral=True, allowed_mentions=NO_PINGS
        )

    # -- RSVP -----------------------------------------------------------------------------------------------

    async def answer_rsvp(self, interaction: discord.Interaction[Any], night_id: int, answer: Answer) -> None:
        store, now = self.bot.state, self.bot.clock.now()
        night = await store.get_night(night_id)
        if night is None or not night.is_open(now):
            if night is not None:
                await self._say(interaction, present.rsvp_closed(night))
            else:
                await self._say(interaction, present.night_not_found(night_id))
            return
        counts = await store.set_rsvp(night_id, interaction.user.id, answer, now=now)
        await interaction.response.edit_message(
            view=rsvp_view(night_id, counts.going, counts.maybe, counts.no)
        )
        await interaction.followup.send(
            present.rsvp_ack(answer, night), ephemeral=True, allowed_mentions=NO_PINGS
        )
