"""/movienight schedule in-process: announcements, events, mentions, permissions, times, limits, autocomplete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage.models import FilmRef
from tests.cogs.nights_env import (
    EPHEMERAL,
    NOW,
    START,
    Env,
    close_env,
    last_text,
    make_env,
    reply_bodies,
)
from tests.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    ROLE_ID,
    SEND,
    command_payload,
    option,
)
from tests.fakes import (
    ARRIVAL,
    PERFECTION,
    FakeClock,
    FakeKnowledge,
    overview_for,
    until,
    utc,
)

# -- scheduling ---------------------------------------------------------------------------------------------


async def test_schedule_announces_creates_event_and_echoes_the_time(env: Env) -> None:
    await env.schedule(role=(ROLE_ID, "movie-night"), extra={"note": "Bring snacks"})
    bodies = reply_bodies(env.fake)
    assert bodies[0]["type"] == 5 and bodies[0]["flags"] == EPHEMERAL  # deferred, ephemeral
    reply = bodies[-1]
    ts = int(START.timestamp())
    assert (
        reply["flags"] == EPHEMERAL
        and f"<t:{ts}:F>" in reply["content"]
        and f"<t:{ts}:R>" in reply["content"]
    )
    assert "Europe/London" in reply["content"]

    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    assert (night.starts_at, night.runtime_minutes, night.role_id, night.note) == (
        START,
        90,
        ROLE_ID,
        "Bring snacks",
    )

    [event] = env.fake.find("POST", f"/guilds/{GUILD_ID}/scheduled-events")
    assert event.json["entity_type"] == 3 and event.json["privacy_level"] == 2
    assert event.json["entity_metadata"] == {"location": "Discord · #movie-night"}
    assert event.json["scheduled_start_time"] == START.isoformat()
    assert event.json["scheduled_end_time"] == (START + timedelta(minutes=90)).isoformat()
    assert event.json["name"] == "Movie night: The Perfection (2018)"
    assert "troubled musical prodigy" in event.json["description"]
    assert night.event_id is not None and night.event_error is None

    message = await env.announcement()
    [post] = env.fake.posted(CHANNEL_ID)
    job = (await env.state.jobs_for_night(night.id))[0]
    assert post.json["nonce"] == job.nonce and post.json["enforce_nonce"] is True
    assert post.json["content"].startswith(f"<@&{ROLE_ID}>")
    embed = post.json["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["When"] == f"<t:{ts}:F> (<t:{ts}:R>)"
    assert fields["Runtime"] == "90 minutes" and fields["Director"] == "Richard Shepard"
    assert fields["Year"] == "2018" and fields["Where to watch"] == "Netflix"
    assert "Allison Williams as Charlotte" in fields["Starring"] and fields["Note"] == "Bring snacks"
    assert "troubled musical prodigy" in embed["description"]
    buttons = message["components"][0]["components"]
    assert [(b["custom_id"], b["label"]) for b in buttons] == [
        (f"rsvp:{night.id}:going", "Going (0)"),
        (f"rsvp:{night.id}:maybe", "Maybe (0)"),
        (f"rsvp:{night.id}:no", "Can't go (0)"),
    ]

    async def recorded() -> bool:
        sent = (await env.state.jobs_for_night(night.id))[0]
        return sent.status == "sent" and sent.message_id == int(message["id"])

    await until(recorded)


async def test_mentions_are_limited_to_the_chosen_role(env: Env) -> None:
    note = "@everyone @here <@123456789012345678> <@!123456789012345678> <@&456456456456456456> come!"
    await env.schedule(role=(ROLE_ID, "movie-night"), extra={"note": note})
    await env.announcement()
    [post] = env.fake.posted(CHANNEL_ID)
    mentions = post.json["allowed_mentions"]
    assert mentions["parse"] == [] and [str(r) for r in mentions["roles"]] == [str(ROLE_ID)]
    assert "users" not in mentions or mentions["users"] == []
    text = post.json["content"] + " ".join(f["value"] for f in post.json["embeds"][0]["fields"])
    assert "@everyone" not in text and "@here" not in text
    assert "<@1234" not in text and "<@!1234" not in text and "<@&4564" not in text
    assert text.count("<@&") == 1  # the chosen role, in the content only
    note_field = next(f["value"] for f in post.json["embeds"][0]["fields"] if f["name"] == "Note")
    assert "@\u200beveryone" in note_field  # shown, inert
    [event] = env.fake.find("POST", f"/guilds/{GUILD_ID}/scheduled-events")
    assert "@everyone" not in event.json["description"] and "<@1234" not in event.json["description"]
    assert "@\u200beveryone" in event.json["description"]


async def test_without_a_role_nothing_can_ping(env: Env) -> None:
    await env.schedule(extra={"note": "@everyone <@&456456456456456456>"})
    await env.announcement()
    [post] = env.fake.posted(CHANNEL_ID)
    assert post.json["allowed_mentions"]["parse"] == []
    assert not post.json["allowed_mentions"].get("roles")
    assert "<@&" not in post.json["content"]


async def test_everyone_role_is_refused(env: Env) -> None:
    await env.schedule(role=(GUILD_ID, "@everyone"))
    assert "not @\u200beveryone" in last_text(env.fake)
    assert await env.state.upcoming_nights(GUILD_ID, NOW) == []


async def test_members_without_manage_events_are_refused(env: Env) -> None:
    for sub, opts in [
        ("schedule", [option("when", "friday 8pm")]),
        ("cancel", [option("id", 1, 4)]),
        ("edit", [option("id", 1, 4), option("note", "x")]),
        ("settings", []),
        ("poll start", []),
        ("poll end", []),
    ]:
        env.fake.requests.clear()
        await env.run(command_payload(sub, opts, user_id=MEMBER_ID, permissions=SEND))
        [reply] = reply_bodies(env.fake)
        assert reply["type"] == 4 and reply["flags"] == EPHEMERAL, sub
        assert "Manage Events" in reply["content"], sub
    assert await env.state.upcoming_nights(GUILD_ID, NOW) == []
    assert env.fake.posted() == [] and env.fake.find("POST", "/guilds") == []


@pytest.mark.parametrize(
    ("when", "timezone", "message"),
    [
        ("2020-01-01 20:00", "Europe/London", "in the past"),
        ("whenever you like", "Europe/London", "can't read"),
        ("friday 8pm", "Mars/Olympus", "don't know the timezone"),
        ("2026-03-08 02:30", "America/New_York", "doesn't exist"),
    ],
)
async def test_bad_times_get_a_clear_ephemeral_error(
    env: Env, when: str, timezone: str, message: str
) -> None:
    env.clock._now = utc(2026, 3, 1, 12, 0)
    await env.schedule(when=when, timezone=timezone)
    [reply] = reply_bodies(env.fake)
    assert reply["flags"] == EPHEMERAL and message in reply["content"]
    assert await env.state.upcoming_nights(GUILD_ID, env.clock.now()) == []


async def test_natural_time_in_the_servers_default_timezone(env: Env) -> None:
    await env.state.update_guild_settings(GUILD_ID, now=NOW, timezone="Asia/Kolkata")
    await env.run(command_payload("schedule", [option("when", "tomorrow 20:30")]))
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    assert night.starts_at == utc(2026, 11, 21, 15, 0) and night.timezone == "Asia/Kolkata"


async def test_limits_for_long_titles_premises_and_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    film = FilmRef("long", "A Very Long Title " * 20, 2001)
    premise = "An extremely long premise sentence that goes on. " * 80
    where = tuple(f"Service number {i}" for i in range(40))
    overview = overview_for(film, premise=premise, where=where, runtime=None)
    env = await make_env(tmp_path, monkeypatch, FakeKnowledge([film], {film.slug: overview}), FakeClock(NOW))
    try:
        await env.schedule(extra={"note": "N" * 500})
        [event] = env.fake.find("POST", f"/guilds/{GUILD_ID}/scheduled-events")
        assert len(event.json["name"]) <= 100 and len(event.json["description"]) <= 1000
        assert len(event.json["entity_metadata"]["location"]) <= 100
        assert event.json["scheduled_end_time"] == (START + timedelta(hours=2)).isoformat()  # runtime unknown
        await env.announcement()
        [post] = env.fake.posted(CHANNEL_ID)
        embed = post.json["embeds"][0]
        assert len(post.json["content"]) <= 2000 and len(embed["title"]) <= 256
        assert len(embed["description"]) <= 4096 and all(len(f["value"]) <= 1024 for f in embed["fields"])
        total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
        total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
        assert total <= 6000
        for button in post.json["components"][0]["components"]:
            assert len(button["label"]) <= 80 and len(button["custom_id"]) <= 100
    finally:
        await close_env(env)


async def test_several_films_need_the_film_option_and_autocomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = await make_env(tmp_path, monkeypatch, FakeKnowledge([PERFECTION, ARRIVAL]), FakeClock(NOW))
    try:
        await env.schedule()
        assert "Which film" in last_text(env.fake)
        assert await env.state.upcoming_nights(GUILD_ID, NOW) == []
        env.fake.requests.clear()
        await env.run(
            command_payload(
                "schedule",
                [option("when", "friday 8pm"), option("film", "arr", focused=True)],
                autocomplete=True,
            )
        )
        [choices] = [r.json for r in env.fake.replies()]
        assert choices["type"] == 8
        assert choices["data"]["choices"] == [{"name": "Arrival (2016)", "value": "arrival"}]
        await env.schedule(extra={"film": "arrival"})
        night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
        assert night.film == ARRIVAL
    finally:
        await close_env(env)


async def test_timezone_autocomplete(env: Env) -> None:
    await env.run(
        command_payload(
            "schedule", [option("when", "x"), option("timezone", "lond", focused=True)], autocomplete=True
        )
    )
    [reply] = [r.json for r in env.fake.replies()]
    names = [c["name"] for c in reply["data"]["choices"]]
    assert names[0] == "Europe/London" and len(names) <= 25
