"""/movienight driven with real discord.Interaction objects built from payloads, through the command tree,
against a recording REST layer (tests.fakes.FakeDiscord). The scheduler task runs on a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.client import FilmBot
from bot.settings import Settings
from bot.storage.models import FilmRef
from bot.storage.state import StateStore
from tests.fakes import (
    APP_ID,
    ARRIVAL,
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    OTHER_CHANNEL_ID,
    OTHER_ROLE_ID,
    PERFECTION,
    ROLE_ID,
    SEND,
    FakeClock,
    FakeDiscord,
    FakeKnowledge,
    button_payload,
    command_payload,
    eventually,
    guild_payload,
    http_error,
    option,
    overview_for,
    resolved_channel,
    resolved_role,
    until,
    user_payload,
    utc,
)

NOW = utc(2026, 11, 20, 12, 0)
START = utc(2026, 11, 28, 20, 0)  # "2026-11-28 20:00" in Europe/London (GMT)
EPHEMERAL = 1 << 6


@dataclass
class Env:
    bot: FilmBot
    fake: FakeDiscord
    clock: FakeClock
    tmp: Path
    monkeypatch: Any

    @property
    def state(self) -> StateStore:
        return self.bot.state

    async def run(self, payload: dict[str, Any]) -> discord.Interaction[Any]:
        interaction: discord.Interaction[Any] = discord.Interaction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]
        await self.bot.tree._call(interaction)
        return interaction

    async def click(self, custom_id: str, message: dict[str, Any], user_id: int = MEMBER_ID) -> None:
        """A button click, dispatched like discord.py does: through the registered dynamic items."""
        payload = button_payload(custom_id, message, user_id=user_id)
        interaction: discord.Interaction[Any] = discord.Interaction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]
        store = self.bot._connection._view_store
        for pattern, factory in store._dynamic_items.items():
            match = pattern.fullmatch(custom_id)
            if match is not None:
                await store.schedule_dynamic_item_call(2, factory, interaction, custom_id, match)
                return
        raise AssertionError(f"no registered item handles {custom_id}")

    async def advance(self, delta: timedelta | float) -> None:
        """Move the fake clock once the scheduler task is asleep on it (so it sees the jump)."""
        await eventually(lambda: self.clock.sleeping > 0)
        await self.clock.advance(delta)

    async def schedule(self, **options: Any) -> None:
        opts = [option("when", options.pop("when", "2026-11-28 20:00"))]
        opts.append(option("timezone", options.pop("timezone", "Europe/London")))
        resolved: dict[str, Any] = {}
        if "role" in options:
            role_id, name = options.pop("role")
            opts.append(option("role", str(role_id), 8))
            resolved.update(resolved_role(role_id, name))
        if "channel" in options:
            channel_id, name = options.pop("channel")
            opts.append(option("channel", str(channel_id), 7))
            resolved.update(resolved_channel(channel_id, name))
        for name, value in options.pop("extra", {}).items():
            opts.append(option(name, value))
        await self.run(command_payload("schedule", opts, resolved=resolved, **options))

    async def announcement(self) -> dict[str, Any]:
        """The announcement the scheduler posts (waits for it)."""
        await eventually(lambda: bool(self.fake.posted()))
        request = self.fake.posted()[0]
        message_id = self.fake.nonces[(int(request.path.split("/")[2]), request.json["nonce"])]
        return self.fake.messages[message_id]


def announced(env: Env, night_id: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        night = await env.state.get_night(night_id)
        return night is not None and night.announcement_id is not None

    return check


def reply_bodies(fake: FakeDiscord) -> list[dict[str, Any]]:
    """What the bot answered to interactions: callback data or follow-up payloads."""
    bodies = []
    for request in fake.replies():
        body = request.json or {}
        if request.path.endswith("/callback"):
            bodies.append({"type": body.get("type"), **(body.get("data") or {})})
        else:
            bodies.append({"type": "followup", **body})
    return bodies


def last_text(fake: FakeDiscord) -> str:
    texts = [b.get("content") for b in reply_bodies(fake) if b.get("content")]
    return str(texts[-1]) if texts else ""


async def make_env(tmp: Path, monkeypatch: Any, knowledge: FakeKnowledge, clock: FakeClock) -> Env:
    fake = FakeDiscord()
    settings = Settings.from_env({"STATE_DB": str(tmp / "state.db")}, dotenv=False)
    state = await StateStore.open(settings.state_db)
    bot = FilmBot(settings, knowledge, state, clock=clock, extensions=("cogs.movienight",))  # type: ignore[arg-type]
    await bot._async_setup_hook()
    fake.install(bot, monkeypatch)
    bot._connection.user = discord.ClientUser(
        state=bot._connection, data=user_payload(BOT_ID, "FilmBot", bot=True)
    )  # type: ignore[arg-type]
    bot._connection.application_id = APP_ID
    bot._connection._add_guild_from_data(guild_payload())  # type: ignore[arg-type]
    await bot.load_extension("cogs.movienight")
    return Env(bot, fake, clock, tmp, monkeypatch)


async def close_env(env: Env) -> None:
    await env.bot.unload_extension("cogs.movienight")
    await env.bot.state.close()
    await env.bot.close()


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    made = await make_env(tmp_path, monkeypatch, FakeKnowledge([PERFECTION]), FakeClock(NOW))
    yield made
    await close_env(made)


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
        ("poll", []),
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


# -- RSVPs ----------------------------------------------------------------------------------------------------


async def test_rsvp_changes_the_answer_never_double_counts(env: Env) -> None:
    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]

    def labels() -> list[str]:
        edits = [b for b in reply_bodies(env.fake) if b["type"] == 7]
        return [c["label"] for c in edits[-1]["components"][0]["components"]]

    await env.click(f"rsvp:{night.id}:going", message)
    assert labels() == ["Going (1)", "Maybe (0)", "Can't go (0)"]
    assert "Going" in last_text(env.fake) and reply_bodies(env.fake)[-1]["flags"] == EPHEMERAL
    await env.click(f"rsvp:{night.id}:going", message)
    assert labels() == ["Going (1)", "Maybe (0)", "Can't go (0)"]
    await env.click(f"rsvp:{night.id}:maybe", message)
    assert labels() == ["Going (0)", "Maybe (1)", "Can't go (0)"]
    await env.click(f"rsvp:{night.id}:going", message, user_id=MEMBER_ID + 1)
    assert labels() == ["Going (1)", "Maybe (1)", "Can't go (0)"]
    counts = await env.state.rsvp_counts(night.id)
    assert (counts.going, counts.maybe, counts.no) == (1, 1, 0)

    env.fake.requests.clear()
    await env.run(command_payload("rsvps", [option("id", night.id, 4)], user_id=MEMBER_ID, permissions=SEND))
    [reply] = reply_bodies(env.fake)
    assert reply["flags"] == EPHEMERAL
    assert f"<@{MEMBER_ID + 1}>" in reply["content"] and f"<@{MEMBER_ID}>" in reply["content"]
    assert reply["allowed_mentions"]["parse"] == [] and not reply["allowed_mentions"].get("users")


async def test_rsvp_on_a_cancelled_night_is_refused(env: Env) -> None:
    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]
    await env.state.cancel_night(night.id, now=NOW)
    await env.click(f"rsvp:{night.id}:going", message)
    assert "cancelled" in last_text(env.fake)
    assert (await env.state.rsvp_counts(night.id)).going == 0


async def test_without_the_state_database_commands_and_buttons_say_so(env: Env) -> None:
    from bot.storage.errors import StateUnavailable

    await env.schedule()
    message = await env.announcement()
    night = (await env.state.upcoming_nights(GUILD_ID, NOW))[0]

    async def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise StateUnavailable("the state database postgresql://bot:***@db/x is unreachable (refused)")

    env.monkeypatch.setattr(env.state.db, "read", unreachable)
    env.monkeypatch.setattr(env.state.db, "write", unreachable)
    env.fake.requests.clear()
    await env.click(f"rsvp:{night.id}:going", message)
    assert (
        "can't reach my database" in last_text(env.fake) and reply_bodies(env.fake)[-1]["flags"] == EPHEMERAL
    )
    await env.run(command_payload("list", user_id=MEMBER_ID, permissions=SEND))
    assert (
        "can't reach my database" in last_text(env.fake) and reply_bodies(env.fake)[-1]["flags"] == EPHEMERAL
    )
    assert all("something went wrong" not in str(body.get("content")) for body in reply_bodies(env.fake))


async def test_buttons_and_schedule_survive_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(NOW)
    knowledge = FakeKnowledge([PERFECTION])
    first = await make_env(tmp_path, monkeypatch, knowledge, clock)
    await first.schedule()
    message = await first.announcement()
    night = (await first.state.upcoming_nights(GUILD_ID, NOW))[0]
    await first.click(f"rsvp:{night.id}:going", message)
    await close_env(first)  # the process goes away

    second = await make_env(tmp_path, monkeypatch, knowledge, clock)  # a new process, same state file
    try:
        assert second.bot._connection._view_store._dynamic_items  # the RSVP pattern is registered
        await second.click(f"rsvp:{night.id}:maybe", message, user_id=MEMBER_ID + 1)
        counts = await second.state.rsvp_counts(night.id)
        assert (counts.going, counts.maybe) == (1, 1)
        await second.advance(START - timedelta(hours=24) - clock.now())
        await eventually(lambda: len(second.fake.posted(CHANNEL_ID)) == 1)
        await second.advance(START - timedelta(minutes=15) - clock.now())
        await eventually(lambda: len(second.fake.posted(CHANNEL_ID)) == 2)  # no second announcement
        kinds = [p.json["embeds"][0]["footer"]["text"] for p in second.fake.posted(CHANNEL_ID)]
        assert kinds == [f"Movie night #{night.id} · 24h reminder", f"Movie night #{night.id} · 15m reminder"]
    finally:
        await close_env(second)


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


async def test_poll_with_several_films(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = await make_env(tmp_path, monkeypatch, FakeKnowledge([PERFECTION, ARRIVAL]), FakeClock(NOW))
    try:
        await env.run(command_payload("poll", [option("hours", 48, 4)]))
        first = reply_bodies(env.fake)[0]
        assert first["type"] == 4 and not first.get("flags")
        poll = first["poll"]
        assert poll["duration"] == 48 and len(poll["question"]["text"]) <= 300
        assert [a["poll_media"]["text"] for a in poll["answers"]] == [
            "Arrival (2016)",
            "The Perfection (2018)",
        ]
        assert "Poll posted with 2 films" in last_text(env.fake)
    finally:
        await close_env(env)


async def test_poll_needs_two_films(env: Env) -> None:
    await env.run(command_payload("poll"))
    assert "only one film" in last_text(env.fake)


@pytest.mark.parametrize(("count", "ids"), [("2", "1"), ("3", "0,2"), ("4", ""), ("", "")])
def test_the_scheduler_serves_the_bots_guilds(tmp_path: Path, count: str, ids: str) -> None:
    from cogs.movienight import MovieNight

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

    from cogs.movienight import delivery_error

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
