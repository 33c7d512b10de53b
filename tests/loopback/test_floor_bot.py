"""The offline Discord against real discord.py: the floor bot as a subprocess (login, sync, RESUME, invalid
sessions, 500s and 429s, a wrong token)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.floor_bot import PONG
from bot.offline.model import T_CALLBACK, FakeGuild
from bot.offline.payloads import (
    Context,
    slash_command,
)
from bot.offline.process import BotProcess
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord

from . import SITECUSTOMIZE
from .openapi import assert_conforms

PONG_CALLBACK = {"type": 4, "data": {"content": PONG, "tts": False}}
MESSAGES = "/channels/{channel_id}/messages"


async def ping(fake: FakeDiscord, guild: FakeGuild) -> InteractionHandle:
    command = fake.command("ping")
    handle = await fake.send_interaction(
        slash_command(Context.in_guild(fake, guild), "ping", command_id=command["id"])
    )
    await handle.wait(5)
    return handle


def contents(fake: FakeDiscord, guild: FakeGuild) -> list[str]:
    return [m["content"] for m in fake.messages(guild.text_channel["id"])]


# ------------------------------------------------------------------ the floor bot, a real subprocess


@pytest.mark.slow  # a subprocess
async def test_floor_bot_logs_in_syncs_and_answers_ping(
    fake: FakeDiscord, guild: FakeGuild, floor_bot: BotProcess
) -> None:
    templates = [r.template for r in fake.requests()]
    assert templates == ["/users/@me", "/oauth2/applications/@me", "/applications/{application_id}/commands"]
    assert all(r.authorized for r in fake.requests())
    (identify,) = [d for _, kind, d in fake.gateway_log if kind == "IDENTIFY"]
    assert identify["intents"] == 1  # guilds only
    assert [c["name"] for c in fake.commands()] == ["ping"]

    handle = await ping(fake, guild)

    assert handle.callback is not None
    assert handle.callback.json == PONG_CALLBACK
    assert handle.callback.query == {"with_response": "1"}
    assert handle.callback.response["resource"]["message"]["content"] == PONG
    assert contents(fake, guild) == [PONG]
    assert handle.latency is not None and handle.latency < 1.0
    assert not fake.unknown_requests()
    assert_conforms(fake)

    assert await floor_bot.terminate() == 0  # SIGTERM closes the client cleanly
    assert floor_bot.peak_rss_kib is not None and floor_bot.peak_rss_kib > 10_000
    assert "Traceback" not in floor_bot.output()


@pytest.mark.slow  # a subprocess
async def test_floor_bot_resumes_after_dropped_connection(
    fake: FakeDiscord, guild: FakeGuild, floor_bot: BotProcess
) -> None:
    await fake.drop_connection(0)
    handle = await ping(fake, guild)  # dispatched while the bot reconnects: it must come back via RESUME
    assert handle.callback is not None and handle.callback.json == PONG_CALLBACK

    assert fake.identify_count() == 1
    assert fake.resume_count() == 1
    connects = [d["path"] for _, kind, d in fake.gateway_log if kind == "CONNECT"]
    assert connects == ["/gateway", "/resume-gateway"]
    assert (await ping(fake, guild)).callback is not None
    assert contents(fake, guild) == [PONG, PONG]
    assert_conforms(fake)


@pytest.mark.slow  # a subprocess
async def test_floor_bot_handles_invalid_session(
    fake: FakeDiscord, guild: FakeGuild, floor_bot: BotProcess
) -> None:
    await fake.invalidate_session(0, resumable=True)
    await fake.wait_until(lambda: fake.resume_count() == 1, 5, "RESUME after resumable INVALID_SESSION")
    assert (await ping(fake, guild)).callback is not None

    since = time.monotonic()
    await fake.invalidate_session(0, resumable=False)
    # discord.py's before_identify_hook sleeps 5 s before any non-initial IDENTIFY.
    await fake.wait_shards_ready(1, since=since, timeout=10)
    assert fake.identify_count() == 2
    handle = await ping(fake, guild)
    assert handle.callback is not None and handle.callback.json == PONG_CALLBACK
    assert contents(fake, guild) == [PONG, PONG]
    assert_conforms(fake)


@pytest.mark.slow  # a subprocess
async def test_floor_bot_retries_500_and_429_without_loss_or_duplicates(
    fake: FakeDiscord, guild: FakeGuild, floor_bot: BotProcess
) -> None:
    fake.fail_next("POST", T_CALLBACK, status=500)
    fake.fail_next("POST", T_CALLBACK, status=429, retry_after=0.25)

    handle = await ping(fake, guild)

    assert [r.status for r in handle.requests] == [500, 429, 200]
    assert all(r.json == PONG_CALLBACK for r in handle.requests)
    assert contents(fake, guild) == [PONG]
    assert handle.latency is not None and 1.0 <= handle.latency < 3.0  # discord.py waits 1 s after a 500
    assert (await ping(fake, guild)).callback is not None
    assert contents(fake, guild) == [PONG, PONG]


@pytest.mark.slow  # a subprocess
async def test_wrong_token_exits_with_login_failure(fake: FakeDiscord, tmp_path: Path) -> None:
    bot = BotProcess(
        fake, SITECUSTOMIZE, module="bench.floor_bot", token="not.the.token", log_path=tmp_path / "bot.log"
    )
    async with bot:
        code = await bot.wait_exit(15)
    assert code == 1
    assert "LoginFailure: Improper token has been passed." in bot.output()
    assert "Traceback" not in bot.output()
    assert [(r.path, r.status) for r in fake.requests()] == [("/users/@me", 401)]
    assert fake.gateway_log == []
