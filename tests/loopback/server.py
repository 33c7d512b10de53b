"""FakeDiscord: a loopback Discord (REST v10 + gateway) that an unmodified discord.py bot can log into.

Route templates use the names of Discord's OpenAPI description, e.g. ``/channels/{channel_id}/messages``,
``/interactions/{interaction_id}/{interaction_token}/callback``,
``/webhooks/{webhook_id}/{webhook_token}/messages/@original``,
``/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from .openapi import limit_violations, message_violations

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
RESUME_GATEWAY_PATH = "/resume-gateway"
DISCORD_EPOCH_MS = 1420070400000

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)

# Permission bits used for defaults.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_APPLICATION_COMMANDS
    | (1 << 6)  # add reactions
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | MENTION_EVERYONE | MANAGE_EVENTS | CREATE_EVENTS

EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Route templates (Discord's OpenAPI names).
T_CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
T_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
T_ORIGINAL = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
T_WEBHOOK_MESSAGE = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
TOKEN_ROUTES = frozenset({T_CALLBACK, T_WEBHOOK, T_ORIGINAL, T_WEBHOOK_MESSAGE})

ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    1: frozenset({1}),
    2: frozenset({4, 5, 9, 12}),
    3: frozenset({4, 5, 6, 7, 9, 12}),
    4: frozenset({8}),
    5: frozenset({4, 5, 6, 7}),
}


def numbered_components(components: Any) -> list[dict[str, Any]]:
    """Components as Discord returns them: every component (nested ones too) gets a numeric `id`."""
    result = [dict(c) for c in components or [] if isinstance(c, Mapping)]
    taken = {c["id"] for c in _walk(result) if isinstance(c.get("id"), int)}
    next_id = 1
    for component in _walk(result):
        if not isinstance(component.get("id"), int):
            while next_id in taken:
                next_id += 1
            component["id"] = next_id
            taken.add(next_id)
    return result


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        for key in ("components", "items"):
            if isinstance(component.get(key), list):
                component[key] = [dict(c) for c in component[key] if isinstance(c, Mapping)]
                yield from _walk(component[key])
        for key in ("accessory", "component"):
            if isinstance(component.get(key), Mapping):
                component[key] = dict(component[key])
                yield component[key]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def shard_for(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


class SnowflakeFactory:
    """Real-looking, increasing snowflakes; can aim at a shard: ``(id >> 22) % shard_count == shard_id``."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x1F
        self._last = 0
        self._increment = 0

    def next(self, shard: tuple[int, int] | None = None) -> int:
        ms = max(int(time.time() * 1000) - DISCORD_EPOCH_MS, self._last >> 22)
        step = 1
        if shard is not None:
            shard_id, count = shard
            ms += (shard_id - ms) % count
            step = count
        while True:
            self._increment = (self._increment + 1) % 4096
            value = (ms << 22) | (self._worker << 17) | self._increment
            if value > self._last:
                self._last = value
                return value
            ms += step


class DiscordError(Exception):
    """Raised by handlers; becomes Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = dict(errors)


def invalid_form(problems: Sequence[str]) -> DiscordError:
    errors = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": p} for p in problems]}
    return DiscordError(400, 50035, "Invalid Form Body", errors)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RecordedRequest:
    """One REST request as FakeDiscord saw it (path is without the /api/v10 prefix)."""

    method: str
    path: str
    template: str | None
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    time: float
    files: list[dict[str, Any]] = field(default_factory=list)
    authorized: bool = True
    status: int = 0
    response: Any = None
    fault: bool = False


@dataclass
class Fault:
    method: str
    template: str
    remaining: int
    status: int
    body: Any
    retry_after: float | None
    is_global: bool
    after_handling: bool


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    joined_at: str
    preferred_locale: str = "en-US"
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)

    def shard_id(self, shard_count: int) -> int:
        return shard_for(self.id, shard_count)

    def channel(self, key: str | int) -> dict[str, Any]:
        """A channel by name or id."""
        for channel in self.channels:
            if channel["name"] == key or channel["id"] == str(key):
                return channel
        raise KeyError(key)

    @property
    def text_channel(self) -> dict[str, Any]:
        return next(c for c in self.channels if c["type"] == 0)

    def role(self, key: str | int) -> dict[str, Any]:
        for role in self.roles:
            if role["name"] == key or role["id"] == str(key):
                return role
        raise KeyError(key)

    @property
    def bot_role(self) -> dict[str, Any]:
        return next(r for r in self.roles if r.get("managed"))

    def rest_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "home_header": None,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": self.text_channel["id"],
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "max_presences": None,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "roles": self.roles,
            "emojis": [],
            "stickers": [],
            "vanity_url_code": None,
            "application_id": None,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw": False,
            "incidents_data": None,
        }


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: dict[str, Any]
    created_at: float
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    ready_at: float | None = None
    invalidated: bool = False
    resumed: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def owns_guild(self, guild_id: int) -> bool:
        return shard_for(guild_id, self.shard_count) == self.shard_id

    def frame(self, event: str, data: Any) -> dict[str, Any]:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.frames.append(frame)
        return frame


class GatewayConnection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.opened_at = time.monotonic()
        self.session: GatewaySession | None = None

    async def send(self, frame: Mapping[str, Any]) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            return False
        return True

    def abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class InteractionHandle:
    """An interaction FakeDiscord knows about; resolves when the bot's callback arrives."""

    def __init__(self, fake: FakeDiscord, payload: Mapping[str, Any]) -> None:
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


Handler = Callable[["Ctx"], Awaitable[Reply]]


@dataclass
class Ctx:
    method: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[dict[str, Any]]
    record: RecordedRequest

    def id(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordError(400, 50035, "Invalid Form Body", {name: "Value is not snowflake."}) from None


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    handler: Handler


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    segments = template.strip("/").split("/")
    regex = "/".join(
        f"(?P<{s[1:-1]}>[^/]+)" if s.startswith("{") and s.endswith("}") else re.escape(s) for s in segments
    )
    return re.compile(f"^/{regex}$"), sum(1 for s in segments if not s.startswith("{"))


class FakeDiscord:
    """A loopback Discord. Use ``async with FakeDiscord() as fake:`` or start()/stop().

    token: the only bot token accepted (REST ``Authorization: Bot <token>`` and gateway IDENTIFY/RESUME).
    application_id / bot_name / bot_user: the application and its bot user (bot user id = application id).
    shard_count: what GET /gateway/bot recommends and the default for add_guild(shard_id=...).
    interaction_deadline: seconds after which an interaction callback gets 404 Unknown interaction (None: never).
    privileged_intents: privileged intent bits the app may use; others close the gateway with 4014.
    strict: reject bodies breaking documented limits with 400 50035, as Discord does.
    now: the clock for "in the past" checks on scheduled events (UTC datetimes).
    """

    def __init__(
        self,
        *,
        token: str = "loopback.bot-token.0000",
        application_id: int | None = None,
        bot_name: str = "Loopback Bot",
        bot_user: Mapping[str, Any] | None = None,
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float | None = 3.0,
        privileged_intents: int = 0,
        strict: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.ids = SnowflakeFactory()
        self.token = token
        self.application_id = application_id or self.ids.next()
        self.shard_count = shard_count
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.privileged_intents = privileged_intents
        self.strict = strict
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.owner = self.make_user("club-owner")
        self.bot_user = self.make_user(bot_name.lower().replace(" ", "-"), bot=True, global_name=bot_name)
        self.bot_user["id"] = str(self.application_id)  # a bot's user id is its application id
        self.bot_user.update(bot_user or {})
        self.application: dict[str, Any] = {
            "id": str(self.application_id),
            "name": bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 1 << 23,  # application_command_badge
            "owner": self.owner,
            "team": None,
            "bot": self.bot_user,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 0,
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "role_connections_verification_url": None,
            "explicit_content_filter": 0,
            "flags_new": str(1 << 23),
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "tags": [],
            "integration_types_config": {"0": {}},
        }
        self.guilds: dict[int, FakeGuild] = {}
        self.sessions: list[GatewaySession] = []
        self.connections: set[GatewayConnection] = set()
        self.gateway_log: list[tuple[float, str, dict[str, Any]]] = []
        self._requests: list[RecordedRequest] = []
        self.handler_errors: list[str] = []  # FakeDiscord bugs (answered 500); tests should expect none
        self._faults: list[Fault] = []
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._nonces: dict[tuple[str, str], tuple[int, int, float]] = {}
        self._commands: dict[int | None, dict[tuple[str, int], dict[str, Any]]] = {}
        self._interactions: dict[int, InteractionHandle] = {}
        self._interaction_tokens: dict[str, InteractionHandle] = {}
        self._waiters: set[asyncio.Event] = set()
        self._routes: list[_Route] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._add_routes()

    # ---------------------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{RESUME_GATEWAY_PATH}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_get(RESUME_GATEWAY_PATH, self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._not_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("FakeDiscord listening on %s", self.base_url)

    async def stop(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 1.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point this process's discord.py (Route.BASE, DEFAULT_GATEWAY) at this FakeDiscord, then restore."""
        import yarl
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway

    # ---------------------------------------------------------------------------- world building

    def new_id(self, shard_id: int | None = None, shard_count: int | None = None) -> int:
        """A fresh snowflake; with shard_id, one that lands on that shard."""
        if shard_id is None:
            return self.ids.next()
        return self.ids.next((shard_id, shard_count or self.shard_count))

    def make_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": str(self.ids.next()),
            "username": username,
            "global_name": global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if bot:
            user["bot"] = True
        return user

    def add_guild(
        self,
        name: str = "Film Club",
        *,
        shard_id: int | None = None,
        shard_count: int | None = None,
        channels: Sequence[str | Mapping[str, Any]] = ("general", "movie-nights"),
        roles: Sequence[str | Mapping[str, Any]] = ("Film Club",),
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        bot_permissions: int = BOT_PERMISSIONS,
        locale: str = "en-US",
    ) -> FakeGuild:
        """A guild the bot is in. With shard_id, its id lands on that shard (of shard_count or self.shard_count)."""
        guild_id = self.new_id(shard_id, shard_count)
        all_roles = [self._role(guild_id, "@everyone", guild_id, 0, everyone_permissions)]
        bot_role = self._role(self.new_id(), self.application["name"], guild_id, 1, bot_permissions)
        bot_role.update(managed=True, tags={"bot_id": str(self.application_id)})
        all_roles.append(bot_role)
        for position, spec in enumerate(roles, start=2):
            extra = {"name": spec} if isinstance(spec, str) else dict(spec)
            role = self._role(self.new_id(), extra.pop("name"), guild_id, position, 0)
            role.update(extra)
            all_roles.append(role)
        all_channels = []
        for position, spec in enumerate(channels):
            extra = {"name": spec} if isinstance(spec, str) else dict(spec)
            all_channels.append(self._channel(guild_id, extra.pop("name"), position, extra))
        guild = FakeGuild(
            id=guild_id,
            name=name,
            owner_id=int(self.owner["id"]),
            channels=all_channels,
            roles=all_roles,
            joined_at=iso(self.now()),
            preferred_locale=locale,
        )
        self.guilds[guild_id] = guild
        self.application["approximate_guild_count"] = len(self.guilds)
        return guild

    def add_channel(self, guild: FakeGuild, name: str, **fields: Any) -> dict[str, Any]:
        channel = self._channel(guild.id, name, len(guild.channels), fields)
        guild.channels.append(channel)
        return channel

    @staticmethod
    def _role(role_id: int, name: str, guild_id: int, position: int, permissions: int) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
            "description": None,
        }

    def _channel(self, guild_id: int, name: str, position: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        channel: dict[str, Any] = {
            "id": str(self.new_id()),
            "type": 0,
            "guild_id": str(guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        channel.update(fields)
        if channel["type"] in (2, 13):
            channel.setdefault("bitrate", 64000)
            channel.setdefault("user_limit", 0)
            channel.setdefault("rtc_region", None)
        return channel

    def bot_member(self, guild: FakeGuild) -> dict[str, Any]:
        return self.member(self.bot_user, guild, roles=[guild.bot_role["id"]])

    def member(
        self, user: Mapping[str, Any], guild: FakeGuild, *, roles: Sequence[str] = (), nick: str | None = None
    ) -> dict[str, Any]:
        return {
            "user": dict(user),
            "roles": list(roles),
            "nick": nick,
            "avatar": None,
            "banner": None,
            "joined_at": guild.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    def guild_create_payload(self, guild: FakeGuild) -> dict[str, Any]:
        payload = guild.rest_payload()
        payload.update(
            joined_at=guild.joined_at,
            large=False,
            unavailable=False,
            member_count=2,
            voice_states=[],
            members=[self.bot_member(guild)],
            channels=guild.channels,
            threads=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=list(guild.scheduled_events.values()),
            soundboard_sounds=[],
            embedded_activities=[],
            application_command_counts={},
        )
        return payload

    def guild_of_channel(self, channel_id: int) -> tuple[FakeGuild | None, dict[str, Any] | None]:
        for guild in self.guilds.values():
            for channel in guild.channels:
                if channel["id"] == str(channel_id):
                    return guild, channel
        return None, None

    # ---------------------------------------------------------------------------- inspection

    def requests(
        self, method: str | None = None, template: str | None = None, *, path: str | None = None
    ) -> list[RecordedRequest]:
        """Recorded REST requests, optionally filtered by method, route template and/or exact path."""
        return [
            r
            for r in self._requests
            if (method is None or r.method == method)
            and (template is None or r.template == template)
            and (path is None or r.path == path)
        ]

    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests FakeDiscord had no route for (answered 404/405)."""
        return [r for r in self._requests if r.template is None]

    def clear_requests(self) -> None:
        self._requests.clear()

    def messages(self, channel_id: int | str, *, include_ephemeral: bool = True) -> list[dict[str, Any]]:
        """Live messages in a channel, oldest first."""
        found = list(self._messages.get(int(channel_id), {}).values())
        return [m for m in found if include_ephemeral or not m["flags"] & EPHEMERAL]

    def message(self, channel_id: int | str, message_id: int | str) -> dict[str, Any] | None:
        return self._messages.get(int(channel_id), {}).get(int(message_id))

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Registered application commands (global when guild_id is None)."""
        return list(self._commands.get(guild_id, {}).values())

    def command(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        """The registered chat-input command called `name` (its "id" goes into slash payloads)."""
        for command in self.commands(guild_id):
            if command["name"] == name and command["type"] == 1:
                return command
        raise KeyError(f"no command {name!r} registered (guild {guild_id})")

    def interaction(self, interaction_id: int | str) -> InteractionHandle:
        return self._interactions[int(interaction_id)]

    def identify_count(self, shard_id: int | None = None) -> int:
        return sum(1 for _, kind, d in self.gateway_log if kind == "IDENTIFY" and _shard_matches(d, shard_id))

    def resume_count(self) -> int:
        return sum(1 for _, kind, _d in self.gateway_log if kind == "RESUMED")

    def live_sessions(self) -> list[GatewaySession]:
        """The newest valid session of every shard."""
        newest: dict[int, GatewaySession] = {}
        for session in self.sessions:
            if not session.invalidated:
                newest[session.shard_id] = session
        return list(newest.values())

    def session_for(self, *, shard_id: int | None = None, guild_id: int | None = None) -> GatewaySession:
        for session in self.live_sessions():
            if (guild_id is not None and session.owns_guild(guild_id)) or (
                guild_id is None and session.shard_id == (shard_id or 0)
            ):
                return session
        raise LookupError(f"no live gateway session for shard {shard_id} / guild {guild_id}")

    # ---------------------------------------------------------------------------- waiting

    def _notify(self) -> None:
        for event in self._waiters:
            event.set()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's bound, reported with `what`
        what: str = "condition",
    ) -> None:
        """Wait until predicate() holds (re-checked after every request and gateway event)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
            event = asyncio.Event()
            self._waiters.add(event)
            try:
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(event)

    async def wait_shards_ready(
        self,
        count: int = 1,
        *,
        shard_ids: Iterable[int] | None = None,
        since: float | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until `count` distinct shards (of shard_ids, if given) got READY and their GUILD_CREATEs."""
        wanted = None if shard_ids is None else set(shard_ids)

        def ready() -> bool:
            shards = {
                s.shard_id
                for s in self.sessions
                if s.ready_at is not None
                and (since is None or s.ready_at >= since)
                and (wanted is None or s.shard_id in wanted)
            }
            return len(shards) >= count

        await self.wait_until(ready, timeout, f"{count} shard(s) ready")

    # ---------------------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        template: str,
        *,
        times: int = 1,
        status: int = 500,
        body: Any = None,
        retry_after: float | None = None,
        is_global: bool = False,
        after_handling: bool = False,
    ) -> None:
        """Make the next `times` requests matching (method, template) fail.

        status=429 answers like Discord's rate limiter (retry_after seconds, default 0.1); any other status
        answers with `body` (default: Discord's generic body for that status, e.g. 403 Missing Access).
        after_handling=True first performs the request (e.g. creates the message), then fails: a
        response lost after the server committed, which a retry without enforce_nonce duplicates.
        """
        if status == 429 and retry_after is None:
            retry_after = 0.1
        self._faults.append(
            Fault(method, template, times, status, body, retry_after, is_global, after_handling)
        )

    def _take_fault(self, method: str, template: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.template == template:
                fault.remaining -= 1
                return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.status == 429:
            retry_after = fault.retry_after or 0.1
            reset = time.time() + retry_after
            headers = {
                "Retry-After": str(math.ceil(retry_after)),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{reset:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": _bucket(fault.template),
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": fault.is_global,
            }
            return Reply(429, body, headers)
        default = {
            500: {"message": "500: Internal Server Error", "code": 0},
            502: {"message": "502: Bad Gateway", "code": 0},
            403: {"message": "Missing Access", "code": 50001},
            404: {"message": "404: Not Found", "code": 0},
        }.get(fault.status, {"message": f"{fault.status}: Error", "code": 0})
        return Reply(fault.status, fault.body if fault.body is not None else default)

    # ---------------------------------------------------------------------------- REST plumbing

    def _add_routes(self) -> None:
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/applications/{application_id}/commands", self._list_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("POST", "/applications/{application_id}/commands", self._post_command),
            ("GET", "/applications/{application_id}/commands/{command_id}", self._get_command),
            ("PATCH", "/applications/{application_id}/commands/{command_id}", self._patch_command),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._delete_command),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._list_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._post_command),
            (
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._get_command,
            ),
            (
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._patch_command,
            ),
            (
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._delete_command,
            ),
            ("POST", T_CALLBACK, self._callback),
            ("GET", T_ORIGINAL, self._get_webhook_message),
            ("PATCH", T_ORIGINAL, self._edit_webhook_message),
            ("DELETE", T_ORIGINAL, self._delete_webhook_message),
            ("POST", T_WEBHOOK, self._followup),
            ("GET", T_WEBHOOK_MESSAGE, self._get_webhook_message),
            ("PATCH", T_WEBHOOK_MESSAGE, self._edit_webhook_message),
            ("DELETE", T_WEBHOOK_MESSAGE, self._delete_webhook_message),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/channels/{channel_id}/messages", self._list_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/roles", self._get_roles),
            ("GET", "/guilds/{guild_id}/channels", self._get_channels),
            ("GET", "/guilds/{guild_id}/scheduled-events", self._list_events),
            ("POST", "/guilds/{guild_id}/scheduled-events", self._create_event),
            ("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self._get_event),
            ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self._edit_event),
            ("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self._delete_event),
        ]
        for method, template, handler in table:
            pattern, literal = _compile(template)
            self._routes.append(_Route(method, template, pattern, literal, handler))

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str], bool]:
        """(route, params, path_known): the best route for method+path; path_known if any method matches."""
        best: tuple[_Route, dict[str, str]] | None = None
        path_known = False
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            path_known = True
            if route.method == method and (best is None or route.literal_segments > best[0].literal_segments):
                best = (route, found.groupdict())
        if best is None:
            return None, {}, path_known
        return best[0], best[1], path_known

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]], str | None]:
        if not request.body_exists:
            return None, [], None
        if request.content_type == "multipart/form-data":
            payload: dict[str, Any] = {}
            files: list[dict[str, Any]] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    try:
                        payload.update(json.loads(await part.text()))
                    except ValueError:
                        return payload, files, "The request body contains invalid JSON."
                elif part.filename:
                    data = await part.read()
                    files.append(
                        {
                            "name": part.name,
                            "filename": part.filename,
                            "size": len(data),
                            "content_type": part.headers.get("Content-Type"),
                        }
                    )
                else:
                    payload[part.name or ""] = await part.text()
            return payload, files, None
        raw = await request.read()
        if not raw:
            return None, [], None
        try:
            return json.loads(raw), [], None
        except ValueError:
            return raw.decode("utf-8", "replace"), [], "The request body contains invalid JSON."

    async def _not_api(self, request: web.Request) -> web.StreamResponse:
        return self._response(Reply(404, {"message": "404: Not Found", "code": 0}), None)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method
        body, files, body_error = await self._read_body(request)
        route, params, path_known = self._match(method, path)
        template = route.template if route else None
        record = RecordedRequest(
            method=method,
            path=path,
            template=template,
            params=params,
            query=dict(request.query),
            json=body,
            time=time.monotonic(),
            files=files,
            authorized=request.headers.get("Authorization") == f"Bot {self.token}",
        )
        self._requests.append(record)
        handle = self._interaction_of(record)
        if handle is not None:
            handle.requests.append(record)
        try:
            reply = await self._handle(route, record, files, path_known, body_error)
        except DiscordError as exc:
            reply = Reply(exc.status, exc.body)
        except Exception as exc:
            log.exception("FakeDiscord handler crashed on %s %s", method, path)
            self.handler_errors.append(f"{method} {path}: {exc!r}")
            reply = Reply(500, {"message": "500: Internal Server Error", "code": 0})
        encoded = None if reply.body is None else json.dumps(reply.body).encode()
        record.status = reply.status
        record.response = None if encoded is None else json.loads(encoded)  # a snapshot, not the live object
        self._notify()
        return self._response(reply, template, encoded)

    def _interaction_of(self, record: RecordedRequest) -> InteractionHandle | None:
        if record.template == T_CALLBACK:
            found = self._interaction_tokens.get(record.params["interaction_token"])
            return found if found is not None and str(found.id) == record.params["interaction_id"] else None
        if record.template in TOKEN_ROUTES:
            return self._interaction_tokens.get(record.params["webhook_token"])
        return None

    async def _handle(
        self,
        route: _Route | None,
        record: RecordedRequest,
        files: list[dict[str, Any]],
        path_known: bool,
        body_error: str | None,
    ) -> Reply:
        if (route is None or route.template not in TOKEN_ROUTES) and not record.authorized:
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        fault = self._take_fault(record.method, record.template)
        if fault is not None:
            record.fault = True
            if not (fault.after_handling and route is not None):
                return self._fault_reply(fault)
        if route is None:
            log.warning("FakeDiscord: unknown route %s %s", record.method, record.path)
            if path_known:
                return Reply(405, {"message": "405: Method Not Allowed", "code": 0})
            return Reply(404, {"message": "404: Not Found", "code": 0})
        if body_error is not None:
            raise DiscordError(400, 50109, body_error)
        ctx = Ctx(record.method, record.params, record.query, record.json, files, record)
        reply = await route.handler(ctx)
        return reply if fault is None else self._fault_reply(fault)

    @staticmethod
    def _response(reply: Reply, template: str | None, encoded: bytes | None = None) -> web.Response:
        headers = {"Via": "1.1 google"}
        if template is not None and reply.status != 429:
            headers.update(
                {
                    "X-RateLimit-Limit": "50",
                    "X-RateLimit-Remaining": "49",
                    "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                    "X-RateLimit-Reset-After": "1.000",
                    "X-RateLimit-Bucket": _bucket(template),
                }
            )
        headers.update(reply.headers)
        if reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        headers["Content-Type"] = "application/json"  # exactly this: discord.py only parses JSON then
        body = encoded if encoded is not None else json.dumps(reply.body).encode()
        return web.Response(status=reply.status, body=body, headers=headers)

    # ---------------------------------------------------------------------------- REST: identity, gateway

    async def _get_me(self, ctx: Ctx) -> Reply:
        return Reply(
            200, {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}
        )

    async def _get_application(self, ctx: Ctx) -> Reply:
        return Reply(200, self.application)

    async def _get_gateway(self, ctx: Ctx) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: Ctx) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return Reply(200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})

    # ---------------------------------------------------------------------------- REST: application commands

    def _check_app(self, ctx: Ctx) -> int | None:
        if ctx.id("application_id") != self.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        if "guild_id" not in ctx.params:
            return None
        guild_id = ctx.id("guild_id")
        if guild_id not in self.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        return guild_id

    def _command(
        self, body: Mapping[str, Any], guild_id: int | None, old: dict[str, Any] | None
    ) -> dict[str, Any]:
        kind = int(body.get("type") or 1)
        command = {
            "id": old["id"] if old else str(self.new_id()),
            "application_id": str(self.application_id),
            "version": str(self.new_id()),
            "default_member_permissions": None
            if (perms := body.get("default_member_permissions")) is None
            else str(perms),
            "type": kind,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
            "options": body.get("options") or [],
        }
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        if old is not None and all(
            old.get(k) == command.get(k) for k in command if k not in ("id", "version")
        ):
            return old
        return command

    def _upsert_command(self, guild_id: int | None, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
            raise invalid_form(["name is required"])
        store = self._commands.setdefault(guild_id, {})
        key = (body["name"], int(body.get("type") or 1))
        command = self._command(body, guild_id, store.get(key))
        store[key] = command
        return command

    async def _list_commands(self, ctx: Ctx) -> Reply:
        return Reply(200, self.commands(self._check_app(ctx)))

    async def _put_commands(self, ctx: Ctx) -> Reply:
        guild_id = self._check_app(ctx)
        if not isinstance(ctx.body, list):
            raise invalid_form(["expected a list of commands"])
        problems = limit_violations(ctx.method, ctx.record.template, ctx.body)
        if problems and self.strict:
            raise invalid_form(problems)
        old = self._commands.get(guild_id, {})
        self._commands[guild_id] = {}
        for body in ctx.body:
            key = (body.get("name"), int(body.get("type") or 1))
            self._commands[guild_id][key] = self._command(body, guild_id, old.get(key))
        return Reply(200, self.commands(guild_id))

    async def _post_command(self, ctx: Ctx) -> Reply:
        guild_id = self._check_app(ctx)
        existed = (ctx.body or {}).get("name") in {k[0] for k in self._commands.get(guild_id, {})}
        return Reply(200 if existed else 201, self._upsert_command(guild_id, ctx.body))

    def _find_command(self, ctx: Ctx) -> tuple[int | None, tuple[str, int], dict[str, Any]]:
        guild_id = self._check_app(ctx)
        for key, command in self._commands.get(guild_id, {}).items():
            if command["id"] == ctx.params["command_id"]:
                return guild_id, key, command
        raise DiscordError(404, 10063, "Unknown application command")

    async def _get_command(self, ctx: Ctx) -> Reply:
        return Reply(200, self._find_command(ctx)[2])

    async def _patch_command(self, ctx: Ctx) -> Reply:
        guild_id, key, command = self._find_command(ctx)
        if not isinstance(ctx.body, Mapping):
            raise invalid_form(["expected a JSON object"])
        updated = self._command({**command, **ctx.body}, guild_id, command)
        del self._commands[guild_id][key]
        self._commands[guild_id][(updated["name"], updated["type"])] = updated
        return Reply(200, updated)

    async def _delete_command(self, ctx: Ctx) -> Reply:
        guild_id, key, _ = self._find_command(ctx)
        del self._commands[guild_id][key]
        return Reply(204)

    # ---------------------------------------------------------------------------- messages

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
            out.append(attachment)
        return out

    @staticmethod
    def _embeds(embeds: Any) -> list[dict[str, Any]]:
        return [{"type": "rich", **e} for e in embeds or [] if isinstance(e, Mapping)]

    def _check_message_body(self, ctx: Ctx, body: Any, *, creating: bool) -> Mapping[str, Any]:
        if not isinstance(body, Mapping):
            raise invalid_form(["expected a JSON object"])
        if self.strict and (problems := message_violations(body)):
            raise invalid_form(problems)
        keys = ("content", "embeds", "components", "sticker_ids", "poll")
        if creating and not any(body.get(k) for k in keys) and not ctx.files:
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
        if body.get("poll"):
            message["poll"] = body["poll"]
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

    async def _broadcast(
        self, event: str, data: Mapping[str, Any], guild_id: int | None, intent: int
    ) -> None:
        for session in self.live_sessions():
            if session.intents & intent and (guild_id is None or session.owns_guild(guild_id)):
                await self._send_dispatch(session, event, dict(data))

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
        await self._broadcast(
            "MESSAGE_CREATE",
            event,
            guild.id if guild else None,
            INTENT_GUILD_MESSAGES | INTENT_DIRECT_MESSAGES,
        )
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
        await self._broadcast(
            "MESSAGE_UPDATE",
            event,
            guild.id if guild else None,
            INTENT_GUILD_MESSAGES | INTENT_DIRECT_MESSAGES,
        )
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
        await self._broadcast(
            "MESSAGE_DELETE",
            event,
            guild.id if guild else None,
            INTENT_GUILD_MESSAGES | INTENT_DIRECT_MESSAGES,
        )
        return Reply(204)

    # ---------------------------------------------------------------------------- interactions

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
        elif self.strict and (problems := limit_violations("POST", T_CALLBACK, body)):
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

    # ---------------------------------------------------------------------------- guilds

    def _guild_or_403(self, ctx: Ctx) -> FakeGuild:
        guild = self.guilds.get(ctx.id("guild_id"))
        if guild is None:
            raise DiscordError(403, 50001, "Missing Access")
        return guild

    async def _get_guild(self, ctx: Ctx) -> Reply:
        return Reply(200, self._guild_or_403(ctx).rest_payload())

    async def _get_roles(self, ctx: Ctx) -> Reply:
        return Reply(200, self._guild_or_403(ctx).roles)

    async def _get_channels(self, ctx: Ctx) -> Reply:
        return Reply(200, self._guild_or_403(ctx).channels)

    # ---------------------------------------------------------------------------- scheduled events

    def _event_or_404(self, guild: FakeGuild, ctx: Ctx) -> dict[str, Any]:
        event = guild.scheduled_events.get(ctx.id("guild_scheduled_event_id"))
        if event is None:
            raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    def _event_problems(
        self, guild: FakeGuild, event: Mapping[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        errors: dict[str, Any] = {}

        def err(key: str, code: str, message: str) -> None:
            errors[key] = {"_errors": [{"code": code, "message": message}]}

        if event.get("privacy_level") != 2:
            err("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
        kind = event.get("entity_type")
        if kind not in (1, 2, 3):
            err("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
        start = _parse_time(event.get("scheduled_start_time"))
        end = _parse_time(event.get("scheduled_end_time"))
        if start is None:
            err("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required")
        elif creating and start < self.now():
            err(
                "scheduled_start_time",
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                "Cannot schedule event in the past.",
            )
        if start is not None and end is not None and end <= start:
            err(
                "scheduled_end_time",
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                "End time must be after start.",
            )
        if kind == 3:
            if not (event.get("entity_metadata") or {}).get("location"):
                err("entity_metadata", "BASE_TYPE_REQUIRED", "location is required for external events")
            if end is None:
                err("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required for external events")
            if event.get("channel_id"):
                err("channel_id", "BASE_TYPE_BAD_VALUE", "External events must not have a channel")
        elif kind in (1, 2):
            channel_id = event.get("channel_id")
            if channel_id is None or not any(c["id"] == str(channel_id) for c in guild.channels):
                err("channel_id", "BASE_TYPE_REQUIRED", "A stage or voice channel of this guild is required")
        return errors

    async def _list_events(self, ctx: Ctx) -> Reply:
        guild = self._guild_or_403(ctx)
        return Reply(200, list(guild.scheduled_events.values()))

    async def _create_event(self, ctx: Ctx) -> Reply:
        guild = self._guild_or_403(ctx)
        body = ctx.body if isinstance(ctx.body, Mapping) else {}
        problems = limit_violations(ctx.method, ctx.record.template, body)
        errors = self._event_problems(guild, body, creating=True)
        if problems:
            errors["_errors"] = [{"code": "BASE_TYPE_BAD_LENGTH", "message": p} for p in problems]
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        event_id = self.new_id()
        event = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": str(body["channel_id"]) if body.get("channel_id") else None,
            "creator_id": self.bot_user["id"],
            "creator": self.bot_user,
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": iso(_parse_time(body["scheduled_start_time"]) or self.now()),
            "scheduled_end_time": iso(end) if (end := _parse_time(body.get("scheduled_end_time"))) else None,
            "privacy_level": 2,
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
            "auto_start": False,
            "sku_ids": [],
            "guild_scheduled_event_exceptions": [],
        }
        guild.scheduled_events[event_id] = event
        await self._broadcast("GUILD_SCHEDULED_EVENT_CREATE", event, guild.id, INTENT_GUILD_SCHEDULED_EVENTS)
        return Reply(200, event)

    async def _get_event(self, ctx: Ctx) -> Reply:
        return Reply(200, self._event_or_404(self._guild_or_403(ctx), ctx))

    async def _edit_event(self, ctx: Ctx) -> Reply:
        guild = self._guild_or_403(ctx)
        event = self._event_or_404(guild, ctx)
        body = ctx.body if isinstance(ctx.body, Mapping) else {}
        merged = {**event, **body}
        errors = self._event_problems(guild, merged, creating=False)
        problems = limit_violations(ctx.method, ctx.record.template, body)
        if problems:
            errors["_errors"] = [{"code": "BASE_TYPE_BAD_LENGTH", "message": p} for p in problems]
        new_status = body.get("status", event["status"])
        allowed = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}
        if new_status not in allowed.get(event["status"], set()):
            errors["status"] = {
                "_errors": [{"code": "BASE_TYPE_BAD_VALUE", "message": "Invalid status change"}]
            }
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        for key in ("scheduled_start_time", "scheduled_end_time"):
            if key in body:
                moment = _parse_time(body[key])
                body = {**body, key: iso(moment) if moment else None}
        event.update({k: v for k, v in body.items() if k in event})
        await self._broadcast("GUILD_SCHEDULED_EVENT_UPDATE", event, guild.id, INTENT_GUILD_SCHEDULED_EVENTS)
        return Reply(200, event)

    async def _delete_event(self, ctx: Ctx) -> Reply:
        guild = self._guild_or_403(ctx)
        event = self._event_or_404(guild, ctx)
        del guild.scheduled_events[int(event["id"])]
        await self._broadcast("GUILD_SCHEDULED_EVENT_DELETE", event, guild.id, INTENT_GUILD_SCHEDULED_EVENTS)
        return Reply(204)

    # ---------------------------------------------------------------------------- gateway

    def _log_gateway(self, kind: str, detail: dict[str, Any]) -> None:
        self.gateway_log.append((time.monotonic(), kind, detail))
        self._notify()

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request)
        self.connections.add(conn)
        self._log_gateway("CONNECT", {"path": request.path, "query": dict(request.query)})
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ['["gateway-loopback",{}]']}
            await conn.send({"op": 10, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._on_frame(conn, frame)
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._log_gateway("DISCONNECT", {"shard": _shard_of(conn), "close_code": ws.close_code})
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: Mapping[str, Any]) -> None:
        op, raw = frame.get("op"), frame.get("d")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            await self._resume(conn, data)
        elif op in (3, 4, 8):
            if conn.session is None:
                await conn.ws.close(code=4003, message=b"Not authenticated.")
                return
            self._log_gateway(
                {3: "PRESENCE_UPDATE", 4: "VOICE_STATE_UPDATE", 8: "REQUEST_GUILD_MEMBERS"}[op], data
            )
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: Mapping[str, Any]) -> None:
        shard_id, shard_count = data.get("shard") or [0, 1]
        detail = {k: v for k, v in data.items() if k != "token"}
        self._log_gateway("IDENTIFY", detail)
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        for old in self.sessions:
            if old.shard_id == shard_id and not old.invalidated:
                old.invalidated = True
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            identify=detail,
            created_at=time.monotonic(),
        )
        self.sessions.append(session)
        session.connection = conn
        conn.session = session
        guilds = [g for g in self.guilds.values() if session.owns_guild(g.id)]
        ready = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": self.application["flags"]},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["loopback"],
            "auth": {},
            "_trace": ['["gateway-loopback",{}]'],
        }
        async with session.lock:
            await conn.send(session.frame("READY", ready))
            if intents & INTENT_GUILDS:
                for guild in guilds:
                    await conn.send(session.frame("GUILD_CREATE", self.guild_create_payload(guild)))
            session.ready_at = time.monotonic()
        self._log_gateway("READY", {"shard": [shard_id, shard_count], "session_id": session.session_id})

    async def _resume(self, conn: GatewayConnection, data: Mapping[str, Any]) -> None:
        self._log_gateway("RESUME", {k: v for k, v in data.items() if k != "token"})
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or session.invalidated:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        previous = session.connection
        if previous is not None and previous is not conn:
            previous.session = None
            previous.abort()
        session.connection = conn
        conn.session = session
        seq = int(data.get("seq") or 0)
        async with session.lock:
            for frame in session.frames:
                if frame["s"] > seq:
                    await conn.send(frame)
            await conn.send(session.frame("RESUMED", {"_trace": ['["gateway-loopback",{}]']}))
        session.resumed += 1
        self._log_gateway(
            "RESUMED", {"shard": [session.shard_id, session.shard_count], "replayed_after": seq}
        )

    async def _send_dispatch(self, session: GatewaySession, event: str, data: Any) -> None:
        async with session.lock:
            frame = session.frame(event, data)
            conn = session.connection
            if conn is not None:
                await conn.send(frame)

    async def dispatch(
        self, event: str, data: Mapping[str, Any], *, guild_id: int | None = None, shard_id: int | None = None
    ) -> GatewaySession:
        """Send a DISPATCH to the session serving guild_id (or shard_id, default 0).

        If that session's connection is down the event is kept and replayed on RESUME, as Discord does.
        """
        session = self.session_for(shard_id=shard_id, guild_id=guild_id)
        await self._send_dispatch(session, event, dict(data))
        return session

    async def announce_guild(self, guild: FakeGuild) -> GatewaySession:
        """Send GUILD_CREATE for a guild added while the bot runs (the bot "joins" it)."""
        return await self.dispatch("GUILD_CREATE", self.guild_create_payload(guild), guild_id=guild.id)

    async def drop_connection(self, shard_id: int = 0, *, code: int | None = None) -> None:
        """Cut the shard's websocket: abruptly (TCP abort) by default, or with a close code."""
        conn = self.session_for(shard_id=shard_id).connection
        if conn is None:
            raise LookupError(f"shard {shard_id} has no open connection")
        if code is None:
            conn.abort()
        else:
            await conn.ws.close(code=code)

    async def invalidate_session(self, shard_id: int = 0, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION (op 9); a non-resumable one also forgets the session."""
        session = self.session_for(shard_id=shard_id)
        if not resumable:
            session.invalidated = True
        if session.connection is not None:
            await session.connection.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def request_reconnect(self, shard_id: int = 0) -> None:
        """Send RECONNECT (op 7): the client should close and RESUME."""
        conn = self.session_for(shard_id=shard_id).connection
        if conn is not None:
            await conn.send({"op": 7, "d": None, "s": None, "t": None})


def _bucket(template: str) -> str:
    return hashlib.sha1(template.encode()).hexdigest()[:32]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shard_of(conn: GatewayConnection) -> list[int] | None:
    return None if conn.session is None else [conn.session.shard_id, conn.session.shard_count]


def _shard_matches(detail: Mapping[str, Any], shard_id: int | None) -> bool:
    return shard_id is None or (detail.get("shard") or [0, 1])[0] == shard_id
