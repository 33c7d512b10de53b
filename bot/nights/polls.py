"""Film polls: what goes in one, how long it runs, and the policy for its two jobs. Pure, except the
protocols the Discord side implements.

Answers come from the watchlist (most supporters first, at most `POLL_ANSWERS`) or from the library (films
not watched yet, by title). A poll needs two answers; when the watchlist has fewer, the library is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.nights.watchlist import unlisted_film
from bot.storage.models import FilmRef
from bot.storage.state import Job, Night
from bot.storage.state.polls import Poll, PollOption, PollSource
from bot.storage.state.watchlist import WatchEntry

POLL_ANSWERS: Final = 10  # Discord's limit
POLL_HOURS_MAX: Final = 768  # 32 days, Discord's limit
MIN_OPEN: Final = timedelta(hours=1)


@dataclass(frozen=True)
class Drawn:
    source: PollSource
    options: list[PollOption]
    available: int  # how many the source had (more than fit in a poll when > POLL_ANSWERS)


def from_watchlist(entries: Sequence[WatchEntry]) -> list[PollOption]:
    """Open entries, most supported first (the store's order), as answers."""
    open_ = [e for e in entries if not e.watched][:POLL_ANSWERS]
    return [
        PollOption(i, e.title, e.year, e.film.slug if e.film else None, e.id) for i, e in enumerate(open_, 1)
    ]


def from_library(films: Sequence[FilmRef], watched: Sequence[str] = ()) -> list[PollOption]:
    """Library films the club has not watched (by title), as answers."""
    fresh = sorted(
        (f for f in films if f.slug not in watched), key=lambda f: (f.title.casefold(), f.year or 0)
    )
    return [PollOption(i, f.title, f.year, f.slug) for i, f in enumerate(fresh[:POLL_ANSWERS], 1)]


def draw(
    source: PollSource, entries: Sequence[WatchEntry], films: Sequence[FilmRef], *, fallback: bool = False
) -> Drawn:
    """The answers of a poll from `source`; with `fallback`, the library when the watchlist has fewer than 2."""
    watched = [e.film.slug for e in entries if e.watched and e.film]
    if source == "watchlist":
        open_count = sum(1 for e in entries if not e.watched)
        if open_count >= 2 or not fallback:
            return Drawn("watchlist", from_watchlist(entries), open_count)
    fresh = [f for f in films if f.slug not in watched]
    return Drawn("library", from_library(films, watched), len(fresh))


def option_film(option: PollOption) -> FilmRef | None:
    """The film an answer names: a library film, or a watchlist suggestion outside the library."""
    if option.film is not None:
        return option.film
    return unlisted_film(option.watch_id, option.title, option.year) if option.watch_id else None


def hours_until(closes_at: datetime, now: datetime) -> int:
    """A poll's duration in whole hours (Discord's unit), so that it closes close to `closes_at`."""
    hours = math.ceil((closes_at - now) / timedelta(hours=1) - 0.25)
    return min(max(hours, 1), POLL_HOURS_MAX)


@dataclass(frozen=True)
class PollDelivery:
    """A claimed poll job: open the poll (for `hours`), or post its result; `night` is the occurrence whose
    film it picks (as it is now, after the result was applied)."""

    job: Job
    poll: Poll
    late_by: timedelta | None = None
    hours: int = 24
    night: Night | None = None


@dataclass(frozen=True)
class PollPosted:
    message_id: int
    expires_at: datetime


class PollPoster(Protocol):
    """The Discord side of polls (see cogs.nights.pollposter)."""

    async def open_poll(self, delivery: PollDelivery) -> PollPosted:
        """Post the poll with the job's nonce. Raises DeliveryFailed."""
        ...

    async def find_poll(self, delivery: PollDelivery, since: datetime) -> PollPosted | None:
        """The poll, if it is already in the channel (posted at or after `since`)."""
        ...

    async def read_poll(self, poll: Poll) -> dict[int, int]:
        """The final counts (answer position -> votes) of an expired poll. Raises DeliveryFailed: permanent
        when the message or channel is gone, temporary while Discord has not finalized the counts."""
        ...

    async def post_result(self, delivery: PollDelivery) -> int:
        """Announce the winner (or the tie) with the job's nonce; the message id. Raises DeliveryFailed."""
        ...

    async def find_result(self, delivery: PollDelivery, since: datetime) -> int | None: ...

    async def film_chosen(self, night: Night) -> None:
        """A poll gave an occurrence its film: update its announcement and scheduled event."""
        ...


class Films(Protocol):
    """What the scheduler needs of the film library (per server)."""

    async def films(self, guild_id: int) -> list[FilmRef]: ...

    async def runtime(self, guild_id: int, slug: str) -> int | None: ...
