"""Offline console: the real bot, cogs and presentation, against an in-process offline Discord (`bot.offline`).

Type `/cast name:Paloma` or `/plot part:end`; `?/cast name:pal` shows autocomplete choices; `press Next ▶`
presses a button on the last message. Spoilers are shown marked, as ⟦spoiler: …⟧.

The console is a member (with every permission) of one server, "Film Club", typing in #general. Each line
becomes the INTERACTION_CREATE Discord would send (built by `bot.offline.payloads`, as the tests build
theirs), handed to the bot as its gateway would; what the bot sends goes to the offline Discord, which keeps
the messages (and refuses what Discord refuses) and is what is shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands

from bot.offline import payloads
from bot.offline.client import connected_client, deliver, settled
from bot.offline.model import EPHEMERAL, FakeGuild
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.film", "cogs.meta")
ANSWER_WITHIN = 5.0  # seconds to wait for an answer (a deferred one: until it is filled in)
NO_ANSWER = f"(no answer within {ANSWER_WITHIN:.0f} seconds)"
_TRUE = {"true", "yes", "1", "on"}


@dataclass
class Shown:
    """What the last answer showed: a message (as the offline Discord holds it) or autocomplete choices."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: bool = False
    choices: list[dict[str, Any]] = field(default_factory=list)
    message: dict[str, Any] | None = None

    @classmethod
    def of(cls, message: dict[str, Any]) -> Shown:
        return cls(
            content=message.get("content") or "",
            embeds=list(message.get("embeds") or []),
            components=list(message.get("components") or []),
            ephemeral=bool(message.get("flags", 0) & EPHEMERAL),
            message=message,
        )

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for row in self.components for c in row.get("components", []) if c.get("type") == 2]


class Console:
    """Lines in, what a Discord user would see out. Open with `open_console`, end with `close`."""

    def __init__(
        self, bot: Any, fake: FakeDiscord, guild: FakeGuild, stack: contextlib.AsyncExitStack
    ) -> None:
        self.bot = bot
        self.fake = fake
        self.guild = guild
        self.user = fake.make_user("you", global_name="You")
        self.context = payloads.Context.in_guild(fake, guild, user=self.user, admin=True)
        self.last: Shown | None = None
        self._stack = stack

    async def close(self) -> None:
        await self._stack.aclose()

    # -- reading a line ---------------------------------------------------------------------------------------

    def _value(self, param: app_commands.Parameter, raw: str) -> Any:
        kind = param.type
        text = raw.strip()
        if kind is discord.AppCommandOptionType.boolean:
            return text.lower() in _TRUE
        if kind is discord.AppCommandOptionType.integer:
            return int(text)
        if kind is discord.AppCommandOptionType.number:
            return float(text)
        if kind is discord.AppCommandOptionType.channel:
            return payloads.Option(self.guild.channel(text.lstrip("#")), payloads.CHANNEL)
        if kind is discord.AppCommandOptionType.role:
            return payloads.Option(self.guild.role(text.lstrip("@")), payloads.ROLE)
        if kind in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
            return payloads.Option(self.user, payloads.USER)
        return text

    def _options(self, command: app_commands.Command[Any, ..., Any], text: str) -> dict[str, Any]:
        params = {p.name: p for p in command.parameters}
        parts = re.split(r"(?:^|\s)(\w+):", " " + text)
        options: dict[str, Any] = {}
        for name, raw in zip(parts[1::2], parts[2::2], strict=False):
            param = params.get(name)
            if param is None:
                raise ValueError(
                    f"/{command.qualified_name} has no option {name!r}; options: {', '.join(params)}"
                )
            try:
                options[name] = self._value(param, raw)
            except KeyError:
                raise ValueError(f"There is no {name} called {raw.strip()!r} in this server.") from None
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw.strip()!r}.") from None
        return options

    async def run_line(self, line: str) -> str:
        line = line.strip()
        if not line:
            return ""
        if line.lower().startswith("press "):
            return await self.press(line[6:].strip())
        focus = line.startswith("?")
        name, _, rest = line.lstrip("?").lstrip("/").partition(" ")
        command: Any = self.bot.tree.get_command(name)
        subcommand = None
        if isinstance(command, app_commands.Group):
            subcommand, _, rest = rest.partition(" ")
            leaf = command.get_command(subcommand)
            if not isinstance(leaf, app_commands.Command):
                return f"/{name} needs one of: " + ", ".join(c.name for c in command.commands)
            command = leaf
        elif not isinstance(command, app_commands.Command):
            return "Unknown command. Try /help."
        options = self._options(command, rest)
        registered = next((c for c in self.fake.commands() if c["name"] == name), None)
        command_id = registered["id"] if registered else None
        if focus:
            if not options:
                return "Type an option to complete, e.g. ?/cast name:pal"
            focused = list(options)[-1]
            payload = payloads.autocomplete(
                self.context, name, options, focused, subcommand=subcommand, command_id=command_id
            )
        else:
            payload = payloads.slash_command(
                self.context, name, options, subcommand=subcommand, command_id=command_id
            )
        return await self._dispatch(payload)

    async def press(self, label: str) -> str:
        buttons = self.last.buttons if self.last else []
        wanted = label.casefold()
        match = next((b for b in buttons if b.get("label", "").casefold() == wanted), None)
        match = match or next((b for b in buttons if wanted in b.get("label", "").casefold()), None)
        if self.last is None or self.last.message is None or match is None:
            return "No such button on the last message."
        if match.get("disabled"):
            return "That button is disabled."
        current = self.fake.message(self.last.message["channel_id"], self.last.message["id"])
        payload = payloads.component_click(self.context, match["custom_id"], current or self.last.message)
        return await self._dispatch(payload)

    # -- answering --------------------------------------------------------------------------------------------

    async def _dispatch(self, payload: dict[str, Any]) -> str:
        handle = deliver(self.bot, self.fake, payload)
        try:
            await self.fake.wait_until(lambda: settled(handle), ANSWER_WITHIN, "the answer")
        except TimeoutError:
            return NO_ANSWER
        self.last = self._shown(handle)
        return render(self.last)

    @staticmethod
    def _shown(handle: InteractionHandle) -> Shown | None:
        if handle.response_type == 8:
            return Shown(choices=list(handle.response_data.get("choices") or []))
        messages = handle.messages()
        return Shown.of(messages[-1]) if messages else None


def _spoilers(text: str) -> str:
    return re.sub(r"\|\|(.+?)\|\|", r"⟦spoiler: \1⟧", text, flags=re.DOTALL)


def render(shown: Shown | None) -> str:
    """What a Discord user would see, as text, with spoilers visibly marked."""
    if shown is None:
        return ""
    if shown.message is None:
        if not shown.choices:
            return "(no choices)"
        return "Choices:\n" + "\n".join(f"  • {c['name']}" for c in shown.choices)
    lines: list[str] = ["(only you can see this)"] if shown.ephemeral else []
    if shown.content:
        lines.append(_spoilers(shown.content))
    for embed in shown.embeds:
        lines.append("┌ " + (embed.get("title") or ""))
        if embed.get("description"):
            lines += ["│ " + line for line in _spoilers(embed["description"]).splitlines()]
        for f in embed.get("fields", []):
            lines.append(f"│ ▸ {f['name']}")
            lines += ["│   " + line for line in _spoilers(f["value"]).splitlines()]
        if (embed.get("footer") or {}).get("text"):
            lines.append("└ " + embed["footer"]["text"])
    if shown.buttons:
        lines.append(
            "  ".join(
                f"[{b.get('label', '')}{' (disabled)' if b.get('disabled') else ''}]" for b in shown.buttons
            )
        )
    return "\n".join(lines)


async def open_console(settings: Settings) -> Console:
    """The bot with the film commands, logged in to a fresh offline Discord; `await console.close()` after."""
    from bot.client import FilmBot
    from bot.storage.knowledge import Knowledge
    from bot.storage.state import StateStore

    stack = contextlib.AsyncExitStack()
    try:
        knowledge = await Knowledge.open(settings.knowledge_db)
        stack.push_async_callback(knowledge.close)
        state = await StateStore.open(settings.state_db)
        stack.push_async_callback(state.close)
        fake = FakeDiscord(bot_name="Film Club Bot", interaction_deadline=None)
        await stack.enter_async_context(fake)
        guild = fake.add_guild("Film Club")
        bot = FilmBot(settings, knowledge, state, extensions=EXTENSIONS, application_id=fake.application_id)
        await stack.enter_async_context(connected_client(fake, bot))
        for name in EXTENSIONS:
            await bot.load_extension(name)
        await (
            bot.tree.sync()
        )  # to the offline Discord only: the commands get ids, and Discord's limits are checked
    except BaseException:
        await stack.aclose()
        raise
    return Console(bot, fake, guild, stack)


async def run_console(settings: Settings, stdin: Any = None, stdout: Any = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    console = await open_console(settings)
    stdout.write("Offline console. Type /help, /cast name:Paloma, /plot, `press Next`, or quit.\n")
    try:
        loop = asyncio.get_running_loop()
        while True:
            if stdin.isatty():
                stdout.write("> ")
                stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line or line.strip() in {"quit", "exit"}:
                break
            try:
                stdout.write(await console.run_line(line) + "\n")
            except ValueError as err:
                stdout.write(f"{err}\n")
            stdout.flush()
    finally:
        await console.close()
    return 0
