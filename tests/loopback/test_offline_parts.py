"""The offline Discord's parts on their own: what it refuses (like Discord), and the virtual clock."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.offline.client import connected_client
from bot.offline.clock import FileClock, VirtualClock
from bot.offline.model import FakeGuild
from bot.offline.server import FakeDiscord
from bot.offline.validation import error_body, message_violations

from .openapi import problems_if_available

MESSAGES = "/channels/{channel_id}/messages"


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ({"name": "Note", "value": ""}, "value"),
        ({"name": "Note", "value": "   \n "}, "value"),
        ({"name": " ", "value": "x"}, "name"),
        ({"name": "", "value": "x"}, "name"),
    ],
)
async def test_blank_embed_fields_are_refused_with_discords_400(
    fake: FakeDiscord, guild: FakeGuild, field: dict[str, str], where: str
) -> None:
    async with connected_client(fake) as client:
        channel = client.get_partial_messageable(int(guild.text_channel["id"]))
        embed = discord.Embed(title="Movie night")
        embed.add_field(**field)
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send(embed=embed)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    (request,) = fake.requests("POST", MESSAGES)
    errors = request.response["errors"]
    assert errors["embeds"]["0"]["fields"]["0"][where]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    assert fake.messages(guild.text_channel["id"]) == []


async def test_a_zero_width_space_is_an_accepted_field_and_whitespace_content_is_empty(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with connected_client(fake) as client:
        channel = client.get_partial_messageable(int(guild.text_channel["id"]))
        embed = discord.Embed(title="t").add_field(name="\u200b", value="\u200b")
        await channel.send(embed=embed)  # Discord's own advice for a "blank" field
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("  \n ")
    assert (caught.value.status, caught.value.code) == (400, 50006)


def test_limits_are_reported_where_discord_reports_them() -> None:
    body = {
        "content": "x" * 2001,
        "embeds": [{"title": "t" * 257, "fields": [{"name": "n", "value": "v" * 1025}] * 26}],
    }
    found = {str(v) for v in message_violations(body)}
    assert "content is 2001 characters (max 2000)" in found
    assert "embeds[0].title is 257 characters (max 256)" in found
    assert "embeds[0].fields has 26 entries (max 25)" in found
    assert any(v.startswith("embeds total") for v in found)
    errors = error_body(message_violations(body))
    assert errors["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert "_errors" in errors["embeds"]["0"]["fields"]["25"]["value"]


async def test_virtual_clock_moves_only_when_told_and_wakes_file_sleepers(tmp_path: Path) -> None:
    start = datetime(2030, 1, 1, 12, tzinfo=UTC)
    clock = VirtualClock(tmp_path / "clock", start)
    reader = FileClock(tmp_path / "clock")
    assert reader.now() == start
    sleeper = asyncio.create_task(reader.sleep(3600))
    await asyncio.sleep(0)
    assert not sleeper.done()
    assert clock.sleepers() == {os.getpid()} and clock.asleep([os.getpid()])  # the driver can see it sleep
    clock.advance(timedelta(minutes=59))
    await asyncio.sleep(0)
    assert not sleeper.done() and reader.now() == start + timedelta(minutes=59)
    clock.advance(60)
    await asyncio.wait_for(sleeper, 5)  # woken by the move, not by real time passing
    assert clock.sleepers() == set()
    assert reader.now() == start + timedelta(hours=1)
    with pytest.raises(ValueError, match="never goes back"):
        clock.move_to(start)


async def test_snowflakes_and_timestamps_follow_the_virtual_clock(tmp_path: Path) -> None:
    clock = VirtualClock(tmp_path / "clock", datetime(2031, 5, 1, tzinfo=UTC))
    async with FakeDiscord(now=clock.now) as fake:
        first = discord.utils.snowflake_time(fake.new_id())
        clock.advance(timedelta(days=2))
        later = discord.utils.snowflake_time(fake.new_id())
    assert first == datetime(2031, 5, 1, tzinfo=UTC)
    assert later - first == timedelta(days=2)


async def test_a_poll_comes_back_as_discord_returns_it(fake: FakeDiscord, guild: FakeGuild) -> None:
    """Found by the fuzz (two films, /movienight poll): the poll was echoed as sent, without answer ids."""
    async with connected_client(fake) as client:
        channel = client.get_partial_messageable(int(guild.text_channel["id"]))
        poll = discord.Poll(question="Which film?", duration=timedelta(hours=2))
        poll.add_answer(text="Whiplash")
        poll.add_answer(text="The Perfection")
        sent = await channel.send(poll=poll)
    assert sent.poll is not None and [a.id for a in sent.poll.answers] == [1, 2]
    assert sent.poll.expires_at is not None
    (request,) = fake.requests("POST", MESSAGES)
    assert problems_if_available([request]) == []
