"""Polls, as Discord serves them: a message created with a `poll` gets Discord's poll object (answer ids, an
`expiry` on the offline Discord's clock, `results`); members vote (`vote`, which sends MESSAGE_POLL_VOTE_ADD
or _REMOVE to sessions with the GUILD_MESSAGE_POLLS intent); the author expires it early
(`POST /channels/{channel_id}/polls/{message_id}/expire`); voters per answer can be listed.

`results.is_finalized` turns true once the poll has expired (by its clock, or early) and `finalize_delay`
seconds have passed, as Discord recounts before finalizing; counts are frozen from the expiry on. Results
list only answers that got votes, as Discord may. Poll bodies Discord refuses are refused (400 50035), and so
are votes after the expiry (520001) and expiring someone else's poll (50005) or a plain message (520006).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from bot.offline.model import (
    INTENT_GUILD_MESSAGES,
    DiscordError,
    FakeGuild,
    Reply,
    invalid_form,
    iso,
    user_payload,
)
from bot.offline.rest import Ctx, RouteSpec
from bot.offline.routes.messages import Messages
from bot.offline.validation import REQUIRED, TOO_LONG, Violation

if TYPE_CHECKING:
    from bot.offline.routes.interactions import InteractionHandle

INTENT_GUILD_MESSAGE_POLLS: Final = 1 << 24
INTENT_DIRECT_MESSAGE_POLLS: Final = 1 << 25
T_EXPIRE: Final = "/channels/{channel_id}/polls/{message_id}/expire"
T_VOTERS: Final = "/channels/{channel_id}/polls/{message_id}/answers/{answer_id}"


@dataclass
class PollState:
    """What Discord knows of one poll beyond its JSON: the votes, and when it ended."""

    channel_id: int
    message_id: int
    guild_id: int | None
    expiry: datetime
    multiselect: bool
    answer_ids: list[int]
    votes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # answer id -> voters (users)
    ended_at: datetime | None = None  # set when it expires (by time or early)
    frozen: dict[int, int] | None = None  # counts at the expiry


def poll_violations(poll: Any) -> list[Violation]:
    """What Discord refuses in a message's `poll`."""
    if not isinstance(poll, Mapping):
        return [Violation("poll", "must be an object", REQUIRED)]
    out: list[Violation] = []
    question = (poll.get("question") or {}).get("text") if isinstance(poll.get("question"), Mapping) else None
    if not isinstance(question, str) or not question.strip():
        out.append(Violation("poll.question.text", "is required", REQUIRED))
    elif len(question) > 300:
        out.append(Violation("poll.question.text", f"is {len(question)} characters (max 300)", TOO_LONG))
    answers = poll.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= 10:
        out.append(Violation("poll.answers", "must have 1-10 answers"))
    for i, answer in enumerate(answers if isinstance(answers, list) else []):
        media = answer.get("poll_media") if isinstance(answer, Mapping) else None
        text = media.get("text") if isinstance(media, Mapping) else None
        if not isinstance(text, str) or not text.strip():
            out.append(Violation(f"poll.answers[{i}].poll_media.text", "is required", REQUIRED))
        elif len(text) > 55:
            out.append(
                Violation(
                    f"poll.answers[{i}].poll_media.text", f"is {len(text)} characters (max 55)", TOO_LONG
                )
            )
    duration = poll.get("duration", 24)
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or duration != int(duration)
        or not 1 <= duration <= 768
    ):
        out.append(Violation("poll.duration", f"must be a whole number of hours, 1-768 (got {duration!r})"))
    if poll.get("layout_type") not in (None, 1):
        out.append(Violation("poll.layout_type", "must be 1"))
    return out


class Polls(Messages):
    def _route_table(self) -> list[RouteSpec]:
        return [
            *super()._route_table(),
            ("POST", T_EXPIRE, self._expire_poll),
            ("GET", T_VOTERS, self._poll_voters),
        ]

    # -- state --------------------------------------------------------------------------------------------------

    def __init__(self, **options: Any) -> None:
        """The options of `bot.offline.world.World`."""
        super().__init__(**options)
        self.polls: dict[tuple[int, int], PollState] = {}
        self.finalize_delay = 0.0  # seconds after the expiry before the counts are final

    def _check_message_body(self, ctx: Ctx, body: Any, *, creating: bool) -> Mapping[str, Any]:
        checked = super()._check_message_body(ctx, body, creating=creating)
        if "poll" in checked and checked["poll"] is not None:
            if not creating:
                raise DiscordError(400, 520003, "Cannot edit a poll message")
            if self.strict and (problems := poll_violations(checked["poll"])):
                raise invalid_form(problems)
        return checked

    def _store_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: list[dict[str, Any]],
        *,
        author: Mapping[str, Any] | None = None,
        msg_type: int = 0,
        flags: int = 0,
        handle: InteractionHandle | None = None,
    ) -> dict[str, Any]:
        message = super()._store_message(
            channel_id, body, files, author=author, msg_type=msg_type, flags=flags, handle=handle
        )
        if body.get("poll"):
            message["poll"] = self._new_poll(channel_id, int(message["id"]), body["poll"])
        return message

    def _new_poll(self, channel_id: int, message_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        guild, _ = self.guild_of_channel(channel_id)
        hours = int(request.get("duration") or 24)
        answers: list[dict[str, Any]] = [
            {"answer_id": i, "poll_media": dict(answer.get("poll_media") or {})}
            for i, answer in enumerate(request.get("answers") or [], 1)
        ]
        state = PollState(
            channel_id=channel_id,
            message_id=message_id,
            guild_id=guild.id if guild else None,
            expiry=self.now() + timedelta(hours=hours),
            multiselect=bool(request.get("allow_multiselect")),
            answer_ids=list(range(1, len(answers) + 1)),
        )
        self.polls[(channel_id, message_id)] = state
        return {
            "question": {"text": (request.get("question") or {}).get("text", "")},
            "answers": answers,
            "expiry": iso(state.expiry),
            "allow_multiselect": state.multiselect,
            "layout_type": 1,
            "results": {"answer_counts": [], "is_finalized": False},
        }

    def _settle(self, message: dict[str, Any]) -> dict[str, Any]:
        """Bring a poll message's results up to the clock (expired: counts frozen; finalized after the delay)."""
        state = self.polls.get((int(message["channel_id"]), int(message["id"])))
        if state is None or "poll" not in message:
            return message
        now = self.now()
        if state.ended_at is None and now >= state.expiry:
            state.ended_at = state.expiry
        if state.ended_at is not None and state.frozen is None:
            state.frozen = {answer: len(users) for answer, users in state.votes.items()}
        counts = state.frozen if state.frozen is not None else {a: len(u) for a, u in state.votes.items()}
        finalized = state.ended_at is not None and now >= state.ended_at + timedelta(
            seconds=self.finalize_delay
        )
        message["poll"]["expiry"] = iso(state.ended_at or state.expiry)
        message["poll"]["results"] = {
            "answer_counts": [
                {"id": answer, "count": count, "me_voted": False}
                for answer, count in sorted(counts.items())
                if count > 0
            ],
            "is_finalized": finalized,
        }
        return message

    def message(self, channel_id: int | str, message_id: int | str) -> dict[str, Any] | None:
        found = super().message(channel_id, message_id)
        return None if found is None else self._settle(found)

    def messages(self, channel_id: int | str, *, include_ephemeral: bool = True) -> list[dict[str, Any]]:
        return [self._settle(m) for m in super().messages(channel_id, include_ephemeral=include_ephemeral)]

    # -- members' side ------------------------------------------------------------------------------------------

    async def vote(
        self, channel_id: int | str, message_id: int | str, user: Mapping[str, Any], answer_ids: Sequence[int]
    ) -> None:
        """A member votes (replacing their earlier vote): MESSAGE_POLL_VOTE_REMOVE/ADD go to the sessions with the
        poll intents. Refused after the poll ended, as Discord refuses it."""
        state, message = self._poll_or_404(int(channel_id), int(message_id))
        self._settle(message)
        if state.ended_at is not None:
            raise DiscordError(400, 520001, "Poll expired")
        chosen = list(dict.fromkeys(answer_ids))
        if (
            not chosen
            or any(a not in state.answer_ids for a in chosen)
            or (len(chosen) > 1 and not state.multiselect)
        ):
            raise invalid_form([Violation("answer_ids", f"{chosen} are not valid answers to this poll")])
        user_id = str(user["id"])
        for answer, voters in state.votes.items():
            if answer not in chosen and any(v["id"] == user_id for v in voters):
                voters[:] = [v for v in voters if v["id"] != user_id]
                await self._vote_event("MESSAGE_POLL_VOTE_REMOVE", state, user_id, answer)
        for answer in chosen:
            voters = state.votes.setdefault(answer, [])
            if all(v["id"] != user_id for v in voters):
                voters.append(dict(user))
                await self._vote_event("MESSAGE_POLL_VOTE_ADD", state, user_id, answer)
        self._notify()

    async def _vote_event(self, event: str, state: PollState, user_id: str, answer_id: int) -> None:
        data: dict[str, Any] = {
            "user_id": user_id,
            "channel_id": str(state.channel_id),
            "message_id": str(state.message_id),
            "answer_id": answer_id,
        }
        if state.guild_id is not None:
            data["guild_id"] = str(state.guild_id)
        intent = INTENT_GUILD_MESSAGE_POLLS if state.guild_id is not None else INTENT_DIRECT_MESSAGE_POLLS
        await self._broadcast(event, data, state.guild_id, intent)

    def voter(self, name: str) -> dict[str, Any]:
        """A new member to vote with."""
        return user_payload(self.new_id(), name)

    async def remove_message(self, channel_id: int | str, message_id: int | str) -> None:
        """A moderator deletes a message (MESSAGE_DELETE is sent as for any deletion)."""
        guild, _ = self.guild_of_channel(int(channel_id))
        self._messages.get(int(channel_id), {}).pop(int(message_id), None)
        self.polls.pop((int(channel_id), int(message_id)), None)
        event = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "guild_id": str(guild.id) if guild else None,
        }
        await self._broadcast("MESSAGE_DELETE", event, guild.id if guild else None, INTENT_GUILD_MESSAGES)
        self._notify()

    def remove_channel(self, guild: FakeGuild, channel_id: int | str) -> None:
        """An admin deletes a channel: its messages go with it (REST answers 404 Unknown Channel)."""
        guild.channels[:] = [c for c in guild.channels if c["id"] != str(channel_id)]
        self._messages.pop(int(channel_id), None)
        self._notify()

    # -- REST ---------------------------------------------------------------------------------------------------

    def _poll_or_404(self, channel_id: int, message_id: int) -> tuple[PollState, dict[str, Any]]:
        self._channel_or_404(channel_id)
        message = self._message_or_404(channel_id, message_id)
        state = self.polls.get((channel_id, message_id))
        if state is None or "poll" not in message:
            raise DiscordError(400, 520006, "Cannot expire a non-poll message")
        return state, message

    async def _expire_poll(self, ctx: Ctx) -> Reply:
        state, message = self._poll_or_404(ctx.id("channel_id"), ctx.id("message_id"))
        if message["author"]["id"] != self.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self._settle(message)
        if state.ended_at is not None:
            raise DiscordError(400, 520001, "Poll expired")
        state.ended_at = self.now()
        self._settle(message)
        guild, _ = self.guild_of_channel(state.channel_id)
        event = {**message, "guild_id": str(guild.id) if guild else None}
        await self._broadcast("MESSAGE_UPDATE", event, guild.id if guild else None, INTENT_GUILD_MESSAGES)
        return Reply(200, message)

    async def _poll_voters(self, ctx: Ctx) -> Reply:
        state, _ = self._poll_or_404(ctx.id("channel_id"), ctx.id("message_id"))
        answer = ctx.id("answer_id")
        if answer not in state.answer_ids:
            raise DiscordError(404, 10008, "Unknown Message")
        voters = sorted(state.votes.get(answer, []), key=lambda u: int(u["id"]))
        after = int(ctx.query.get("after", "0") or 0)
        limit = int(ctx.query.get("limit", "25") or 25)
        return Reply(200, {"users": [v for v in voters if int(v["id"]) > after][: max(1, min(limit, 100))]})
