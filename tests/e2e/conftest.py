"""End-to-end harness: the real, unmodified bot (`python -m bot`) as a subprocess, driven over the wire by a
loopback FakeDiscord (tests/loopback). Nothing of the bot is imported into the test process except pure
presentation helpers used to read its output (`unspoiled`, `marker`).

`club` is a FakeDiscord with one guild; `clubs(...)` opens more (e.g. two shards). Every bot started through
`Club.start_bot` gets tmp paths for STATE_DB/KNOWLEDGE_DB/FILMS_DIR (a developer's .env can't leak in) and is
stopped when the test ends, whatever happens; its log tail is printed so a failure shows it.

Time is virtual: the FakeDiscord and every bot process read one `VirtualClock` (through a file), which stands
at `T0` until a test moves it (`club.clock.advance`). So a movie night "in 1 minute" starts exactly at
T0 + 60 s, and its posts arrive when the test moves the clock, never because real time passed.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.build import build, copy_database
from bot.offline.clock import VirtualClock
from bot.offline.model import EVERYONE_PERMISSIONS, MANAGE_EVENTS, FakeGuild, RecordedRequest
from bot.offline.payloads import Context, autocomplete, component_click, slash_command
from bot.offline.process import REPO_ROOT, BotProcess
from bot.offline.redirect import CLOCK_ENV
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord
from bot.present.nights import marker
from tests.e2e.wire import MESSAGES, footer, wire_problems
from tests.loopback import SITECUSTOMIZE

FILMS_DIR = REPO_ROOT / "data" / "films"
ORGANISER = EVERYONE_PERMISSIONS | MANAGE_EVENTS
READY_TIMEOUT = 30.0
ANSWER_TIMEOUT = 5.0
T0 = datetime(2030, 1, 7, 18, 0, tzinfo=UTC)  # a Monday evening: where every club's virtual clock starts


# ---------------------------------------------------------------------------------------------------------
# The harness
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Club:
    """A FakeDiscord with its guilds, the bot processes started against it, and helpers to drive them."""

    fake: FakeDiscord
    guilds: list[FakeGuild]
    tmp: Path
    knowledge_db: Path
    state_db: Path
    clock: VirtualClock
    bots: list[BotProcess] = field(default_factory=list)
    films_dir: Path = FILMS_DIR  # the documents knowledge_db was built from (the bot rebuilds on a mismatch)

    @property
    def guild(self) -> FakeGuild:
        return self.guilds[0]

    @property
    def channel_id(self) -> int:
        return int(self.guild.text_channel["id"])

    # -- processes -------------------------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        """Every setting explicit, so nothing comes from a developer's .env (load_dotenv doesn't override)."""
        clock = {} if self.clock is None else {CLOCK_ENV: str(self.clock.path)}
        return {
            **clock,
            "STATE_DB": str(self.state_db),
            "KNOWLEDGE_DB": str(self.knowledge_db),
            "FILMS_DIR": str(self.films_dir),
            "DEV_GUILD_ID": "",
            "SHARD_COUNT": "",
            "SHARD_IDS": "",
            "LOG_LEVEL": "INFO",
            CLOCK_ENV: str(self.clock.path),
            **extra,
        }

    async def start_bot(
        self,
        *,
        shard: tuple[int, int] | None = None,
        token: str | None = None,
        ready: bool = True,
        timeout: float = READY_TIMEOUT,  # noqa: ASYNC109 - a bounded wait, not a cancel scope
    ) -> BotProcess:
        """`python -m bot` against this club's FakeDiscord; shard=(id, count) for one shard of several."""
        extra = {} if shard is None else {"SHARD_COUNT": str(shard[1]), "SHARD_IDS": str(shard[0])}
        name = "bot" if shard is None else f"shard{shard[0]}"
        bot = BotProcess(
            self.fake,
            SITECUSTOMIZE,
            module="bot",
            token=token,
            env=self.env(**extra),
            log_path=self.tmp / f"{name}-{len(self.bots)}.log",
        )
        self.bots.append(bot)
        await bot.start()
        if ready:
            shard_ids = None if shard is None else [shard[0]]
            await bot.wait_ready(1, shard_ids=shard_ids, timeout=timeout)
        return bot

    async def advance(self, delta: timedelta) -> None:
        """Move the virtual clock, once every running bot is asleep on it (so each sees the whole jump)."""
        await self.move_to(self.clock.now() + delta)

    async def move_to(self, moment: datetime) -> None:
        """Set the virtual clock, once every running bot is asleep on it (so each sees the whole jump)."""
        running = [bot.pid for bot in self.bots if bot.returncode is None]
        await self.fake.wait_until(
            lambda: self.clock.asleep(running), ANSWER_TIMEOUT, "the bots to be asleep"
        )
        self.clock.move_to(moment)

    async def close(self) -> None:
        for bot in self.bots:
            if bot.returncode is None:
                await bot.terminate(grace=3.0)
            print(f"--- {bot.log_path.name} (exit {bot.returncode}) ---\n{bot.tail(25)}")
        await self.fake.stop()

    # -- members and interactions ------------------------------------------------------------------------------

    def member(
        self, guild: FakeGuild | None = None, *, organiser: bool = False, name: str = "cinephile"
    ) -> Context:
        """A new member (own user, so per-user cooldowns never interfere) in the guild's first text channel."""
        user = self.fake.make_user(name, global_name=name.title())
        return Context.in_guild(
            self.fake, guild or self.guild, user=user, permissions=ORGANISER if organiser else None
        )

    async def send(
        self,
        ctx: Context,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
    ) -> InteractionHandle:
        """Dispatch /name over the gateway (with the id Discord gave the command at sync)."""
        command = self.fake.command(name)
        payload = slash_command(
            ctx, name, options, group=group, subcommand=subcommand, command_id=command["id"]
        )
        return await self.fake.send_interaction(payload)

    async def run(
        self,
        ctx: Context,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        timeout: float = ANSWER_TIMEOUT,  # noqa: ASYNC109
    ) -> InteractionHandle:
        """Send /name and wait for the bot's callback."""
        handle = await self.send(ctx, name, options, subcommand=subcommand, group=group)
        await handle.wait(timeout)
        return handle

    async def complete(
        self,
        ctx: Context,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        subcommand: str | None = None,
    ) -> list[dict[str, Any]]:
        """Autocomplete choices the bot offers for `focused` while `options` are typed."""
        command = self.fake.command(name)
        payload = autocomplete(ctx, name, options, focused, subcommand=subcommand, command_id=command["id"])
        handle = await self.fake.send_interaction(payload)
        await handle.wait(ANSWER_TIMEOUT)
        assert handle.response_type == 8, handle.callback and handle.callback.json
        return list(handle.response_data["choices"])

    async def click(
        self, ctx: Context, custom_id: str, channel_id: int, message_id: int | str
    ) -> InteractionHandle:
        """Press a button on the message as it is now in the channel."""
        message = self.fake.message(channel_id, message_id)
        assert message is not None, f"message {message_id} is not in channel {channel_id}"
        handle = await self.fake.send_interaction(component_click(ctx, custom_id, message))
        await handle.wait(ANSWER_TIMEOUT)
        return handle

    async def followup(self, handle: InteractionHandle, count: int = 1) -> list[dict[str, Any]]:
        """Wait for `count` followup messages of an interaction."""
        await self.fake.wait_until(lambda: len(handle.followups) >= count, ANSWER_TIMEOUT, "followup")
        return handle.followups

    # -- channel reading -----------------------------------------------------------------------------------------

    def posts(self, channel_id: int, night_id: int, kind: str) -> list[dict[str, Any]]:
        """Messages in the channel that are the night's `kind` post (announce, reminder, start, spoilers)."""
        prefix = marker(night_id, kind)
        return [m for m in self.fake.messages(channel_id) if footer(m).startswith(prefix)]

    def post_requests(self, night_id: int, kind: str, channel_id: int | None = None) -> list[RecordedRequest]:
        """POSTs that tried to create the night's `kind` post."""
        prefix = marker(night_id, kind)
        path = None if channel_id is None else f"/channels/{channel_id}/messages"
        return [
            r
            for r in self.fake.requests("POST", MESSAGES, path=path)
            if isinstance(r.json, Mapping) and footer(r.json).startswith(prefix)
        ]

    async def wait_posts(
        self,
        channel_id: int,
        night_id: int,
        kind: str,
        timeout: float,  # noqa: ASYNC109
        count: int = 1,
    ) -> list[dict[str, Any]]:
        await self.fake.wait_until(
            lambda: len(self.posts(channel_id, night_id, kind)) >= count,
            timeout,
            f"night {night_id} {kind} post",
        )
        return self.posts(channel_id, night_id, kind)

    async def wait_output(
        self,
        bot: BotProcess,
        pattern: str,
        timeout: float = ANSWER_TIMEOUT,  # noqa: ASYNC109
    ) -> None:
        """Wait until the bot's log has a line matching `pattern`."""
        found = re.compile(pattern)
        await self.fake.wait_until(
            lambda: found.search(bot.output()) is not None, timeout, f"log {pattern!r}"
        )

    def assert_wire_clean(self, *, allowed_roles: Sequence[int] = ()) -> None:
        problems = wire_problems(self.fake, allowed_roles=allowed_roles)
        assert not problems, "\n".join(problems)

    def assert_no_traceback(self) -> None:
        for bot in self.bots:
            assert "Traceback" not in bot.output(), f"{bot.log_path.name}:\n{bot.tail(60)}"


ClubFactory = Callable[..., Awaitable[Club]]


@pytest.fixture(scope="session")
def knowledge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus ingested once per session; each club starts from a copy (its bots write to it)."""
    path = tmp_path_factory.mktemp("knowledge") / "knowledge.db"
    build(FILMS_DIR, path)
    return path


@pytest.fixture
async def clubs(knowledge_db: Path, tmp_path: Path) -> AsyncIterator[ClubFactory]:
    """Open FakeDiscords: clubs(shard_count=2, guild_shards=(0, 1)) -> a Club with a guild on each shard."""
    opened: list[Club] = []

    async def open_club(
        *,
        shard_count: int = 1,
        guild_shards: Sequence[int | None] = (None,),
        token: str = "loopback.bot-token.0000",
        clock_start: datetime | None = None,
        library: tuple[Path, Path] | None = None,
    ) -> Club:
        """`clock_start`: where the virtual clock the bots and the offline Discord share starts (default T0);
        `library`: (films folder, its knowledge database) instead of the bundled film's."""
        folder = tmp_path / f"club{len(opened)}"
        folder.mkdir()
        clock = VirtualClock(folder / "clock", clock_start or T0)
        fake = FakeDiscord(shard_count=shard_count, token=token, now=clock.now)
        await fake.start()
        names = (
            ["Film Club"] if len(guild_shards) == 1 else [f"Film Club {i}" for i in range(len(guild_shards))]
        )
        guilds = [fake.add_guild(n, shard_id=s) for n, s in zip(names, guild_shards, strict=True)]
        films_dir, knowledge = library or (FILMS_DIR, knowledge_db)
        copy_database(knowledge, folder / "knowledge.db")  # the bots write to it: each club has its own
        club = Club(
            fake, guilds, folder, folder / "knowledge.db", folder / "state.db", clock, films_dir=films_dir
        )
        opened.append(club)
        return club

    started = time.monotonic()
    try:
        yield open_club
    finally:
        for club in opened:
            await club.close()
        print(f"e2e test took {time.monotonic() - started:.1f}s")


@pytest.fixture
async def club(clubs: ClubFactory) -> Club:
    return await clubs()
