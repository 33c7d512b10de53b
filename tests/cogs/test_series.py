"""Recurring nights through the real bot in-process, over the loopback Discord, on a fake clock: every night
of a weekly series is announced, reminded and started at its own instant across a daylight-saving change;
a series' poll picks a night's film and the announcement and event follow; "this night or the whole series"
for cancel and edit; bad input refused with nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.offline.model import snowflake_time
from bot.offline.payloads import Context
from tests.cogs.loop import Loop, custom_ids, labels, open_loop, text_of
from tests.fakes import (
    utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
EPHEMERAL = 1 << 6


@pytest.fixture
async def spring(tmp_path: Path) -> AsyncIterator[Loop]:
    """A club a few days before Europe's clocks go forward (Sunday 28 March 2027)."""
    async for opened in open_loop(tmp_path, now=utc(2027, 3, 15, 12, 0)):
        yield opened


@pytest.fixture
async def club(tmp_path: Path) -> AsyncIterator[Loop]:
    async for opened in open_loop(tmp_path, now=utc(2026, 11, 20, 12, 0)):
        yield opened


async def schedule(club: Loop, ctx: Context, **options: Any) -> str:
    return text_of(await club.run(ctx, "movienight", options, subcommand="schedule"))


async def run_until(club: Loop, end: datetime) -> None:
    """Let the clock run to `end`, stopping at every job that comes due on the way."""
    while True:
        due = await club.state.next_due_at()
        if due is None or due > end:
            break
        await club.advance_to(max(due, club.clock.now()))
    await club.advance_to(end)


def sent_at(message: dict[str, Any]) -> datetime:
    return snowflake_time(int(message["id"]))


async def test_a_weekly_series_posts_every_night_at_its_local_time_across_the_change(spring: Loop) -> None:
    club = spring
    organiser = club.member(organiser=True)
    reply = await schedule(
        club,
        organiser,
        when="2027-03-19 20:00",
        timezone="Europe/Berlin",
        repeat="weekly",
        until="2027-04-09",
        film="Arrival",
    )
    assert "every Friday at 20:00 (Europe/Berlin), until Fri 09 Apr 2027" in reply, reply
    assert (
        "First nights: `#1`" in reply
        and "`#2`" in reply
        and "Film of the first night: **Arrival (2016)**" in reply
    )
    assert "doesn't exist" not in reply and "happens twice" not in reply
    await run_until(club, utc(2027, 4, 10, 12, 0))

    nights = [await club.state.get_night(i) for i in range(1, 6)]
    assert [n.occurrence if n else None for n in nights] == [0, 1, 2, 3, None]  # four Fridays, no fifth
    for night in nights[:4]:
        assert night is not None
        wall = night.starts_at.astimezone(BERLIN)
        assert (wall.weekday(), f"{wall:%H:%M}") == (4, "20:00")
        (start,) = club.footer_posts(f"Movie night #{night.id} · starting now")
        assert sent_at(start) == night.starts_at
        (day_before,) = club.footer_posts(f"Movie night #{night.id} · 24h reminder")
        assert sent_at(day_before) == night.starts_at - timedelta(hours=24)
        (soon,) = club.footer_posts(f"Movie night #{night.id} · 15m reminder")
        assert sent_at(soon) == night.starts_at - timedelta(minutes=15)
        assert len(club.footer_posts(f"Movie night #{night.id} · announcement")) == 1
    assert [n.starts_at.hour for n in nights[:4] if n] == [19, 19, 18, 18]  # UTC: CET, CET, CEST, CEST
    events = sorted(club.guild.scheduled_events.values(), key=lambda e: e["scheduled_start_time"])
    assert [e["scheduled_start_time"] for e in events] == [n.starts_at.isoformat() for n in nights[:4] if n]
    assert (
        events[0]["name"] == "Movie night: Arrival (2016)"
        and events[1]["name"] == "Movie night: Film to be decided"
    )
    series = await club.state.get_series(1)
    assert series is not None and series.status == "ended" and series.local_time == "20:00"
    club.assert_wire_clean()


async def test_a_night_the_clocks_skip_is_explained_when_the_series_is_made(spring: Loop) -> None:
    club = spring
    reply = await schedule(
        club, club.member(organiser=True), when="2027-03-21 02:30", timezone="Europe/Berlin", repeat="weekly"
    )
    assert "⚠️ Sun 28 Mar 2027: 02:30 doesn't exist in Europe/Berlin (the clocks go forward)" in reply, reply
    assert "so that night starts at 03:30" in reply
    assert "⚠️ Sun 31 Oct 2027: 02:30 happens twice in Europe/Berlin" in reply
    assert "that night starts at the first 02:30 (CEST, UTC+02:00)" in reply


async def test_a_series_poll_picks_the_nights_film_and_the_announcement_follows(club: Loop) -> None:
    for i, title in enumerate(("Arrival", "Heat", "Whiplash")):
        await club.run(club.member(name=f"fan{i}"), "watchlist", {"title": title}, subcommand="add")
    reply = await schedule(
        club,
        club.member(organiser=True),
        when="2026-11-27 20:00",
        timezone="Europe/London",
        repeat="weekly",
        poll_days=3,
    )
    assert "a poll opens 3 days before each night" in reply, reply
    await club.idle()
    (announcement,) = club.footer_posts("Movie night #1 · announcement")
    assert announcement["embeds"][0]["title"] == "🎬 Film to be decided"
    film_field = next(f for f in announcement["embeds"][0]["fields"] if f["name"] == "Film")
    assert "To be decided by a poll" in film_field["value"] and "opening <t:" in film_field["value"]
    night = await club.state.get_night(1)
    assert night is not None and night.film is None
    event = club.guild.scheduled_events[night.event_id or 0]
    assert event["name"] == "Movie night: Film to be decided"

    await run_until(club, utc(2026, 11, 24, 20, 0))  # three days before: the poll opens
    (poll,) = club.polls_posted()
    assert poll["poll"]["question"]["text"] == "Which film for movie night #1 (Fri 27 Nov)? · poll #1"
    for i, answer in enumerate((2, 2, 1)):
        await club.fake.vote(club.channel_id, poll["id"], club.member(name=f"v{i}").user, [answer])
    await run_until(club, utc(2026, 11, 27, 8, 1))  # it closes twelve hours before the night
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Heat (1995)** won poll #1" in result["content"]
    assert "It's the film for movie night `#1`" in result["embeds"][0]["description"] and labels(result) == []
    night = await club.state.get_night(1)
    assert night is not None and night.film is not None and night.film.slug == "heat"
    updated = club.fake.message(club.channel_id, announcement["id"])
    assert updated is not None and updated["embeds"][0]["title"] == "🎬 Heat (1995)"
    assert club.guild.scheduled_events[night.event_id or 0]["name"] == "Movie night: Heat (1995)"
    await run_until(club, utc(2026, 11, 28, 0, 0))
    assert len(club.footer_posts("Movie night #1 · spoilers-ok")) == 1  # a night with its film
    # the second night has its own poll, not open yet
    assert [p.status for p in await club.state.night_polls(2)] == ["scheduled"]
    club.assert_wire_clean()


async def test_cancelling_one_night_keeps_the_series_and_cancelling_all_stops_it(club: Loop) -> None:
    organiser = club.member(organiser=True)
    await schedule(
        club, organiser, when="2026-11-27 20:00", timezone="Europe/London", repeat="weekly", film="Heat"
    )
    await club.idle()
    question = await club.run(organiser, "movienight", {"id": 1}, subcommand="cancel")
    message = question.original_message
    assert message is not None and message["flags"] & EPHEMERAL
    assert "part of a series: every Friday at 20:00 (Europe/London)" in message["content"]
    assert custom_ids(message) == ["scope:cancel:1:one", "scope:cancel:1:all", "scope:cancel:1:keep"]
    refused = await club.click(club.member(), "scope:cancel:1:one", message)
    assert "Only organisers" in text_of(refused)
    kept = await club.click(organiser, "scope:cancel:1:keep", message)
    assert kept.response_type == 7 and "nothing was changed" in kept.response_data["content"]
    assert labels(message) == []  # the question's buttons are gone

    question = await club.run(organiser, "movienight", {"id": 1}, subcommand="cancel")
    message = question.original_message
    assert message is not None
    done = await club.click(organiser, "scope:cancel:1:one", message)
    assert (
        done.response_type == 6
        and "Cancelled movie night `#1`" in message["content"]
        and labels(message) == []
    )
    await club.idle()
    first = await club.state.get_night(1)
    assert first is not None and first.status == "cancelled"
    assert [n.id for n in await club.state.upcoming_nights(club.guild.id, club.clock.now())] == [
        2,
        3,
    ]  # goes on
    (retracted,) = club.footer_posts("Movie night #1 · announcement")
    assert "cancelled" in retracted["content"]

    question = await club.run(organiser, "movienight", {"id": 2}, subcommand="cancel")
    assert question.original_message is not None
    await club.click(organiser, "scope:cancel:2:all", question.original_message)
    assert await club.state.upcoming_nights(club.guild.id, club.clock.now()) == []
    series = await club.state.get_series(1)
    assert series is not None and series.status == "cancelled"
    before = len(club.posts())
    await run_until(club, utc(2027, 1, 15))
    assert len(club.posts()) == before  # nothing after the series was cancelled
    assert {e["status"] for e in club.guild.scheduled_events.values()} == {4}  # every event cancelled
    club.assert_wire_clean()


async def test_editing_the_whole_series_moves_every_night_to_come(club: Loop) -> None:
    organiser = club.member(organiser=True)
    await schedule(
        club, organiser, when="2026-11-27 20:00", timezone="Europe/London", repeat="weekly", film="Heat"
    )
    await club.idle()
    question = await club.run(
        organiser,
        "movienight",
        {"id": 1, "when": "2026-11-28 21:30", "note": "doors 21:00"},
        subcommand="edit",
    )
    message = question.original_message
    assert message is not None
    (button,) = [c for c in custom_ids(message) if c.startswith("scope:edit:1:all:")]
    await club.click(organiser, button, message)
    nights = [await club.state.get_night(i) for i in (1, 2)]
    assert [n.starts_at for n in nights if n] == [utc(2026, 11, 28, 21, 30), utc(2026, 12, 5, 21, 30)]
    assert [n.note for n in nights if n] == ["doors 21:00", "doors 21:00"]
    assert nights[0] is not None and nights[0].film is not None and nights[0].film.slug == "heat"  # kept
    series = await club.state.get_series(1)
    assert series is not None and (series.local_time, series.first_date.isoformat()) == (
        "21:30",
        "2026-11-28",
    )
    assert "every Saturday at 21:30" in str(
        (club.fake.message(club.channel_id, message["id"]) or {}).get("content")
    )
    jobs = await club.state.jobs_for_night(2)
    start = [j for j in jobs if j.kind == "start" and j.status == "pending"]
    assert [j.due_at for j in start] == [utc(2026, 12, 5, 21, 30)]
    # A restart forgets an edit waiting for its answer: the answer then changes nothing, and says so.
    forgotten = await club.run(organiser, "movienight", {"id": 2, "note": "x"}, subcommand="edit")
    assert forgotten.original_message is not None
    club.bot.get_cog("MovieNight").pending.clear()  # type: ignore[union-attr]
    (one,) = [c for c in custom_ids(forgotten.original_message) if c.startswith("scope:edit:2:one:")]
    stale = await club.click(organiser, one, forgotten.original_message)
    assert (
        "expired" in stale.response_data["content"]
        and "nothing was changed" in stale.response_data["content"]
    )
    assert (await club.state.get_night(2)).note == "doors 21:00"  # type: ignore[union-attr]
    club.assert_wire_clean()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"repeat": "weekly", "until": "2026-01-01"}, "is in the past"),
        ({"repeat": "weekly", "until": "2026-11-25"}, "before the first night"),
        ({"until": "2027-01-01"}, "only applies to a recurring night"),
        ({"poll_days": 3}, "only applies to a recurring night"),
        ({"repeat": "weekly", "until": "someday maybe"}, "can't read"),
    ],
)
async def test_bad_series_input_is_answered_and_nothing_is_stored(
    club: Loop, options: dict[str, Any], message: str
) -> None:
    reply = await schedule(club, club.member(organiser=True), when="2026-11-27 20:00", **options)
    assert message in reply and reply.startswith("⚠️"), reply
    assert "Nothing was scheduled" in reply or "can't read" in reply
    assert await club.state.get_series(1) is None and await club.state.get_night(1) is None
    await club.idle()
    assert club.posts() == [] and club.guild.scheduled_events == {}


async def test_moving_a_series_into_a_skipped_hour_is_explained(spring: Loop) -> None:
    club = spring
    organiser = club.member(organiser=True)
    await schedule(club, organiser, when="2027-03-21 20:00", timezone="Europe/Berlin", repeat="weekly")
    question = await club.run(
        organiser, "movienight", {"id": 1, "when": "2027-03-21 02:30"}, subcommand="edit"
    )
    assert question.original_message is not None
    (button,) = [c for c in custom_ids(question.original_message) if c.startswith("scope:edit:1:all:")]
    await club.click(organiser, button, question.original_message)
    answer = str(question.original_message["content"])
    assert "every Sunday at 02:30 (Europe/Berlin)" in answer
    assert "Sun 28 Mar 2027: 02:30 doesn't exist in Europe/Berlin" in answer and "starts at 03:30" in answer
    second = await club.state.get_night(2)
    assert second is not None and second.starts_at == utc(2027, 3, 28, 1, 30)  # 03:30 CEST


async def test_choosing_the_film_by_hand_ends_the_nights_poll(club: Loop) -> None:
    for i, title in enumerate(("Arrival", "Heat")):
        await club.run(club.member(name=f"fan{i}"), "watchlist", {"title": title}, subcommand="add")
    organiser = club.member(organiser=True)
    await schedule(
        club, organiser, when="2026-11-27 20:00", timezone="Europe/London", repeat="weekly", poll_days=3
    )
    await run_until(club, utc(2026, 11, 25, 0, 0))
    (poll,) = club.polls_posted()
    edited = await club.run(organiser, "movienight", {"id": 1, "film": "Whiplash"}, subcommand="edit")
    assert "Updated movie night `#1`: **Whiplash (2014)**" in text_of(
        edited
    )  # a film: this night only, no question
    (expire,) = club.fake.requests("POST", "/channels/{channel_id}/polls/{message_id}/expire")
    assert expire.params["message_id"] == poll["id"]
    assert [p.status for p in await club.state.night_polls(1)] == ["cancelled"]
    await run_until(club, utc(2026, 11, 27, 21, 0))
    assert club.footer_posts("Movie night poll #1") == []  # no result for a poll that no longer decides
    (announcement,) = club.footer_posts("Movie night #1 · announcement")
    assert announcement["embeds"][0]["title"] == "🎬 Whiplash (2014)"
    club.assert_wire_clean()
