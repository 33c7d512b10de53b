"""/movienight list, edit, cancel and settings in-process; delivery retries; the scheduler's guilds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import discord
import pytest

from bot.client import FilmBot
from bot.settings import Settings
from tests.cogs.nights_env import (
    EPHEMERAL,
    NOW,
    Env,
    announced,
    last_text,
    reply_bodies,
)
from tests.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    OTHER_CHANNEL_ID,
    OTHER_ROLE_ID,
    SEND,
    command_payload,
    http_error,
    option,
    resolved_channel,
    resolved_role,
)
from tests.fakes import (
    FakeKnowledge,
    eventually,
    until,
    utc,
)

# -- list, edit, cancel, settings, poll -----------------------------------------------------------------------


async def test_list_shows_rsvp_counts_and_delivery_failures(env: Env) -> None:
    env.fake.fail_next("POST", f"/channels/{CHANNEL_ID}/messages", http_error(403, "Missing Access", 50001))
    await env.schedule()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    await eventually(lambda: bool(env.fake.posted()))
    await env.state.set_rsvp(night.id, MEMBER_ID, "going", now=NOW)

    async def failed() -> bool:
        return (await env.state.jobs_for_night(night.id))[0].status == "failed"

    await until(failed)
    env.fake.requests.clear()
    await env.run(command_payload("list", user_id=MEMBER_ID, permissions=SEND))
    [reply] = reply_bodies(env.fake)
    assert reply["flags"] == EPHEMERAL
    assert f"`#{night.id}`" in reply["content"] and "✅ 1" in reply["content"]
    assert "announcement failed: 403 missing access" in reply["content"]


async def test_5xx_on_the_announcement_is_retried(env: Env) -> None:
    env.fake.fail_next("POST", f"/channels/{CHANNEL_ID}/messages", http_error(503, "Service Unavailable"))
    await env.schedule()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    await eventually(lambda: len(env.fake.posted()) == 1)
    job = (await env.state.jobs_for_night(night.id))[0]
    assert job.status in ("pending", "sending")
    await env.advance(5)
    await eventually(lambda: len(env.fake.posted()) == 2)
    first, second = env.fake.posted()
    assert first.json["nonce"] == second.json["nonce"]
    await eventually(lambda: len(env.fake.messages) == 1)


async def test_cancel_marks_the_announcement_cancels_the_event_and_stops_reminders(env: Env) -> None:
    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    await until(announced(env, night.id))
    env.fake.requests.clear()
    await env.run(command_payload("cancel", [option("id", night.id, 4)]))
    assert "Cancelled movie night" in last_text(env.fake)
    [edit] = env.fake.find("PATCH", f"/channels/{CHANNEL_ID}/messages/{message['id']}")
    assert edit.json["components"] == [] and "Cancelled" in edit.json["embeds"][0]["title"]
    [event] = env.fake.find("PATCH", f"/guilds/{GUILD_ID}/scheduled-events/")
    assert event.json["status"] == 4
    assert {j.status for j in (await env.state.jobs_for_night(night.id))[1:]} == {"cancelled"}
    await env.advance(timedelta(days=10))
    await env.advance(0)  # the scheduler went back to sleep: nothing was due
    assert env.fake.posted() == []  # no reminder, start or spoilers post
    env.fake.requests.clear()
    await env.run(command_payload("list"))
    assert "No movie nights" in last_text(env.fake)


async def test_edit_moves_the_night_event_and_reminders(env: Env) -> None:
    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    env.fake.requests.clear()
    await env.run(
        command_payload(
            "edit", [option("id", night.id, 4), option("when", "2026-11-29 19:00"), option("note", "New")]
        )
    )
    new_start = utc(2026, 11, 29, 19, 0)
    ts = int(new_start.timestamp())
    assert f"<t:{ts}:F>" in last_text(env.fake)
    [event] = env.fake.find("PATCH", f"/guilds/{GUILD_ID}/scheduled-events/")
    assert event.json["scheduled_start_time"] == new_start.isoformat()
    assert event.json["scheduled_end_time"] == (new_start + timedelta(minutes=90)).isoformat()
    [edit] = env.fake.find("PATCH", f"/channels/{CHANNEL_ID}/messages/{message['id']}")
    assert f"<t:{ts}:F>" in edit.json["content"] and edit.json["components"]
    jobs = [j for j in await env.state.jobs_for_night(night.id) if j.status == "pending"]
    assert [(j.kind, j.due_at) for j in jobs] == [
        ("reminder", new_start - timedelta(hours=24)),
        ("reminder", new_start - timedelta(minutes=15)),
        ("start", new_start),
        ("spoilers", new_start + timedelta(minutes=90)),
    ]
    updated = await env.state.get_night(night.id)
    assert updated is not None and updated.note == "New"


async def test_edit_and_cancel_unknown_night(env: Env) -> None:
    await env.run(command_payload("cancel", [option("id", 999, 4)]))
    assert "no upcoming movie night `#999`" in last_text(env.fake)
    await env.run(command_payload("edit", [option("id", 999, 4), option("note", "x")]))
    assert "no upcoming movie night `#999`" in last_text(env.fake)


async def test_settings_show_update_and_apply(env: Env) -> None:
    await env.run(command_payload("settings"))
    assert "Timezone: UTC" in last_text(env.fake) and "24h,15m" in last_text(env.fake)
    await env.run(command_payload("settings", [option("reminders", "soon-ish")]))
    assert "can't read" in last_text(env.fake)
    await env.run(command_payload("settings", [option("timezone", "Nowhere/City")]))
    assert "don't know the timezone" in last_text(env.fake)
    await env.run(
        command_payload(
            "settings",
            [
                option("channel", str(OTHER_CHANNEL_ID), 7),
                option("timezone", "asia/kolkata"),
                option("role", str(OTHER_ROLE_ID), 8),
                option("reminders", "1h, 10m"),
            ],
            resolved={
                **resolved_channel(OTHER_CHANNEL_ID, "general"),
                **resolved_role(OTHER_ROLE_ID, "moderators"),
            },
        )
    )
    text = last_text(env.fake)
    assert (
        "updated" in text and "Asia/Kolkata" in text and "1h,10m" in text and f"<#{OTHER_CHANNEL_ID}>" in text
    )
    await env.run(command_payload("schedule", [option("when", "2026-11-28 20:00")]))
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    assert (night.channel_id, night.role_id, night.timezone) == (
        OTHER_CHANNEL_ID,
        OTHER_ROLE_ID,
        "Asia/Kolkata",
    )
    jobs = await env.state.jobs_for_night(night.id)
    assert [j.offset_s for j in jobs if j.kind == "reminder"] == [3600, 600]
    await env.run(command_payload("settings", [option("clear_role", True, 5)]))
    assert "Role to ping: none" in last_text(env.fake)


@pytest.mark.parametrize(("count", "ids"), [("2", "1"), ("3", "0,2"), ("4", ""), ("", "")])
def test_the_scheduler_serves_the_bots_guilds(tmp_path: Path, count: str, ids: str) -> None:
    from cogs.nights import MovieNight

    env = {"STATE_DB": str(tmp_path / "state.db"), "SHARD_COUNT": count, "SHARD_IDS": ids}
    bot = FilmBot(Settings.from_env(env, dotenv=False), FakeKnowledge([]), None)  # type: ignore[arg-type]
    scheduler = MovieNight(bot).scheduler
    assert scheduler.shards == bot.served_shards
    wanted = {int(i) for i in ids.split(",") if i} or set(range(int(count or 1)))
    for guild_id in [GUILD_ID, *((n << 22) + n for n in range(50))]:
        served = (guild_id >> 22) % int(count or 1) in wanted  # Discord's rule, written out
        assert bot.serves_guild(guild_id) == served
        assert (scheduler.shards is None or scheduler.shards.serves(guild_id)) == served


async def test_poster_finds_an_earlier_post_by_its_footer(env: Env) -> None:
    from bot.nights.scheduler import Delivery

    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    announce, *_, start = await env.state.jobs_for_night(night.id)
    poster = env.bot.get_cog("MovieNight").poster  # type: ignore[union-attr]
    found = await poster.find_delivered(Delivery(announce, night), NOW - timedelta(minutes=1))
    assert found == int(message["id"])
    assert await poster.find_delivered(Delivery(start, night), NOW - timedelta(minutes=1)) is None
    assert env.fake.find("GET", f"/channels/{CHANNEL_ID}/messages")


def test_discord_errors_map_to_permanent_or_temporary() -> None:
    import aiohttp

    from cogs.nights.poster import delivery_error

    forbidden = delivery_error(http_error(403, "Missing Access", 50001))
    assert forbidden.permanent and forbidden.reason.startswith("403")
    gone = delivery_error(http_error(404, "Unknown Channel", 10003))
    assert gone.permanent and gone.reason.startswith("404")
    assert delivery_error(http_error(400, "Invalid Form Body")).permanent
    assert not delivery_error(http_error(503, "Service Unavailable")).permanent
    assert not delivery_error(http_error(429, "rate limited")).permanent
    limited = delivery_error(discord.RateLimited(42.0))
    assert not limited.permanent and limited.retry_after == 42.0
    assert not delivery_error(aiohttp.ClientConnectionError("reset")).permanent
    assert not delivery_error(TimeoutError()).permanent
