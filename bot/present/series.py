"""Recurring series: the reply when one is created (with daylight-saving notes), the "this night or the whole
series" questions, and the line an announcement shows while its film is to be decided. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.nights.series import POLL_CLOSES_BEFORE, Placed, Rule
from bot.present import limits
from bot.present.nights import film_name, stamp, when_text
from bot.present.text import escape, truncate
from bot.storage.models import FilmRef
from bot.storage.state import Night
from bot.storage.state.polls import Poll
from bot.storage.state.series import Series

NOTES_SHOWN: Final = 4


def _offset(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    raw = f"{local:%z}"  # +0200, +1030
    return f"{local.tzname()}, UTC{raw[:3]}:{raw[3:]}"


def dst_note(placed: Placed, rule: Rule) -> str:
    """Why one night of the series is not at the usual local time, or which of two it is at."""
    day = f"{placed.day:%a %d %b %Y}"
    asked = f"{rule.at:%H:%M}"
    if placed.shift == "skipped":
        actual = f"{placed.local(rule.zone):%H:%M}"
        return (
            f"⚠️ {day}: {asked} doesn't exist in {rule.zone} (the clocks go forward), "
            f"so that night starts at {actual} ({stamp(placed.starts_at, 'F')})."
        )
    return (
        f"⚠️ {day}: {asked} happens twice in {rule.zone} (the clocks go back); "
        f"that night starts at the first {asked} ({_offset(placed.starts_at, rule.zone)})."
    )


def created(
    series: Series,
    rule: Rule,
    nights: Sequence[Night],
    notes: Sequence[Placed],
    *,
    event_errors: Sequence[str] = (),
) -> str:
    until = f", until {series.until:%a %d %b %Y}" if series.until else ""
    lines = [f"Scheduled a recurring movie night: {escape(rule.describe())}{until}."]
    shown = ", ".join(f"`#{n.id}` {when_text(n.starts_at)}" for n in nights)
    lines.append(f"First nights: {shown}. Check those are right!")
    lines.append(
        "Each night gets its own announcement, server event and reminders; the next ones are created as "
        "these go by, two at a time."
    )
    first = nights[0] if nights else None
    if first is not None and first.film is not None:
        lines.append(f"Film of the first night: **{escape(film_name(first.film))}**.")
    if series.poll_days:
        lines.append(
            f"Films: a poll opens {series.poll_days} day{'s' if series.poll_days != 1 else ''} before each night "
            f"(from the watchlist) and closes {int(POLL_CLOSES_BEFORE.total_seconds() // 3600)} hours before it; "
            "until then the night says the film is to be decided."
        )
    else:
        lines.append("Films still to be decided: set each with `/movienight edit id:… film:…`.")
    if len(notes) > 0:
        lines.extend(dst_note(p, rule) for p in notes[:NOTES_SHOWN])
        if len(notes) > NOTES_SHOWN:
            lines.append(f"…and {len(notes) - NOTES_SHOWN} more nights like these in the coming year.")
    lines.extend(f"⚠️ I couldn't create a server event: {escape(e)}" for e in event_errors[:2])
    return truncate("\n".join(lines), limits.CONTENT)


def until_error(until: date, today: date) -> str:
    if until < today:
        return (
            f"⚠️ `until` ({until:%a %d %b %Y}) is in the past. Give the last date the series should run to, "
            "or leave it out. Nothing was scheduled."
        )
    return (
        f"⚠️ `until` ({until:%a %d %b %Y}) is before the first night, so the series would have none. "
        "Nothing was scheduled."
    )


def repeat_needed(option: str) -> str:
    return f"⚠️ `{option}` only applies to a recurring night: add `repeat`. Nothing was scheduled."


def film_tbd_line(poll: Poll | None) -> str:
    """The announcement's note while the film is to be decided."""
    if poll is None:
        return "To be decided: an organiser will choose it. Watch this channel!"
    if poll.status == "scheduled":
        return f"To be decided by a poll in <#{poll.channel_id}>, opening {stamp(poll.opens_at, 'R')}."
    if poll.status == "open":
        return f"To be decided by the poll in <#{poll.channel_id}>: vote before it closes {stamp(poll.closes_at, 'R')}!"
    return "To be decided: an organiser will choose it. Watch this channel!"


# -- this night or the whole series --------------------------------------------------------------------------


def scope_question(night: Night, rule: Rule, action: str) -> str:
    return (
        f"Movie night `#{night.id}` ({when_text(night.starts_at)}) is part of a series: "
        f"{escape(rule.describe())}. {action} this night only, or the whole series?"
    )


def series_cancelled(nights: Sequence[Night]) -> str:
    if not nights:
        return "Cancelled the series. It had no nights left to come."
    shown = ", ".join(f"`#{n.id}`" for n in nights)
    return f"Cancelled the series and its coming nights ({shown}). Their reminders and polls are stopped."


def series_edited(
    rule: Rule, nights: Sequence[Night], *, skipped: Sequence[Night] = (), notes: Sequence[Placed] = ()
) -> str:
    lines = [f"Updated the series: {escape(rule.describe())}."]
    if nights:
        lines.append(
            "Coming nights: " + ", ".join(f"`#{n.id}` {when_text(n.starts_at)}" for n in nights) + "."
        )
    if skipped:
        lines.append(
            "Left as they were (already started, or the new time would be in the past): "
            + ", ".join(f"`#{n.id}`" for n in skipped)
            + "."
        )
    lines.extend(dst_note(p, rule) for p in notes[:NOTES_SHOWN])
    return truncate("\n".join(lines), limits.CONTENT)


def timed_out() -> str:
    return "This question has expired (or the bot restarted meanwhile), so nothing was changed. Run the command again."


def kept() -> str:
    return "OK, nothing was changed."


def only_film(film: FilmRef | None) -> str:
    return f"The film applies to this night only: **{escape(film_name(film))}**."
