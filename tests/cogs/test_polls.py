"""Polls that decide, in-process against the loopback Discord on a fake clock: a poll drawn from the watchlist
is posted by the scheduler, members vote, it expires (or an organiser ends it), the bot reads the final counts
from the expired message and posts the result once; "Schedule it" opens a form prefilled with the usual
night; ties, an empty watchlist and a deleted poll are answered clearly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.offline.payloads import Context
from bot.storage.state.polls import polls
from bot.storage.state.tables import jobs
from tests.cogs.loop import Loop, custom_ids, labels, text_of

EPHEMERAL = 1 << 6


async def suggest(club: Loop, ctx: Context, title: str) -> str:
    handle = await club.run(ctx, "watchlist", {"title": title}, subcommand="add")
    return text_of(handle)


async def start_poll(club: Loop, ctx: Context, **options: object) -> str:
    handle = await club.run(ctx, "movienight", options, group="poll", subcommand="start")
    return text_of(handle)


async def test_a_poll_from_the_watchlist_decides_and_the_winner_gets_scheduled(loop: Loop) -> None:
    club = loop
    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    organiser = club.member(organiser=True, name="org")
    assert "Added **Arrival (2016)**" in await suggest(club, alice, "arrival")
    assert "Added **Paprika (2006)**" in await suggest(club, bob, "Paprika (2006)")
    assert "now one of its 2 supporters" in await suggest(club, carol, "paprika")
    assert "Added **Heat (1995)**" in await suggest(club, carol, "Heat")

    reply = await start_poll(club, organiser, hours=2)
    assert "Poll `#1` with 3 films from the watchlist" in reply, reply
    await club.idle()
    (poll,) = club.polls_posted()
    answers = [a["poll_media"]["text"] for a in poll["poll"]["answers"]]
    assert answers == ["Paprika (2006)", "Arrival (2016)", "Heat (1995)"]  # most supported first
    assert poll["poll"]["question"]["text"].endswith("poll #1")

    for member, answer in ((alice, 2), (bob, 1), (carol, 1), (club.member(name="dan"), 3)):
        await club.fake.vote(club.channel_id, poll["id"], member.user, [answer])
    await club.advance(timedelta(hours=2, seconds=30))
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Paprika (2006)** won poll #1" in result["content"]
    assert "Paprika (2006)**: 2 votes" in result["embeds"][0]["description"]
    assert labels(result) == ["📅 Schedule it"] and custom_ids(result) == ["pollres:1:1"]
    assert "late" not in result["content"]

    # "Schedule it": organisers only; the form is prefilled with the server's usual night.
    refused = await club.click(alice, "pollres:1:1", result)
    assert (
        refused.response_data["flags"] & EPHEMERAL and "Only organisers" in refused.response_data["content"]
    )
    await club.run(organiser, "movienight", {"usual_night": "friday 20:00"}, subcommand="settings")
    form = await club.click(organiser, "pollres:1:1", result)
    assert form.response_type == 9, form.callback and form.callback.json
    fields = {
        c["custom_id"]: c.get("value") for row in form.response_data["components"] for c in row["components"]
    }
    assert fields["when"] == "2026-11-20 20:00"  # NOW is a Friday, 14:00 by then (UTC, the default zone)
    done = await club.submit(organiser, "pollform:1:1", {"when": fields["when"], "note": "bring snacks"})
    assert "Scheduled movie night `#1`: **Paprika (2006)**" in text_of(done)
    night = await club.state.get_night(1)
    assert (
        night is not None
        and night.film is not None
        and night.film.title == "Paprika"
        and night.note == "bring snacks"
    )
    updated = club.fake.message(club.channel_id, result["id"])
    assert (
        updated is not None and labels(updated) == [] and "scheduled **Paprika (2006)**" in updated["content"]
    )
    await club.idle()
    assert len(club.footer_posts("Movie night #1 · announcement")) == 1
    assert len(club.footer_posts("Movie night poll #1")) == 1  # the result, exactly once
    club.assert_wire_clean()


async def open_poll(
    club: Loop, *, films: tuple[str, ...] = ("Arrival", "Heat"), hours: int = 24
) -> dict[str, object]:
    for i, title in enumerate(films):
        await suggest(club, club.member(name=f"fan{i}"), title)
    await start_poll(club, club.member(organiser=True), hours=hours)
    await club.idle()
    (poll,) = club.polls_posted()
    return poll


async def test_an_organiser_ends_a_poll_early_through_discord(loop: Loop) -> None:
    club = loop
    poll = await open_poll(club, hours=48)
    voters = [club.member(name=f"v{i}") for i in range(3)]
    for ctx, answer in zip(voters, (2, 2, 1), strict=True):
        await club.fake.vote(club.channel_id, poll["id"], ctx.user, [answer])
    refused = await club.run(club.member(), "movienight", group="poll", subcommand="end")
    assert "Manage Events" in refused.response_data["content"]
    handle = await club.run(club.member(organiser=True), "movienight", group="poll", subcommand="end")
    assert "Ended poll `#1`" in text_of(handle)
    (expire,) = club.fake.requests("POST", "/channels/{channel_id}/polls/{message_id}/expire")
    assert expire.status == 200 and expire.params["message_id"] == poll["id"]
    await club.idle()
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Heat (1995)** won poll #1" in result["content"]
    assert "Ended early by <@" in result["embeds"][0]["description"]
    message = club.fake.message(club.channel_id, poll["id"])
    assert message is not None and message["poll"]["results"]["is_finalized"]
    again = await club.run(club.member(organiser=True), "movienight", group="poll", subcommand="end")
    assert "no open poll" in text_of(again)
    await club.advance(timedelta(days=3))  # its planned expiry passes: nothing more is posted
    assert len(club.footer_posts("Movie night poll #1")) == 1
    club.assert_wire_clean()


async def test_a_tie_is_announced_as_a_tie_and_an_organiser_picks(loop: Loop) -> None:
    club = loop
    poll = await open_poll(club, films=("Arrival", "Heat", "Whiplash"), hours=1)
    for i, answer in enumerate((1, 2, 3, 1, 2)):
        await club.fake.vote(club.channel_id, poll["id"], club.member(name=f"v{i}").user, [answer])
    await club.advance(timedelta(hours=1, minutes=1))
    (result,) = club.footer_posts("Movie night poll #1")
    assert "is a tie between **Arrival (2016)** and **Heat (1995)**" in result["content"]
    assert labels(result) == ["📅 Schedule Arrival (2016)", "📅 Schedule Heat (1995)"]
    assert custom_ids(result) == ["pollres:1:1", "pollres:1:2"]
    form = await club.click(club.member(organiser=True), "pollres:1:2", result)
    assert form.response_type == 9 and form.response_data["title"] == "Schedule Heat (1995)"
    club.assert_wire_clean()


async def test_nobody_voting_is_said_plainly(loop: Loop) -> None:
    club = loop
    await open_poll(club, hours=1)
    await club.advance(timedelta(hours=2))
    (result,) = club.footer_posts("Movie night poll #1")
    assert "Nobody voted in poll #1" in result["content"] and labels(result) == []


async def test_an_empty_watchlist_is_answered_and_nothing_is_stored(loop: Loop) -> None:
    club = loop
    organiser = club.member(organiser=True)
    assert "The watchlist has nothing to vote on" in await start_poll(club, organiser)
    await suggest(club, club.member(), "Arrival")
    assert "The watchlist has only one film to vote on" in await start_poll(club, organiser)
    assert "from: library" in await start_poll(club, organiser)
    for hours in (0, 769):
        assert "1 to 768 hours" in await start_poll(club, organiser, hours=hours)
    assert await club.state.guild_polls(club.guild.id, ("scheduled", "open", "closed", "failed")) == []
    await club.idle()
    assert club.polls_posted() == []
    reply = await start_poll(club, organiser, **{"from": "library", "hours": 768})
    assert "with 4 films from the library" in reply
    await club.idle()
    (poll,) = club.polls_posted()
    assert [a["poll_media"]["text"] for a in poll["poll"]["answers"]] == [
        "Arrival (2016)",
        "Heat (1995)",
        "The Perfection (2018)",
        "Whiplash (2014)",
    ]
    club.assert_wire_clean()


async def test_a_deleted_poll_is_recorded_as_failed_and_listed(loop: Loop) -> None:
    club = loop
    poll = await open_poll(club, hours=2)
    await club.fake.remove_message(club.channel_id, poll["id"])
    await club.advance(timedelta(hours=2, minutes=1))
    assert club.footer_posts("Movie night poll #1") == []
    (failed,) = await club.state.guild_polls(club.guild.id, ("failed",))
    assert failed.error == "404 its message was deleted"
    listing = text_of(await club.run(club.member(), "movienight", subcommand="list"))
    assert "⚠️ Poll `#1`" in listing and "failed: 404 its message was deleted" in listing

    # Ending a poll whose message is gone says so, and records it.
    second = await open_poll(club, films=("Whiplash", "The Perfection"), hours=5)
    await club.fake.remove_message(club.channel_id, second["id"])
    handle = await club.run(club.member(organiser=True), "movienight", group="poll", subcommand="end")
    assert "can't be ended: 404 its message was deleted" in text_of(handle)
    assert [p.id for p in await club.state.guild_polls(club.guild.id, ("failed",))] == [1, 2]
    club.assert_wire_clean()


async def test_a_poll_whose_channel_is_gone_is_recorded_as_failed(loop: Loop) -> None:
    club = loop
    await open_poll(club, hours=1)
    club.fake.remove_channel(club.guild, club.channel_id)
    await club.advance(timedelta(hours=1, minutes=1))
    (failed,) = await club.state.guild_polls(club.guild.id, ("failed",))
    assert failed.error == "404 its channel is gone"


async def test_counts_not_final_yet_are_read_again(loop: Loop) -> None:
    club = loop
    club.fake.finalize_delay = 40.0  # Discord recounts for a while after the expiry
    poll = await open_poll(club, hours=1)
    await club.fake.vote(club.channel_id, poll["id"], club.member().user, [2])
    await club.advance(timedelta(hours=1, seconds=15))
    assert club.footer_posts("Movie night poll #1") == []
    (job,) = [j for j in await club.state.jobs_for_poll(1) if j.kind == "poll_close"]
    assert job.status == "pending" and job.last_error == "Discord has not finalized the counts yet"
    while not club.footer_posts("Movie night poll #1"):  # retried with backoff until Discord is done
        (job,) = [j for j in await club.state.jobs_for_poll(1) if j.kind == "poll_close"]
        assert job.attempts < 5 and job.next_attempt_at - club.clock.now() <= timedelta(seconds=60)
        await club.advance_to(job.next_attempt_at)
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Heat (1995)** won" in result["content"] and job.attempts >= 2


async def test_a_poll_that_closed_while_the_bot_was_down_is_announced_once_late(loop: Loop) -> None:
    club = loop
    poll = await open_poll(club, hours=3)
    await club.fake.vote(club.channel_id, poll["id"], club.member().user, [1])
    await club.bot.unload_extension("cogs.nights")  # the bot goes down (its scheduler stops)
    await club.clock.advance(timedelta(hours=8))
    await club.bot.load_extension("cogs.nights")
    await club.idle()
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Arrival (2016)** won poll #1" in result["content"]
    assert "Posted late: the bot was offline when the poll closed." in result["content"]
    await club.advance(timedelta(days=1))
    assert len(club.footer_posts("Movie night poll #1")) == 1


async def test_a_poll_posted_just_before_the_bot_went_down_still_counts(loop: Loop) -> None:
    """Discord created the poll but the bot was killed before recording it, and stayed down past the poll's
    end: back up, it finds the poll in the channel instead of giving up, and announces its result."""
    club = loop
    for i, title in enumerate(("Arrival", "Heat")):
        await suggest(club, club.member(name=f"fan{i}"), title)
    await start_poll(club, club.member(organiser=True), hours=1)
    await club.idle()
    (poll,) = club.polls_posted()
    await club.fake.vote(club.channel_id, poll["id"], club.member().user, [2])
    await club.bot.unload_extension("cogs.nights")

    async def killed_mid_send(conn: AsyncConnection, maybe_committed: bool) -> None:
        """The state as a kill right after Discord's answer leaves it: the poll unrecorded, its job claimed."""
        await conn.execute(update(polls).values(status="scheduled", message_id=None))
        await conn.execute(
            update(jobs)
            .where(jobs.c.kind == "poll_open")
            .values(status="sending", message_id=None, claimed_by="dead")
        )

    await club.state.db.write(killed_mid_send)
    await club.clock.advance(timedelta(hours=6))
    await club.bot.load_extension("cogs.nights")
    await club.idle()
    assert len(club.polls_posted()) == 1  # found, not posted again
    (result,) = club.footer_posts("Movie night poll #1")
    assert "**Heat (1995)** won poll #1" in result["content"] and "Posted late" in result["content"]


async def test_a_result_that_cannot_be_posted_is_recorded_and_listed(loop: Loop) -> None:
    club = loop
    poll = await open_poll(club, hours=1)
    await club.fake.vote(club.channel_id, poll["id"], club.member().user, [1])
    club.fake.fail_next("POST", "/channels/{channel_id}/messages", status=403)
    await club.advance(timedelta(hours=1, minutes=1))
    assert club.footer_posts("Movie night poll #1") == []
    (failed,) = await club.state.guild_polls(club.guild.id, ("failed",))
    assert failed.winners == (1,) and (failed.error or "").startswith("403 missing access")
    listing = text_of(await club.run(club.member(), "movienight", subcommand="list"))
    assert "⚠️ Poll `#1`" in listing and "failed: 403 missing access" in listing
