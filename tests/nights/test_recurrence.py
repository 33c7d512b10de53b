"""Recurring nights keep their local time: occurrences across daylight-saving changes in Europe/Berlin,
America/New_York and Australia/Adelaide (half-hour offset, southern hemisphere), the times the clocks skip or
repeat, monthly rules, the horizon of occurrences created ahead, and the polls' windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.nights.series import (
    HORIZON,
    Rule,
    dst_notes,
    first_occurrence,
    occurrences,
    parse_until,
    place,
    plan,
    poll_window,
)
from bot.nights.timeparse import ParseError
from bot.present.series import dst_note
from tests.fakes import (
    PERFECTION,
    utc,
)

REMINDERS = (24 * 3600, 15 * 60)


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize(
    ("zone", "first", "at", "offsets"),
    [
        # Berlin: CET (+1) until the last Sunday of March, CEST (+2) until the last Sunday of October.
        ("Europe/Berlin", date(2027, 3, 19), time(20, 0), ["+0100", "+0100", "+0200", "+0200"]),
        ("Europe/Berlin", date(2027, 10, 22), time(20, 0), ["+0200", "+0200", "+0100", "+0100"]),
        # New York: EST (-5) until the second Sunday of March, EDT (-4) until the first Sunday of November.
        ("America/New_York", date(2027, 3, 6), time(19, 30), ["-0500", "-0500", "-0400", "-0400"]),
        ("America/New_York", date(2027, 10, 30), time(19, 30), ["-0400", "-0400", "-0500", "-0500"]),
        # Adelaide: ACDT (+10:30) until the first Sunday of April, ACST (+9:30) until the first Sunday of October.
        ("Australia/Adelaide", date(2027, 3, 28), time(19, 0), ["+1030", "+0930", "+0930", "+0930"]),
        ("Australia/Adelaide", date(2027, 9, 26), time(19, 0), ["+0930", "+1030", "+1030", "+1030"]),
    ],
)
def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(
    zone: str, first: date, at: time, offsets: list[str]
) -> None:
    rule = Rule(first, at, zone, "weekly")
    placed = [place(rule, i) for i in range(4)]
    for i, night in enumerate(placed):
        wall = local(night.starts_at, zone)
        assert (wall.date(), wall.time()) == (first + timedelta(weeks=i), at)
        assert f"{wall:%z}" == offsets[i]
        assert night.shift == "none"
    gaps = {placed[i + 1].starts_at - placed[i].starts_at for i in range(3)}
    assert timedelta(days=7) in gaps and len(gaps) == 2  # one week is an hour shorter or longer
    assert not dst_notes(rule, datetime.combine(first, time(0), UTC) - timedelta(days=1), timedelta(days=30))


def test_reminders_come_at_real_elapsed_times_before_each_night() -> None:
    rule = Rule(
        date(2027, 3, 27), time(20, 0), "Europe/Berlin", "weekly"
    )  # Saturdays; clocks change Sunday 28
    now = utc(2027, 3, 20, 12, 0)
    made = plan(rule, [], now, reminders=REMINDERS, poll_days=None)
    first = made.occurrences[0]
    assert local(first.starts_at, "Europe/Berlin").time() == time(20, 0)
    due = {(job.kind, job.offset_s): job.due_at for job in first.jobs}
    assert due[("reminder", 86400)] == first.starts_at - timedelta(hours=24)
    assert due[("reminder", 900)] == first.starts_at - timedelta(minutes=15)
    assert due[("start", 0)] == first.starts_at and due[("announce", 0)] == now
    second = made.occurrences[1]  # the week the clocks went forward: 167 hours later, still 20:00 local
    assert second.starts_at - first.starts_at == timedelta(hours=167)
    assert {(j.kind, j.offset_s): j.due_at for j in second.jobs}[("reminder", 86400)] == utc(
        2027, 4, 2, 18, 0
    )


@pytest.mark.parametrize(
    ("zone", "skipped_day", "repeated_day", "at", "skipped_local", "repeated_utc"),
    [
        (
            "Europe/Berlin",
            date(2027, 3, 28),
            date(2027, 10, 31),
            time(2, 30),
            "03:30",
            utc(2027, 10, 31, 0, 30),
        ),
        ("America/New_York", date(2027, 3, 14), date(2027, 11, 7), time(2, 30), "03:30", None),
        (
            "America/New_York",
            date(2027, 3, 14),
            date(2027, 11, 7),
            time(1, 30),
            None,
            utc(2027, 11, 7, 5, 30),
        ),
        (
            "Australia/Adelaide",
            date(2027, 10, 3),
            date(2027, 4, 4),
            time(2, 30),
            "03:30",
            utc(2027, 4, 3, 16, 0),
        ),
    ],
)
def test_a_night_in_a_skipped_or_repeated_hour_is_explained(
    zone: str,
    skipped_day: date,
    repeated_day: date,
    at: time,
    skipped_local: str | None,
    repeated_utc: datetime | None,
) -> None:
    first = min(skipped_day, repeated_day) - timedelta(weeks=2)
    rule = Rule(first, at, zone, "weekly")
    notes = {n.day: n for n in dst_notes(rule, datetime.combine(first, time(0), UTC) - timedelta(days=1))}
    if skipped_local is not None:
        skipped = notes[skipped_day]
        assert skipped.shift == "skipped" and f"{local(skipped.starts_at, zone):%H:%M}" == skipped_local
        text = dst_note(skipped, rule)
        assert f"{at:%H:%M} doesn't exist in {zone}" in text and f"starts at {skipped_local}" in text
    else:
        assert skipped_day not in notes
    if repeated_utc is not None:
        repeated = notes[repeated_day]
        assert repeated.shift == "repeated" and repeated.starts_at == repeated_utc  # the first of the two
        text = dst_note(repeated, rule)
        assert f"{at:%H:%M} happens twice in {zone}" in text and "the first" in text
    else:
        assert repeated_day not in notes
    assert set(notes) <= {skipped_day, repeated_day}


def test_adelaide_repeated_hour_names_its_half_hour_offset() -> None:
    rule = Rule(date(2027, 3, 21), time(2, 30), "Australia/Adelaide", "weekly")
    (repeated,) = dst_notes(rule, utc(2027, 3, 1), timedelta(days=60))
    assert "(ACDT, UTC+10:30)" in dst_note(repeated, rule)


def test_monthly_keeps_the_weekday_of_the_month() -> None:
    second_friday = Rule(date(2027, 1, 8), time(20, 0), "Europe/London", "monthly")
    days = [second_friday.date_of(i) for i in range(4)]
    assert days == [date(2027, 1, 8), date(2027, 2, 12), date(2027, 3, 12), date(2027, 4, 9)]
    assert all(d.weekday() == 4 and 8 <= d.day <= 14 for d in days)
    assert second_friday.describe() == "on the 2nd Friday of every month at 20:00 (Europe/London)"
    last_friday = Rule(date(2027, 1, 29), time(20, 0), "Europe/London", "monthly")
    assert [last_friday.date_of(i) for i in range(3)] == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
    ]
    assert last_friday.describe().startswith("on the last Friday")
    assert Rule(date(2027, 1, 8), time(20, 0), "UTC", "fortnightly").date_of(2) == date(2027, 2, 5)
    assert Rule(date(2027, 12, 10), time(20, 0), "UTC", "monthly").date_of(1) == date(2028, 1, 14)


def test_the_horizon_keeps_two_nights_ahead_and_never_one_in_the_past() -> None:
    rule = Rule(date(2027, 1, 1), time(20, 0), "UTC", "weekly", until=date(2027, 1, 29))
    now = utc(2026, 12, 30, 12, 0)
    made = plan(rule, [], now, reminders=REMINDERS, poll_days=None, first_film=PERFECTION, first_runtime=90)
    assert [o.index for o in made.occurrences] == [0, 1] and HORIZON == 2
    assert made.occurrences[0].film == PERFECTION and made.occurrences[1].film is None
    assert made.occurrences[0].ends_at - made.occurrences[0].starts_at == timedelta(minutes=90)
    assert made.next_upkeep == utc(2027, 1, 1, 20, 0)
    existing = [(o.index, o.starts_at, True) for o in made.occurrences]
    later = plan(rule, existing, utc(2027, 1, 1, 20, 0), reminders=REMINDERS, poll_days=None)
    assert [o.index for o in later.occurrences] == [2] and later.next_upkeep == utc(2027, 1, 8, 20, 0)
    # Down for two weeks: nothing is created in the past, indices are never reused.
    late = plan(rule, existing, utc(2027, 1, 16, 0, 0), reminders=REMINDERS, poll_days=None)
    assert [o.index for o in late.occurrences] == [3, 4]
    # A cancelled night does not count: the next is created in its place.
    cancelled = [(0, existing[0][1], True), (1, existing[1][1], False)]
    assert [o.index for o in plan(rule, cancelled, now, reminders=(), poll_days=None).occurrences] == [2]
    # Its last night is created, and then the series has nothing left to create (no more upkeep).
    end = plan(
        rule,
        [(i, place(rule, i).starts_at, True) for i in range(4)],
        utc(2027, 1, 22, 21, 0),
        reminders=(),
        poll_days=None,
    )
    assert [o.index for o in end.occurrences] == [4] and end.next_upkeep is None
    assert [p.index for p in occurrences(rule)] == [0, 1, 2, 3, 4]


def test_poll_windows_close_twelve_hours_before_the_night() -> None:
    start = utc(2027, 1, 8, 20, 0)
    assert poll_window(start, 3, utc(2027, 1, 1)) == (utc(2027, 1, 5, 20, 0), utc(2027, 1, 8, 8, 0))
    assert poll_window(start, 3, utc(2027, 1, 7)) == (utc(2027, 1, 7), utc(2027, 1, 8, 8, 0))  # opens now
    assert poll_window(start, 3, utc(2027, 1, 8, 7, 30)) is None  # less than an hour would be left
    rule = Rule(date(2027, 1, 8), time(20, 0), "UTC", "weekly")
    made = plan(rule, [], utc(2027, 1, 1), reminders=(), poll_days=3)
    assert [o.poll.opens_at if o.poll else None for o in made.occurrences] == [
        utc(2027, 1, 5, 20),
        utc(2027, 1, 12, 20),
    ]


def test_the_first_occurrence_is_the_next_not_started() -> None:
    rule = Rule(date(2027, 1, 1), time(20, 0), "UTC", "weekly")
    first = first_occurrence(rule, utc(2027, 1, 9))
    assert first is not None and first.index == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2027-06-30", date(2027, 6, 30)), ("june 30 2027", date(2027, 6, 30))],
)
def test_until_reads_dates(text: str, expected: date) -> None:
    assert parse_until(text, "Europe/Berlin", utc(2026, 11, 20)) == expected


@pytest.mark.parametrize("text", ["", "   ", "whenever", "🎬"])
def test_until_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ParseError):
        parse_until(text, "UTC", utc(2026, 11, 20))
