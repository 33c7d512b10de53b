"""RSVP buttons in-process: counts, cancelled nights, a missing state database, restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

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
    SEND,
    command_payload,
    option,
)
from tests.fakes import (
    PERFECTION,
    FakeClock,
    FakeKnowledge,
    eventually,
)

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
