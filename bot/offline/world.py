"""The offline Discord's world: its application and bot user, guilds, channels and roles, and what was said.

`World` holds the state every part of the server reads and writes (guilds, messages, commands, sessions,
recorded requests) and the ways to build it, look into it and wait on it. The REST routes, the gateway and
the fault injection are layered on top of it (see `bot.offline.server`).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from bot.offline.model import (
    API_PREFIX,
    BOT_PERMISSIONS,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    GATEWAY_PATH,
    RESUME_GATEWAY_PATH,
    FakeGuild,
    RecordedRequest,
    SnowflakeFactory,
    application_payload,
    channel_payload,
    iso,
    member_payload,
    role_payload,
    user_payload,
)

if TYPE_CHECKING:
    from bot.offline.faults import Fault
    from bot.offline.gateway import GatewayConnection, GatewaySession
    from bot.offline.rest import Route
    from bot.offline.routes.interactions import InteractionHandle


class World:
    """State of one offline Discord.

    token: the only bot token accepted (REST ``Authorization: Bot <token>`` and gateway IDENTIFY/RESUME).
    application_id / bot_name / bot_user: the application and its bot user (bot user id = application id).
    shard_count: what GET /gateway/bot recommends and the default for add_guild(shard_id=...).
    interaction_deadline: seconds after which an interaction callback gets 404 Unknown interaction (None: never).
    privileged_intents: privileged intent bits the app may use; others close the gateway with 4014.
    strict: refuse bodies Discord refuses (limits, blank fields) with 400 50035, as Discord does.
    now: the clock (UTC datetimes) for timestamps, snowflakes and "in the past" checks on scheduled events;
    default the wall clock. Give a virtual clock's `now` to drive time from a test.
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
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.ids = SnowflakeFactory(now=now)
        self.token = token
        self.application_id = application_id or self.ids.next()
        self.shard_count = shard_count
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.privileged_intents = privileged_intents
        self.strict = strict
        self.owner = self.make_user("club-owner")
        self.bot_user = user_payload(
            self.application_id, bot_name.lower().replace(" ", "-"), bot=True, global_name=bot_name
        )
        self.bot_user.update(bot_user or {})
        self.application = application_payload(
            self.application_id, bot_name, self.owner, self.bot_user, secrets.token_hex(32)
        )
        self.guilds: dict[int, FakeGuild] = {}
        self.sessions: list[GatewaySession] = []
        self.connections: set[GatewayConnection] = set()
        self.gateway_log: list[tuple[float, str, dict[str, Any]]] = []
        self._requests: list[RecordedRequest] = []
        self.handler_errors: list[str] = []  # offline Discord bugs (answered 500); tests should expect none
        self._faults: list[Fault] = []
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._nonces: dict[tuple[str, str], tuple[int, int, float]] = {}
        self.attachments: dict[int, tuple[str, bytes]] = {}  # id -> (content type, bytes), served by URL
        self.downloads: list[int] = []  # attachment ids the CDN was asked for, in order
        self.download_times: dict[int, tuple[float, float]] = {}  # id -> (asked, answered), time.monotonic()
        self.cdn_faults: dict[int, int | str] = {}  # attachment id -> an HTTP status, or "stall" (no answer)
        self._commands: dict[int | None, dict[tuple[str, int], dict[str, Any]]] = {}
        self._interactions: dict[int, InteractionHandle] = {}
        self._interaction_tokens: dict[str, InteractionHandle] = {}
        self._waiters: set[asyncio.Event] = set()
        self._routes: list[Route] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

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

    # ---------------------------------------------------------------------------- world building

    def new_id(self, shard_id: int | None = None, shard_count: int | None = None) -> int:
        """A fresh snowflake; with shard_id, one that lands on that shard."""
        if shard_id is None:
            return self.ids.next()
        return self.ids.next((shard_id, shard_count or self.shard_count))

    def make_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> dict[str, Any]:
        return user_payload(self.ids.next(), username, bot=bot, global_name=global_name)

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
        guild_id: int | None = None,
    ) -> FakeGuild:
        """A guild the bot is in. With shard_id, its id lands on that shard (of shard_count or self.shard_count);
        `guild_id` fixes it (e.g. the console's one server, the same every run). A channel or role given as a
        mapping may fix its "id" too."""
        guild_id = guild_id or self.new_id(shard_id, shard_count)
        all_roles = [role_payload(guild_id, "@everyone", 0, everyone_permissions)]
        bot_role = role_payload(self.new_id(), self.application["name"], 1, bot_permissions)
        bot_role.update(managed=True, tags={"bot_id": str(self.application_id)})
        all_roles.append(bot_role)
        for position, spec in enumerate(roles, start=2):
            extra = {"name": spec} if isinstance(spec, str) else dict(spec)
            role = role_payload(self.new_id(), extra.pop("name"), position, 0)
            role.update(extra)
            all_roles.append(role)
        all_channels = []
        for position, spec in enumerate(channels):
            extra = {"name": spec} if isinstance(spec, str) else dict(spec)
            all_channels.append(channel_payload(self.new_id(), guild_id, extra.pop("name"), position, extra))
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
        channel = channel_payload(self.new_id(), guild.id, name, len(guild.channels), fields)
        guild.channels.append(channel)
        return channel

    def add_attachment(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        size: int | None = None,
    ) -> dict[str, Any]:
        """A file on the offline CDN: its attachment object, whose URL serves `data` (as Discord's CDN does
        for uploads and for files attached to an interaction's options)."""
        attachment_id = self.new_id()
        url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
        attachment: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type or "application/octet-stream",
        }
        self.attachments[attachment_id] = (attachment["content_type"], data)
        return attachment

    def bot_member(self, guild: FakeGuild) -> dict[str, Any]:
        return self.member(self.bot_user, guild, roles=[guild.bot_role["id"]])

    def member(
        self, user: Mapping[str, Any], guild: FakeGuild, *, roles: Sequence[str] = (), nick: str | None = None
    ) -> dict[str, Any]:
        return member_payload(user, guild, roles=tuple(roles), nick=nick)

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
        """Requests the offline Discord had no route for (answered 404/405)."""
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
