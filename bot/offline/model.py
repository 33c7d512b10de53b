"""The offline Discord's state model: constants, snowflakes, guilds and the JSON of users, roles, channels.

Pure data: no server, no I/O. Everything the REST routes and the gateway hand out is built here, in the shapes
Discord's API uses (v10), so a real discord.py client parses it unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.offline.validation import Violation, error_body

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
    """Real-looking, increasing snowflakes; can aim at a shard: ``(id >> 22) % shard_count == shard_id``.

    `now` gives the time the ids carry (default: the wall clock), so ids follow a virtual clock when one drives
    the offline Discord.
    """

    def __init__(self, worker: int = 1, now: Callable[[], datetime] | None = None) -> None:
        self._worker = worker & 0x1F
        self._last = 0
        self._increment = 0
        self._now = now

    def _ms(self) -> int:
        seconds = self._now().timestamp() if self._now is not None else time.time()
        return int(seconds * 1000) - DISCORD_EPOCH_MS

    def next(self, shard: tuple[int, int] | None = None) -> int:
        ms = max(self._ms(), self._last >> 22)
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


def invalid_form(problems: Sequence[Violation | str]) -> DiscordError:
    """400 Invalid Form Body (50035), with Discord's nested `errors` object."""
    found = [p if isinstance(p, Violation) else Violation("", p) for p in problems]
    return DiscordError(400, 50035, "Invalid Form Body", error_body(found))


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


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as Discord accepts it (aware; naive means UTC), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def user_payload(
    user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": str(user_id),
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


def role_payload(role_id: int, name: str, position: int, permissions: int) -> dict[str, Any]:
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


def channel_payload(
    channel_id: int, guild_id: int, name: str, position: int, fields: Mapping[str, Any]
) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "id": str(channel_id),
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


def member_payload(
    user: Mapping[str, Any],
    guild: FakeGuild,
    *,
    roles: list[str] | tuple[str, ...] = (),
    nick: str | None = None,
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


def application_payload(
    application_id: int, name: str, owner: Mapping[str, Any], bot_user: Mapping[str, Any], verify_key: str
) -> dict[str, Any]:
    return {
        "id": str(application_id),
        "name": name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": verify_key,
        "flags": 1 << 23,  # application_command_badge
        "owner": dict(owner),
        "team": None,
        "bot": dict(bot_user),
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
