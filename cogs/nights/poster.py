"""The Discord side of delivering movie-night posts: `DiscordPoster` implements the scheduler's `Poster` on
discord.py (send with the job's nonce, find a post already sent, retract a cancelled announcement), and keeps
the announcement and the server's scheduled event in step with the night. It is also the series' poster:
new occurrences get their events (once each, found again after a crash by name and start time).

Rendering is one method per job kind (`RENDERERS`): each returns the post and its buttons (or None), so a kind
gains a control by changing its own method only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import discord

from bot.client import NO_PINGS
from bot.nights.library import Library
from bot.nights.scheduler import Delivery, DeliveryFailed
from bot.present import nights as present
from bot.present import series as present_series
from bot.storage.models import Overview
from bot.storage.state import Night
from cogs.club.hooks import after_film
from cogs.nights.views import rsvp_view

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

Rendered = tuple[present.Post, discord.ui.View | None]


def mentions_for(post: present.Post) -> discord.AllowedMentions:
    """The night's role and nothing else: never @everyone, users, or other roles."""
    if post.ping_role is None:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(post.ping_role)])


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


SEND_ERRORS: Final = (TimeoutError, discord.DiscordException, aiohttp.ClientError, OSError)


class DiscordPoster:
    """Implements the scheduler's Poster protocol on discord.py, plus the announcement/event upkeep."""

    def __init__(self, bot: FilmBot, library: Library) -> None:
        self.bot = bot
        self.library = library
        self.renderers: dict[str, Callable[[Delivery], Awaitable[Rendered]]] = {
            "announce": self.render_announcement,
            "reminder": self.render_reminder,
            "start": self.render_start,
            "spoilers": self.render_spoilers,
        }

    def channel(self, night: Night) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(night.channel_id, guild_id=night.guild_id)

    async def overview(self, night: Night) -> Overview | None:
        if night.film is None:
            return None
        return await self.library.overview(night.guild_id, night.film.slug)

    async def announcement(self, night: Night, *, late_by: timedelta | None = None) -> present.Post:
        """The announcement; while the film is to be decided, it says how it will be chosen."""
        post = present.announcement(night, await self.overview(night), late_by=late_by)
        if night.film is None:
            polls = [
                p for p in await self.bot.state.night_polls(night.id) if p.status in ("scheduled", "open")
            ]
            post.embed.insert_field_at(
                1, name="Film", value=present_series.film_tbd_line(polls[-1] if polls else None), inline=False
            )
        return post

    # -- rendering, one method per job kind -----------------------------------------------------------------

    async def render(self, delivery: Delivery) -> Rendered:
        return await self.renderers[delivery.job.kind](delivery)

    async def render_announcement(self, delivery: Delivery) -> Rendered:
        night = delivery.night
        counts = await self.bot.state.rsvp_counts(night.id)
        post = await self.announcement(night, late_by=delivery.late_by)
        return post, rsvp_view(night.id, counts.going, counts.maybe, counts.no)

    async def render_reminder(self, delivery: Delivery) -> Rendered:
        return present.reminder(delivery.night, delivery.job.offset_s, late_by=delivery.late_by), None

    async def render_start(self, delivery: Delivery) -> Rendered:
        return present.starting(delivery.night, late_by=delivery.late_by), None

    async def render_spoilers(self, delivery: Delivery) -> Rendered:
        post = present.spoilers_ok(delivery.night, late_by=delivery.late_by)
        return await after_film(self.bot, delivery.night, post)  # adds the club's rating control

    # -- the scheduler's Poster -------------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> int:
        post, view = await self.render(delivery)
        extra: dict[str, Any] = {} if view is None else {"view": view}
        try:
            message = await self.channel(delivery.night).send(
                post.content,
                embed=post.embed,
                allowed_mentions=mentions_for(post),
                nonce=delivery.job.nonce,  # discord.py sends enforce_nonce=True with every nonce
                **extra,
            )
        except SEND_ERRORS as error:
            raise delivery_error(error) from error
        return message.id

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        me = self.bot.user
        if me is None:
            return None
        footer = present.marker(delivery.night.id, delivery.job.kind, delivery.job.offset_s)
        after = discord.Object(discord.utils.time_snowflake(since - timedelta(seconds=5)))
        async for message in self.channel(delivery.night).history(limit=100, after=after, oldest_first=True):
            if message.author.id != me.id:
                continue
            if any((embed.footer.text or "").startswith(footer) for embed in message.embeds):
                return message.id
        return None

    async def retract(self, night: Night, announcement_id: int) -> None:
        post = present.cancelled_announcement(night)
        message = self.channel(night).get_partial_message(announcement_id)
        await message.edit(content=post.content, embed=post.embed, view=None, allowed_mentions=NO_PINGS)

    # -- keeping the announcement and the event in step ---------------------------------------------------------

    async def refresh(self, night: Night) -> None:
        """Re-render a sent announcement after an edit (same buttons, current counts)."""
        if night.announcement_id is None:
            return
        counts = await self.bot.state.rsvp_counts(night.id)
        post = await self.announcement(night)
        message = self.channel(night).get_partial_message(night.announcement_id)
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

    async def find_event(self, night: Night) -> int | None:
        """The id of the night's event if the bot already created it (a pass interrupted after creating it)."""
        me = self.bot.user
        events = await self.bot.http.get_scheduled_events(night.guild_id, False)
        for event in events:
            starts = datetime.fromisoformat(str(event.get("scheduled_start_time")).replace("Z", "+00:00"))
            if (
                event.get("name") == present.event_name(night)
                and starts == night.starts_at
                and (me is None or str(event.get("creator_id")) == str(me.id))
            ):
                return int(event["id"])
        return None

    async def occurrences_added(self, nights: Sequence[Night]) -> None:
        """The series' poster: create each new occurrence's event (unless it exists already)."""
        for night in nights:
            try:
                found = await self.find_event(night)
            except discord.HTTPException as error:
                log.warning("night %d: could not list the server's events: %s", night.id, error)
                found = None
            if found is not None:
                await self.bot.state.set_event(night.id, event_id=found, error=None)
                continue
            await self.create_event(night, await self.overview(night), self.channel_name(night))

    def channel_name(self, night: Night) -> str | None:
        guild = self.bot.get_guild(night.guild_id)
        channel = guild.get_channel(night.channel_id) if guild is not None else None
        return channel.name if channel is not None else None

    async def film_changed(self, night: Night) -> str | None:
        """The night changed (an edit, a poll, a pick): its announcement and event follow. Returns why the
        announcement could not be updated, if it could not (the event's error is kept on the night)."""
        announcement_error = None
        try:
            await self.refresh(night)
        except discord.HTTPException as error:
            log.warning("night %d: announcement not updated: %s", night.id, error)
            announcement_error = delivery_error(error).reason
        await self.update_event(night, await self.overview(night), self.channel_name(night))
        return announcement_error

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
