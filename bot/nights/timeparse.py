"""Read when a movie night starts: ISO ("2026-11-28 20:00") or natural ("friday 8pm", "tomorrow 20:30",
"in 2 hours"), in an IANA timezone. Pure: the current time is passed in. DST-correct: wall-clock times are
placed with zoneinfo (a time the clocks skip is refused with a suggestion; a repeated time takes its first
occurrence), and "in N hours/minutes" is real elapsed time, whatever the clocks do meanwhile.

Bounded: a time is accepted only within a window around now (not in the past, at most `MAX_AHEAD` ahead),
and that window is checked on the numbers and the wall-clock date *before* any date arithmetic, so no input
("in 99999999999 days", "9999-12-31 23:59" at UTC-12) can overflow. Only IANA zones are offered and
accepted: not the host's own files (`localtime`, `Factory`, `posixrules`, `posix/…`, `right/…`).

Messages quote the user's text as text (“…”), never as a Python representation; the caller escapes them."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateparser.date import DateDataParser

MAX_AHEAD: Final = timedelta(days=366)
# Slack for the pre-arithmetic window on wall-clock dates: any UTC offset (at most 26 h) plus a DST shift.
_OFFSET_SLACK: Final = timedelta(days=2)
# Files in the zoneinfo database that are not timezones a server can mean: the host's own zone and aliases.
NOT_ZONES: Final = frozenset({"localtime", "factory", "posixrules"})
NOT_ZONE_PREFIXES: Final = ("posix/", "right/")
EXAMPLES: Final = "'2026-11-28 20:00', 'friday 8pm', 'tomorrow 20:30' or 'in 2 hours'"
POPULAR: Final = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
)

_WEEKDAYS = re.compile(
    r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|sday|nesday|rsday|urday)?\b", re.IGNORECASE
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_AMOUNT = r"(?:\d+(?:\.\d+)?|(?<![a-z])(?:an?|one)(?![a-z]))"
_UNIT = r"(?:weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)(?![a-z])"
_RELATIVE = re.compile(
    rf"^(?:in\s+)?(?P<parts>(?:{_AMOUNT}\s*{_UNIT}|half\s+an?\s+hour)(?:(?:\s*,\s*|\s+and\s+|\s+){_AMOUNT}\s*{_UNIT})*)"
    rf"(?P<from_now>\s+from\s+now)?$",
    re.IGNORECASE,
)
_RELATIVE_PART = re.compile(rf"(?P<amount>{_AMOUNT})\s*(?P<unit>{_UNIT})|half\s+an?\s+hour", re.IGNORECASE)


class ParseError(ValueError):
    """`when` or `timezone` could not be used; str(error) is a helpful message for the user."""


def quoted(text: str, limit: int = 80) -> str:
    """User text for a message: on one line, cut to `limit`, in quotation marks (never a Python repr)."""
    line = " ".join(text.split())
    return f"“{line if len(line) <= limit else line[: limit - 1] + '…'}”"


class UnknownTimezone(ParseError):
    def __init__(self, name: str, suggestions: tuple[str, ...]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"I don't know the timezone {quoted(name)}. Use an IANA name such as Europe/London.{hint}"
        )
        self.name = name
        self.suggestions = suggestions


def is_real_zone(name: str) -> bool:
    """An IANA timezone a server can mean, not a file of the host's zoneinfo database."""
    lower = name.lower()
    return lower not in NOT_ZONES and not lower.startswith(NOT_ZONE_PREFIXES)


@cache
def _zones() -> dict[str, str]:
    """Lowercased name -> canonical IANA name, plus unambiguous city names ('new york' -> America/New_York)."""
    names = {name for name in available_timezones() if is_real_zone(name)} | {"UTC"}
    index = {name.lower(): name for name in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    for city, candidates in cities.items():
        if len(candidates) == 1:
            index.setdefault(city, candidates[0])
            index.setdefault(city.replace("_", " "), candidates[0])
    return index


def resolve_timezone(name: str) -> ZoneInfo:
    """An IANA timezone by name, case-insensitively (a unique city name also works). Raises UnknownTimezone."""
    key = name.strip().lower().replace(" ", "_")
    canonical = _zones().get(key) or _zones().get(name.strip().lower())
    if canonical is not None:
        try:
            return ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    close = difflib.get_close_matches(key, list(_zones()), n=3, cutoff=0.6)
    raise UnknownTimezone(name.strip(), tuple(dict.fromkeys(_zones()[match] for match in close)))


def timezone_names(query: str, limit: int = 25) -> list[str]:
    """IANA names for autocomplete: popular ones when `query` is empty, else prefix matches (of the full name
    or the city) before substring matches."""
    text = query.strip().lower().replace(" ", "_")
    if not text:
        return list(POPULAR[:limit])
    names = sorted(set(_zones().values()))
    ranked: list[tuple[int, str]] = []
    for name in names:
        lower = name.lower()
        city = lower.rsplit("/", 1)[-1]
        if lower.startswith(text) or city.startswith(text):
            ranked.append((0 if name in POPULAR else 1, name))
        elif text in lower:
            ranked.append((2, name))
    return [name for _, name in sorted(ranked)][:limit]


def _describe(when: datetime, zone: tzinfo) -> str:
    local = when.astimezone(zone)
    return f"{local:%a %d %b %Y %H:%M} ({zone})"


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Place a wall-clock time in `zone` and return it in UTC. A repeated time (clocks going back) takes its
    first occurrence; a skipped time (clocks going forward) raises ParseError suggesting the nearest real one."""
    aware = naive.replace(tzinfo=zone, fold=0)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive:
        shifted = as_utc.astimezone(zone)
        raise ParseError(
            f"{naive:%H:%M} doesn't exist on {naive:%a %d %b %Y} in {zone}: the clocks go forward then. "
            f"Try {shifted:%H:%M}."
        )
    return as_utc


def _too_far(text: str) -> ParseError:
    return ParseError(f"I read {quoted(text)} as more than a year away. Pick a time within the next year.")


def _in_the_past(text: str, shown: str) -> ParseError:
    return ParseError(f"I read {quoted(text)} as {shown}, which is in the past. Pick a future time.")


def _check_wall(naive: datetime, text: str, local_now: datetime) -> None:
    """Refuse a wall-clock time far outside the window before any arithmetic on it (placing it in a zone,
    or shifting it, could overflow near year 1 or 9999). `local_now` is now on the same wall clock."""
    if naive > local_now + MAX_AHEAD + _OFFSET_SLACK:
        raise _too_far(text)
    if naive < local_now - _OFFSET_SLACK:
        raise _in_the_past(text, f"{naive:%a %d %b %Y %H:%M}")


_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


def _relative(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    match = _RELATIVE.match(text)
    if match is None or not (text.lower().startswith("in ") or match.group("from_now")):
        return None
    amounts: list[tuple[float, str]] = []
    for part in _RELATIVE_PART.finditer(match.group("parts")):
        if part.group("amount") is None:  # "half an hour"
            amounts.append((30.0, "m"))
            continue
        raw = part.group("amount").lower()
        amounts.append((1.0 if raw in {"a", "an", "one"} else float(raw), part.group("unit")[0].lower()))
    # The window first, on plain numbers: "in 99999999999 days" must not reach timedelta.
    if sum(amount * _SECONDS[unit] for amount, unit in amounts) > (MAX_AHEAD + _OFFSET_SLACK).total_seconds():
        raise _too_far(text)
    wall = sum((timedelta(seconds=amount * _SECONDS[u]) for amount, u in amounts if u in "wd"), timedelta())
    elapsed = sum(
        (timedelta(seconds=amount * _SECONDS[u]) for amount, u in amounts if u in "hm"), timedelta()
    )
    start = now
    if wall:  # days and weeks keep the wall-clock time across a DST change
        start = localize(now.astimezone(zone).replace(tzinfo=None) + wall, zone)
    return start + elapsed


def _iso(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return None
    if len(text) <= len("2026-11-28"):
        raise ParseError(f"Add a time of day, e.g. “{text} 20:00”.")
    if parsed.tzinfo is not None:  # its own offset: compared on the UTC wall clock, with slack for the offset
        _check_wall(parsed.replace(tzinfo=None), text, now.astimezone(UTC).replace(tzinfo=None))
        return parsed.astimezone(UTC)
    _check_wall(parsed, text, now.astimezone(zone).replace(tzinfo=None))
    return localize(parsed, zone)


def _natural(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    base = now.astimezone(zone).replace(tzinfo=None)
    parser = DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    try:
        data = parser.get_date_data(text)
    except (
        OverflowError,
        ValueError,
    ):  # dateparser's own arithmetic on absurd numbers ("99999999999 days ago")
        raise ParseError(f"I can't read {quoted(text)} as a time. Try {EXAMPLES}.") from None
    if data.date_obj is None:
        raise ParseError(f"I can't read {quoted(text)} as a time. Try {EXAMPLES}.")
    if data.period != "time":
        raise ParseError(f"{quoted(text)} has no time of day. Add one, e.g. “{text} 8pm”.")
    parsed = data.date_obj
    if parsed.tzinfo is not None:  # the text named its own zone ("8pm UTC")
        _check_wall(parsed.replace(tzinfo=None), text, now.astimezone(UTC).replace(tzinfo=None))
        return parsed.astimezone(UTC)
    _check_wall(parsed, text, base)
    parsed = parsed.replace(second=0, microsecond=0)
    # "friday 8pm" said on a Friday afternoon means tonight, not next week.
    if _WEEKDAYS.search(text) and not re.search(r"\bnext\b", text, re.IGNORECASE):
        earlier = parsed - timedelta(days=7)
        if earlier > base:
            parsed = earlier
    return localize(parsed, zone)


def parse_when(text: str, timezone: str, now: datetime) -> datetime:
    """When `text` means, read in `timezone` at `now` (aware). Returns an aware UTC datetime in the future.
    Raises ParseError (or UnknownTimezone) with a message for the user."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = resolve_timezone(timezone)
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise ParseError(f"Tell me when, e.g. {EXAMPLES}.")
    result = _relative(cleaned, now, zone) or _iso(cleaned, now, zone) or _natural(cleaned, now, zone)
    if result <= now:
        raise _in_the_past(cleaned, _describe(result, zone))
    if result - now > MAX_AHEAD:
        raise ParseError(
            f"I read {quoted(cleaned)} as {_describe(result, zone)}; that's more than a year away."
        )
    return result
