"""/movienight edit and cancel. On a night of a series they first ask "this night only, or the whole series?"
(buttons); a film always applies to one night. An edit's changes wait in memory for the answer (15 minutes;
a restart forgets them and the buttons say so).

- Editing the whole series moves every night to come to the new local time (and weekday), changes their
  note, and re-plans their reminders; nights that have started are left alone.
- Cancelling one night of a series stops its posts and polls; the series goes on (its next night is created).
- Cancelling the whole series cancels every night to come, their polls, and the series' upkeep.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.client import NO_PINGS
from bot.nights.library import runtime_of
from bot.nights.offsets import end_of
from bot.nights.plans import plan_jobs
from bot.nights.series import Rule, dst_notes, place, poll_window
from bot.nights.timeparse import ParseError, parse_when
from bot.nights.upkeep import rule_of
from bot.present import nights as present
from bot.present import series as present_series
from bot.present.text import given
from bot.storage.models import FilmRef
from bot.storage.state import UNSET, Night
from bot.storage.state.polls import Poll
from cogs.nights.base import NightsBase, is_organiser, manage_events_only, movienight, say
from cogs.nights.views import scope_view

log = logging.getLogger(__name__)

PENDING_FOR: Final = timedelta(minutes=15)


@dataclass(frozen=True)
class Changes:
    """What an edit changes (None: not that)."""

    starts_at: datetime | None
    film: FilmRef | None
    note: str | None
    user_id: int
    expires: datetime


class ChangeCommands(NightsBase):
    pending: dict[str, Changes]

    @movienight.command(
        name="edit", description="Change a movie night's time, film or note (needs Manage Events)"
    )
    @app_commands.rename(night_id="id")
    @app_commands.describe(
        night_id="The movie night (see /movienight list)",
        when="The new start, read in the night's timezone",
        film="The new film (this night only)",
        note="The new note (replaces the old one)",
    )
    @app_commands.autocomplete(night_id=NightsBase.night_autocomplete)
    @app_commands.autocomplete(film=NightsBase.film_autocomplete)
    @manage_events_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        night_id: int,
        when: app_commands.Range[str, 1, 100] | None = None,
        film: app_commands.Range[str, 1, 100] | None = None,
        note: app_commands.Range[str, 1, present.NOTE_MAX] | None = None,
    ) -> None:
        night = await self.upcoming(interaction, night_id)
        if night is None:
            return
        when, film = given(when), given(film)  # an option that shows nothing is not a change
        if note is not None and given(note) is None:
            note = ""  # a blank note clears the note
        if when is None and film is None and note is None:
            await say(interaction, present.nothing_to_edit())
            return
        now = self.bot.clock.now()
        try:
            starts_at = parse_when(when, night.timezone, now) if when is not None else None
        except ParseError as error:
            await say(interaction, present.time_error(str(error)))
            return
        ref = await self.library.resolve(night.guild_id, film) if film is not None else None
        changes = Changes(starts_at, ref, note, interaction.user.id, now + PENDING_FOR)
        if night.series_id is not None and (when is not None or note is not None):
            key = secrets.token_hex(4)
            self._forget_expired(now)
            self.pending[key] = changes
            rule = await self._rule(night)
            if rule is not None:
                question = present_series.scope_question(night, rule, "Change")
                await interaction.response.send_message(
                    question,
                    view=scope_view("edit", night.id, key),
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await say(interaction, await self.edit_night(night, changes))

    @movienight.command(name="cancel", description="Cancel a movie night (needs Manage Events)")
    @app_commands.rename(night_id="id")
    @app_commands.describe(night_id="The movie night (see /movienight list)")
    @app_commands.autocomplete(night_id=NightsBase.night_autocomplete)
    @manage_events_only()
    async def cancel(self, interaction: discord.Interaction[Any], night_id: int) -> None:
        night = await self.upcoming(interaction, night_id)
        if night is None:
            return
        rule = await self._rule(night) if night.series_id is not None else None
        if rule is not None:
            question = present_series.scope_question(night, rule, "Cancel")
            await interaction.response.send_message(
                question, view=scope_view("cancel", night.id), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await say(interaction, await self.cancel_night(night))

    # -- the answer to "this night or the whole series?" -------------------------------------------------------

    async def scope_chosen(
        self, interaction: discord.Interaction[Any], action: str, night_id: int, choice: str, key: str
    ) -> None:
        if not is_organiser(interaction):
            await say(interaction, "Only organisers (Manage Events) can change movie nights.")
            return
        if choice == "keep":
            self.pending.pop(key, None)
            await interaction.response.edit_message(content=present_series.kept(), view=None)
            return
        night = await self.bot.state.get_night(night_id)
        now = self.bot.clock.now()
        changes = self.pending.pop(key, None) if action == "edit" else None
        if night is None or not night.is_open(now):
            text = present.night_not_found(night_id)
        elif action == "edit" and (changes is None or changes.expires < now):
            text = present_series.timed_out()
        else:
            await interaction.response.defer()
            if action == "cancel":
                text = await (self.cancel_night(night) if choice == "one" else self.cancel_series(night))
            else:
                assert changes is not None
                text = await (
                    self.edit_night(night, changes) if choice == "one" else self.edit_series(night, changes)
                )
            await interaction.edit_original_response(content=text, view=None)
            return
        await interaction.response.edit_message(content=text, view=None)

    def _forget_expired(self, now: datetime) -> None:
        for key in [k for k, c in self.pending.items() if c.expires < now]:
            del self.pending[key]

    async def _rule(self, night: Night) -> Rule | None:
        series = await self.bot.state.get_series(night.series_id) if night.series_id is not None else None
        return rule_of(series) if series is not None and series.status == "active" else None

    # -- editing ------------------------------------------------------------------------------------------------

    async def edit_night(self, night: Night, changes: Changes) -> str:
        done = await self.apply_edit(night, changes.starts_at or night.starts_at, changes.film, changes.note)
        if done is None:
            return present.night_not_found(night.id)
        updated, announcement_error = done
        return present.edited(
            updated,
            event_error=updated.event_error,
            announcement_error=announcement_error,
            note_removed=changes.note == "",
        )

    async def apply_edit(
        self, night: Night, starts_at: datetime, film: FilmRef | None, note: str | None
    ) -> tuple[Night, str | None] | None:
        """Change one night (re-planning its reminders when its time or runtime changes), then its
        announcement and event. A new film ends the polls that were to pick one. Returns the night and why
        its announcement could not be updated (None when it was)."""
        store, now = self.bot.state, self.bot.clock.now()
        runtime = night.runtime_minutes
        if film is not None and film != night.film:
            runtime = runtime_of(await self.library.overview(night.guild_id, film.slug))
        replan = None
        if starts_at != night.starts_at or runtime != night.runtime_minutes:
            settings = await store.guild_settings(night.guild_id)
            replan = plan_jobs(starts_at, runtime, settings.reminders, now, announce=False)
        updated = await store.update_night(
            night.id,
            now=now,
            starts_at=starts_at,
            ends_at=end_of(starts_at, runtime),
            film=film if film is not None else UNSET,
            runtime_minutes=runtime,
            note=note if note is not None else UNSET,
            replan=replan,
        )
        if updated is None:
            return None
        if film is not None:
            await self.end_polls(await store.cancel_polls_of_night(night.id, now=now))
        self.scheduler.wake()
        announcement_error = await self.poster.film_changed(updated)
        return (await store.get_night(updated.id) or updated), announcement_error

    async def edit_series(self, night: Night, changes: Changes) -> str:
        store, now = self.bot.state, self.bot.clock.now()
        series = await store.get_series(night.series_id) if night.series_id is not None else None
        if series is None or series.status != "active" or night.occurrence is None:
            return await self.edit_night(night, changes)
        rule = rule_of(series)
        first, at = rule.first, rule.at
        if changes.starts_at is not None:
            local = changes.starts_at.astimezone(ZoneInfo(series.timezone))
            first = rule.first + (local.date() - rule.date_of(night.occurrence))
            at = local.time()
        updated_series = await store.update_series(
            series.id,
            now=now,
            first_date=first,
            local_time=f"{at:%H:%M}",
            note=changes.note if changes.note is not None else UNSET,
        )
        if updated_series is None:
            return present.night_not_found(night.id)
        rule = rule_of(updated_series)
        moved: list[Night] = []
        left: list[Night] = []
        for other in await store.occurrences(series.id):
            if other.status != "scheduled" or other.starts_at <= now or other.occurrence is None:
                continue
            starts_at = place(rule, other.occurrence).starts_at
            if starts_at <= now:
                left.append(other)
                continue
            film = changes.film if other.id == night.id else None
            done = await self.apply_edit(other, starts_at, film, changes.note)
            if done is not None:
                moved.append(done[0])
                await self._retime_polls(done[0], updated_series.poll_days)
        await store.wake_series(series.id, now=now)
        self.scheduler.wake()
        return present_series.series_edited(rule, moved, skipped=left, notes=dst_notes(rule, now))

    async def _retime_polls(self, night: Night, poll_days: int | None) -> None:
        if not poll_days:
            return
        window = poll_window(night.starts_at, poll_days, self.bot.clock.now())
        for poll in await self.bot.state.night_polls(night.id):
            if poll.status == "scheduled" and window is not None:
                await self.bot.state.retime_poll(
                    poll.id, opens_at=window[0], closes_at=window[1], now=self.bot.clock.now()
                )

    # -- cancelling -----------------------------------------------------------------------------------------------

    async def cancel_night(self, night: Night) -> str:
        store, now = self.bot.state, self.bot.clock.now()
        cancelled = await store.cancel_night(night.id, now=now)
        if cancelled is None:
            return present.night_not_found(night.id)
        await self.end_polls(await store.cancel_polls_of_night(night.id, now=now))
        if cancelled.series_id is not None:
            await store.wake_series(cancelled.series_id, now=now)  # the series goes on: its next night is due
        self.scheduler.wake()
        log.info("night %d cancelled", night.id)
        await self.retract(cancelled)
        return present.cancelled(cancelled)

    async def cancel_series(self, night: Night) -> str:
        if night.series_id is None:
            return await self.cancel_night(night)
        nights, open_polls = await self.bot.state.cancel_series(night.series_id, now=self.bot.clock.now())
        self.scheduler.wake()
        log.info("series %d cancelled (nights %s)", night.series_id, [n.id for n in nights])
        await self.end_polls(open_polls)
        for cancelled in nights:
            await self.retract(cancelled)
        return present_series.series_cancelled(nights)

    async def retract(self, cancelled: Night) -> None:
        if cancelled.announcement_id is not None:
            try:
                await self.poster.retract(cancelled, cancelled.announcement_id)
            except discord.HTTPException as error:
                log.warning("night %d: announcement not marked cancelled: %s", cancelled.id, error)
        await self.poster.cancel_event(cancelled)

    async def end_polls(self, polls: list[Poll]) -> None:
        """End on Discord the polls that were open and are cancelled (no result is posted for them)."""
        for poll in polls:
            problem = await self.poll_poster.expire(poll)
            if problem is not None:
                log.warning("poll %d: not ended on Discord: %s", poll.id, problem.reason)
