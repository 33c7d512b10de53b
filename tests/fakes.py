"""Test doubles for movie nights: a fake clock, a fake knowledge layer, a recording poster, nights written as the
command writes them. The recording Discord REST layer is tests/fake_discord.py."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.nights.scheduler import Delivery, DeliveryFailed
from bot.offline.clock import ManualClock
from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.models import Credit, Fact, FilmRef, Overview, Provenance
from bot.storage.state import Night
from tests.fake_discord import CHANNEL_ID, GUILD_ID, ORGANISER_ID, ROLE_ID

# -- time ---------------------------------------------------------------------------------------------------


class FakeClock(ManualClock):
    """Time stands still until `advance`; sleepers wake when their deadline passes (the console's clock, with an
    `advance` that also lets the woken tasks run)."""

    async def advance(self, delta: timedelta | float) -> None:  # type: ignore[override]
        super().advance(delta)
        for _ in range(5):
            await asyncio.sleep(0)


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    """Let background tasks run until `check()` holds (bounded)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


async def until(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Like `eventually`, for checks that need to await (e.g. read the state store)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


# -- knowledge ----------------------------------------------------------------------------------------------


def fact(name: str, value: str) -> Fact:
    return Fact(
        field=name, value=value, documents=("doc.txt",), provenance=Provenance("doc.txt", 0, 1, value)
    )


def overview_for(
    film: FilmRef,
    *,
    runtime: str | None = "90 minutes",
    director: str = "Richard Shepard",
    premise: str = "A troubled musical prodigy seeks out her former mentor.",
    where: tuple[str, ...] = ("Netflix",),
) -> Overview:
    facts = {"title": fact("title", film.title), "director": fact("director", director)}
    if film.year:
        facts["year"] = fact("year", str(film.year))
    if runtime:
        facts["runtime"] = fact("runtime", runtime)
    cast = (
        Credit(1, "Allison Williams", "Charlotte", "", "", ("doc.txt",)),
        Credit(2, "Logan Browning", "Elizabeth", "", "", ("doc.txt",)),
    )
    return Overview(film=film, facts=facts, premise=premise, top_cast=cast, where_to_watch=where)


class FakeKnowledge:
    """Exactly the interface the movie nights use: films, find_films, resolve_film, overview."""

    def __init__(self, films: list[FilmRef], overviews: dict[str, Overview] | None = None) -> None:
        self._films = films
        self._overviews = overviews if overviews is not None else {f.slug: overview_for(f) for f in films}

    def for_guild(self, guild_id: int | None) -> FakeKnowledge:
        """Every server sees the same films here (scoping is tested on the real Knowledge)."""
        return self

    async def films(self) -> list[FilmRef]:
        return list(self._films)

    async def find_films(self, text: str, limit: int = 25) -> list[FilmRef]:
        folded = text.casefold().strip()
        return [f for f in self._films if folded in f.title.casefold() or folded in f.slug][:limit]

    async def resolve_film(self, text: str | None) -> FilmRef:
        if not self._films:
            raise KnowledgeUnavailable("the library has no films")
        if not text:
            if len(self._films) == 1:
                return self._films[0]
            raise FilmAmbiguous(tuple(self._films))
        folded = text.casefold().strip()
        for film in self._films:
            if folded in (film.slug, film.title.casefold()):
                return film
        raise LookupFailed("film", text, tuple(f.title for f in self._films[:3]))

    async def overview(self, slug: str) -> Overview:
        if slug not in self._overviews:
            raise LookupFailed("film", slug)
        return self._overviews[slug]


PERFECTION = FilmRef("the-perfection", "The Perfection", 2018)
ARRIVAL = FilmRef("arrival", "Arrival", 2016)


# -- a poster for the scheduler -------------------------------------------------------------------------------


@dataclass
class RecordingPoster:
    """Records posts. Like Discord with enforce_nonce, a nonce already used returns the earlier message.
    `failures` are raised by the next deliveries (None = succeed)."""

    failures: list[DeliveryFailed | None] = field(default_factory=list)
    history_visible: bool = True
    calls: list[Delivery] = field(default_factory=list)
    posts: list[Delivery] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)
    lookups: list[tuple[Delivery, datetime]] = field(default_factory=list)
    retracted: list[tuple[int, int]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    async def deliver(self, delivery: Delivery) -> int:
        self.calls.append(delivery)
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        if delivery.job.nonce in self.by_nonce:
            return self.by_nonce[delivery.job.nonce]
        message_id = next(self._ids)
        self.by_nonce[delivery.job.nonce] = message_id
        self.posts.append(delivery)
        return message_id

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        self.lookups.append((delivery, since))
        return self.by_nonce.get(delivery.job.nonce) if self.history_visible else None

    async def retract(self, night: Night, announcement_id: int) -> None:
        self.retracted.append((night.id, announcement_id))

    def kinds(self) -> list[str]:
        return [p.job.kind if p.job.kind != "reminder" else f"reminder:{p.job.offset_s}" for p in self.posts]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


async def add_night(
    store: Any,
    now: datetime,
    starts_at: datetime,
    *,
    runtime: int | None = 90,
    reminders: tuple[int, ...] = (24 * 3600, 15 * 60),
    guild_id: int = GUILD_ID,
    channel_id: int = CHANNEL_ID,
    role_id: int | None = ROLE_ID,
    film: FilmRef = PERFECTION,
    note: str = "",
) -> Night:
    """A night written the way /movienight schedule writes it."""
    from bot.nights.offsets import end_of
    from bot.nights.scheduler import plan_jobs

    night: Night = await store.create_night(
        guild_id=guild_id,
        channel_id=channel_id,
        film=film,
        runtime_minutes=runtime,
        starts_at=starts_at,
        ends_at=end_of(starts_at, runtime),
        timezone="Europe/London",
        role_id=role_id,
        note=note,
        created_by=ORGANISER_ID,
        now=now,
        jobs=plan_jobs(starts_at, runtime, reminders, now),
    )
    return night
