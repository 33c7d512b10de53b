"""Offline console: the real bot, cogs and presentation, with Discord replaced by an in-process recorder.

Type `/cast name:Paloma` or `/plot part:end`; `?/cast name:pal` shows autocomplete choices; `press Next ▶`
presses a button on the last message. Spoilers are shown marked, as ⟦spoiler: …⟧.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.settings import Settings

log = logging.getLogger(__name__)

APP_ID = 100000000000000001
USER = {
    "id": "100000000000000002",
    "username": "you",
    "discriminator": "0",
    "global_name": "You",
    "avatar": None,
}
BOT_USER = {"id": str(APP_ID), "username": "filmclub", "discriminator": "0", "avatar": None, "bot": True}
CHANNEL_ID = "100000000000000003"
_ids = itertools.count(200000000000000000)


def snowflake() -> str:
    return str(next(_ids))


@dataclass
class Sent:
    """One message as Discord would hold it."""

    id: str
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: bool = False
    choices: list[dict[str, Any]] = field(default_factory=list)

    def as_message(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel_id": CHANNEL_ID,
            "author": BOT_USER,
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0,
            "flags": 64 if self.ephemeral else 0,
        }


class LocalDiscord(AsyncWebhookAdapter):
    """Answers the interaction webhook routes in-process and keeps what was 'sent'."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, Sent] = {}
        self.by_interaction: dict[str, str] = {}
        self.answered = asyncio.Event()
        self.last: Sent | None = None

    async def request(
        self, route: Any, session: Any, *, payload: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        if payload is None and kwargs.get("multipart"):
            import json

            payload = json.loads(kwargs["multipart"][0]["value"])
        payload = payload or {}
        path: str = route.url.split("?", 1)[0]
        if path.endswith("/callback"):
            return self._callback(route, payload, kwargs.get("params") or {})
        if "/messages/" in path and route.method == "PATCH":
            message_id = (
                self.by_interaction.get(route.webhook_token or "", "")
                if path.endswith("@original")
                else path.rsplit("/", 1)[-1]
            )
            return self._store(message_id or snowflake(), payload, edit=True).as_message()
        if route.method == "POST":  # a followup
            return self._store(snowflake(), payload).as_message()
        if route.method == "GET":
            message_id = self.by_interaction.get(route.webhook_token or "", "")
            return self.messages[message_id].as_message() if message_id in self.messages else {}
        return None

    def _callback(self, route: Any, body: dict[str, Any], params: dict[str, Any]) -> Any:
        kind, data = body.get("type"), body.get("data") or {}
        token = str(route.webhook_token)
        if kind == 8:  # autocomplete result
            self.last = Sent(snowflake(), choices=data.get("choices", []))
        elif kind in (4, 5):  # a new message (or a deferred one)
            self.by_interaction[token] = message_id = snowflake()
            self._store(message_id, data)
        elif kind in (6, 7):  # an update of the message the button is on
            message_id = self.by_interaction.get(token, "")
            if kind == 7 and message_id:
                self._store(message_id, data, edit=True)
        self.answered.set()
        if not params.get("with_response"):
            return None
        message = self.messages.get(self.by_interaction.get(token, ""))
        response: dict[str, Any] = {"interaction": {"id": str(route.webhook_id), "type": 2}}
        if message is not None:
            response["resource"] = {"type": kind, "message": message.as_message()}
        return response

    def _store(self, message_id: str, data: dict[str, Any], *, edit: bool = False) -> Sent:
        sent = self.messages.get(message_id) if edit else None
        if sent is None:
            sent = self.messages[message_id] = Sent(message_id, ephemeral=bool((data.get("flags") or 0) & 64))
        if "content" in data:
            sent.content = data["content"] or ""
        if "embeds" in data:
            sent.embeds = data["embeds"] or []
        if "components" in data:
            sent.components = data["components"] or []
        self.last = sent
        return sent


class Console:
    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.discord = LocalDiscord()
        async_context.set(self.discord)

    def _payload(self, kind: int, data: dict[str, Any], message: Sent | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": snowflake(),
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "token": snowflake(),
            "version": 1,
            "channel_id": CHANNEL_ID,
            "channel": {"id": CHANNEL_ID, "type": 1, "recipients": [USER]},
            "user": USER,
            "locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 8388608,
            "authorizing_integration_owners": {"1": USER["id"]},
            "context": 1,
        }
        if message is not None:
            payload["message"] = message.as_message()
        return payload

    def _options(
        self, command: app_commands.Command[Any, ..., Any], text: str, focus: bool
    ) -> list[dict[str, Any]]:
        params = {p.name: p for p in command.parameters}
        out: list[dict[str, Any]] = []
        parts = re.split(r"(?:^|\s)(\w+):", " " + text)
        pairs = list(zip(parts[1::2], parts[2::2], strict=False))
        for i, (name, raw) in enumerate(pairs):
            param = params.get(name)
            if param is None:
                raise ValueError(
                    f"/{command.qualified_name} has no option {name!r}; options: {', '.join(params)}"
                )
            value: Any = raw.strip()
            if param.type is discord.AppCommandOptionType.boolean:
                value = value.lower() in {"true", "yes", "1", "on"}
            elif param.type is discord.AppCommandOptionType.integer:
                value = int(value)
            option: dict[str, Any] = {"name": name, "type": param.type.value, "value": value}
            if focus and i == len(pairs) - 1:
                option["focused"] = True
            out.append(option)
        return out

    async def run_line(self, line: str) -> str:
        line = line.strip()
        if not line:
            return ""
        if line.lower().startswith("press "):
            return await self.press(line[6:].strip())
        focus = line.startswith("?")
        words = line.lstrip("?").lstrip("/").split(" ", 1)
        names = words[0].split()
        rest = words[1] if len(words) > 1 else ""
        command: Any = self.bot.tree.get_command(names[0])
        data: dict[str, Any] = {"id": snowflake(), "name": names[0], "type": 1}
        if isinstance(command, app_commands.Group):
            sub, _, rest = rest.partition(" ")
            leaf = command.get_command(sub)
            if leaf is None:
                return f"/{names[0]} needs one of: " + ", ".join(c.name for c in command.commands)
            data["options"] = [{"name": sub, "type": 1, "options": self._options(leaf, rest, focus)}]  # type: ignore[arg-type]
        elif command is None:
            return "Unknown command. Try /help."
        else:
            data["options"] = self._options(command, rest, focus)
        return await self._dispatch(self._payload(4 if focus else 2, data))

    async def press(self, label: str) -> str:
        message = self.discord.last
        buttons = [c for row in (message.components if message else []) for c in row.get("components", [])]
        match = next((b for b in buttons if b.get("label", "").casefold() == label.casefold()), None)
        match = match or next((b for b in buttons if label.casefold() in b.get("label", "").casefold()), None)
        if message is None or match is None:
            return "No such button on the last message."
        if match.get("disabled"):
            return "That button is disabled."
        data = {"custom_id": match["custom_id"], "component_type": 2}
        payload = self._payload(3, data, message)
        self.discord.by_interaction[payload["token"]] = message.id  # an update edits the pressed message
        return await self._dispatch(payload)

    async def _dispatch(self, payload: dict[str, Any]) -> str:
        self.discord.answered.clear()
        self.bot._connection.parse_interaction_create(payload)
        try:
            await asyncio.wait_for(self.discord.answered.wait(), timeout=5)
        except TimeoutError:
            return "(no answer within 5 seconds)"
        await asyncio.sleep(0)
        return render(self.discord.last)


def _spoilers(text: str) -> str:
    return re.sub(r"\|\|(.+?)\|\|", r"⟦spoiler: \1⟧", text, flags=re.DOTALL)


def render(sent: Sent | None) -> str:
    """What a Discord user would see, as text, with spoilers visibly marked."""
    if sent is None:
        return ""
    if sent.choices:
        return "Choices:\n" + "\n".join(f"  • {c['name']}" for c in sent.choices)
    lines: list[str] = ["(only you can see this)"] if sent.ephemeral else []
    if sent.content:
        lines.append(_spoilers(sent.content))
    for embed in sent.embeds:
        lines.append("┌ " + (embed.get("title") or ""))
        if embed.get("description"):
            lines += ["│ " + line for line in _spoilers(embed["description"]).splitlines()]
        for f in embed.get("fields", []):
            lines.append(f"│ ▸ {f['name']}")
            lines += ["│   " + line for line in _spoilers(f["value"]).splitlines()]
        if (embed.get("footer") or {}).get("text"):
            lines.append("└ " + embed["footer"]["text"])
    buttons = [c for row in sent.components for c in row.get("components", [])]
    if buttons:
        lines.append(
            "  ".join(f"[{b.get('label', '')}{' (disabled)' if b.get('disabled') else ''}]" for b in buttons)
        )
    return "\n".join(lines)


async def open_console(settings: Settings) -> tuple[Console, Any]:
    from bot.client import FilmBot
    from bot.storage.knowledge import Knowledge
    from bot.storage.state import StateStore

    knowledge = await Knowledge.open(settings.knowledge_db)
    state = await StateStore.open(settings.state_db)
    bot = FilmBot(settings, knowledge, state, extensions=("cogs.film", "cogs.meta"), application_id=APP_ID)
    await bot._async_setup_hook()  # binds the bot to this event loop, as login would
    for name in ("cogs.film", "cogs.meta"):
        await bot.load_extension(name)
    bot._connection.user = discord.ClientUser(state=bot._connection, data=BOT_USER)  # type: ignore[arg-type]
    return Console(bot), (knowledge, state)


async def run_console(settings: Settings, stdin: Any = None, stdout: Any = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    console, (knowledge, state) = await open_console(settings)
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
        await state.close()
        await knowledge.close()
    return 0
