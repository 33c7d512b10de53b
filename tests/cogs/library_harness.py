"""The real bot in-process (the console's setup: FilmBot, the library engine with its worker process, the
offline Discord serving attachments from its CDN), with a fresh server per test, so one bot serves a module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.console import Console
from bot.offline import payloads
from bot.offline.client import deliver, settled
from bot.offline.model import EVERYONE_PERMISSIONS, FakeGuild
from bot.offline.routes.interactions import InteractionHandle
from bot.present.text import unspoiled
from bot.storage.state.library import LibraryFilm

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "films"
MANAGE_SERVER = 1 << 5
ANSWER_S = 30.0  # a generous bound on a loaded machine; answers come in well under a second


def document(film: str, name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / film / name).read_bytes()


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


@dataclass
class Harness:
    console: Console
    guilds: int = 0

    @property
    def fake(self) -> Any:
        return self.console.fake

    @property
    def bot(self) -> Any:
        return self.console.bot

    def new_guild(self) -> FakeGuild:
        self.guilds += 1
        guild = self.fake.add_guild(f"Club {self.guilds}", roles=("Film Club", "Curators"))
        self.bot._connection._add_guild_from_data(self.fake.guild_create_payload(guild))
        return guild

    def member(self, guild: FakeGuild, *, admin: bool = False, roles: Sequence[str] = ()) -> payloads.Context:
        user = self.fake.make_user("member", global_name="Member")
        permissions = EVERYONE_PERMISSIONS | (MANAGE_SERVER if admin else 0)
        return payloads.Context.in_guild(self.fake, guild, user=user, permissions=permissions, roles=roles)

    def files(self, *docs: tuple[str, bytes]) -> list[dict[str, Any]]:
        return [self.fake.add_attachment(0, name, data, "text/plain") for name, data in docs]

    async def run(self, payload: dict[str, Any]) -> InteractionHandle:
        handle = deliver(self.bot, self.fake, payload)
        await self.fake.wait_until(lambda: settled(handle), ANSWER_S, "the answer")
        return handle

    def command_id(self, name: str) -> Any:
        return next(c["id"] for c in self.fake.commands() if c["name"] == name)

    async def command(
        self,
        ctx: payloads.Context,
        name: str,
        options: Mapping[str, Any] | None = None,
        sub: str | None = None,
    ) -> InteractionHandle:
        payload = payloads.slash_command(ctx, name, options, subcommand=sub, command_id=self.command_id(name))
        return await self.run(payload)

    async def choices(
        self, ctx: payloads.Context, name: str, options: Mapping[str, Any], focused: str
    ) -> list[dict[str, Any]]:
        payload = payloads.autocomplete(ctx, name, options, focused, command_id=self.command_id(name))
        handle = await self.run(payload)
        assert handle.response_type == 8
        return list(handle.response_data["choices"])

    async def add(
        self, ctx: payloads.Context, attachments: Sequence[dict[str, Any]], title: str | None = None
    ) -> InteractionHandle:
        options: dict[str, Any] = {}
        for n, attachment in enumerate(attachments, 1):
            options["document" if n == 1 else f"document{n}"] = payloads.Option(
                attachment, payloads.ATTACHMENT
            )
        if title is not None:
            options["title"] = title
        return await self.command(ctx, "film", options, "add")

    async def menu(self, ctx: payloads.Context, attachments: Sequence[dict[str, Any]]) -> InteractionHandle:
        message = payloads.member_message(self.fake, ctx, "here are the documents", attachments=attachments)
        payload = payloads.message_command(
            ctx, "Add to film library", message, command_id=self.command_id("Add to film library")
        )
        return await self.run(payload)

    async def click(self, ctx: payloads.Context, handle: InteractionHandle, label: str) -> dict[str, Any]:
        """Press the button labelled `label...` on the interaction's last message; that message afterwards."""
        message = shown(handle)
        button = next(
            b
            for row in message.get("components") or []
            for b in row["components"]
            if b.get("label", "").startswith(label)
        )
        current = self.fake.message(message["channel_id"], message["id"]) or message
        await self._listening(int(message["id"]))
        await self.run(payloads.component_click(ctx, button["custom_id"], current))
        return dict(self.fake.message(message["channel_id"], message["id"]) or {})

    async def _listening(self, message_id: int) -> None:
        """Until the bot's view for the message is registered (discord.py does it once the send returns, which
        can be just after the offline Discord recorded the message): a member never clicks that fast."""
        views = self.bot._connection._view_store._views
        deadline = asyncio.get_running_loop().time() + ANSWER_S
        while message_id not in views and None not in views:
            assert asyncio.get_running_loop().time() < deadline, (
                "the question's buttons were never registered"
            )
            await asyncio.sleep(0.001)

    async def own_films(self, guild: FakeGuild) -> list[LibraryFilm]:
        return list(await self.bot.state.library_films(guild.id))

    async def visible(self, guild: FakeGuild) -> list[str]:
        return [f.title for f in await self.bot.knowledge.for_guild(guild.id).films() if not f.shared]


def shown(handle: InteractionHandle) -> dict[str, Any]:
    """The last message the interaction produced (a followup, the original, or an updated component message)."""
    if handle.response_type in (4, 7) and not handle.messages():
        return {**handle.response_data, "channel_id": str(handle.channel_id), "id": str(handle.id)}
    messages = handle.messages()
    assert messages, f"no message for interaction {handle.id}"
    return messages[-1]


def text(answer: InteractionHandle | dict[str, Any]) -> str:
    """Everything the answer shows, spoilers hidden."""
    message = shown(answer) if isinstance(answer, InteractionHandle) else answer
    return unspoiled("\n".join(strings({k: message.get(k) for k in ("content", "embeds", "components")})))


def ephemeral(handle: InteractionHandle) -> bool:
    return bool(shown(handle).get("flags", 0) & (1 << 6))
