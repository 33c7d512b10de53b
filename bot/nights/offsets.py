"""Durations as people write them: reminder offsets ("24h,15m"), runtimes ("90 minutes")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

FALLBACK_RUNTIME: Final = timedelta(hours=2)
MAX_OFFSET_S: Final = 14 * 24 * 3600
MAX_OFFSETS: Final = 6

_UNITS: Final = {"d": 86400, "h": 3600, "m": 60}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)", re.IGNORECASE)
_RUNTIME_HOURS = re.compile(r"(\d+)\s*(?:h|hr|hrs|hours?)\b", re.IGNORECASE)
_RUNTIME_MINUTES = re.compile(r"(\d+)\s*(?:m|min|mins|minutes?)\b", re.IGNORECASE)


class OffsetError(ValueError):
    """A reminder list could not be read; the message says why, for the user."""


def parse_duration(text: str) -> int:
    """'1d', '2h30m', '90 minutes' -> seconds. Raises OffsetError."""
    compact = text.strip().lower()
    if not compact:
        raise OffsetError("an empty duration")
    total = 0.0
    position = 0
    unreadable = OffsetError(f"I can't read “{' '.join(text.split())}” as a duration (try “24h” or “15m”)")
    for match in _PART.finditer(compact):
        if compact[position : match.start()].strip():
            raise unreadable
        total += float(match.group(1)) * _UNITS[match.group(2)[0].lower()]
        position = match.end()
    if position == 0 or compact[position:].strip():
        raise unreadable
    if not total <= MAX_OFFSET_S:  # also infinity, from a number too long for a float: never rounded
        raise OffsetError("reminders can be at most 14 days before the start")
    return round(total)


def parse_offsets(text: str) -> tuple[int, ...]:
    """'24h,15m' -> (86400, 900), largest first; 'none'/'off' -> (). Raises OffsetError."""
    if text.strip().lower() in {"none", "off", "no", "0", "-"}:
        return ()
    offsets = {parse_duration(part) for part in text.replace(";", ",").split(",") if part.strip()}
    if not offsets:
        raise OffsetError("no reminder times given (try '24h,15m' or 'none')")
    if any(offset <= 0 for offset in offsets):
        raise OffsetError("reminders must be some time before the start (e.g. '15m')")
    if any(offset > MAX_OFFSET_S for offset in offsets):
        raise OffsetError("reminders can be at most 14 days before the start")
    if len(offsets) > MAX_OFFSETS:
        raise OffsetError(f"at most {MAX_OFFSETS} reminders")
    return tuple(sorted(offsets, reverse=True))


def format_offset(seconds: int) -> str:
    """86400 -> '24h', 900 -> '15m', 5400 -> '1h30m', 172800 -> '2d'."""
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h{minutes}m"
    if hours:
        return f"{hours}h"
    return f"{max(minutes, 1) if seconds else 0}m"


def format_offsets(offsets: tuple[int, ...]) -> str:
    return ",".join(format_offset(offset) for offset in offsets) if offsets else "none"


def parse_runtime(value: str | None) -> int | None:
    """A runtime fact such as '90 minutes', '1h 42m', '102 min' or '1 hour 30 minutes' -> minutes (None if
    unreadable or implausible)."""
    if not value:
        return None
    text = value.strip()
    hours = _RUNTIME_HOURS.search(text)
    minutes = _RUNTIME_MINUTES.search(text)
    if hours or minutes:
        total = (int(hours.group(1)) * 60 if hours else 0) + (int(minutes.group(1)) if minutes else 0)
    elif text.isdigit():
        total = int(text)
    else:
        return None
    return total if 1 <= total <= 24 * 60 else None


def end_of(starts_at: datetime, runtime_minutes: int | None) -> datetime:
    """When a film shown from `starts_at` ends; two hours when the runtime is unknown."""
    return starts_at + (timedelta(minutes=runtime_minutes) if runtime_minutes else FALLBACK_RUNTIME)
