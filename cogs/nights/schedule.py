"""/movienight schedule: one night, or (with `repeat`) a series of them.

A single night needs its film when it is scheduled (announcement, event, runtime). A series stores the
wall-clock time and the IANA timezone of `when`; its first night gets `film` if given, and every night's film
is otherwise to be decided: by the poll the series opens `poll_days` before it, or by an organiser
(`/movienight edit`). Times the clocks skip or repeat in the coming year are explained in the reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

import discord
from discord import app_commands

from bot.nights.library import runtime_of
from bot.nights.offsets import end_of
from bot.nights.plans import plan_jobs
from bot.nights.series import POLL_DAYS_MAX, Rule, dst_notes, local_today, parse_until, plan
from bot.nights.timeparse import ParseError, parse_when, resolve_timezone
from bot.present import nights as present
from bot.present import series as present_series
from bot.present.text import given
from bot.storage.models import FilmRef
from bot.storage.state import GuildSettings, Night
from cogs.nights.base import NightsBase, manage_events_only, movienight, say

log = logging.getLogger(__name__)

RepeatChoice = Literal["weekly", "fortnightly", "monthly"]


class ScheduleCommands(NightsBase):
    @movienight.command(
        name="schedule", description="Schedule a movie night, or a recurring one (needs Manage Events)"
    )
    @app_commands.describe(
        when="When it starts: '2026-11-28 20:00', 'friday 8pm', 'tomorrow 20:30', 'in 2 hours'",
        film="The film (the only one in the library if left out; for a series: its first night's)",
        channel="Where to announce it (default: the server's movie night channel, else here)",
        role="A role to ping (default: the server's movie night role)",
        timezone="The timezone `when` is in, e.g. Europe/London (default: the server's)",
        note="A note for the announcement (it can't ping anyone)",
        repeat="Make it a series: the same local time every week, every other week, or every month",
        until="A series' last date, e.g. '2027-06-30' (default: it goes on)",
        poll_days="A series: open a poll this many days before each night to pick its film",
    )
    @app_commands.autocomplete(film=NightsBase.film_autocomplete, timezone=NightsBase.timezone_autocomplete)
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
        repeat: RepeatChoice | None = None,
        until: app_commands.Range[str, 1, 100] | None = None,
        poll_days: app_commands.Range[int, 1, POLL_DAYS_MAX] | None = None,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        store, now = self.bot.state, self.bot.clock.now()
        settings = await store.guild_settings(guild_id)
        film, until = given(film), given(until)  # an option that shows nothing is not given
        blank_note = note is not None and given(note) is None  # spaces or invisible characters only
        try:
            zone = str(resolve_timezone(given(timezone) or settings.timezone))
            starts_at = parse_when(given(when) or "", zone, now)
            last = parse_until(until, zone, now) if until is not None and repeat is not None else None
        except ParseError as error:
            await say(interaction, present.time_error(str(error)))
            return
        if role is not None and role.is_default():
            await say(interaction, present.everyone_role())
            return
        if repeat is None and (until is not None or poll_days is not None):
            await say(
                interaction, present_series.repeat_needed("until" if until is not None else "poll_days")
            )
            return
        if last is not None and last < starts_at.astimezone(resolve_timezone(zone)).date():
            await say(interaction, present_series.until_error(last, local_today(zone, now)))
            return
        ref = None
        if film is not None or repeat is None:
            ref = await self.library.resolve(guild_id, film)  # lookup errors: answered by the tree's handler
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel_id = channel.id if channel else settings.channel_id or cast(int, interaction.channel_id)
        target = Target(
            channel_id, role.id if role else settings.role_id, given(note) or "", interaction.user.id
        )
        if repeat is None:
            assert ref is not None
            night = await self.create_night(guild_id, ref, starts_at, zone, target, settings)
            await say(
                interaction, present.scheduled(night, event_error=night.event_error, blank_note=blank_note)
            )
            return
        local = starts_at.astimezone(resolve_timezone(zone))
        rule = Rule(local.date(), local.time().replace(second=0, microsecond=0), zone, repeat, last)
        await say(interaction, await self.create_series(guild_id, rule, ref, poll_days, target, settings))

    async def create_night(
        self,
        guild_id: int,
        film: FilmRef,
        starts_at: datetime,
        zone: str,
        target: Target,
        settings: GuildSettings,
    ) -> Night:
        """A single night with its jobs and server event (used by /movienight schedule and "Schedule it")."""
        store, now = self.bot.state, self.bot.clock.now()
        overview = await self.library.overview(guild_id, film.slug)
        runtime = runtime_of(overview)
        night = await store.create_night(
            guild_id=guild_id,
            channel_id=target.channel_id,
            film=film,
            runtime_minutes=runtime,
            starts_at=starts_at,
            ends_at=end_of(starts_at, runtime),
            timezone=zone,
            role_id=target.role_id,
            note=target.note,
            created_by=target.user_id,
            now=now,
            jobs=plan_jobs(starts_at, runtime, settings.reminders, now),
        )
        self.scheduler.wake()
        log.info("night %d scheduled in guild %d for %s", night.id, guild_id, starts_at.isoformat())
        await self.poster.create_event(night, overview, self.channel_name(guild_id, target.channel_id))
        return await store.get_night(night.id) or night

    async def create_series(
        self,
        guild_id: int,
        rule: Rule,
        film: FilmRef | None,
        poll_days: int | None,
        target: Target,
        settings: GuildSettings,
    ) -> str:
        """The series and its first occurrences (announcements, events, reminders, polls); the reply."""
        store, now = self.bot.state, self.bot.clock.now()
        runtime = runtime_of(await self.library.overview(guild_id, film.slug)) if film is not None else None
        first = plan(
            rule,
            [],
            now,
            reminders=settings.reminders,
            poll_days=poll_days,
            first_film=film,
            first_runtime=runtime,
        )
        if not first.occurrences:
            return present_series.until_error(rule.until or rule.first, local_today(rule.zone, now))
        series, nights = await store.create_series(
            guild_id=guild_id,
            channel_id=target.channel_id,
            role_id=target.role_id,
            timezone=rule.zone,
            local_time=f"{rule.at:%H:%M}",
            first_date=rule.first,
            repeat=rule.repeat,
            until=rule.until,
            poll_days=poll_days,
            note=target.note,
            created_by=target.user_id,
            plans=first.occurrences,
            next_upkeep=first.next_upkeep,
            now=now,
        )
        self.scheduler.wake()
        log.info("series %d scheduled in guild %d: %s", series.id, guild_id, rule.describe())
        await self.poster.occurrences_added(nights)
        nights = [await store.get_night(n.id) or n for n in nights]
        errors = [n.event_error for n in nights if n.event_error]
        return present_series.created(series, rule, nights, dst_notes(rule, now), event_errors=errors)


@dataclass(frozen=True)
class Target:
    """Where and for whom a night is: channel, role to ping, note, organiser."""

    channel_id: int
    role_id: int | None
    note: str
    user_id: int
