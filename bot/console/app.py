"""Opening the offline console, and its read-eval-print loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.console.session import Console
from bot.offline.client import connected_client
from bot.offline.clock import ManualClock
from bot.offline.server import FakeDiscord
from bot.settings import Settings

BANNER = """\
Offline console: you are in the server "Film Club", typing in #general, with the bot and every command.
Try /movie, /cast name:Paloma, /movienight schedule when:"friday 20:00", press Going, wait until friday 22:00.
Type help for the console's commands, /help for the bot's, quit to leave.
"""


def start_time() -> datetime:
    """The console's clock starts at the real time, to the minute."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


async def open_console(settings: Settings, *, start: datetime | None = None) -> Console:
    """The bot with every extension, logged in to a fresh offline Discord on its own clock; close it after."""
    from bot.client import EXTENSIONS, FilmBot
    from bot.storage.knowledge import Knowledge
    from bot.storage.state import StateStore

    clock = ManualClock(start or start_time())
    stack = contextlib.AsyncExitStack()
    try:
        knowledge = await Knowledge.open(settings.knowledge_db)
        stack.push_async_callback(knowledge.close)
        state = await StateStore.open(settings.state_db)
        stack.push_async_callback(state.close)
        fake = FakeDiscord(bot_name="Film Club Bot", interaction_deadline=None, now=clock.now)
        await stack.enter_async_context(fake)
        guild = fake.add_guild("Film Club")
        bot = FilmBot(settings, knowledge, state, clock=clock, application_id=fake.application_id)
        await stack.enter_async_context(connected_client(fake, bot))
        for name in EXTENSIONS:
            await bot.load_extension(name)
        await (
            bot.tree.sync()
        )  # to the offline Discord only: the commands get ids, and Discord's limits are checked
    except BaseException:
        await stack.aclose()
        raise
    return Console(bot, fake, guild, clock, stack)


async def run_console(settings: Settings, stdin: Any = None, stdout: TextIO | None = None) -> int:
    """Read lines until end of input or `quit`; echo each line when the input is not a terminal (a script)."""
    stdin, out = stdin or sys.stdin, stdout or sys.stdout
    console = await open_console(settings)
    out.write(BANNER)
    interactive = stdin.isatty()
    try:
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line or line.strip() in {"quit", "exit"}:
                break
            if not interactive and line.strip():
                out.write(f"\n> {line.strip()}\n")
            shown = await console.run_line(line)
            if shown:
                out.write(shown + "\n")
            out.flush()
    finally:
        await console.close()
    return 0
