"""The club's usual night ("friday 20:00"), a server setting used to prefill "Schedule it". Pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.nights.timeparse import ParseError

DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_USUAL = re.compile(
    r"^(?:every\s+)?(?P<day>[a-z]{3,9})s?\s*(?:at\s+)?"
    r"(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$",
    re.IGNORECASE,
)
OFF: Final = frozenset({"none", "off", "no", "-", "clear"})


def parse_usual(text: str) -> tuple[int, time] | None:
    """'friday 20:00', 'Fri 8pm', 'thursdays 19.30' -> (weekday, time); 'none' -> None. Raises ParseError."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in OFF:
        return None
    found = _USUAL.match(cleaned)
    day = next((i for i, name in enumerate(DAYS) if found and name.startswith(found["day"])), None)
    if found is None or day is None:
        raise ParseError(
            f"I can't read {text.strip()!r} as a night of the week. Try 'friday 20:00' or 'none'."
        )
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    if found["half"]:
        if not 1 <= hour <= 12:
            raise ParseError(f"{hour}{found['half']} isn't a time. Try 'friday 8pm'.")
        hour = hour % 12 + (12 if found["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"{hour}:{minute:02d} isn't a time of day. Try 'friday 20:00'.")
    return day, time(hour, minute)


def describe_usual(weekday: int, at: time) -> str:
    return f"{DAYS[weekday].title()}s at {at:%H:%M}"


def next_usual(
    weekday: int, at: time, zone: str, now: datetime, *, lead: timedelta = timedelta(hours=1)
) -> datetime:
    """The next usual night at least `lead` from now, as a local wall-clock time in `zone` (naive): what to
    prefill, for the organiser to check."""
    local_now = now.astimezone(ZoneInfo(zone))
    day = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
    candidate = datetime.combine(day, at)
    while candidate.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) < now + lead:
        candidate += timedelta(days=7)
    return candidate
