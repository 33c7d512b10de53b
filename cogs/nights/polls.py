"""/movienight poll start|end, and what an organiser does with a poll's result.

Discord does not allow a subcommand and a subcommand group of the same name, so the poll is a group:
`/movienight poll start [hours] [from] [channel]` and `/movienight poll end [poll]`.

- start: draws up to 10 films from the watchlist (most supported first) or the library, writes the poll with
  its two jobs (posting it now, reading it when it closes) and lets the scheduler post it. Too few films:
  a clear answer, nothing stored.
- end: expires the poll through Discord, then the result job runs at once. A poll whose message or channel
  is gone is recorded as failed.
- The result's buttons: "Schedule it" opens a form prefilled with the server's usual night; for a tie, one
  button per tied film; for a series night's poll, "Pick" gives that night its film. Organisers only; the
  buttons are removed once one was used.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta
from typing import Any, Literal, cast

import discord
from discord import app_commands

from bot.client import NO_PINGS
from bot.nights.polls import POLL_HOURS_MAX, draw, option_film
from bot.nights.timeparse import ParseError, parse_when
from bot.nights.usual import next_usual
from bot.present import nights as present
from bot.present import polls as present_polls
from bot.storage.state.polls import Poll, PollOption
from cogs.nights.base import NightsBase, is_organiser, manage_events_only, poll_group, say
from cogs.nights.changes import ChangeCommands
from cogs.nights.schedule import ScheduleCommands, Target
from cogs.nights.views import ScheduleForm

log = logging.getLogger(__name__)


class PollCommands(ScheduleCommands, ChangeCommands):
    @poll_group.command(name="start", description="Post a poll to choose the next film (needs Manage Events)")
    @app_commands.rename(source="from")
    @app_commands.describe(
        hours=f"How long the poll stays open, 1-{POLL_HOURS_MAX} hours (default 24)",
        source="Where the films come from (default: the watchlist, most supported first)",
        channel="Where to post it (default: the server's movie night channel, else here)",
    )
    @manage_events_only()
    async def poll_start(
        self,
        interaction: discord.Interaction[Any],
        hours: app_commands.Range[int, 1, POLL_HOURS_MAX] = 24,
        source: Literal["watchlist", "library"] = "watchlist",
        channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = cast(int, interaction.guild_id)
        store, now = self.bot.state, self.bot.clock.now()
        if not 1 <= hours <= POLL_HOURS_MAX:  # Discord enforces the range; a client that does not is told
            await say(
                interaction, f"⚠️ A poll runs for 1 to {POLL_HOURS_MAX} hours (32 days). No poll was started."
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.library.link_watchlist(store, guild_id)
        drawn = draw(source, await store.watchlist(guild_id), await self.library.films(guild_id))
        if len(drawn.options) < 2:
            await say(interaction, present_polls.not_enough(source, drawn.available))
            return
        settings = await store.guild_settings(guild_id)
        poll = await store.create_poll(
            guild_id=guild_id,
            channel_id=channel.id if channel else settings.channel_id or cast(int, interaction.channel_id),
            source=drawn.source,
            options=drawn.options,
            opens_at=now,
            closes_at=now + timedelta(hours=hours),
            created_by=interaction.user.id,
            now=now,
        )
        self.scheduler.wake()
        log.info(
            "poll %d started in guild %d: %d films, %d hours", poll.id, guild_id, len(poll.options), hours
        )
        await say(interaction, present_polls.posted(poll, drawn.source, drawn.available))

    @poll_group.command(name="end", description="End a poll now and post its result (needs Manage Events)")
    @app_commands.rename(poll_id="poll")
    @app_commands.describe(poll_id="The poll (default: the only open one)")
    @app_commands.autocomplete(poll_id=NightsBase.poll_autocomplete)
    @manage_events_only()
    async def poll_end(self, interaction: discord.Interaction[Any], poll_id: int | None = None) -> None:
        guild_id = cast(int, interaction.guild_id)
        store = self.bot.state
        open_polls = await store.guild_polls(guild_id, ("open",))
        poll: Poll | None
        if poll_id is not None:
            poll = next((p for p in open_polls if p.id == poll_id), None)
            if poll is None:
                await say(interaction, present_polls.poll_not_found(poll_id))
                return
        elif not open_polls:
            await say(interaction, present_polls.no_open_poll())
            return
        elif len(open_polls) > 1:
            await say(interaction, present_polls.choose_poll(open_polls))
            return
        else:
            poll = open_polls[0]
        await interaction.response.defer(ephemeral=True, thinking=True)
        problem = await self.poll_poster.expire(poll)
        now = self.bot.clock.now()
        if problem is not None and problem.permanent:
            await store.fail_poll(poll.id, error=problem.reason, now=now)
            await say(interaction, present_polls.gone(poll, problem.reason))
            return
        if problem is not None:
            await say(
                interaction,
                present.time_error(f"Discord didn't end poll #{poll.id}: {problem.reason}. Try again."),
            )
            return
        await store.end_poll_early(poll.id, ended_by=interaction.user.id, now=now)
        self.scheduler.wake()
        log.info("poll %d ended early by %d", poll.id, interaction.user.id)
        await say(interaction, present_polls.ending(poll))

    # -- the result's buttons -------------------------------------------------------------------------------------

    async def _result_option(
        self, interaction: discord.Interaction[Any], poll_id: int, position: int
    ) -> tuple[Poll, PollOption] | None:
        if not is_organiser(interaction):
            await say(interaction, present_polls.only_organisers())
            return None
        poll = await self.bot.state.get_poll(poll_id)
        option = poll.option(position) if poll is not None else None
        if poll is None or option is None or poll.guild_id != interaction.guild_id or poll.status != "closed":
            await say(interaction, present_polls.already_done())
            return None
        return poll, option

    async def poll_result_clicked(
        self, interaction: discord.Interaction[Any], poll_id: int, position: int
    ) -> None:
        found = await self._result_option(interaction, poll_id, position)
        if found is None:
            return
        poll, option = found
        if poll.night_id is None:
            settings = await self.bot.state.guild_settings(poll.guild_id)
            prefill = ""
            if settings.usual_weekday is not None and settings.usual_time is not None:
                hour, minute = (int(p) for p in settings.usual_time.split(":"))
                usual = next_usual(
                    settings.usual_weekday, time(hour, minute), settings.timezone, self.bot.clock.now()
                )
                prefill = f"{usual:%Y-%m-%d %H:%M}"
            await interaction.response.send_modal(
                ScheduleForm(poll.id, position, present_polls.option_name(option), prefill)
            )
            return
        night = await self.bot.state.get_night(poll.night_id)
        film = option_film(option)
        if night is None or film is None or not night.is_open(self.bot.clock.now()):
            await say(interaction, present.night_not_found(poll.night_id))
            return
        await interaction.response.defer()
        done = await self.apply_edit(night, night.starts_at, film, None)
        await self._close_result(poll, present_polls.picked(option, None, interaction.user.id))
        if done is not None:
            updated, announcement_error = done
            reply = present.edited(
                updated, event_error=updated.event_error, announcement_error=announcement_error
            )
            await say(interaction, reply)

    async def schedule_from_poll(
        self, interaction: discord.Interaction[Any], poll_id: int, position: int, when: str, note: str
    ) -> None:
        found = await self._result_option(interaction, poll_id, position)
        if found is None:
            return
        poll, option = found
        film = option_film(option)
        store, now = self.bot.state, self.bot.clock.now()
        settings = await store.guild_settings(poll.guild_id)
        try:
            starts_at = parse_when(when, settings.timezone, now)
        except ParseError as error:
            await say(
                interaction,
                present.time_error(str(error)) + " Nothing was scheduled: press the button again.",
            )
            return
        if film is None:
            await say(interaction, present_polls.already_done())
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = Target(
            settings.channel_id or poll.channel_id,
            settings.role_id,
            " ".join(note.split())[: present.NOTE_MAX],
            interaction.user.id,
        )
        night = await self.create_night(poll.guild_id, film, starts_at, settings.timezone, target, settings)
        await self._close_result(poll, present_polls.picked(option, night, interaction.user.id))
        await say(interaction, present.scheduled(night, event_error=night.event_error))

    async def _close_result(self, poll: Poll, line: str) -> None:
        """Remove the result's buttons and say what was done with it."""
        sent = [j.message_id for j in await self.bot.state.jobs_for_poll(poll.id) if j.kind == "poll_close"]
        if not sent or sent[0] is None:
            return
        try:
            message = await self.poll_poster.channel(poll).fetch_message(sent[0])
            await message.edit(
                content=f"{message.content}\n{line}"[:2000], view=None, allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as error:
            log.warning("poll %d: result not updated: %s", poll.id, error)
