"""Real INTERACTION_CREATE payloads: slash commands, autocomplete, component clicks and modal submits.

Build payloads with a `Context` (who clicked, where, with which permissions), e.g.::

    ctx = Context.in_guild(fake, guild)
    payload = slash_command(ctx, "film", {"title": "Alien"}, subcommand="facts")
    handle = await fake.send_interaction(payload)          # to a bot process over the gateway

or run them in-process through a real discord.py client with `bot.offline.client`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.offline.model import EVERYONE_PERMISSIONS, FakeGuild, SnowflakeFactory

if TYPE_CHECKING:
    from bot.offline.world import World

log = logging.getLogger(__name__)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_IDS = SnowflakeFactory(worker=2)  # never collides with FakeDiscord's ids (worker 1)
ALL_PERMISSIONS = (1 << 51) - 1

# Application command option types.
(
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    STRING,
    INTEGER,
    BOOLEAN,
    USER,
    CHANNEL,
    ROLE,
    MENTIONABLE,
    NUMBER,
    ATTACHMENT,
) = range(1, 12)


@dataclass(frozen=True)
class Option:
    """An option value with an explicit type (USER/CHANNEL/ROLE take the full object, added to `resolved`)."""

    value: Any
    type: int


@dataclass(frozen=True)
class Context:
    """Where an interaction happens and who triggers it."""

    application_id: int
    user: dict[str, Any]
    channel: dict[str, Any]
    guild_id: int | None = None
    guild: dict[str, Any] | None = None
    member: dict[str, Any] | None = None
    permissions: int = EVERYONE_PERMISSIONS
    app_permissions: int = EVERYONE_PERMISSIONS
    locale: str = "en-US"
    guild_locale: str | None = "en-US"
    entitlements: tuple[dict[str, Any], ...] = ()
    attachment_size_limit: int = ATTACHMENT_SIZE_LIMIT
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def in_guild(
        cls,
        fake: World,
        guild: FakeGuild,
        *,
        channel: str | int | None = None,
        user: Mapping[str, Any] | None = None,
        permissions: int | None = None,
        admin: bool = False,
        roles: Sequence[str] = (),
        locale: str = "en-US",
    ) -> Context:
        """A member of `guild` in one of its channels (default: the first text channel)."""
        the_user = dict(user) if user is not None else fake.make_user("cinephile", global_name="Cinephile")
        the_channel = guild.text_channel if channel is None else guild.channel(channel)
        everyone = int(guild.role(str(guild.id))["permissions"])
        granted = ALL_PERMISSIONS if admin else (permissions if permissions is not None else everyone)
        role_ids = [guild.role(r)["id"] for r in roles]
        app_permissions = everyone | int(guild.bot_role["permissions"])
        return cls(
            application_id=fake.application_id,
            user=the_user,
            channel=dict(the_channel),
            guild_id=guild.id,
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            member=fake.member(the_user, guild, roles=role_ids),
            permissions=granted,
            app_permissions=app_permissions,
            locale=locale,
            guild_locale=guild.preferred_locale,
        )

    @classmethod
    def in_dm(cls, fake: World, *, user: Mapping[str, Any] | None = None) -> Context:
        the_user = dict(user) if user is not None else fake.make_user("cinephile", global_name="Cinephile")
        channel = {
            "id": str(fake.new_id()),
            "type": 1,
            "recipients": [the_user],
            "last_message_id": None,
            "flags": 0,
        }
        return cls(
            application_id=fake.application_id,
            user=the_user,
            channel=channel,
            app_permissions=EVERYONE_PERMISSIONS,
            permissions=EVERYONE_PERMISSIONS,
            guild_locale=None,
        )

    def with_permissions(self, permissions: int) -> Context:
        return replace(self, permissions=permissions)


def base_interaction(ctx: Context, kind: int, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The envelope Discord sends for every interaction type."""
    payload: dict[str, Any] = {
        "id": str(_IDS.next()),
        "application_id": str(ctx.application_id),
        "type": kind,
        "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96),
        "version": 1,
        "channel_id": ctx.channel["id"],
        "channel": ctx.channel,
        "app_permissions": str(ctx.app_permissions),
        "locale": ctx.locale,
        "entitlements": list(ctx.entitlements),
        "entitlement_sku_ids": [],
        "attachment_size_limit": ctx.attachment_size_limit,
    }
    if data is not None:
        payload["data"] = dict(data)
    if ctx.guild_id is not None:
        assert ctx.member is not None
        payload.update(
            guild_id=str(ctx.guild_id),
            guild=ctx.guild,
            guild_locale=ctx.guild_locale,
            member={**ctx.member, "permissions": str(ctx.permissions)},
            authorizing_integration_owners={"0": str(ctx.guild_id)},
            context=0,
        )
    else:
        payload.update(user=ctx.user, authorizing_integration_owners={"0": ctx.user["id"]}, context=1)
    payload.update(ctx.extra)
    return payload


def _option(name: str, value: Any, resolved: dict[str, dict[str, Any]], ctx: Context) -> dict[str, Any]:
    kind: int
    if isinstance(value, Option):
        kind, value = value.type, value.value
    elif isinstance(value, bool):
        kind = BOOLEAN
    elif isinstance(value, int):
        kind = INTEGER
    elif isinstance(value, float):
        kind = NUMBER
    else:
        kind, value = STRING, str(value)
    if kind in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT) and isinstance(value, Mapping):
        obj = dict(value)
        if kind == USER or (kind == MENTIONABLE and "username" in obj):
            resolved.setdefault("users", {})[obj["id"]] = obj
            if ctx.guild_id is not None and ctx.member is not None:
                member = {k: v for k, v in ctx.member.items() if k != "user"}
                resolved.setdefault("members", {})[obj["id"]] = {**member, "roles": [], "permissions": "0"}
        elif kind == CHANNEL:
            resolved.setdefault("channels", {})[obj["id"]] = {**obj, "permissions": str(ctx.permissions)}
        elif kind == ATTACHMENT:
            resolved.setdefault("attachments", {})[obj["id"]] = obj
        else:
            resolved.setdefault("roles", {})[obj["id"]] = obj
        value = obj["id"]
    return {"name": name, "type": kind, "value": value}


def command_data(
    ctx: Context,
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    group: str | None = None,
    subcommand: str | None = None,
    command_id: int | str | None = None,
    focused: str | None = None,
    guild_command: bool = False,
) -> dict[str, Any]:
    """The `data` of a chat-input command: options nested under subcommand (and group) when given."""
    resolved: dict[str, dict[str, Any]] = {}
    leaf = [_option(k, v, resolved, ctx) for k, v in (options or {}).items()]
    if focused is not None:
        for opt in leaf:
            if opt["name"] == focused:
                opt["focused"] = True
                opt["type"] = opt["type"] if opt["type"] in (STRING, INTEGER, NUMBER) else STRING
                opt["value"] = str(opt["value"]) if opt["type"] == STRING else opt["value"]
                break
        else:
            raise ValueError(f"focused option {focused!r} is not among {list(options or {})}")
    top: list[dict[str, Any]] = leaf
    if subcommand is not None:
        top = [{"name": subcommand, "type": SUB_COMMAND, "options": leaf}]
    if group is not None:
        if subcommand is None:
            raise ValueError("a subcommand group needs a subcommand")
        top = [{"name": group, "type": SUB_COMMAND_GROUP, "options": top}]
    data: dict[str, Any] = {
        "id": str(command_id if command_id is not None else _IDS.next()),
        "name": name,
        "type": 1,
    }
    if top:
        data["options"] = top
    if resolved:
        data["resolved"] = resolved
    if guild_command and ctx.guild_id is not None:
        data["guild_id"] = str(ctx.guild_id)
    return data


def slash_command(
    ctx: Context,
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    group: str | None = None,
    subcommand: str | None = None,
    command_id: int | str | None = None,
    guild_command: bool = False,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND (type 2) interaction for ``/name [group] [subcommand] option:value ...``."""
    data = command_data(
        ctx,
        name,
        options,
        group=group,
        subcommand=subcommand,
        command_id=command_id,
        guild_command=guild_command,
    )
    return base_interaction(ctx, 2, data)


def autocomplete(
    ctx: Context,
    name: str,
    options: Mapping[str, Any],
    focused: str,
    *,
    group: str | None = None,
    subcommand: str | None = None,
    command_id: int | str | None = None,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND_AUTOCOMPLETE (type 4) interaction; `focused` names the option being typed."""
    data = command_data(
        ctx, name, options, group=group, subcommand=subcommand, command_id=command_id, focused=focused
    )
    return base_interaction(ctx, 4, data)


def bot_message(
    fake: World,
    channel_id: int | str,
    content: str = "",
    *,
    components: Sequence[Mapping[str, Any]] = (),
    message_id: int | None = None,
) -> dict[str, Any]:
    """A message object authored by the bot (what a component click's `message` looks like)."""
    mid = message_id or fake.new_id()
    return {
        "id": str(mid),
        "type": 0,
        "content": content,
        "channel_id": str(channel_id),
        "author": fake.bot_user,
        "attachments": [],
        "embeds": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2025-01-01T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "flags": 0,
        "components": [dict(c) for c in components],
        "application_id": str(fake.application_id),
        "webhook_id": str(fake.application_id),
    }


def button_row(*custom_ids: str, labels: Sequence[str] = ()) -> dict[str, Any]:
    """An action row of buttons, as a message carries it."""
    buttons = [
        {"type": 2, "style": 1, "custom_id": cid, "label": labels[i] if i < len(labels) else cid, "id": i + 2}
        for i, cid in enumerate(custom_ids)
    ]
    return {"type": 1, "id": 1, "components": buttons}


def component_click(
    ctx: Context,
    custom_id: str,
    message: Mapping[str, Any],
    *,
    component_type: int = 2,
    values: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A MESSAGE_COMPONENT (type 3) interaction: a button (2) or select (3, with values) on `message`."""
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = list(values)
    payload = base_interaction(ctx, 3, data)
    payload["message"] = dict(message)
    return payload


def modal_submit(ctx: Context, custom_id: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """A MODAL_SUBMIT (type 5) interaction with one text input per field (custom_id -> value)."""
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]
    return base_interaction(ctx, 5, {"custom_id": custom_id, "components": rows})
