"""Polls and series end to end: the real bot process over the loopback Discord, on a virtual clock shared with
it. A poll that closes while the bot is down is announced once when it comes back, late, with a note; two
shard processes each announce their own guild's result once, one of them killed mid-send and restarted;
a series' "this night or the whole series?" buttons still work after a SIGKILL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.offline.model import snowflake_time
from bot.present.polls import marker as result_marker
from bot.storage.state import StateStore
from tests.e2e.conftest import (
    Club,
    ClubFactory,
)
from tests.e2e.wire import (
    MESSAGES,
    custom_ids,
    footer,
)

EPHEMERAL = 1 << 6
pytestmark = pytest.mark.slow


def results(club: Club, channel_id: int, poll_id: int) -> list[dict[str, Any]]:
    return [m for m in club.fake.messages(channel_id) if footer(m) == result_marker(poll_id)]


def result_posts(club: Club, channel_id: int, poll_id: int) -> list[Any]:
    return [
        r
        for r in club.fake.requests("POST", MESSAGES, path=f"/channels/{channel_id}/messages")
        if isinstance(r.json, dict) and footer(r.json) == result_marker(poll_id)
    ]


async def open_poll(
    club: Club, guild: Any, hours: int, films: tuple[str, ...] = ("Arrival", "Paprika", "Heat")
) -> dict[str, Any]:
    """Members suggest films, an organiser starts a poll; the poll message as the bot posted it."""
    for i, title in enumerate(films):
        added = await club.run(
            club.member(guild, name=f"fan{i}"), "watchlist", {"title": title}, subcommand="add"
        )
        (reply,) = await club.followup(added)
        assert "to the watchlist" in reply["content"], reply
    started = await club.run(
        club.member(guild, organiser=True), "movienight", {"hours": hours}, group="poll", subcommand="start"
    )
    (reply,) = await club.followup(started)
    assert "with 3 films from the watchlist" in reply["content"], reply
    channel = int(guild.text_channel["id"])
    await club.fake.wait_until(
        lambda: any(m.get("poll") for m in club.fake.messages(channel)), 10, "the poll"
    )
    return next(m for m in club.fake.messages(channel) if m.get("poll"))


async def test_a_poll_that_closes_while_the_bot_is_down_is_announced_once_late(clubs: ClubFactory) -> None:
    club = await clubs()
    assert club.clock is not None
    bot = await club.start_bot()
    poll = await open_poll(club, club.guild, hours=1)
    channel = club.channel_id
    for i, answer in enumerate((2, 2, 3)):
        await club.fake.vote(channel, poll["id"], club.fake.voter(f"voter{i}"), [answer])

    assert await bot.kill() == -9
    await club.advance(timedelta(hours=5))  # the poll closes while the bot is down
    bot = await club.start_bot()
    await club.fake.wait_until(lambda: bool(results(club, channel, 1)), 15, "the poll's result")
    (result,) = results(club, channel, 1)
    assert "**Paprika** won poll #1" in result["content"]
    assert "Posted late: the bot was offline when the poll closed." in result["content"]
    assert snowflake_time(int(result["id"])) >= club.clock.now() - timedelta(seconds=1)
    await club.wait_output(bot, r"poll 1: result posted as \d+ \(.* late\)")
    store = await StateStore.open(club.state_db)
    try:
        closing = [j for j in await store.jobs_for_poll(1) if j.kind == "poll_close"]
        assert [(j.status, j.message_id) for j in closing] == [("sent", int(result["id"]))]  # never again
    finally:
        await store.close()
    assert len(result_posts(club, channel, 1)) == 1
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_two_shards_announce_their_own_results_once_across_a_sigkill(clubs: ClubFactory) -> None:
    club = await clubs(shard_count=2, guild_shards=(0, 1))
    assert club.clock is not None
    zero, one = club.guilds
    bots = [await club.start_bot(shard=(0, 2)), await club.start_bot(shard=(1, 2))]
    polls = {zero.id: await open_poll(club, zero, hours=1), one.id: await open_poll(club, one, hours=2)}
    for guild, answer in ((zero, 1), (one, 3)):
        await club.fake.vote(
            int(guild.text_channel["id"]), polls[guild.id]["id"], club.fake.voter("v"), [answer]
        )
    channel_zero = int(zero.text_channel["id"])

    # Guild 0's result: Discord commits it but the bot only hears "429, retry in 30 s", and is killed.
    club.fake.fail_next("POST", MESSAGES, status=429, retry_after=30, after_handling=True)
    await club.advance(timedelta(hours=1, minutes=1))
    await club.fake.wait_until(
        lambda: any(r.status == 429 for r in result_posts(club, channel_zero, 1)), 15, "the 429"
    )
    assert len(results(club, channel_zero, 1)) == 1  # committed on Discord's side
    await bots[0].kill()
    bots[0] = await club.start_bot(shard=(0, 2))
    await club.fake.wait_until(
        lambda: any(r.status == 200 for r in result_posts(club, channel_zero, 1)), 15, "the re-send"
    )
    attempts = result_posts(club, channel_zero, 1)
    assert [r.status for r in attempts] == [429, 200] and attempts[0].json["nonce"] == attempts[1].json[
        "nonce"
    ]
    (result,) = results(club, channel_zero, 1)
    assert attempts[1].response["id"] == result["id"] and "**Arrival** won poll #1" in result["content"]

    await club.advance(timedelta(hours=1))
    channel_one = int(one.text_channel["id"])
    await club.fake.wait_until(lambda: bool(results(club, channel_one, 2)), 15, "guild 1's result")
    (other,) = results(club, channel_one, 2)
    assert "**Heat** won poll #2" in other["content"]
    await club.wait_output(bots[1], r"poll 2: result posted as \d+")
    assert (
        "poll 2:" not in "".join(b.output() for b in (bots[0],)) and "poll 1: result" not in bots[1].output()
    )
    assert len(result_posts(club, channel_one, 2)) == 1 and len(results(club, channel_zero, 1)) == 1
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_series_buttons_work_after_a_sigkill(clubs: ClubFactory) -> None:
    club = await clubs()
    bot = await club.start_bot()
    organiser = club.member(organiser=True)
    scheduled = await club.run(
        organiser, "movienight", {"when": "in 3 days", "repeat": "weekly"}, subcommand="schedule"
    )
    (reply,) = await club.followup(scheduled)
    assert "Scheduled a recurring movie night: every" in reply["content"], reply
    await club.fake.wait_until(lambda: len(club.guild.scheduled_events) == 2, 10, "two events")
    question = await club.run(organiser, "movienight", {"id": 1}, subcommand="cancel")
    assert question.response_data["flags"] & EPHEMERAL
    assert custom_ids(question.response_data) == [
        "scope:cancel:1:one",
        "scope:cancel:1:all",
        "scope:cancel:1:keep",
    ]
    message = question.original_message
    assert message is not None
    await bot.kill()
    bot = await club.start_bot()
    click = await club.click(organiser, "scope:cancel:1:all", club.channel_id, message["id"])
    assert click.response_type == 6
    await club.fake.wait_until(
        lambda: (
            "Cancelled the series"
            in str((club.fake.message(club.channel_id, message["id"]) or {}).get("content"))
        ),
        10,
        "the answer",
    )
    assert {e["status"] for e in club.guild.scheduled_events.values()} == {4}
    club.assert_wire_clean()
    club.assert_no_traceback()
