"""`python -m bot` runs the bot; `python -m bot console` runs the offline console.

Without DISCORD_TOKEN, `python -m bot` explains how to get one and exits with 2; `python -m bot --or-console`
(what `make run` uses) starts the offline console instead.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.ingest.build import ensure_built
from bot.settings import Settings, SettingsError

log = logging.getLogger("bot")

# What the bot needs in a server: see channels, post and embed, find its own earlier posts, run events.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    create_events=True,
    manage_events=True,
).value
NO_TOKEN = "No DISCORD_TOKEN is configured, so the live bot cannot connect.\n"
REJECTED = "Discord rejected DISCORD_TOKEN (401 Unauthorized): it was reset or mistyped.\n"
SET_UP = """\
To run it on Discord:
  1. Create an application at https://discord.com/developers/applications, open "Bot", press "Reset Token".
  2. Put the token in .env as DISCORD_TOKEN=... (see .env.example).
  3. Invite it with the scopes "bot" and "applications.commands" and these permissions ({permissions}):
     View Channels, Send Messages, Embed Links, Read Message History, Create and Manage Events:
     https://discord.com/oauth2/authorize?client_id=<APPLICATION_ID>&scope=bot+applications.commands&permissions={permissions}

To try the bot without a token: python -m bot console
"""


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))


def refresh_knowledge(settings: Settings) -> None:
    summary = ensure_built(settings.films_dir, settings.knowledge_db)
    if summary is not None:
        log.info("knowledge database rebuilt: %s", "; ".join(summary.lines()[:5]))
        for warning in summary.warnings:
            log.warning("ingest: %s", warning)


async def run_bot(settings: Settings) -> int:
    from bot.client import FilmBot
    from bot.storage.errors import StateError, StateUnavailable
    from bot.storage.knowledge import Knowledge
    from bot.storage.state import StateStore

    try:
        state = await StateStore.open(settings.state_db)
    except (StateError, StateUnavailable) as error:
        print(f"state database: {error}", file=sys.stderr)
        return 1
    knowledge = await Knowledge.open(settings.knowledge_db)
    try:
        async with FilmBot(settings, knowledge, state) as bot:
            # SIGTERM (docker stop, systemd) closes the gateway and the databases like Ctrl-C does.
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: asyncio.ensure_future(bot.close())
            )
            await bot.start(settings.token or "")
    except discord.LoginFailure:
        print(REJECTED + "\n" + SET_UP.format(permissions=PERMISSIONS), file=sys.stderr)
        return 2
    finally:
        await state.close()
        await knowledge.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    refresh_knowledge(settings)
    if args[:1] == ["console"]:
        from bot.console import run_console

        return asyncio.run(run_console(settings))
    if not settings.token:
        print(NO_TOKEN + "\n" + SET_UP.format(permissions=PERMISSIONS), file=sys.stderr)
        if args[:1] != ["--or-console"]:
            return 2
        from bot.console import run_console

        print("Starting the offline console instead.\n", file=sys.stderr)
        return asyncio.run(run_console(settings))
    try:
        return asyncio.run(run_bot(settings))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
