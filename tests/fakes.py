"""Test doubles for movie nights: a fake clock, a fake knowledge layer, a recording poster, and a recording
Discord REST layer (bot HTTP client + interaction webhooks) with payload builders for real Interactions."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter

from bot.nights.scheduler import Delivery, DeliveryFailed
from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.models import Credit, Fact, FilmRef, Overview, Provenance
from bot.storage.state import Night

# -- time ---------------------------------------------------------------------------------------------------


class FakeClock:
    """Time stands still until `advance`; sleepers wake when their deadline passes."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + timedelta(seconds=seconds), future))
        await future

    @property
    def sleeping(self) -> int:
        """How many tasks are asleep on this clock right now."""
        return sum(1 for _, future in self._sleepers if not future.done())

    async def advance(self, delta: timedelta | float) -> None:
        self._now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        for deadline, future in list(self._sleepers):
            if deadline <= self._now and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
        for _ in range(5):
            await asyncio.sleep(0)


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    """Let background tasks run until `check()` holds (bounded)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


async def until(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Like `eventually`, for checks that need to await (e.g. read the state store)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


# -- knowledge ----------------------------------------------------------------------------------------------


def fact(name: str, value: str) -> Fact:
    return Fact(
        field=name, value=value, documents=("doc.txt",), provenance=Provenance("doc.txt", 0, 1, value)
    )


def overview_for(
    film: FilmRef,
    *,
    runtime: str | None = "90 minutes",
    director: str = "Richard Shepard",
    premise: str = "A troubled musical prodigy seeks out her former mentor.",
    where: tuple[str, ...] = ("Netflix",),
) -> Overview:
    facts = {"title": fact("title", film.title), "director": fact("director", director)}
    if film.year:
        facts["year"] = fact("year", str(film.year))
    if runtime:
        facts["runtime"] = fact("runtime", runtime)
    cast = (
        Credit(1, "Allison Williams", "Charlotte", "", "", ("doc.txt",)),
        Credit(2, "Logan Browning", "Elizabeth", "", "", ("doc.txt",)),
    )
    return Overview(film=film, facts=facts, premise=premise, top_cast=cast, where_to_watch=where)


class FakeKnowledge:
    """Exactly the interface the movie nights use: films, find_films, resolve_film, overview."""

    def __init__(self, films: list[FilmRef], overviews: dict[str, Overview] | None = None) -> None:
        self._films = films
        self._overviews = overviews if overviews is not None else {f.slug: overview_for(f) for f in films}

    async def films(self) -> list[FilmRef]:
        return list(self._films)

    async def find_films(self, text: str, limit: int = 25) -> list[FilmRef]:
        folded = text.casefold().strip()
        return [f for f in self._films if folded in f.title.casefold() or folded in f.slug][:limit]

    async def resolve_film(self, text: str | None) -> FilmRef:
        if not self._films:
            raise KnowledgeUnavailable("the library has no films")
        if not text:
            if len(self._films) == 1:
                return self._films[0]
            raise FilmAmbiguous(tuple(self._films))
        folded = text.casefold().strip()
        for film in self._films:
            if folded in (film.slug, film.title.casefold()):
                return film
        raise LookupFailed("film", text, tuple(f.title for f in self._films[:3]))

    async def overview(self, slug: str) -> Overview:
        if slug not in self._overviews:
            raise LookupFailed("film", slug)
        return self._overviews[slug]


PERFECTION = FilmRef("the-perfection", "The Perfection", 2018)
ARRIVAL = FilmRef("arrival", "Arrival", 2016)


# -- a poster for the scheduler -------------------------------------------------------------------------------


@dataclass
class RecordingPoster:
    """Records posts. Like Discord with enforce_nonce, a nonce already used returns the earlier message.
    `failures` are raised by the next deliveries (None = succeed)."""

    failures: list[DeliveryFailed | None] = field(default_factory=list)
    history_visible: bool = True
    calls: list[Delivery] = field(default_factory=list)
    posts: list[Delivery] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)
    lookups: list[tuple[Delivery, datetime]] = field(default_factory=list)
    retracted: list[tuple[int, int]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    async def deliver(self, delivery: Delivery) -> int:
        self.calls.append(delivery)
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        if delivery.job.nonce in self.by_nonce:
            return self.by_nonce[delivery.job.nonce]
        message_id = next(self._ids)
        self.by_nonce[delivery.job.nonce] = message_id
        self.posts.append(delivery)
        return message_id

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        self.lookups.append((delivery, since))
        return self.by_nonce.get(delivery.job.nonce) if self.history_visible else None

    async def retract(self, night: Night, announcement_id: int) -> None:
        self.retracted.append((night.id, announcement_id))

    def kinds(self) -> list[str]:
        return [p.job.kind if p.job.kind != "reminder" else f"reminder:{p.job.offset_s}" for p in self.posts]


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
) -> dict[str, Any]:
    payload = _base(user_id, permissions, channel_id)
    payload["type"] = 4 if autocomplete else 2
    payload["data"] = {
        "id": "1300000000000000001",
        "name": "movienight",
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": options or []}],
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


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


async def add_night(
    store: Any,
    now: datetime,
    starts_at: datetime,
    *,
    runtime: int | None = 90,
    reminders: tuple[int, ...] = (24 * 3600, 15 * 60),
    guild_id: int = GUILD_ID,
    channel_id: int = CHANNEL_ID,
    role_id: int | None = ROLE_ID,
    film: FilmRef = PERFECTION,
    note: str = "",
) -> Night:
    """A night written the way /movienight schedule writes it."""
    from bot.nights.offsets import end_of
    from bot.nights.scheduler import plan_jobs

    night: Night = await store.create_night(
        guild_id=guild_id,
        channel_id=channel_id,
        film=film,
        runtime_minutes=runtime,
        starts_at=starts_at,
        ends_at=end_of(starts_at, runtime),
        timezone="Europe/London",
        role_id=role_id,
        note=note,
        created_by=ORGANISER_ID,
        now=now,
        jobs=plan_jobs(starts_at, runtime, reminders, now),
    )
    return night
