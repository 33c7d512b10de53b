"""The whole bot in-process against the loopback Discord (`bot.offline`), on a fake clock shared by both:
commands, clicks and forms go through discord.py's real command tree and view store (`bot.offline.client`),
and the scheduler task posts over REST to the offline Discord, which serves polls like Discord.

`loop` (fixture) is a club with two text channels; `Loop.idle()` waits until the scheduler has nothing due
and is asleep on the clock, which is how a test knows nothing more will be posted without sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.client import FilmBot
from bot.offline.client import connected_client, invoke, settled
from bot.offline.model import EVERYONE_PERMISSIONS, MANAGE_EVENTS, FakeGuild
from bot.offline.payloads import Context, component_click, modal_submit, slash_command
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord
from bot.settings import Settings
from bot.storage.models import FilmRef
from bot.storage.state import StateStore
from tests.e2e.wire import (
    wire_problems,
)
from tests.fakes import (
    ARRIVAL,
    PERFECTION,
    FakeClock,
    FakeKnowledge,
    eventually,
    overview_for,
    until,
    utc,
)

NOW = utc(2026, 11, 20, 12, 0)
ORGANISER = EVERYONE_PERMISSIONS | MANAGE_EVENTS
WHIPLASH = FilmRef("whiplash", "Whiplash", 2014)
HEAT = FilmRef("heat", "Heat", 1995)
LIBRARY = (PERFECTION, ARRIVAL, WHIPLASH, HEAT)


@dataclass
class Loop:
    fake: FakeDiscord
    bot: FilmBot
    clock: FakeClock
    guild: FakeGuild
    tmp: Path

    @property
    def state(self) -> StateStore:
        return self.bot.state

    @property
    def channel_id(self) -> int:
        return int(self.guild.text_channel["id"])

    def member(self, *, organiser: bool = False, name: str = "cinephile") -> Context:
        user = self.fake.make_user(name, global_name=name.title())
        return Context.in_guild(
            self.fake, self.guild, user=user, permissions=ORGANISER if organiser else None
        )

    async def run(
        self,
        ctx: Context,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        group: str | None = None,
        subcommand: str | None = None,
    ) -> InteractionHandle:
        payload = slash_command(ctx, name, options, group=group, subcommand=subcommand)
        return await invoke(self.bot, self.fake, payload)

    async def click(self, ctx: Context, custom_id: str, message: Mapping[str, Any]) -> InteractionHandle:
        return await self._answered(
            await invoke(self.bot, self.fake, component_click(ctx, custom_id, message))
        )

    async def submit(self, ctx: Context, custom_id: str, fields: Mapping[str, str]) -> InteractionHandle:
        return await self._answered(await invoke(self.bot, self.fake, modal_submit(ctx, custom_id, fields)))

    async def _answered(self, handle: InteractionHandle) -> InteractionHandle:
        """Clicks and forms are handled in the background: wait until the answer is complete (a deferred
        update, type 6, is complete once the message is edited)."""

        def complete() -> bool:
            if handle.response_type == 6:
                return any(r.method == "PATCH" for r in handle.requests)
            return settled(handle)

        await self.fake.wait_until(complete, 5.0, f"the answer to interaction {handle.id}")
        return handle

    async def idle(self) -> None:
        """The scheduler has done everything due now and sleeps on the clock."""

        async def quiet() -> bool:  # the one scheduler task sleeps on the clock only between passes
            due = await self.state.next_due_at()
            return self.clock.sleeping > 0 and (due is None or due > self.clock.now())

        await until(quiet, within=10.0)

    async def advance(self, delta: timedelta) -> None:
        """Move the shared clock once the scheduler sleeps on it, then let it do what came due."""
        await eventually(lambda: self.clock.sleeping > 0)
        await self.clock.advance(delta)
        await self.idle()

    async def advance_to(self, moment: datetime) -> None:
        await self.advance(moment - self.clock.now())

    def assert_wire_clean(self) -> None:
        """Every request had a route, matches Discord's OpenAPI description, can't ping, doesn't spoil."""
        problems = wire_problems(self.fake)
        assert not problems, "\n".join(problems)

    def posts(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """The bot's non-ephemeral messages in a channel (not interaction replies), oldest first."""
        messages = self.fake.messages(channel_id or self.channel_id, include_ephemeral=False)
        return [
            m
            for m in messages
            if "interaction_metadata" not in m and m["author"]["id"] == self.fake.bot_user["id"]
        ]

    def polls_posted(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.posts(channel_id) if m.get("poll")]

    def footer_posts(self, prefix: str, channel_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.posts(channel_id) if footer(m).startswith(prefix)]


def footer(message: Mapping[str, Any]) -> str:
    embeds = message.get("embeds") or []
    return ((embeds[0].get("footer") or {}).get("text") or "") if embeds else ""


def text_of(handle: InteractionHandle) -> str:
    """What the bot answered: the callback's content, else the last follow-up's."""
    if handle.followups:
        return str(handle.followups[-1].get("content") or "")
    return str(handle.response_data.get("content") or "")


def labels(message: Mapping[str, Any]) -> list[str]:
    return [c.get("label", "") for row in message.get("components") or [] for c in row.get("components", [])]


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    return [
        c.get("custom_id", "") for row in message.get("components") or [] for c in row.get("components", [])
    ]


async def open_loop(
    tmp: Path, *, now: datetime = NOW, films: Sequence[FilmRef] = LIBRARY
) -> AsyncIterator[Loop]:
    clock = FakeClock(now)
    async with FakeDiscord(now=clock.now) as fake:
        guild = fake.add_guild("Film Club", channels=("movie-nights", "general"))
        settings = Settings.from_env({"STATE_DB": str(tmp / "state.db")}, dotenv=False)
        state = await StateStore.open(settings.state_db)
        knowledge = FakeKnowledge(list(films), {f.slug: overview_for(f) for f in films})
        bot = FilmBot(settings, knowledge, state, clock=clock, extensions=("cogs.nights", "cogs.watchlist"))  # type: ignore[arg-type]
        try:
            async with connected_client(fake, bot, setup_hook=True):
                yield Loop(fake, bot, clock, guild, tmp)
        finally:
            await state.close()
