"""Application commands: global and per-guild, PUT (bulk overwrite, as discord.py syncs), POST, GET, PATCH,
DELETE. A registered command keeps its id across identical syncs, like Discord."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.offline.model import DiscordError, Reply, invalid_form
from bot.offline.rest import Ctx, Rest, RouteSpec
from bot.offline.validation import violations


class Commands(Rest):
    def _route_table(self) -> list[RouteSpec]:
        base = "/applications/{application_id}"
        guild = base + "/guilds/{guild_id}"
        table: list[RouteSpec] = []
        for prefix in (base, guild):
            table += [
                ("GET", prefix + "/commands", self._list_commands),
                ("PUT", prefix + "/commands", self._put_commands),
                ("POST", prefix + "/commands", self._post_command),
                ("GET", prefix + "/commands/{command_id}", self._get_command),
                ("PATCH", prefix + "/commands/{command_id}", self._patch_command),
                ("DELETE", prefix + "/commands/{command_id}", self._delete_command),
            ]
        return [*super()._route_table(), *table]

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
        problems = violations(ctx.method, ctx.record.template, ctx.body)
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
