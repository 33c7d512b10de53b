"""/movienight: schedule, list, edit, cancel, RSVPs, settings and a film poll.

Thin: read options, call the state store and the nights logic, render with `bot.present.nights`, reply.
The Discord side of delivering posts (sending with a nonce, editing the announcement, the scheduled event)
is `DiscordPoster`; the one scheduler task is started in `cog_load` and stopped in `cog_unload`.

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

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_PINGS, STATE_UNAVAILABLE
from bot.nights.offsets import OffsetError, end_of, parse_offsets, parse_runtime
from bot.nights.scheduler import Delivery, DeliveryFailed, Scheduler, plan_jobs
from bot.nights.timeparse import ParseError, parse_when, resolve_timezone, timezone_names
from bot.present import nights as present
from bot.present import paging
from bot.present.reply import Reply
from bot.present.text import given
from bot.storage.errors import KnowledgeUnavailable, LookupFailed, StateUnavailable
from bot.storage.models import Overview
from bot.storage.state import UNSET, Answer, Night

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

LIST_LIMIT = 1000  # nights /movienight list pages through (autocomplete offers the first 25)
RSVP_PATTERN = r"rsvp:(?P<night>[0-9]{1,20}):(?P<answer>going|maybe|no)"
BUTTON_STYLES: dict[Answer, discord.ButtonStyle] = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "no": discord.ButtonStyle.danger,
}


def manage_events_only() -> Any:
    """The check for organiser commands (raises MissingPermissions, answered by the tree's error handler)."""
    return app_commands.checks.has_permissions(manage_events=True)


def mentions_for(post: present.Post) -> discord.AllowedMentions:
    """The night's role and nothing else: never @everyone, users, or other roles."""
    if post.ping_role is None:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(post.ping_role)])


# -- the persistent RSVP buttons ----------------------------------------------------------------------------


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=RSVP_PATTERN):
    """One button per answer; its custom_id (`rsvp:<night>:<answer>`) carries everything, so the buttons work
    on every announcement after a restart without registering a view per night."""

    def __init__(self, night_id: int, answer: Answer, count: int = 0, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=present.rsvp_label(answer, count),
                emoji=present.ANSWER_EMOJI[answer],
                style=BUTTON_STYLES[answer],
                custom_id=present.rsvp_custom_id(night_id, answer),
                disabled=disabled,
            )
        )
        self.night_id = night_id
        self.answer: Answer = answer

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RsvpButton:
        return cls(int(match["night"]), cast(Answer, match["answer"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # Looked up by name, not class: a reloaded extension is a new module with new classes.
        answer = getattr(interaction.client.get_cog(MovieNight.__cog_name__), "answer_rsvp", None)
        if answer is None:
            log.warning("RSVP click for night %d while movie nights are not loaded", self.night_id)
            return
        await answer(interaction, self.night_id, self.answer)


def rsvp_view(night_id: int, going: int = 0, maybe: int = 0, no: int = 0) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer, count in (("going", going), ("maybe", maybe), ("no", no)):
        view.add_item(RsvpButton(night_id, cast(Answer, answer), count))
    return view


# -- Discord side of delivery ---------------------------------------------------------------------------------


def delivery_error(error: Exception) -> DeliveryFailed:
    """Discord/network errors as the scheduler sees them: permanent (403, 404, other 4xx) or temporary."""
    if isinstance(error, discord.RateLimited):
        return DeliveryFailed("rate limited (429)", retry_after=error.retry_after)
    if isinstance(error, discord.HTTPException):
        reason = f"{error.status} {error.text or type(error).__name__}".strip()
        permanent = 400 <= error.status < 500 and error.status != 429
        if isinstance(error, discord.Forbidden):
            reason = f"403 missing access or permissions: {error.text}".rstrip(": ")
        elif isinstance(error, discord.NotFound):
            reason = f"404 channel or message not found: {error.text}".rstrip(": ")
        return DeliveryFailed(reason, permanent=permanent)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError | discord.ConnectionClosed):
        return DeliveryFailed(f"network: {type(error).__name__}: {error}")
    return DeliveryFailed(f"{type(error).__name__}: {error}")


class DiscordPoster:
    """Implements the scheduler's Poster protocol on discord.py, plus the announcement/event upkeep."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    def _channel(self, night: Night) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(night.channel_id, guild_id=night.guild_id)

    async def overview(self, slug: str) -> Overview | None:
        try:
            return await self.bot.knowledge.overview(slug)
        except (LookupFailed, KnowledgeUnavailable):
            log.warning("no overview for film %r; posting without details", slug)
            return None

    async def render(self, delivery: Delivery) -> tuple[present.Post, discord.ui.View | None]:
        job, night = delivery.job, delivery.night
        if job.kind == "announce":
            counts = await self.bot.state.rsvp_counts(night.id)
            post = present.announcement(night, await self.overview(night.film.slug), late_by=delivery.late_by)
            return post, rsvp_view(night.id, counts.going, counts.maybe, counts.no)
        if job.kind == "reminder":
            return present.reminder(night, job.offset_s, late_by=delivery.late_by), None
        if job.kind == "start":
            return present.starting(night, late_by=delivery.late_by), None
        return present.spoilers_ok(night, late_by=delivery.late_by), None

    async def deliver(self, delivery: Delivery) -> int:
        post, view = await self.render(delivery)
        try:
            if view is None:
                message = await self._channel(delivery.night).send(
                    post.content,
                    embed=post.embed,
                    allowed_mentions=mentions_for(post),
                    nonce=delivery.job.nonce,  # discord.py sends enforce_nonce=True with every nonce
                )
            else:
                message = await self._channel(delivery.night).send(
                    post.content,
                    embed=post.embed,
                    view=view,
                    allowed_mentions=mentions_for(post),
                    nonce=delivery.job.nonce,
                )
        except (TimeoutError, discord.DiscordException, aiohttp.ClientError, OSError) as error:
            raise delivery_error(error) from error
        return message.id

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        me = self.bot.user
        if me is None:
            return None
        footer = present.marker(delivery.night.id, delivery.job.kind, delivery.job.offset_s)
        after = discord.Object(discord.utils.time_snowflake(since - timedelta(seconds=5)))
        async for message in self._channel(delivery.night).history(limit=100, after=after, oldest_first=True):
            if message.author.id != me.id:
                continue
            if any((embed.footer.text or "").startswith(footer) for embed in message.embeds):
                return message.id
        return None

    async def retract(self, night: Night, announcement_id: int) -> None:
        post = present.cancelled_announcement(night)
        message = self._channel(night).get_partial_message(announcement_id)
        await message.edit(content=post.content, embed=post.embed, view=None, allowed_mentions=NO_PINGS)

    async def refresh(self, night: Night) -> None:
        """Re-render a sent announcement after an edit (same buttons, current counts)."""
        if night.announcement_id is None:
            return
        counts = await self.bot.state.rsvp_counts(night.id)
        post = present.announcement(night, await self.overview(night.film.slug))
        message = self._channel(night).get_partial_message(night.announcement_id)
        await message.edit(
            content=post.content,
            embed=post.embed,
            view=rsvp_view(night.id, counts.going, counts.maybe, counts.no),
            allowed_mentions=mentions_for(post),
        )

    def _event_fields(self, night: Night, overview: Overview | None) -> dict[str, Any]:
        return {
            "name": present.event_name(night),
            "description": present.event_description(night, overview),
            "scheduled_start_time": night.starts_at.isoformat(),
            "scheduled_end_time": night.ends_at.isoformat(),
        }

    async def create_event(self, night: Night, overview: Overview | None, channel_name: str | None) -> None:
        """Create the server's scheduled event (external, in step with the night); failures are recorded."""
        fields = self._event_fields(night, overview)
        try:
            data = await self.bot.http.create_guild_scheduled_event(
                night.guild_id,
                entity_type=discord.EntityType.external.value,
                privacy_level=discord.PrivacyLevel.guild_only.value,
                entity_metadata={"location": present.event_location(channel_name)},
                reason=f"Movie night #{night.id}",
                **fields,
            )
        except discord.HTTPException as error:
            log.warning("night %d: scheduled event not created: %s", night.id, error)
            await self.bot.state.set_event(night.id, event_id=None, error=delivery_error(error).reason)
            return
        await self.bot.state.set_event(night.id, event_id=int(data["id"]), error=None)

    async def update_event(self, night: Night, overview: Overview | None, channel_name: str | None) -> None:
        if night.event_id is None:
            await self.create_event(night, overview, channel_name)
            return
        try:
            await self.bot.http.edit_scheduled_event(
                night.guild_id,
                night.event_id,
                reason=f"Movie night #{night.id} edited",
                **self._event_fields(night, overview),
            )
        except discord.HTTPException as error:
            log.warning("night %d: scheduled event not updated: %s", night.id, error)
            await self.bot.state.set_event(
                night.id, event_id=night.event_id, error=delivery_error(error).reason
            )
            return
        await self.bot.state.set_event(night.id, event_id=night.event_id, error=None)

    async def cancel_event(self, night: Night) -> None:
        if night.event_id is None:
            return
        reason = f"Movie night #{night.id} cancelled"
        try:
            await self.bot.http.edit_scheduled_event(
                night.guild_id, night.event_id, status=discord.EventStatus.cancelled.value, reason=reason
            )
        except discord.NotFound:
            return
        except discord.HTTPException:  # e.g. already active: only deleting works then
            try:
                await self.bot.http.delete_scheduled_event(night.guild_id, night.event_id, reason=reason)
            except discord.HTTPException as error:
                log.warning("night %d: scheduled event not cancelled: %s", night.id, error)


# -- the cog ------------------------------------------------------------------------------------------------


class MovieNight(commands.Cog):
    movienight = app_commands.Group(
        name="movienight", description="Plan movie nights: schedule, RSVP, reminders", guild_only=True
    )

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        self.poster = DiscordPoster(bot)
        self.scheduler = Scheduler(bot.state, self.poster, bot.clock, shards=bot.served_shards)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton)
        paging.register(self.bot, "nights", self._night_pages, "/movienight list")
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()
        paging.unregister(self.bot, "nights")
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
        now = self.bot.clock.now()
        if (
            night is None
            or night.guild_id != interaction.guild_id
            or night.status != "scheduled"
            or night.ends_at <= now
        ):
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
            zone = str(resolve_timezone(given(timezone) or settings.timezone))
            starts_at = parse_when(given(when) or "", zone, now)
        except ParseError as error:
            await self._say(interaction, present.time_error(str(error)))
            return
        if role is not None and role.is_default():
            await self._say(interaction, present.everyone_role())
            return
        blank_note = note is not None and given(note) is None  # spaces or invisible characters only
        # Lookup errors are answered by the tree's handler.
        ref = await self.bot.knowledge.resolve_film(given(film))
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
            note=given(note) or "",
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
        await self._say(
            interaction, present.scheduled(night, event_error=night.event_error, blank_note=blank_note)
        )

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
        when, film = given(when), given(film)  # an option that shows nothing is not a change
        note_removed = note is not None and given(note) is None  # a blank note clears the note
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
            note=UNSET if note is None else ("" if note_removed else note),
            replan=replan,
        )
        if updated is None:
            await self._say(interaction, present.night_not_found(night_id))
            return
        self.scheduler.wake()
        announcement_error = None
        try:
            await self.poster.refresh(updated)
        except discord.HTTPException as error:
            log.warning("night %d: announcement not updated: %s", updated.id, error)
            announcement_error = delivery_error(error).reason
        await self.poster.update_event(updated, overview, self._channel_name(interaction, updated.channel_id))
        updated = await self.bot.state.get_night(updated.id) or updated
        reply = present.edited(
            updated,
            event_error=updated.event_error,
            announcement_error=announcement_error,
            note_removed=note_removed,
        )
        await self._say(interaction, reply)

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
        pages = await self._night_pages(interaction, "")
        await paging.send_pages(interaction, pages, "nights", "", private=True)

    async def _night_pages(self, interaction: discord.Interaction[Any], key: str) -> list[Reply]:
        """The pages of /movienight list for the server the interaction is in (rendered again on a click)."""
        if interaction.guild_id is None:
            return [Reply(present.NOT_IN_GUILD, ephemeral=True)]
        store = self.bot.state
        nights = await store.upcoming_nights(interaction.guild_id, self.bot.clock.now(), limit=LIST_LIMIT)
        ids = [n.id for n in nights]
        texts = present.night_list(nights, await store.rsvp_counts_for(ids), await store.problem_jobs(ids))
        return [Reply(text, ephemeral=True) for text in texts]

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
        timezone, reminders = given(timezone), given(reminders)
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
        try:
            await self._answer_rsvp(interaction, night_id, answer)
        except StateUnavailable as error:  # buttons have no tree-level handler: answer here
            log.warning("RSVP for night %d not recorded: %s", night_id, error)
            await self._say(interaction, STATE_UNAVAILABLE)

    async def _answer_rsvp(
        self, interaction: discord.Interaction[Any], night_id: int, answer: Answer
    ) -> None:
        store, now = self.bot.state, self.bot.clock.now()
        night = await store.get_night(night_id)
        if night is not None and night.guild_id != interaction.guild_id:
            night = None  # another server's night: not this server's business
        if night is None or night.status != "scheduled" or night.ends_at <= now:
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


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(MovieNight(cast("FilmBot", bot)))
