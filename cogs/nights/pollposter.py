"""The Discord side of film polls (`bot.nights.polls.PollPoster` on discord.py): post the native poll with the
job's nonce, read the final counts from the expired message, post the result with its buttons, expire a
poll early (`POST /channels/{channel}/polls/{message}/expire`).

Counts are read only from the message once Discord says they are final (`poll.results.is_finalized`); vote
events are not needed, so the bot asks for no poll intent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import discord

from bot.client import NO_PINGS
from bot.nights.polls import PollDelivery, PollPosted
from bot.nights.scheduler import DeliveryFailed
from bot.present import polls as present
from bot.storage.state import Night
from bot.storage.state.polls import Poll
from cogs.nights.poster import SEND_ERRORS, DiscordPoster, delivery_error
from cogs.nights.views import result_view

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL: Final = 10003
POLL_EXPIRED: Final = 520001  # Discord: the poll has already ended
NOT_FINAL_RETRY: Final = 5.0  # seconds before reading counts Discord has not finalized again


class DiscordPollPoster:
    def __init__(self, bot: FilmBot, poster: DiscordPoster) -> None:
        self.bot = bot
        self.poster = poster

    def channel(self, poll: Poll) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)

    async def _night(self, poll: Poll) -> Night | None:
        return await self.bot.state.get_night(poll.night_id) if poll.night_id is not None else None

    # -- opening ----------------------------------------------------------------------------------------------

    async def open_poll(self, delivery: PollDelivery) -> PollPosted:
        poll = delivery.poll
        native = discord.Poll(
            question=present.question(poll, await self._night(poll)), duration=timedelta(hours=delivery.hours)
        )
        for option in poll.options:
            native.add_answer(text=present.answer(option), emoji="🎬")
        try:
            message = await self.channel(poll).send(
                poll=native, nonce=delivery.job.nonce, allowed_mentions=NO_PINGS
            )
        except SEND_ERRORS as error:
            raise delivery_error(error) from error
        return self._posted(message, delivery.hours)

    def _posted(self, message: discord.Message, hours: int) -> PollPosted:
        expires = message.poll.expires_at if message.poll is not None else None
        return PollPosted(message.id, expires or message.created_at + timedelta(hours=hours))

    async def find_poll(self, delivery: PollDelivery, since: datetime) -> PollPosted | None:
        async for message in self._mine(delivery.poll, since):
            if message.poll is not None and present.is_question_of(message.poll.question, delivery.poll.id):
                return self._posted(message, delivery.hours)
        return None

    async def _mine(self, poll: Poll, since: datetime) -> AsyncIterator[discord.Message]:
        me = self.bot.user
        after = discord.Object(discord.utils.time_snowflake(since - timedelta(seconds=5)))
        async for message in self.channel(poll).history(limit=100, after=after, oldest_first=True):
            if me is not None and message.author.id == me.id:
                yield message

    # -- reading the result -----------------------------------------------------------------------------------

    async def read_poll(self, poll: Poll) -> dict[int, int]:
        if poll.message_id is None:
            raise DeliveryFailed("the poll was never posted", permanent=True)
        try:
            message = await self.channel(poll).fetch_message(poll.message_id)
        except discord.NotFound as error:
            gone = "its channel is gone" if error.code == UNKNOWN_CHANNEL else "its message was deleted"
            raise DeliveryFailed(f"404 {gone}", permanent=True) from error
        except SEND_ERRORS as error:
            raise delivery_error(error) from error
        native = message.poll
        if native is None:
            raise DeliveryFailed("the message no longer holds the poll", permanent=True)
        if not native.is_finalised():
            expires = native.expires_at
            wait = (expires - self.bot.clock.now()).total_seconds() if expires else 0.0
            raise DeliveryFailed(
                "Discord has not finalized the counts yet", retry_after=max(wait, 0.0) + NOT_FINAL_RETRY
            )
        answers = sorted(native.answers, key=lambda answer: answer.id)
        return {position: answer.vote_count for position, answer in enumerate(answers, 1)}

    async def post_result(self, delivery: PollDelivery) -> int:
        post = present.result(delivery.poll, delivery.night, late_by=delivery.late_by)
        view = result_view(delivery.poll, delivery.night)
        extra: dict[str, Any] = {} if view is None else {"view": view}
        try:
            message = await self.channel(delivery.poll).send(
                post.content, embed=post.embed, allowed_mentions=NO_PINGS, nonce=delivery.job.nonce, **extra
            )
        except SEND_ERRORS as error:
            raise delivery_error(error) from error
        return message.id

    async def find_result(self, delivery: PollDelivery, since: datetime) -> int | None:
        footer = present.marker(delivery.poll.id)
        async for message in self._mine(delivery.poll, since):
            if any((embed.footer.text or "") == footer for embed in message.embeds):
                return message.id
        return None

    async def film_chosen(self, night: Night) -> None:
        await self.poster.film_changed(night)

    # -- ending early -------------------------------------------------------------------------------------------

    async def expire(self, poll: Poll) -> DeliveryFailed | None:
        """End the poll on Discord now. None when it is ended (or was already); else why not, permanent when
        its message or channel is gone."""
        if poll.message_id is None:
            return None
        try:
            await self.bot.http.end_poll(poll.channel_id, poll.message_id)
        except discord.NotFound as error:
            gone = "its channel is gone" if error.code == UNKNOWN_CHANNEL else "its message was deleted"
            return DeliveryFailed(f"404 {gone}", permanent=True)
        except discord.HTTPException as error:
            return None if error.code == POLL_EXPIRED else delivery_error(error)
        except SEND_ERRORS as error:
            return delivery_error(error)
        return None
