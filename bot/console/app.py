"""Opening the offline console, and its read-eval-print loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TextIO

from bot.console.session import CLOCK_KEY, Console
from bot.offline.client import connected_client
from bot.offline.clock import ManualClock
from bot.offline.server import FakeDiscord
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.storage.state import StateStore

BANNER = """\
Offline console: you are in the server "Film Club", typing in #general, with the bot and every command.
Try /movie, /cast name:Paloma, /movienight schedule when:"friday 20:00", press Going, wait until friday 22:00.
Type help for the console's commands, /help for the bot's, quit to leave.
"""


# The console's server is the same every run (so is each member: see Console.member), so what was planned and
# rated in one session is there in the next, in the same STATE_DB.
APPLICATION_ID: Final = 1_250_000_000_000_000_001
GUILD_ID: Final = 1_250_000_000_000_000_100
CHANNELS: Final = (("general", 1_250_000_000_000_000_101), ("movie-nights", 1_250_000_000_000_000_102))
ROLE_ID: Final = 1_250_000_000_000_000_200


async def start_time(state: StateStore) -> datetime:
    """The real time to the minute, or later if an earlier session's clock went further (time never goes back)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    stored = await state.get_meta(CLOCK_KEY)
    if stored:
        with contextlib.suppress(ValueError):
            now = max(now, datetime.fromisoformat(stored))
    return now


async def open_console(settings: Settings, *, start: datetime | None = None) -> Console:
    """The bot with every extension, logged in to a fresh offline Discord on its own clock; close it after."""
    from bot.client import EXTENSIONS, FilmBot
    from bot.library.engine import Library
    from bot.storage.state import StateStore

    stack = contextlib.AsyncExitStack()
    try:
        state = await StateStore.open(settings.state_db)
        stack.push_async_callback(state.close)
        library = await Library.open(settings.knowledge_db, settings.films_dir, state)
        stack.push_async_callback(library.close)
        library.start()
        clock = ManualClock(start or await start_time(state))
        fake = FakeDiscord(
            bot_name="Film Club Bot", application_id=APPLICATION_ID, interaction_deadline=None, now=clock.now
        )
        await stack.enter_async_context(fake)
        guild = fake.add_guild(
            "Film Club",
            guild_id=GUILD_ID,
            channels=[{"name": name, "id": str(channel_id)} for name, channel_id in CHANNELS],
            roles=[{"name": "Film Club", "id": str(ROLE_ID)}],
        )
        bot = FilmBot(
            settings,
            library.knowledge,
            state,
            clock=clock,
            library=library,
            application_id=fake.application_id,
        )
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
