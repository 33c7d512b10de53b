"""The Bot: dependencies passed in, extensions loaded in setup_hook, one tree-level error handler."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.shards import Shards
from bot.storage.errors import StateUnavailable

if TYPE_CHECKING:
    from bot.library.engine import Library
    from bot.settings import Settings
    from bot.storage.knowledge import Knowledge
    from bot.storage.state import StateStore

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.film", "cogs.library", "cogs.meta", "cogs.nights", "cogs.watchlist", "cogs.club")

# Text from documents and users never pings anyone; a movie night's role ping is allowed explicitly per send.
NO_PINGS = discord.AllowedMentions.none()
ALREADY_ANSWERED = 40060  # Discord's "Interaction has already been acknowledged"
UNKNOWN_INTERACTION = 10062  # Discord's answer to a callback after its 3 s deadline
GC_THRESHOLDS = (5_000, 20, 100)  # the collector's generations (Python's default: 700, 10, 10)
SYNC_LEASE_S = 120.0  # how long the process syncing the command tree holds the claim before others may try


def intents() -> discord.Intents:
    """Minimal, non-privileged: guilds only (channels and roles arrive with GUILD_CREATE)."""
    result = discord.Intents.none()
    result.guilds = True
    return result


class FilmTree(app_commands.CommandTree):
    """One tree-level error handler: a clear ephemeral answer for the user, the traceback in the log."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        from bot.present.errors import error_message

        original = getattr(error, "original", error)
        if isinstance(original, discord.HTTPException) and original.code == ALREADY_ANSWERED:
            # Discord kept our answer but its reply was lost (e.g. a 500); the retry found it answered.
            log.warning("interaction %s was already answered; nothing to repeat", interaction.id)
            return
        if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
            # Answered after Discord's deadline: the member saw "did not respond", and the token is dead, so
            # there is no one to tell. One line, not a traceback: under overload they come by the hundred.
            log.warning("interaction %s expired before it was answered", interaction.id)
            return
        if isinstance(original, StateUnavailable):
            log.warning("interaction %s needs the state database: %s", interaction.id, original)
        message, expected = error_message(error)
        if not expected:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=error)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not report an error to the user", exc_info=True)


class FilmBot(commands.AutoShardedBot):
    def __init__(
        self,
        settings: Settings,
        knowledge: Knowledge,
        state: StateStore,
        *,
        clock: Clock | None = None,
        extensions: tuple[str, ...] = EXTENSIONS,
        library: Library | None = None,
        **options: Any,
    ) -> None:
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
            if settings.shard_ids is not None:
                options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(
            tree_cls=FilmTree,
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.knowledge = knowledge
        self.state = state
        self.library = library  # adds and removes films (cogs.library); None where a test needs no writes
        self.clock: Clock = clock or SystemClock()
        self.served_shards = Shards.configured(settings.shard_count, settings.shard_ids)  # None: every guild
        self._extensions = extensions
        self._sync_holder = f"{socket.gethostname()}:{os.getpid()}"
        self._sync_retry: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        for name in self._extensions:
            await self.load_extension(name)
        await self.sync_commands()
        # What is loaded by now lives as long as the bot: out of the collector's reach, so its full
        # collections no longer walk it (a pause of tens of milliseconds every few seconds under load). Not
        # collected first: that walk (0.1 to 0.2 s) would be on the way to READY, to free next to nothing.
        gc.freeze()
        # What is made afterwards still needs collecting: each interaction leaves reference cycles (discord.py's
        # interaction and its response). Python's default (young objects every 700 allocations, full
        # collections every few seconds) made pauses of 40 to 60 ms at 300 interactions/s, the tail of every
        # command; young every 5,000 (pauses of a few ms) and full collections seldom keep the pauses short.
        gc.set_threshold(*GC_THRESHOLDS)

    def serves_guild(self, guild_id: int) -> bool:
        """True when one of this process's shards serves the guild (always true unsharded)."""
        return self.served_shards is None or self.served_shards.serves(guild_id)

    def command_hash(self) -> str:
        payload = [cmd.to_dict(self.tree) for cmd in self.tree.get_commands()]
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    async def sync_commands(self) -> None:
        """Sync to DEV_GUILD_ID when set. Otherwise globally, only when the command set changed since the last
        sync, and by exactly one process: the one that wins the claim `command-sync:<hash>` in the state
        database. The others skip; if the winner dies before syncing, they take over when its claim lapses."""
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to dev guild %s", len(synced), self.settings.dev_guild_id)
            return
        digest = self.command_hash()
        try:
            if await self._sync_once(digest):
                return
        except StateUnavailable as error:
            log.warning("command sync postponed: %s", error)
        if self._sync_retry is None or self._sync_retry.done():
            self._sync_retry = asyncio.create_task(self._sync_later(digest), name="command-sync-retry")

    async def _sync_once(self, digest: str) -> bool:
        """True when the commands are in sync (done here or by another process), False while another holds
        the claim."""
        if await self.state.get_meta("command_hash") == digest:
            log.info("command set unchanged; global sync skipped")
            return True
        lease = f"command-sync:{digest}"
        if not await self.state.acquire_lease(lease, self._sync_holder, ttl=SYNC_LEASE_S):
            log.info("another process is syncing the command set %s; not syncing here", digest[:12])
            return False
        try:
            if await self.state.get_meta("command_hash") == digest:  # synced while we checked
                return True
            synced = await self.tree.sync()
            await self.state.set_meta("command_hash", digest)
        except BaseException:
            await asyncio.shield(self._release(lease))
            raise
        log.info("synced %d commands globally", len(synced))
        return True

    async def _release(self, lease: str) -> None:
        try:
            await self.state.release_lease(lease, self._sync_holder)
        except StateUnavailable:
            log.warning("could not release %s; it lapses in %.0fs", lease, SYNC_LEASE_S)

    async def _sync_later(self, digest: str) -> None:
        """Wait for the other process's claim to lapse, then check again (it may have died)."""
        while True:
            try:
                left = await self.state.lease_expires_in(f"command-sync:{digest}")
                await asyncio.sleep(max(left or 0, 0) + 1.0)
                if await self._sync_once(digest):
                    return
            except StateUnavailable as error:
                log.warning("command sync postponed: %s", error)
                await asyncio.sleep(5.0)
            except discord.HTTPException:
                log.exception("command sync failed")
                return

    async def close(self) -> None:
        if self._sync_retry is not None:
            self._sync_retry.cancel()
        await super().close()
