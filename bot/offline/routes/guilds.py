"""Guilds (GET guild, roles, channels) and their scheduled events, checked as Discord checks them (external
events need a location and an end; nothing starts in the past; status changes follow Discord's rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.offline.model import INTENT_GUILD_SCHEDULED_EVENTS, DiscordError, FakeGuild, Reply, iso, parse_time
from bot.offline.rest import Ctx, Rest, RouteSpec
from bot.offline.validation import error_body, violations


class Guilds(Rest):
    def _route_table(self) -> list[RouteSpec]:
        guild = "/guilds/{guild_id}"
        event = guild + "/scheduled-events/{guild_scheduled_event_id}"
        return [
            *super()._route_table(),
            ("GET", guild, self._get_guild),
            ("GET", guild + "/roles", self._get_roles),
            ("GET", guild + "/channels", self._get_channels),
            ("GET", guild + "/scheduled-events", self._list_events),
            ("POST", guild + "/scheduled-events", self._create_event),
            ("GET", event, self._get_event),
            ("PATCH", event, self._edit_event),
            ("DELETE", event, self._delete_event),
        ]

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
        start = parse_time(event.get("scheduled_start_time"))
        end = parse_time(event.get("scheduled_end_time"))
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
        errors = {**error_body(violations(ctx.method, ctx.record.template, body))}
        errors.update(self._event_problems(guild, body, creating=True))
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
            "scheduled_start_time": iso(parse_time(body["scheduled_start_time"]) or self.now()),
            "scheduled_end_time": iso(end) if (end := parse_time(body.get("scheduled_end_time"))) else None,
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
        errors = {**error_body(violations(ctx.method, ctx.record.template, body))}
        errors.update(self._event_problems(guild, merged, creating=False))
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
                moment = parse_time(body[key])
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
