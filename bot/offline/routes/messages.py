"""Channels and messages: create (with enforce_nonce deduplication), list (before/after/around), get, edit,
delete, typing; attachments get a URL; every change is broadcast over the gateway (MESSAGE_CREATE/UPDATE/DELETE).

Bodies Discord refuses (over-long parts, blank embed fields, an empty message) are refused the same way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.offline.model import (
    EPHEMERAL,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    LOADING,
    DiscordError,
    FakeGuild,
    Reply,
    invalid_form,
    iso,
    numbered_components,
    snowflake_time,
)
from bot.offline.rest import Ctx, Rest, RouteSpec
from bot.offline.validation import is_empty_message, message_violations

if TYPE_CHECKING:
    from bot.offline.routes.interactions import InteractionHandle

MESSAGE_INTENTS = INTENT_GUILD_MESSAGES | INTENT_DIRECT_MESSAGES


class Messages(Rest):
    def _route_table(self) -> list[RouteSpec]:
        channel = "/channels/{channel_id}"
        return [
            *super()._route_table(),
            ("GET", channel, self._get_channel),
            ("GET", channel + "/messages", self._list_messages),
            ("POST", channel + "/messages", self._create_message),
            ("GET", channel + "/messages/{message_id}", self._get_message),
            ("PATCH", channel + "/messages/{message_id}", self._edit_message),
            ("DELETE", channel + "/messages/{message_id}", self._delete_message),
            ("POST", channel + "/typing", self._typing),
        ]

    def _attachments(
        self, body: Mapping[str, Any], files: list[dict[str, Any]], channel_id: int
    ) -> list[Any]:
        out = []
        described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, Mapping)}
        for index, upload in enumerate(files):
            meta = described.get(str(index), {})
            attachment_id = self.new_id()
            filename = meta.get("filename") or upload["filename"]
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            attachment: dict[str, Any] = {
                "id": str(attachment_id),
                "filename": filename,
                "size": upload["size"],
                "url": url,
                "proxy_url": url,
                "content_type": upload.get("content_type") or "application/octet-stream",
            }
            if meta.get("description"):
                attachment["description"] = meta["description"]
            self.attachments[attachment_id] = (attachment["content_type"], upload.get("data", b""))
            out.append(attachment)
        return out

    def _poll(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """A poll as Discord returns it: numbered answers, an expiry instead of a duration, empty results."""
        duration = request.get("duration")
        hours = duration if isinstance(duration, int) else 24
        answers = [
            {"answer_id": n, "poll_media": dict(a.get("poll_media") or {})}
            for n, a in enumerate(request.get("answers") or [], start=1)
            if isinstance(a, Mapping)
        ]
        return {
            "question": dict(request.get("question") or {}),
            "answers": answers,
            "expiry": iso(self.now() + timedelta(hours=hours)),
            "allow_multiselect": bool(request.get("allow_multiselect")),
            "layout_type": request.get("layout_type") or 1,
            "results": {"answer_counts": [], "is_finalized": False},
        }

    @staticmethod
    def _embeds(embeds: Any) -> list[dict[str, Any]]:
        return [{"type": "rich", **e} for e in embeds or [] if isinstance(e, Mapping)]

    def _check_message_body(self, ctx: Ctx, body: Any, *, creating: bool) -> Mapping[str, Any]:
        if not isinstance(body, Mapping):
            raise invalid_form(["expected a JSON object"])
        if self.strict and (problems := message_violations(body)):
            raise invalid_form(problems)
        if creating and is_empty_message(body, ctx.files):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        return body

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
        message_id = self.new_id()
        message: dict[str, Any] = {
            "id": str(message_id),
            "type": msg_type,
            "content": body.get("content") or "",
            "channel_id": str(channel_id),
            "author": dict(author or self.bot_user),
            "attachments": self._attachments(body, files, channel_id),
            "embeds": self._embeds(body.get("embeds")),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(body.get("tts")),
            "timestamp": iso(snowflake_time(message_id)),
            "edited_timestamp": None,
            "flags": int(body.get("flags") or 0) | flags,
            "components": numbered_components(body.get("components")),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if isinstance(body.get("poll"), Mapping):
            message["poll"] = self._poll(body["poll"])
        reference = body.get("message_reference")
        if isinstance(reference, Mapping) and reference.get("message_id"):
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
            }
        if handle is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            user = (handle.payload.get("member") or {}).get("user") or handle.payload.get("user") or {}
            message["interaction_metadata"] = {
                "id": str(handle.id),
                "type": handle.type,
                "user": user,
                "authorizing_integration_owners": handle.payload.get("authorizing_integration_owners", {}),
            }
            if handle.type == 2:
                data = handle.payload.get("data") or {}
                message["interaction"] = {
                    "id": str(handle.id),
                    "type": 2,
                    "name": data.get("name"),
                    "user": user,
                }
        self._messages.setdefault(channel_id, {})[message_id] = message
        return message

    def _apply_edit(
        self, message: dict[str, Any], body: Mapping[str, Any], files: list[dict[str, Any]]
    ) -> None:
        was_loading = bool(message["flags"] & LOADING)
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = self._embeds(body["embeds"])
        if "components" in body:
            message["components"] = numbered_components(body["components"])
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or [] if isinstance(a, Mapping)}
            kept = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = kept + self._attachments(body, files, int(message["channel_id"]))
        if body.get("flags") is not None:
            keep = message["flags"] & EPHEMERAL
            message["flags"] = int(body["flags"]) | keep
        message["flags"] &= ~LOADING
        if not was_loading:
            message["edited_timestamp"] = iso(self.now())

    def _channel_or_404(self, channel_id: int) -> tuple[FakeGuild | None, dict[str, Any]]:
        guild, channel = self.guild_of_channel(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return guild, channel

    def _message_or_404(self, channel_id: int, message_id: int) -> dict[str, Any]:
        message = self.message(channel_id, message_id)
        if message is None:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_channel(self, ctx: Ctx) -> Reply:
        return Reply(200, self._channel_or_404(ctx.id("channel_id"))[1])

    async def _typing(self, ctx: Ctx) -> Reply:
        self._channel_or_404(ctx.id("channel_id"))
        return Reply(204)

    async def _create_message(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        guild, channel = self._channel_or_404(channel_id)
        body = self._check_message_body(ctx, ctx.body, creating=True)
        nonce = body.get("nonce")
        key = (str(self.bot_user["id"]), str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            earlier = self._nonces.get(key)
            if earlier is not None and time.monotonic() - earlier[2] < 300:
                message = self.message(earlier[0], earlier[1])
                if message is not None:
                    return Reply(200, message)
        message = self._store_message(channel_id, body, ctx.files)
        if nonce is not None:
            self._nonces[key] = (channel_id, int(message["id"]), time.monotonic())
        channel["last_message_id"] = message["id"]
        event = {**message, "guild_id": str(guild.id) if guild else None}
        if guild is not None:
            event["member"] = {k: v for k, v in self.bot_member(guild).items() if k != "user"}
        await self._broadcast("MESSAGE_CREATE", event, guild.id if guild else None, MESSAGE_INTENTS)
        return Reply(200, message)

    async def _list_messages(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        self._channel_or_404(channel_id)
        try:
            limit = int(ctx.query.get("limit", "50"))
        except ValueError:
            raise invalid_form(["limit is not an integer"]) from None
        if not 1 <= limit <= 100:
            raise invalid_form(["limit must be between 1 and 100"])
        found = sorted(self.messages(channel_id, include_ephemeral=False), key=lambda m: int(m["id"]))
        if "before" in ctx.query:
            found = [m for m in found if int(m["id"]) < int(ctx.query["before"])][-limit:]
        elif "after" in ctx.query:
            found = [m for m in found if int(m["id"]) > int(ctx.query["after"])][:limit]
        elif "around" in ctx.query:
            pivot = int(ctx.query["around"])
            older = [m for m in found if int(m["id"]) < pivot][-(limit // 2) :] if limit > 1 else []
            rest = [m for m in found if int(m["id"]) >= pivot][: limit - len(older)]
            found = older + rest
        else:
            found = found[-limit:]
        return Reply(200, list(reversed(found)))

    async def _get_message(self, ctx: Ctx) -> Reply:
        self._channel_or_404(ctx.id("channel_id"))
        return Reply(200, self._message_or_404(ctx.id("channel_id"), ctx.id("message_id")))

    async def _edit_message(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        guild, _ = self._channel_or_404(channel_id)
        message = self._message_or_404(channel_id, ctx.id("message_id"))
        if message["author"]["id"] != self.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self._apply_edit(message, self._check_message_body(ctx, ctx.body, creating=False), ctx.files)
        event = {**message, "guild_id": str(guild.id) if guild else None}
        await self._broadcast("MESSAGE_UPDATE", event, guild.id if guild else None, MESSAGE_INTENTS)
        return Reply(200, message)

    async def _delete_message(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        guild, _ = self._channel_or_404(channel_id)
        message = self._message_or_404(channel_id, ctx.id("message_id"))
        del self._messages[channel_id][int(message["id"])]
        event = {
            "id": message["id"],
            "channel_id": str(channel_id),
            "guild_id": str(guild.id) if guild else None,
        }
        await self._broadcast("MESSAGE_DELETE", event, guild.id if guild else None, MESSAGE_INTENTS)
        return Reply(204)
