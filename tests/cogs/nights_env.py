"""The in-process /movienight environment: real discord.Interaction objects built from payloads, run through
the command tree against a recording REST layer (tests.fake_discord.FakeDiscord), the scheduler task on a fake clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord

from bot.client import FilmBot
from bot.settings import Settings
from bot.storage.state import StateStore
from tests.fake_discord import (
    APP_ID,
    BOT_ID,
    MEMBER_ID,
    FakeDiscord,
    button_payload,
    command_payload,
    guild_payload,
    option,
    resolved_channel,
    resolved_role,
    user_payload,
)
from tests.fakes import (
    FakeClock,
    FakeKnowledge,
    eventually,
    utc,
)

NOW = utc(2026, 11, 20, 12, 0)
START = utc(2026, 11, 28, 20, 0)  # "2026-11-28 20:00" in Europe/London (GMT)
EPHEMERAL = 1 << 6


@dataclass
class Env:
    bot: FilmBot
    fake: FakeDiscord
    clock: FakeClock
    tmp: Path
    monkeypatch: Any

    @property
    def state(self) -> StateStore:
        return self.bot.state

    async def run(self, payload: dict[str, Any]) -> discord.Interaction[Any]:
        interaction: discord.Interaction[Any] = discord.Interaction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]
        await self.bot.tree._call(interaction)
        return interaction

    async def click(self, custom_id: str, message: dict[str, Any], user_id: int = MEMBER_ID) -> None:
        """A button click, dispatched like discord.py does: through the registered dynamic items."""
        payload = button_payload(custom_id, message, user_id=user_id)
        interaction: discord.Interaction[Any] = discord.Interaction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]
        store = self.bot._connection._view_store
        for pattern, factory in store._dynamic_items.items():
            match = pattern.fullmatch(custom_id)
            if match is not None:
                await store.schedule_dynamic_item_call(2, factory, interaction, custom_id, match)
                return
        raise AssertionError(f"no registered item handles {custom_id}")

    async def advance(self, delta: timedelta | float) -> None:
        """Move the fake clock once the scheduler task is asleep on it (so it sees the jump)."""
        await eventually(lambda: self.clock.sleeping > 0)
        await self.clock.advance(delta)

    async def schedule(self, **options: Any) -> None:
        opts = [option("when", options.pop("when", "2026-11-28 20:00"))]
        opts.append(option("timezone", options.pop("timezone", "Europe/London")))
        resolved: dict[str, Any] = {}
        if "role" in options:
            role_id, name = options.pop("role")
            opts.append(option("role", str(role_id), 8))
            resolved.update(resolved_role(role_id, name))
        if "channel" in options:
            channel_id, name = options.pop("channel")
            opts.append(option("channel", str(channel_id), 7))
            resolved.update(resolved_channel(channel_id, name))
        for name, value in options.pop("extra", {}).items():
            opts.append(option(name, value))
        await self.run(command_payload("schedule", opts, resolved=resolved, **options))

    async def announcement(self) -> dict[str, Any]:
        """The announcement the scheduler posts (waits for it)."""
        await eventually(lambda: bool(self.fake.posted()))
        request = self.fake.posted()[0]
        message_id = self.fake.nonces[(int(request.path.split("/")[2]), request.json["nonce"])]
        return self.fake.messages[message_id]


def announced(env: Env, night_id: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        night = await env.state.get_night(night_id)
        return night is not None and night.announcement_id is not None

    return check


def reply_bodies(fake: FakeDiscord) -> list[dict[str, Any]]:
    """What the bot answered to interactions: callback data or follow-up payloads."""
    bodies = []
    for request in fake.replies():
        body = request.json or {}
        if request.path.endswith("/callback"):
            bodies.append({"type": body.get("type"), **(body.get("data") or {})})
        else:
            bodies.append({"type": "followup", **body})
    return bodies


def last_text(fake: FakeDiscord) -> str:
    texts = [b.get("content") for b in reply_bodies(fake) if b.get("content")]
    return str(texts[-1]) if texts else ""


async def make_env(tmp: Path, monkeypatch: Any, knowledge: FakeKnowledge, clock: FakeClock) -> Env:
    fake = FakeDiscord()
    settings = Settings.from_env({"STATE_DB": str(tmp / "state.db")}, dotenv=False)
    state = await StateStore.open(settings.state_db)
    bot = FilmBot(settings, knowledge, state, clock=clock, extensions=("cogs.nights",))  # type: ignore[arg-type]
    await bot._async_setup_hook()
    fake.install(bot, monkeypatch)
    bot._connection.user = discord.ClientUser(
        state=bot._connection, data=user_payload(BOT_ID, "FilmBot", bot=True)
    )  # type: ignore[arg-type]
    bot._connection.application_id = APP_ID
    bot._connection._add_guild_from_data(guild_payload())  # type: ignore[arg-type]
    await bot.load_extension("cogs.nights")
    return Env(bot, fake, clock, tmp, monkeypatch)


async def close_env(env: Env) -> None:
    await env.bot.unload_extension("cogs.nights")
    await env.bot.state.close()
    await env.bot.close()
