"""Faults over the wire, against the real bot process: 500s and 429s on interaction callbacks and channel posts
(nothing lost, nothing duplicated), a dropped gateway connection (RESUME), an invalid session (a new IDENTIFY),
and a rejected token (exit code 2 with a clear message)."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import discord
import pytest

from bot.offline.model import T_CALLBACK
from tests.e2e.wire import (
    MESSAGES,
    night_id_of,
)

if TYPE_CHECKING:
    from bot.offline.routes.interactions import InteractionHandle
    from tests.e2e.conftest import (
        Club,
        ClubFactory,
    )

pytestmark = pytest.mark.slow  # real bot processes

EPHEMERAL = 1 << 6
TITLE = "The Perfection (2018)"


def answers(club: Club) -> list[str]:
    """Titles of the non-ephemeral answers in the channel, oldest first."""
    return [
        m["embeds"][0].get("title", "")
        for m in club.fake.messages(club.channel_id)
        if m["embeds"] and not m["flags"] & EPHEMERAL
    ]


async def movie(club: Club, timeout: float = 5.0) -> InteractionHandle:  # noqa: ASYNC109
    handle = await club.run(club.member(), "movie", timeout=timeout)
    assert handle.response_type == 4 and handle.response_data["embeds"][0]["title"] == TITLE
    return handle


async def test_callback_500_and_429_are_retried_once_answered(club: Club) -> None:
    await club.start_bot()
    club.fake.fail_next("POST", T_CALLBACK, status=500)
    club.fake.fail_next("POST", T_CALLBACK, status=429, retry_after=0.3)

    handle = await movie(club)

    assert [r.status for r in handle.requests] == [500, 429, 200]
    assert all(r.json == handle.requests[-1].json for r in handle.requests)  # the same answer each time
    assert (
        handle.latency is not None and 1.0 <= handle.latency < 3.0
    )  # 1 s after the 500, within Discord's 3 s
    assert answers(club) == [TITLE]
    await movie(club)
    assert answers(club) == [TITLE, TITLE]
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_callback_committed_but_answered_500_is_not_duplicated(club: Club) -> None:
    """Discord keeps the answer, the bot hears 500 and retries: Discord refuses the second answer (40060). The
    member sees one answer and no error message."""
    bot = await club.start_bot()
    club.fake.fail_next("POST", T_CALLBACK, status=500, after_handling=True)

    handle = await club.send(club.member(), "cast", {"name": "Paloma"})
    await club.fake.wait_until(lambda: len(handle.requests) >= 2, 5, "the retry")
    await club.wait_output(bot, "was already answered; nothing to repeat")

    assert [r.status for r in handle.requests] == [500, 400]  # the retry finds it answered: no error report
    assert handle.response_data["embeds"][0]["fields"][0]["name"] == "4. Alaina Huffman: Paloma"
    (shown,) = handle.messages()
    assert shown["embeds"][0]["title"] == "Cast: The Perfection (2018)"
    assert handle.followups == []
    await movie(club)  # and the bot carries on
    club.assert_wire_clean()


async def test_channel_post_500_after_commit_and_429_post_the_announcement_once(club: Club) -> None:
    await club.start_bot()
    club.fake.fail_next("POST", MESSAGES, status=500, after_handling=True)  # committed, answer lost
    club.fake.fail_next("POST", MESSAGES, status=429, retry_after=0.5)

    organiser = club.member(organiser=True)
    handle = await club.run(organiser, "movienight", {"when": "in 2 hours"}, subcommand="schedule")
    (reply,) = await club.followup(handle)
    night = night_id_of(reply["content"])
    (announcement,) = await club.wait_posts(club.channel_id, night, "announce", 10)
    await club.fake.wait_until(
        lambda: any(r.status == 200 for r in club.post_requests(night, "announce")), 10, "the 200"
    )

    attempts = club.post_requests(night, "announce")
    assert [r.status for r in attempts] == [500, 429, 200]
    assert len({r.json["nonce"] for r in attempts}) == 1 and all(r.json["enforce_nonce"] for r in attempts)
    assert attempts[-1].response["id"] == announcement["id"]  # Discord handed back the committed message
    assert len(club.posts(club.channel_id, night, "announce")) == 1
    assert len(club.guild.scheduled_events) == 1
    listed = await club.run(club.member(), "movienight", subcommand="list")
    assert f"#{night}" in listed.response_data["content"] and "⚠️" not in listed.response_data["content"]
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_dropped_connection_resumes_and_replays_the_missed_command(club: Club) -> None:
    await club.start_bot()
    await movie(club)

    await club.fake.drop_connection(0)
    missed = await club.send(club.member(), "movie")  # dispatched while the bot is disconnected
    await missed.wait(5)
    assert missed.response_data["embeds"][0]["title"] == TITLE

    assert club.fake.identify_count() == 1 and club.fake.resume_count() == 1
    connects = [d["path"] for _, kind, d in club.fake.gateway_log if kind == "CONNECT"]
    assert connects == ["/gateway", "/resume-gateway"]
    await movie(club)
    assert answers(club) == [TITLE] * 3
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_invalid_session_identifies_again_and_answers(club: Club) -> None:
    await club.start_bot()
    await club.fake.invalidate_session(0, resumable=True)
    await club.fake.wait_until(lambda: club.fake.resume_count() == 1, 5, "RESUME after a resumable op 9")
    await movie(club)

    since = time.monotonic()
    await club.fake.invalidate_session(0, resumable=False)
    await club.fake.wait_shards_ready(
        1, since=since, timeout=12
    )  # discord.py waits 5 s before re-identifying
    assert club.fake.identify_count() == 2
    await movie(club)
    assert answers(club) == [TITLE, TITLE]
    club.assert_wire_clean()
    club.assert_no_traceback()


async def rejected(clubs: ClubFactory) -> tuple[int, str, Club]:
    """Run the bot with a token FakeDiscord refuses; (exit code, output, club)."""
    club = await clubs(token="the.real.token")
    bot = await club.start_bot(token="not.the.token", ready=False)
    code = await bot.wait_exit(20)
    return code, bot.output(), club


async def test_rejected_token_exits_2_with_a_clear_message(clubs: ClubFactory) -> None:
    code, output, club = await rejected(clubs)
    assert code == 2, output
    assert "Discord rejected DISCORD_TOKEN" in output
    assert "Traceback" not in output
    assert [(r.path, r.status) for r in club.fake.requests()] == [("/users/@me", 401)]
    assert club.fake.gateway_log == []


async def test_rejected_token_message_does_not_claim_there_is_no_token(clubs: ClubFactory) -> None:
    code, output, _ = await rejected(clubs)
    assert code == 2
    assert "No DISCORD_TOKEN is configured" not in output


async def test_invite_link_asks_for_the_documented_permissions(clubs: ClubFactory) -> None:
    _, output, _ = await rejected(clubs)
    found = re.search(r"permissions=(\d+)", output)
    assert found, output
    granted = discord.Permissions(int(found.group(1)))
    needed = {"view_channel", "send_messages", "embed_links", "read_message_history", "send_polls"}
    events = {"manage_events", "create_events"}
    allowed = discord.Permissions(**dict.fromkeys(needed | events, True))
    assert all(getattr(granted, name) for name in needed), granted
    assert any(getattr(granted, name) for name in events), granted
    assert granted.is_subset(allowed), granted


async def test_sigterm_closes_the_bot_cleanly(club: Club) -> None:
    bot = await club.start_bot()
    await movie(club)
    code = await bot.terminate(grace=5.0)
    closes = [d["close_code"] for _, kind, d in club.fake.gateway_log if kind == "DISCONNECT"]
    assert (code, closes) == (0, [1000])


async def test_an_answer_after_discords_deadline_is_one_log_line_and_the_bot_carries_on(club: Club) -> None:
    """Discord refuses a callback after 3 s (404, 10062): the token is dead, so there is no one to answer; the
    bot says so in one line (no traceback, no second try) and answers the next interaction."""
    bot = await club.start_bot()
    club.fake.interaction_deadline = 0.0  # every callback is now too late

    handle = await club.send(club.member(), "movie")
    await club.wait_output(bot, f"interaction {handle.id} expired before it was answered")

    assert [r.status for r in handle.requests] == [404]  # no error report tried on the dead token
    club.fake.interaction_deadline = 3.0
    await movie(club)
    club.assert_no_traceback()
