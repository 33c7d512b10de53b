"""Movie nights end to end: a night a minute ahead survives two SIGKILLs (one between posts, one mid-send) with
every post exactly once, RSVP buttons that count and keep working after a restart; and two shard processes on
one state database each posting only for the guilds they serve.

Time is the club's virtual clock: posts fall due when the test moves it. Absence is shown by waiting for a
later post: the scheduler sends a night's posts in order, so once the spoilers-ok post (the last) is in, a
duplicate of any earlier post would already be there.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import (
    T0,
)
from tests.e2e.wire import (
    MESSAGES,
    labels,
    night_id_of,
    timestamps,
)

if TYPE_CHECKING:
    from bot.offline.model import FakeGuild
    from bot.offline.process import BotProcess
    from tests.e2e.conftest import (
        Club,
        ClubFactory,
    )

pytestmark = pytest.mark.slow  # real bot processes

EPHEMERAL = 1 << 6
RUNTIME = timedelta(minutes=90)  # The Perfection: the spoilers-ok post is due this long after the start
POST_TIMEOUT = 15.0  # real seconds for a due post to arrive (bounded waits, never a sleep)


def rsvp_labels(message: dict[str, Any] | None) -> list[str]:
    assert message is not None
    return labels(message)


async def schedule(club: Club, when: str, guild: FakeGuild | None = None) -> tuple[int, int, str]:
    """/movienight schedule as an organiser; (night id, start as a unix time, the reply)."""
    handle = await club.run(
        club.member(guild, organiser=True), "movienight", {"when": when}, subcommand="schedule"
    )
    assert handle.response_type == 5 and handle.response_data == {"flags": EPHEMERAL}  # deferred, privately
    (reply,) = await club.followup(handle)
    text = reply["content"]
    assert reply["flags"] & EPHEMERAL and "Scheduled movie night" in text, text
    starts = timestamps(text)
    assert starts, f"no <t:…> timestamp in {text!r}"
    return night_id_of(text), starts[0], text


async def test_night_posts_exactly_once_across_sigkill_and_rsvps_keep_working(club: Club) -> None:
    bot = await club.start_bot()
    channel = club.channel_id

    refused = await club.run(club.member(), "movienight", {"when": "in 1 minute"}, subcommand="schedule")
    assert refused.response_data["flags"] & EPHEMERAL and "Manage Events" in refused.response_data["content"]

    night, start_ts, reply = await schedule(club, "in 1 minute")
    assert start_ts == int((T0 + timedelta(minutes=1)).timestamp()), reply  # exactly: the clock stands still
    (announcement,) = await club.wait_posts(channel, night, "announce", POST_TIMEOUT)
    assert (
        "The Perfection (2018)" in announcement["content"] and f"<t:{start_ts}:F>" in announcement["content"]
    )
    assert rsvp_labels(announcement) == ["Going (0)", "Maybe (0)", "Can't go (0)"]
    (event,) = club.guild.scheduled_events.values()
    assert event["name"] == "Movie night: The Perfection (2018)" and event["entity_type"] == 3
    assert event["scheduled_start_time"] == (T0 + timedelta(minutes=1)).isoformat()
    announcement_id = announcement["id"]

    async def rsvp(ctx: Any, answer: str) -> list[str]:
        click = await club.click(ctx, f"rsvp:{night}:{answer}", channel, announcement_id)
        assert click.response_type == 7, click.callback and click.callback.json  # the announcement is edited
        (ack,) = await club.followup(click)
        assert ack["flags"] & EPHEMERAL and "You're down as" in ack["content"]
        return rsvp_labels(club.fake.message(channel, announcement_id))

    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    assert await rsvp(alice, "going") == ["Going (1)", "Maybe (0)", "Can't go (0)"]
    assert await rsvp(alice, "maybe") == ["Going (0)", "Maybe (1)", "Can't go (0)"]  # changed, not added
    assert await rsvp(alice, "maybe") == ["Going (0)", "Maybe (1)", "Can't go (0)"]
    assert await rsvp(bob, "going") == ["Going (1)", "Maybe (1)", "Can't go (0)"]
    listed = await club.run(club.member(), "movienight", {"id": night}, subcommand="rsvps")
    listing = listed.response_data["content"]
    assert f"<@{alice.user['id']}>" in listing and f"<@{bob.user['id']}>" in listing

    # 1. Killed between posts: the old buttons still count after the restart (and, shown at the end, the
    # announcement is not posted again).
    assert await bot.kill() == -9
    bot = await club.start_bot()
    assert await rsvp(carol, "going") == ["Going (2)", "Maybe (1)", "Can't go (0)"]
    assert len(club.guild.scheduled_events) == 1

    # 2. Killed mid-send: Discord commits the start post but the bot only hears "429, retry in 30 s" and dies
    # while waiting. The restart re-sends with the same nonce and gets the committed message back.
    club.fake.fail_next("POST", MESSAGES, status=429, retry_after=30, after_handling=True)
    await club.advance(timedelta(minutes=1))  # the start is due
    await club.fake.wait_until(
        lambda: any(r.status == 429 for r in club.post_requests(night, "start")),
        POST_TIMEOUT,
        "the start post (answered 429)",
    )
    assert len(club.posts(channel, night, "start")) == 1  # committed on Discord's side
    await bot.kill()
    bot = await club.start_bot()
    await club.fake.wait_until(
        lambda: any(r.status == 200 for r in club.post_requests(night, "start")),
        POST_TIMEOUT,
        "the start post re-sent",
    )
    assert await rsvp(alice, "no") == ["Going (2)", "Maybe (0)", "Can't go (1)"]  # still counting

    # The film ends: the spoilers-ok post is the night's last, so any duplicate would be in by then.
    await club.advance(RUNTIME)
    await club.wait_posts(channel, night, "spoilers", POST_TIMEOUT)
    attempts = club.post_requests(night, "start")
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[0].json["nonce"] == attempts[1].json["nonce"] and attempts[1].json["enforce_nonce"]
    (start,) = club.posts(channel, night, "start")
    assert attempts[1].response["id"] == start["id"]
    assert "is starting now" in start["content"]
    assert "re-driving 1 movie night post(s) interrupted mid-send" in bot.output()

    assert len(club.posts(channel, night, "announce")) == 1
    assert len(club.post_requests(night, "announce")) == 1
    assert club.posts(channel, night, "reminder") == []  # "in 1 minute" leaves no reminder in the future
    assert len(club.post_requests(night, "spoilers")) == 1
    assert len(club.guild.scheduled_events) == 1
    club.assert_wire_clean()
    assert "Traceback" not in bot.output()


async def test_two_shard_processes_each_post_for_their_own_guild_once(clubs: ClubFactory) -> None:
    club = await clubs(shard_count=2, guild_shards=(0, 1))
    zero, one = club.guilds
    assert (zero.shard_id(2), one.shard_id(2)) == (0, 1)
    bots: list[BotProcess] = list(
        await asyncio.gather(club.start_bot(shard=(0, 2)), club.start_bot(shard=(1, 2)))
    )

    start = T0 + timedelta(hours=1)
    when = start.isoformat()  # an ISO time in UTC
    nights = {}
    for guild in (zero, one):
        night, start_ts, _ = await schedule(club, when, guild)
        assert start_ts == int(start.timestamp())
        nights[guild.id] = night
    assert nights[zero.id] != nights[one.id]
    for guild in (zero, one):
        await club.wait_posts(int(guild.text_channel["id"]), nights[guild.id], "announce", POST_TIMEOUT)

    await club.advance(timedelta(hours=1))  # both nights start
    for index, guild in enumerate((zero, one)):
        channel, night = int(guild.text_channel["id"]), nights[guild.id]
        (announcement,) = club.posts(channel, night, "announce")
        (started,) = await club.wait_posts(channel, night, "start", POST_TIMEOUT)
        assert len(guild.scheduled_events) == 1
        # The interaction reached the process serving the guild, and only that one sent the posts.
        assert f"night {night} scheduled in guild {guild.id}" in bots[index].output()
        for kind, message in (("announce", announcement), ("start", started)):
            sent = f"night {night}: {kind} post"
            await club.wait_output(bots[index], rf"{sent} #\d+ sent as {message['id']}")
            assert sent not in bots[1 - index].output(), (
                f"shard {1 - index} also handled guild {index}'s {kind}"
            )

    await club.advance(RUNTIME)  # both films end: the last posts, after which nothing else may come
    for guild in (zero, one):
        await club.wait_posts(int(guild.text_channel["id"]), nights[guild.id], "spoilers", POST_TIMEOUT)
    for guild in (zero, one):
        channel, night = int(guild.text_channel["id"]), nights[guild.id]
        for kind in ("announce", "start", "spoilers"):
            assert len(club.posts(channel, night, kind)) == len(club.post_requests(night, kind, channel)) == 1
        other = one if guild is zero else zero
        assert club.post_requests(night, "announce", int(other.text_channel["id"])) == []
    club.assert_wire_clean()
    club.assert_no_traceback()
