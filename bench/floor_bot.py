"""The performance floor: the smallest useful discord.py bot, one slash command answering a constant.

Run with ``DISCORD_TOKEN=... python -m bench.floor_bot``. SIGTERM/SIGINT close it cleanly (exit 0);
a rejected token exits 1 with a one-line LoginFailure message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import discord
from discord import app_commands

log = logging.getLogger(__name__)

PONG = "pong"


class FloorBot(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(
            app_commands.Command(name="ping", description="Check that the bot answers.", callback=ping)
        )

    async def setup_hook(self) -> None:
        synced = await self.tree.sync()
        log.info("synced %d global command(s)", len(synced))

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guild(s)", self.user, len(self.guilds))


async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(PONG)


async def run(token: str) -> int:
    client = FloorBot()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: loop.create_task(client.close()))
    try:
        async with client:
            await client.start(token)
    except discord.LoginFailure as exc:
        log.error("LoginFailure: %s", exc)
        return 1
    return 0


def main() -> None:
    discord.utils.setup_logging(level=logging.INFO, root=True)
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        log.error("DISCORD_TOKEN is not set")
        raise SystemExit(2)
    raise SystemExit(asyncio.run(run(token)))


if __name__ == "__main__":
    main()
