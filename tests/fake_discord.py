"""A recording Discord REST layer (the bot's HTTP client and the interaction webhooks) for in-process cog tests,
with payload builders for real discord.Interaction objects."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter

# -- a recording Discord REST layer ---------------------------------------------------------------------------

APP_ID = 700000000000000001
BOT_ID = 700000000000000002
GUILD_ID = 800000000000000001
CHANNEL_ID = 800000000000000010
OTHER_CHANNEL_ID = 800000000000000011
ROLE_ID = 800000000000000020
OTHER_ROLE_ID = 800000000000000021
ORGANISER_ID = 900000000000000001
MEMBER_ID = 900000000000000002
MANAGE_EVENTS = 1 << 33
SEND = (1 << 11) | (1 << 10)  # send messages, view channel


def user_payload(user_id: int, name: str = "someone", *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


def role_payload(role_id: int, name: str, permissions: int = 0) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": 0 if role_id == GUILD_ID else 1,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def channel_payload(channel_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
    }


def guild_payload() -> dict[str, Any]:
    return {
        "id": str(GUILD_ID),
        "name": "Film Club",
        "owner_id": str(ORGANISER_ID),
        "roles": [
            role_payload(GUILD_ID, "@everyone", SEND),
            role_payload(ROLE_ID, "movie-night"),
            role_payload(OTHER_ROLE_ID, "moderators"),
        ],
        "channels": [
            channel_payload(CHANNEL_ID, "movie-night"),
            channel_payload(OTHER_CHANNEL_ID, "general"),
        ],
        "members": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 3,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "unavailable": False,
    }


def message_payload(
    message_id: int,
    channel_id: int,
    *,
    content: str | None = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    author_id: int = BOT_ID,
    nonce: str | None = None,
    flags: int = 0,
) -> dict[str, Any]:
    return {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "guild_id": str(GUILD_ID),
        "type": 0,
        "content": content or "",
        "author": user_payload(author_id, "FilmBot", bot=author_id == BOT_ID),
        "embeds": embeds or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": flags,
        "components": components or [],
        "nonce": nonce,
    }


@dataclass
class Request:
    method: str
    path: str  # concrete, e.g. /channels/123/messages
    json: Any
    reason: str | None = None


class _Response:
    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason


def http_error(status: int, message: str = "", code: int = 0) -> discord.HTTPException:
    response = _Response(
        status, {403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
    )
    body = {"code": code, "message": message}
    if status == 403:
        return discord.Forbidden(response, body)  # type: ignore[arg-type]
    if status == 404:
        return discord.NotFound(response, body)  # type: ignore[arg-type]
    if status >= 500:
        return discord.DiscordServerError(response, body)  # type: ignore[arg-type]
    return discord.HTTPException(response, body)  # type: ignore[arg-type]


class FakeDiscord:
    """Stands in for Discord's REST API: records every request and answers enough for the bot to go on.
    Message creation honours enforce_nonce like Discord (same nonce in a channel -> the earlier message)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.nonces: dict[tuple[int, str], int] = {}
        self.failures: list[tuple[str, str, Exception]] = []  # (method, path prefix, error), used once each
        self._ids = itertools.count(1_100_000_000_000_000_000)

    def fail_next(self, method: str, path_prefix: str, error: Exception) -> None:
        self.failures.append((method, path_prefix, error))

    def _maybe_fail(self, method: str, path: str) -> None:
        for index, (m, prefix, error) in enumerate(self.failures):
            if m == method and path.startswith(prefix):
                del self.failures[index]
                raise error

    def posted(self, channel_id: int | None = None) -> list[Request]:
        """Messages the bot created in channels (not interaction replies)."""
        return [
            r
            for r in self.requests
            if r.method == "POST"
            and r.path.startswith("/channels/")
            and r.path.endswith("/messages")
            and (channel_id is None or r.path == f"/channels/{channel_id}/messages")
        ]

    def replies(self) -> list[Request]:
        """Interaction responses and follow-ups, in order."""
        return [r for r in self.requests if r.path.startswith(("/interactions/", "/webhooks/"))]

    def find(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    @staticmethod
    def _path(url: str) -> str:
        return url.split("/api/v10", 1)[1].split("?", 1)[0]

    def _new_message(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and (channel_id, nonce) in self.nonces:
            return self.messages[self.nonces[(channel_id, nonce)]]
        message_id = next(self._ids)
        data = message_payload(
            message_id,
            channel_id,
            content=body.get("content"),
            embeds=body.get("embeds"),
            components=body.get("components"),
            nonce=nonce,
            flags=body.get("flags", 0),
        )
        self.messages[message_id] = data
        if nonce is not None:
            self.nonces[(channel_id, nonce)] = message_id
        return data

    async def http_request(self, route: Any, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        path = self._path(route.url)
        body = kwargs.get("json")
        self.requests.append(Request(route.method, path, body, kwargs.get("reason")))
        self._maybe_fail(route.method, path)
        parts = path.strip("/").split("/")
        if parts[0] == "channels" and parts[2:3] == ["messages"]:
            channel_id = int(parts[1])
            if route.method == "POST" and len(parts) == 3:
                return self._new_message(channel_id, body or {})
            if route.method == "PATCH" and len(parts) == 4:
                message = self.messages.setdefault(int(parts[3]), message_payload(int(parts[3]), channel_id))
                message.update(
                    {k: v for k, v in (body or {}).items() if k in ("content", "embeds", "components")}
                )
                return message
            if route.method == "GET" and len(parts) == 3:
                found = [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]
                return sorted(found, key=lambda m: int(m["id"]), reverse=True)
        if parts[0] == "guilds" and parts[2:3] == ["scheduled-events"]:
            if route.method == "POST":
                return {"id": str(next(self._ids)), "guild_id": parts[1], **(body or {})}
            if route.method == "PATCH":
                return {"id": parts[3], "guild_id": parts[1], **(body or {})}
            return None
        return {}

    async def webhook_request(self, route: Any, session: Any, *, payload: Any = None, **kwargs: Any) -> Any:
        path = self._path(route.url)
        if payload is None and kwargs.get("multipart"):
            payload = kwargs["multipart"][0].get("value")
        self.requests.append(Request(route.method, path, payload, kwargs.get("reason")))
        self._maybe_fail(route.method, path)
        if path.startswith("/interactions/"):
            interaction_id = path.split("/")[2]
            return {"interaction": {"id": interaction_id, "type": 2}}
        body = payload if isinstance(payload, dict) else {}
        data = message_payload(
            next(self._ids), CHANNEL_ID, content=body.get("content"), flags=body.get("flags", 0)
        )
        data["webhook_id"] = str(APP_ID)
        return data

    def install(self, bot: discord.Client, monkeypatch: Any) -> None:
        monkeypatch.setattr(bot.http, "request", self.http_request)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", staticmethod(self.webhook_request))


# -- interactions -------------------------------------------------------------------------------------------

_interaction_ids = itertools.count(1_200_000_000_000_000_000)


def member_payload(user_id: int, permissions: int, roles: tuple[int, ...] = ()) -> dict[str, Any]:
    return {
        "user": user_payload(user_id),
        "roles": [str(r) for r in roles],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def _base(user_id: int, permissions: int, channel_id: int) -> dict[str, Any]:
    interaction_id = next(_interaction_ids)
    return {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "token": f"token-{interaction_id}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": str(channel_id),
        "channel": channel_payload(channel_id, "movie-night"),
        "member": member_payload(user_id, permissions),
        "app_permissions": str(SEND | MANAGE_EVENTS),
        "locale": "en-US",
        "guild_locale": "en-US",
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
    }


def option(name: str, value: Any, kind: int = 3, *, focused: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        data["focused"] = True
    return data


def command_payload(
    sub: str,
    options: list[dict[str, Any]] | None = None,
    *,
    user_id: int = ORGANISER_ID,
    permissions: int = SEND | MANAGE_EVENTS,
    channel_id: int = CHANNEL_ID,
    resolved: dict[str, Any] | None = None,
    autocomplete: bool = False,
    command: str = "movienight",
) -> dict[str, Any]:
    """/<command> <sub> with options; `sub` may name a subcommand of a group ("poll start")."""
    payload = _base(user_id, permissions, channel_id)
    payload["type"] = 4 if autocomplete else 2
    group, _, leaf = sub.rpartition(" ")
    chosen: dict[str, Any] = {"name": leaf, "type": 1, "options": options or []}
    if group:
        chosen = {"name": group, "type": 2, "options": [chosen]}
    payload["data"] = {
        "id": "1300000000000000001",
        "name": command,
        "type": 1,
        "options": [chosen],
        "resolved": resolved or {},
    }
    return payload


def resolved_role(role_id: int, name: str) -> dict[str, Any]:
    return {"roles": {str(role_id): role_payload(role_id, name)}}


def resolved_channel(channel_id: int, name: str) -> dict[str, Any]:
    return {
        "channels": {
            str(channel_id): {
                "id": str(channel_id),
                "name": name,
                "type": 0,
                "permissions": str(SEND),
                "parent_id": None,
            }
        }
    }


def button_payload(
    custom_id: str, message: dict[str, Any], *, user_id: int = MEMBER_ID, permissions: int = SEND
) -> dict[str, Any]:
    channel_id = int(message["channel_id"])
    payload = _base(user_id, permissions, channel_id)
    payload["type"] = 3
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = message
    return payload
