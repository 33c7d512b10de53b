"""Interactions: INTERACTION_CREATE sent to the bot, its callback (within the deadline, once), and the
interaction webhook (the original response, follow-ups). An `InteractionHandle` shows what the bot answered."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.offline.model import (
    ALLOWED_CALLBACKS,
    EPHEMERAL,
    LOADING,
    T_CALLBACK,
    T_ORIGINAL,
    DiscordError,
    RecordedRequest,
    Reply,
    invalid_form,
)
from bot.offline.rest import Ctx, RouteSpec
from bot.offline.routes.messages import Messages
from bot.offline.validation import violations
from bot.offline.world import World


class InteractionHandle:
    """An interaction FakeDiscord knows about; resolves when the bot's callback arrives."""

    def __init__(self, fake: World, payload: Mapping[str, Any]) -> None:
        self._fake = fake
        self.payload = dict(payload)
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        channel = payload.get("channel") or {}
        self.channel_id = int(channel.get("id") or payload["channel_id"])
        self.guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        self.created_at = time.monotonic()
        self.dispatched_at: float | None = None
        self.callback: RecordedRequest | None = None
        self.callback_at: float | None = None
        self.expired = False
        self.requests: list[RecordedRequest] = []
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.interaction: Any = None  # set by payloads.invoke (the in-process discord.Interaction)

    async def wait(self, timeout: float = 5.0) -> RecordedRequest:  # noqa: ASYNC109 - a test helper's bound
        """The accepted callback request; raises TimeoutError if none arrives in time."""
        await self._fake.wait_until(
            lambda: self.callback is not None, timeout, f"callback of interaction {self.id}"
        )
        assert self.callback is not None
        return self.callback

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch (or registration) to the accepted callback."""
        if self.callback_at is None:
            return None
        return self.callback_at - (self.dispatched_at or self.created_at)

    @property
    def response_type(self) -> int | None:
        return None if self.callback is None else self.callback.json.get("type")

    @property
    def response_data(self) -> dict[str, Any]:
        return {} if self.callback is None else (self.callback.json.get("data") or {})

    @property
    def original_message(self) -> dict[str, Any] | None:
        if self.original_message_id is None:
            return None
        return self._fake.message(self.channel_id, self.original_message_id)

    @property
    def followups(self) -> list[dict[str, Any]]:
        found = (self._fake.message(self.channel_id, mid) for mid in self.followup_ids)
        return [m for m in found if m is not None]

    def messages(self) -> list[dict[str, Any]]:
        """Current state of every message this interaction produced (original first)."""
        original = self.original_message
        return ([original] if original else []) + self.followups


class Interactions(Messages):
    def _route_table(self) -> list[RouteSpec]:
        webhook = "/webhooks/{webhook_id}/{webhook_token}"
        return [
            *super()._route_table(),
            ("POST", T_CALLBACK, self._callback),
            ("GET", T_ORIGINAL, self._get_webhook_message),
            ("PATCH", T_ORIGINAL, self._edit_webhook_message),
            ("DELETE", T_ORIGINAL, self._delete_webhook_message),
            ("POST", webhook, self._followup),
            ("GET", webhook + "/messages/{message_id}", self._get_webhook_message),
            ("PATCH", webhook + "/messages/{message_id}", self._edit_webhook_message),
            ("DELETE", webhook + "/messages/{message_id}", self._delete_webhook_message),
        ]

    def register_interaction(self, payload: Mapping[str, Any]) -> InteractionHandle:
        """Make an interaction known (so its token works) without dispatching it; see send_interaction."""
        handle = InteractionHandle(self, payload)
        self._interactions[handle.id] = handle
        self._interaction_tokens[handle.token] = handle
        return handle

    async def send_interaction(self, payload: Mapping[str, Any]) -> InteractionHandle:
        """Dispatch INTERACTION_CREATE to the shard serving payload's guild; await handle.wait() for the answer."""
        handle = self.register_interaction(payload)
        await self.dispatch("INTERACTION_CREATE", handle.payload, guild_id=handle.guild_id)
        handle.dispatched_at = time.monotonic()
        return handle

    def _handle_for_webhook(self, ctx: Ctx) -> InteractionHandle:
        handle = self._interaction_tokens.get(ctx.params["webhook_token"])
        if handle is None or ctx.params["webhook_id"] != str(self.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        return handle

    def _component_message(self, handle: InteractionHandle) -> dict[str, Any]:
        source = dict(handle.payload.get("message") or {})
        if not source:
            raise invalid_form(["this interaction has no message to update"])
        stored = self.message(handle.channel_id, source["id"])
        if stored is None:
            stored = source
            self._messages.setdefault(handle.channel_id, {})[int(source["id"])] = stored
        return stored

    async def _callback(self, ctx: Ctx) -> Reply:
        handle = self._interactions.get(ctx.id("interaction_id"))
        if handle is None or handle.token != ctx.params["interaction_token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        if (
            self.interaction_deadline is not None
            and time.monotonic() - handle.created_at > self.interaction_deadline
        ):
            handle.expired = True
            raise DiscordError(404, 10062, "Unknown interaction")
        if handle.callback is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = ctx.body if isinstance(ctx.body, Mapping) else {}
        kind = body.get("type")
        if kind not in ALLOWED_CALLBACKS.get(handle.type, frozenset()):
            raise invalid_form(
                [f"interaction callback type {kind!r} is not valid for interaction type {handle.type}"]
            )
        data = body.get("data") or {}
        if kind in (4, 7):
            self._check_message_body(ctx, data, creating=kind == 4)
        elif self.strict and (problems := violations("POST", T_CALLBACK, body)):
            raise invalid_form(problems)
        message: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = LOADING if kind == 5 else 0
            msg_type = {2: 20 if (handle.payload.get("data") or {}).get("type", 1) == 1 else 23}.get(
                handle.type, 0
            )
            message = self._store_message(
                handle.channel_id, data, ctx.files, msg_type=msg_type, flags=flags, handle=handle
            )
        elif kind in (6, 7):
            message = self._component_message(handle)
            if kind == 7:
                self._apply_edit(message, data, ctx.files)
        if message is not None:
            handle.original_message_id = int(message["id"])
        handle.callback = ctx.record
        handle.callback_at = time.monotonic()
        if ctx.query.get("with_response") not in ("1", "true", "True"):
            return Reply(204)
        response: dict[str, Any] = {"interaction": {"id": str(handle.id), "type": handle.type}}
        if message is not None:
            response["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=bool(message["flags"] & LOADING),
                response_message_ephemeral=bool(message["flags"] & EPHEMERAL),
            )
        if kind in (4, 7) and message is not None:
            response["resource"] = {"type": kind, "message": message}
        return Reply(200, response)

    def _webhook_target(self, ctx: Ctx, handle: InteractionHandle) -> dict[str, Any]:
        if ctx.record.template == T_ORIGINAL:
            if handle.original_message_id is None:
                raise DiscordError(404, 10008, "Unknown Message")
            return self._message_or_404(handle.channel_id, handle.original_message_id)
        message_id = ctx.id("message_id")
        if message_id != handle.original_message_id and message_id not in handle.followup_ids:
            raise DiscordError(404, 10008, "Unknown Message")
        return self._message_or_404(handle.channel_id, message_id)

    async def _get_webhook_message(self, ctx: Ctx) -> Reply:
        handle = self._handle_for_webhook(ctx)
        return Reply(200, self._webhook_target(ctx, handle))

    async def _edit_webhook_message(self, ctx: Ctx) -> Reply:
        handle = self._handle_for_webhook(ctx)
        message = self._webhook_target(ctx, handle)
        self._apply_edit(message, self._check_message_body(ctx, ctx.body, creating=False), ctx.files)
        return Reply(200, message)

    async def _delete_webhook_message(self, ctx: Ctx) -> Reply:
        handle = self._handle_for_webhook(ctx)
        message = self._webhook_target(ctx, handle)
        del self._messages[handle.channel_id][int(message["id"])]
        return Reply(204)

    async def _followup(self, ctx: Ctx) -> Reply:
        handle = self._handle_for_webhook(ctx)
        if handle.callback is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        body = self._check_message_body(ctx, ctx.body, creating=True)
        message = self._store_message(handle.channel_id, body, ctx.files, handle=handle)
        handle.followup_ids.append(int(message["id"]))
        if ctx.query.get("wait") in ("1", "true", "True"):
            return Reply(200, message)
        return Reply(204)
