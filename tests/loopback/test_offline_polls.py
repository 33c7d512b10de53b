"""The offline Discord serves polls like Discord: created with a message (bodies Discord refuses are refused),
results on fetch that are final only after the expiry (its own clock, or an early expire by the author),
votes as gateway events only for sessions with the GUILD_MESSAGE_POLLS intent, voters per answer, 404 for a
deleted message; every request and answer checked against Discord's OpenAPI description."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import discord
import pytest
from discord.http import Route

from bot.offline.client import connected_client
from bot.offline.model import DiscordError
from bot.offline.routes.polls import INTENT_GUILD_MESSAGE_POLLS
from bot.offline.server import FakeDiscord
from tests.fakes import (
    FakeClock,
    utc,
)
from tests.loopback.openapi import problems_if_available

NOW = utc(2026, 11, 20, 12, 0)


def conforms(fake: FakeDiscord) -> None:
    assert not fake.handler_errors
    problems = problems_if_available(fake.requests())
    assert not problems, "\n".join(problems)


@contextlib.asynccontextmanager
async def club(clock: FakeClock) -> AsyncIterator[tuple[FakeDiscord, int]]:
    async with FakeDiscord(now=clock.now) as fake:
        guild = fake.add_guild("Film Club")
        yield fake, int(guild.text_channel["id"])


def a_poll(hours: int = 2) -> discord.Poll:
    poll = discord.Poll(question="Which film?", duration=timedelta(hours=hours))
    for title in ("Arrival", "Heat", "Whiplash"):
        poll.add_answer(text=title, emoji="🎬")
    return poll


async def test_a_poll_is_created_voted_on_expired_and_read() -> None:
    clock = FakeClock(NOW)
    async with club(clock) as (fake, channel_id), connected_client(fake) as client:
        channel = client.get_partial_messageable(channel_id)
        sent = await channel.send(poll=a_poll(hours=2))
        assert sent.poll is not None and sent.poll.expires_at == NOW + timedelta(hours=2)
        assert [a.id for a in sent.poll.answers] == [1, 2, 3]
        voters = [fake.voter(f"v{i}") for i in range(4)]
        for voter, answer in zip(voters, (2, 2, 1, 3), strict=True):
            await fake.vote(channel_id, sent.id, voter, [answer])
        await fake.vote(channel_id, sent.id, voters[3], [2])  # a changed vote replaces the first
        live = await channel.fetch_message(sent.id)
        assert live.poll is not None and not live.poll.is_finalised()
        assert [a.vote_count for a in live.poll.answers] == [1, 3, 0]

        await clock.advance(timedelta(hours=2))
        final = await channel.fetch_message(sent.id)
        assert final.poll is not None and final.poll.is_finalised()
        assert [a.vote_count for a in final.poll.answers] == [1, 3, 0]
        with pytest.raises(DiscordError, match="520001 Poll expired"):  # members can't vote any more
            await fake.vote(channel_id, sent.id, fake.voter("late"), [1])
        with pytest.raises(discord.HTTPException) as expired:
            await final.end_poll()
        assert expired.value.code == 520001

        heat = final.poll.get_answer(2)
        assert heat is not None
        assert sorted(u.id for u in [user async for user in heat.voters()]) == sorted(
            int(v["id"]) for v in (voters[0], voters[1], voters[3])
        )
    conforms(fake)


async def test_the_author_expires_a_poll_early_and_counts_freeze() -> None:
    clock = FakeClock(NOW)
    async with club(clock) as (fake, channel_id), connected_client(fake) as client:
        channel = client.get_partial_messageable(channel_id)
        sent = await channel.send(poll=a_poll(hours=48))
        await fake.vote(channel_id, sent.id, fake.voter("a"), [3])
        await clock.advance(timedelta(hours=1))
        ended = await sent.end_poll()
        assert ended.poll is not None and ended.poll.is_finalised()
        assert ended.poll.expires_at == NOW + timedelta(hours=1)
        (expire,) = fake.requests("POST", "/channels/{channel_id}/polls/{message_id}/expire")
        assert expire.status == 200
        plain = await channel.send("not a poll")
        with pytest.raises(discord.HTTPException) as not_poll:
            await client.http.end_poll(channel_id, plain.id)
        assert not_poll.value.code == 520006
        await fake.remove_message(channel_id, sent.id)
        with pytest.raises(discord.NotFound) as gone:
            await channel.fetch_message(sent.id)
        assert gone.value.code == 10008
        with pytest.raises(discord.NotFound):
            await client.http.end_poll(channel_id, sent.id)
    conforms(fake)


async def test_results_are_final_only_after_discord_recounts() -> None:
    clock = FakeClock(NOW)
    async with club(clock) as (fake, channel_id), connected_client(fake) as client:
        fake.finalize_delay = 30.0
        channel = client.get_partial_messageable(channel_id)
        sent = await channel.send(poll=a_poll(hours=1))
        await clock.advance(timedelta(hours=1, seconds=10))
        assert not (await channel.fetch_message(sent.id)).poll.is_finalised()  # type: ignore[union-attr]
        await clock.advance(timedelta(seconds=30))
        assert (await channel.fetch_message(sent.id)).poll.is_finalised()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("poll", "where"),
    [
        (
            {"question": {"text": "?"}, "answers": [{"poll_media": {"text": f"{i}"}} for i in range(11)]},
            "poll.answers",
        ),
        (
            {"question": {"text": "?"}, "answers": [{"poll_media": {"text": "x" * 56}}]},
            "poll.answers.0.poll_media.text",
        ),
        ({"question": {"text": " "}, "answers": [{"poll_media": {"text": "a"}}]}, "poll.question.text"),
        (
            {"question": {"text": "?"}, "answers": [{"poll_media": {"text": "a"}}], "duration": 769},
            "poll.duration",
        ),
        (
            {"question": {"text": "?"}, "answers": [{"poll_media": {"text": "a"}}], "duration": 0},
            "poll.duration",
        ),
    ],
)
async def test_polls_discord_refuses_are_refused(poll: dict[str, Any], where: str) -> None:
    async with club(FakeClock(NOW)) as (fake, channel_id), connected_client(fake) as client:
        with pytest.raises(discord.HTTPException) as refused:
            await client.http.request(
                Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id), json={"poll": poll}
            )
        assert refused.value.status == 400 and refused.value.code == 50035
        node: Any = refused.value.text  # discord.py flattens the errors into text: "In poll.answers: ..."
        assert where.split(".")[0] in node
        assert fake.messages(channel_id) == []


async def test_vote_events_go_only_to_sessions_with_the_poll_intent() -> None:
    clock = FakeClock(NOW)
    async with club(clock) as (fake, channel_id):
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws,
        ):
            await ws.receive_json(timeout=2)
            await ws.send_json(
                {"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}, "shard": [0, 1]}}
            )
            await fake.wait_shards_ready(1, timeout=5)
            async with connected_client(fake) as rest:
                sent = await rest.get_partial_messageable(channel_id).send(poll=a_poll())
            await fake.vote(channel_id, sent.id, fake.voter("quiet"), [1])
            (session,) = fake.live_sessions()
            assert not session.intents & INTENT_GUILD_MESSAGE_POLLS
            assert not [f for f in session.frames if str(f["t"]).startswith("MESSAGE_POLL_VOTE")]

        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_polls = True
        client = discord.Client(intents=intents)
        seen: list[discord.RawPollVoteActionEvent] = []
        added = asyncio.Event()

        @client.event
        async def on_raw_poll_vote_add(payload: discord.RawPollVoteActionEvent) -> None:
            seen.append(payload)
            added.set()

        with fake.patch_discord():
            runner = asyncio.create_task(client.start(fake.token))
            try:
                await fake.wait_shards_ready(1, timeout=10, since=fake.sessions[-1].created_at + 0.001)
                voter = fake.voter("loud")
                await fake.vote(channel_id, sent.id, voter, [3])
                await asyncio.wait_for(added.wait(), 5)
                assert (seen[0].answer_id, seen[0].message_id, seen[0].user_id) == (
                    3,
                    sent.id,
                    int(voter["id"]),
                )
            finally:
                await client.close()
                await asyncio.wait_for(runner, 5)
    conforms(fake)
