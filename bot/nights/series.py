"""Recurring nights: when each occurrence of a series starts, and which occurrences to create next. Pure.

A series is a wall-clock time and an IANA timezone, never a UTC offset: 20:00 in Europe/Berlin is 19:00 UTC in
winter and 18:00 UTC in summer. Each occurrence's date comes from the rule (weekly, fortnightly, or monthly on
the same weekday of the month: "the 2nd Friday", or "the last Friday" for a 5th one), then its time is placed
in the zone. Where the clocks skip that time, the night starts as far after it as the clocks jumped (02:30
becomes 03:30); where they repeat it, at the first of the two. `dst_notes` lists such nights, so the
organiser is told when the series is created.

Occurrences are created `HORIZON` ahead: enough that the next two that have not started exist.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.nights.offsets import end_of
from bot.nights.plans import plan_jobs
from bot.nights.timeparse import ParseError
from bot.storage.models import FilmRef
from bot.storage.state.series import OccurrencePlan, PollPlan, Repeat

HORIZON: Final = 2  # occurrences that have not started, kept created
SCAN: Final = timedelta(days=366)  # how far ahead daylight-saving changes are looked for
POLL_DAYS_MAX: Final = 14
POLL_CLOSES_BEFORE: Final = timedelta(hours=12)  # a series' poll closes this long before its night
POLL_MIN_OPEN: Final = timedelta(hours=1)  # Discord's shortest poll
ORDINALS: Final = ("1st", "2nd", "3rd", "4th")
Shift = Literal["none", "skipped", "repeated"]


@dataclass(frozen=True)
class Rule:
    first: date  # local date of occurrence 0
    at: time  # local wall-clock time
    zone: str  # IANA name
    repeat: Repeat
    until: date | None = None  # last local date an occurrence may fall on

    @property
    def nth(self) -> int | None:
        """Monthly: which weekday of the month (0-3), or None for the last."""
        index = (self.first.day - 1) // 7
        return index if index < 4 else None

    def date_of(self, index: int) -> date:
        if self.repeat == "weekly":
            return self.first + timedelta(days=7 * index)
        if self.repeat == "fortnightly":
            return self.first + timedelta(days=14 * index)
        month0 = self.first.month - 1 + index
        year, month = self.first.year + month0 // 12, month0 % 12 + 1
        weekday = self.first.weekday()
        days = calendar.monthrange(year, month)[1]
        first_weekday = 1 + (weekday - date(year, month, 1).weekday()) % 7
        if self.nth is None:
            return date(year, month, first_weekday + 7 * ((days - first_weekday) // 7))
        return date(year, month, first_weekday + 7 * self.nth)

    def describe(self) -> str:
        """'every Friday at 20:00', 'every other Friday at 20:00', 'on the 2nd Friday of every month at …'."""
        day = self.first.strftime("%A")
        when = f"at {self.at:%H:%M} ({self.zone})"
        if self.repeat == "weekly":
            return f"every {day} {when}"
        if self.repeat == "fortnightly":
            return f"every other {day} {when}"
        which = "last" if self.nth is None else ORDINALS[self.nth]
        return f"on the {which} {day} of every month {when}"


@dataclass(frozen=True)
class Placed:
    """An occurrence placed in time: `starts_at` (UTC), and whether the clocks skip or repeat its time."""

    index: int
    day: date
    starts_at: datetime
    shift: Shift

    def local(self, zone: str) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(zone))


def place(rule: Rule, index: int) -> Placed:
    zone = ZoneInfo(rule.zone)
    day = rule.date_of(index)
    wall = datetime.combine(day, rule.at)
    first = wall.replace(tzinfo=zone, fold=0)
    starts_at = first.astimezone(UTC)
    shift: Shift = "none"
    if starts_at.astimezone(zone).replace(tzinfo=None) != wall:
        shift = "skipped"  # fold=0 reads it with the offset before the change: as far after as the jump
    elif wall.replace(tzinfo=zone, fold=1).utcoffset() != first.utcoffset():
        shift = "repeated"  # fold=0 is the first of the two
    return Placed(index, day, starts_at, shift)


def occurrences(rule: Rule, start: int = 0) -> Iterator[Placed]:
    """Occurrences from index `start`, in order, until the rule's `until` date (forever without one)."""
    index = start
    while rule.until is None or rule.date_of(index) <= rule.until:
        yield place(rule, index)
        index += 1


def dst_notes(rule: Rule, now: datetime, within: timedelta = SCAN) -> list[Placed]:
    """Occurrences in the coming year whose local time the clocks skip or repeat."""
    found = []
    for placed in occurrences(rule):
        if placed.starts_at > now + within:
            break
        if placed.shift != "none" and placed.starts_at > now:
            found.append(placed)
    return found


def first_occurrence(rule: Rule, now: datetime) -> Placed | None:
    """The first occurrence that has not started (None when the series would have none)."""
    return next((placed for placed in occurrences(rule) if placed.starts_at > now), None)


def poll_window(starts_at: datetime, poll_days: int, now: datetime) -> tuple[datetime, datetime] | None:
    """When an occurrence's poll opens and closes (POLL_DAYS before, until POLL_CLOSES_BEFORE the night);
    None when less than Discord's shortest poll would be left."""
    opens = max(starts_at - timedelta(days=poll_days), now)
    closes = starts_at - POLL_CLOSES_BEFORE
    return (opens, closes) if closes - opens >= POLL_MIN_OPEN else None


@dataclass(frozen=True)
class Plan:
    occurrences: list[OccurrencePlan]
    next_upkeep: datetime | None  # None: the series has no more occurrences to create


def plan(
    rule: Rule,
    existing: Sequence[tuple[int, datetime, bool]],
    now: datetime,
    *,
    reminders: Sequence[int],
    poll_days: int | None,
    first_film: FilmRef | None = None,
    first_runtime: int | None = None,
) -> Plan:
    """Which occurrences to create so that `HORIZON` have not started. `existing` holds (index, start,
    scheduled) of the occurrences already created; indices are never reused, and no occurrence is created in
    the past. The first occurrence created gets `first_film` (later ones: to be decided, or their poll's)."""
    upcoming = [start for _, start, scheduled in existing if scheduled and start > now]
    index = max((i for i, _, _ in existing), default=-1) + 1
    created: list[OccurrencePlan] = []
    source = occurrences(rule, index)
    while len(upcoming) < HORIZON:
        placed = next(source, None)
        if placed is None:
            break
        if placed.starts_at <= now:
            continue
        film = first_film if not existing and not created else None
        runtime = first_runtime if film is not None else None
        window = None if film is not None or not poll_days else poll_window(placed.starts_at, poll_days, now)
        created.append(
            OccurrencePlan(
                index=placed.index,
                starts_at=placed.starts_at,
                ends_at=end_of(placed.starts_at, runtime),
                film=film,
                runtime_minutes=runtime,
                jobs=plan_jobs(placed.starts_at, runtime, reminders, now),
                poll=None if window is None else PollPlan(window[0], window[1], "watchlist"),
            )
        )
        upcoming.append(placed.starts_at)
    more = next(source, None) is not None  # the rule goes on after what exists now
    return Plan(created, min(upcoming) if more and upcoming else None)


def parse_until(text: str, zone: str, now: datetime) -> date:
    """The last date of a series: '2027-06-30', 'june 30', 'in 3 months'. Raises ParseError."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ParseError("Tell me the last date, e.g. '2027-06-30'.")
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    base = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    parser = DateDataParser(languages=["en"], settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base})
    found = parser.get_date_data(cleaned)
    if found.date_obj is None:
        raise ParseError(f"I can't read {cleaned!r} as a date. Try '2027-06-30'.")
    return found.date_obj.date()


def local_today(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()
