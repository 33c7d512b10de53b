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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.build import build, copy_database
from bot.offline.clock import VirtualClock
from bot.offline.model import EVERYONE_PERMISSIONS, MANAGE_EVENTS, T_CALLBACK, FakeGuild, RecordedRequest
from bot.offline.payloads import Context, autocomplete, component_click, slash_command
from bot.offline.process import REPO_ROOT, BotProcess
from bot.offline.redirect import CLOCK_ENV
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord
from bot.present.nights import marker
from bot.present.text import unspoiled
from tests.loopback import SITECUSTOMIZE
from tests.loopback.openapi import OpenAPISpec, problems_if_available, spec_available

FILMS_DIR = REPO_ROOT / "data" / "films"
MESSAGES = "/channels/{channel_id}/messages"
GLOBAL_COMMANDS = "/applications/{application_id}/commands"
ORGANISER = EVERYONE_PERMISSIONS | MANAGE_EVENTS
# Plot points of the bundled film that must never be readable without revealing a spoiler.
SPOILERS = ("sex cult", "hacks off", "sewn shut", "conspired", "kill paloma")
# FakeDiscord answers that break the spec in ways that don't affect the bot (reported to its author): a
# component interaction's message lacks interaction_metadata.interacted_message_id (server.py _store_message),
# a modal submit's its triggering_interaction_metadata, and a unicode button emoji is echoed as
# {"id": null, ...} (as Discord does; the spec's response says string).
KNOWN_FAKE_RESPONSE_GAPS = (
    "interaction_metadata: 'interacted_message_id' is a required property",
    # a modal submit's message lacks the metadata of the interaction that opened the modal (not tracked)
    "interaction_metadata: 'triggering_interaction_metadata' is a required property",
    ".emoji.id: None is not of type 'string'",
)
READY_TIMEOUT = 30.0
ANSWER_TIMEOUT = 5.0
T0 = datetime(2030, 1, 7, 18, 0, tzinfo=UTC)  # a Monday evening: where every club's virtual clock starts


# ---------------------------------------------------------------------------------------------------------
# Reading what went over the wire
# ---------------------------------------------------------------------------------------------------------


def strings(value: Any) -> Iterator[str]:
    """Every string leaf of a JSON value (content, embed parts, labels, choice names, event text, ...)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def shown_texts(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[str]:
    """What a reader sees of every string in a request body before revealing anything. Discord hides
    `||spoilers||` only where it renders markdown (content, embed descriptions, field values); in titles, field
    names, footers, authors, button labels, choice names and event text a tag hides nothing, so those count raw."""
    if isinstance(value, str):
        key = path[-1] if path else None
        parent = path[-3] if len(path) >= 3 else None
        rendered = key == "content" or (key, parent) in {("description", "embeds"), ("value", "fields")}
        yield unspoiled(value) if rendered else value
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from shown_texts(item, (*path, str(name)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from shown_texts(item, (*path, index))


def visible_spoilers(requests: Sequence[RecordedRequest]) -> list[str]:
    """Spoiler phrases a reader could see without revealing anything, per request and string."""
    found = []
    for req in requests:
        for text in shown_texts(req.json):
            seen = text.casefold()
            found += [f"{req.method} {req.path}: {p!r} in {text[:120]!r}" for p in SPOILERS if p in seen]
    return found


def hidden_spoilers(requests: Sequence[RecordedRequest]) -> set[str]:
    """Spoiler phrases that were sent, behind spoiler tags (proves the check above has something to catch)."""
    sent = " ".join(t for req in requests for t in strings(req.json)).casefold()
    return {p for p in SPOILERS if p in sent}


def message_body(req: RecordedRequest) -> Mapping[str, Any] | None:
    """The message part of a request that creates or edits a message, else None."""
    body = req.json if isinstance(req.json, Mapping) else None
    if body is None:
        return None
    if req.template == T_CALLBACK:
        return body.get("data") if body.get("type") in (4, 7) else None
    if req.template == GLOBAL_COMMANDS or req.template is None or "/scheduled-events" in req.template:
        return None
    return body if req.method in ("POST", "PATCH") else None


def mention_problems(requests: Sequence[RecordedRequest], allowed_roles: Sequence[int] = ()) -> list[str]:
    """Every message sent must say allowed_mentions (nothing parsed, no @everyone, no users); only the
    given roles may be named."""
    found = []
    for req in requests:
        body = message_body(req)
        if body is None:
            continue
        head = f"{req.method} {req.path}"
        mentions = body.get("allowed_mentions")
        creating = req.method == "POST" and not (req.template == T_CALLBACK and req.json.get("type") == 7)
        if mentions is None:
            if creating:
                found.append(f"{head}: no allowed_mentions (Discord's default pings everyone named)")
            continue
        if mentions.get("parse"):
            found.append(f"{head}: allowed_mentions.parse = {mentions['parse']}")
        if mentions.get("users") or mentions.get("replied_user"):
            found.append(f"{head}: allowed_mentions may ping users: {mentions}")
        roles = {int(r) for r in mentions.get("roles") or []}
        if roles - set(allowed_roles):
            found.append(f"{head}: allowed_mentions.roles = {sorted(roles)}")
    return found


def wire_problems(
    fake: FakeDiscord,
    *,
    allowed_roles: Sequence[int] = (),
    requests: Sequence[RecordedRequest] | None = None,
) -> list[str]:
    """Everything that must hold for every request of every test (or of `requests`): FakeDiscord had no bug,
    every request has a route, nothing visibly spoils, nothing can ping, and every request (and answer) matches
    Discord's OpenAPI."""
    requests = fake.requests() if requests is None else requests
    problems = [f"FakeDiscord handler error: {e}" for e in fake.handler_errors]
    problems += [f"unknown request {r.method} {r.path}" for r in requests if r.template is None]
    problems += visible_spoilers(requests)
    problems += mention_problems(requests, allowed_roles)
    problems += problems_if_available(requests, responses=False)
    problems += [p for p in response_problems(requests) if not any(k in p for k in KNOWN_FAKE_RESPONSE_GAPS)]
    return problems


def response_problems(requests: Sequence[RecordedRequest]) -> list[str]:
    """FakeDiscord's own answers against the spec (a wrong answer could hide a bot bug)."""
    if not spec_available():
        return []
    spec = OpenAPISpec.load()
    return [v for req in requests for v in spec.response_violations(req)]


def footer(message: Mapping[str, Any]) -> str:
    embeds = message.get("embeds") or []
    return ((embeds[0].get("footer") or {}).get("text") or "") if embeds else ""


def labels(message: Mapping[str, Any]) -> list[str]:
    """Button labels of a message, in order."""
    return [c.get("label", "") for row in message.get("components") or [] for c in row.get("components", [])]


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    return [
        c.get("custom_id", "") for row in message.get("components") or [] for c in row.get("components", [])
    ]


def night_id_of(text: str) -> int:
    found = re.search(r"`#(\d+)`", text)
    assert found, f"no night id in {text!r}"
    return int(found.group(1))


def timestamps(text: str) -> list[int]:
    return [int(t) for t in re.findall(r"<t:(\d+):[tTdDfFR]>", text)]


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
