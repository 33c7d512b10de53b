"""Issue 10's findings, each a regression test over the wire against the real bot process: bad input is
answered helpfully, never with a traceback, a lost post or Python escapes. (Page buttons after a restart:
test_e2e_commands.py; settings: test_main.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from bot.offline.payloads import bot_message, button_row, component_click
from bot.present.errors import GENERIC
from bot.storage.models import FilmRef
from bot.storage.state import StateStore
from tests.e2e.conftest import (
    T0,
)
from tests.e2e.wire import (
    MESSAGES,
    footer,
    night_id_of,
)
from tests.fakes import (
    add_night,
)

if TYPE_CHECKING:
    from bot.offline.routes.interactions import InteractionHandle
    from tests.e2e.conftest import (
        Club,
        ClubFactory,
    )

pytestmark = pytest.mark.slow  # real bot processes

EPHEMERAL = 1 << 6
PERFECTION = FilmRef("the-perfection", "The Perfection", 2018)


async def movienight(club: Club, sub: str, options: dict[str, Any], *, organiser: bool = True) -> str:
    """/movienight <sub> by an organiser; the text of its (private) answer, however it was given."""
    handle = await club.run(club.member(organiser=organiser), "movienight", options, subcommand=sub)
    return await text_of(club, handle)


async def text_of(club: Club, handle: InteractionHandle) -> str:
    if handle.response_type == 5:
        (message,) = await club.followup(handle)
        assert message["flags"] & EPHEMERAL
        return str(message["content"])
    assert handle.response_data.get("flags", 0) & EPHEMERAL, handle.response_data
    return str(handle.response_data.get("content") or "")


def assert_log_clean(club: Club) -> None:
    for bot in club.bots:
        output = bot.output()
        assert " ERROR " not in output and "Traceback" not in output, bot.tail(40)


async def test_a_note_of_one_space_or_one_invisible_character_keeps_the_announcement(club: Club) -> None:
    await club.start_bot()
    for note in (" ", "\u202e"):
        reply = await movienight(club, "schedule", {"when": "in 2 days", "note": note})
        assert "Scheduled movie night" in reply and "nothing visible" in reply, reply
        night = night_id_of(reply)
        (announcement,) = await club.wait_posts(club.channel_id, night, "announce", 10)
        assert "Note" not in [f["name"] for f in announcement["embeds"][0]["fields"]]
        assert [r.status for r in club.post_requests(night, "announce")] == [200]

    edited = await movienight(club, "edit", {"id": night, "note": " "})
    assert "Updated movie night" in edited and "note is removed" in edited and "couldn't" not in edited
    edits = club.fake.requests("PATCH", MESSAGES + "/{message_id}")
    assert edits and all(r.status == 200 for r in edits)
    assert_log_clean(club)
    club.assert_wire_clean()


@pytest.mark.parametrize(
    ("when", "zone"),
    [
        ("in 99999999999 days", None),
        ("in 999999999 weeks", None),
        ("in 9999999 days", None),
        ("9999-12-31 23:59", "Etc/GMT+12"),
        ("0001-01-01 00:01", "Asia/Tokyo"),
    ],
)
async def test_a_huge_time_is_a_helpful_answer_not_an_internal_error(
    club: Club, when: str, zone: str | None
) -> None:
    await club.start_bot()
    options = {"when": when} | ({"timezone": zone} if zone else {})
    reply = await movienight(club, "schedule", options)
    assert GENERIC not in reply and f"“{when}”" in reply
    assert "more than a year away" in reply or "in the past" in reply
    assert_log_clean(club)


async def test_host_zone_files_are_refused_and_never_offered(club: Club) -> None:
    await club.start_bot()
    for zone in ("localtime", "Factory", "posixrules"):
        reply = await movienight(club, "schedule", {"when": "in 2 days", "timezone": zone})
        assert f"I don't know the timezone “{zone}”" in reply
        for typed in (zone[:3], zone[:5], zone):
            choices = await club.complete(
                club.member(organiser=True),
                "movienight",
                {"when": "x", "timezone": typed},
                "timezone",
                subcommand="schedule",
            )
            assert not any(c["value"].lower() in ("localtime", "factory", "posixrules") for c in choices)
    assert_log_clean(club)


async def test_error_messages_show_user_text_as_text(club: Club) -> None:
    await club.start_bot()
    time_reply = await movienight(club, "schedule", {"when": "Pal\x00oma\x01…"})
    zone_reply = await movienight(
        club, "schedule", {"when": "in 2 days", "timezone": "\u202eamolaP\u202c Paloma"}
    )
    for reply in (time_reply, zone_reply):
        assert "\\x" not in reply and "\\u" not in reply and "“" in reply, reply
    assert "Paloma" in time_reply and "amolaP Paloma" in zone_reply


async def test_a_name_or_query_of_one_space_is_answered_helpfully(club: Club) -> None:
    await club.start_bot()
    for command, options in (
        ("cast", {"name": " "}),
        ("search", {"query": " "}),
        ("cast", {"name": "\u200b"}),
    ):
        handle = await club.run(club.member(), command, options)
        reply = await text_of(club, handle)
        assert "nothing in it I can read" in reply and "“”" not in reply, reply
    whole_cast = await club.run(
        club.member(), "cast", {"film": "  "}
    )  # a blank film is no film: the only one
    assert footer(whole_cast.response_data) == "Page 1/3"
    assert_log_clean(club)


async def test_the_list_of_fifty_nights_is_paged_with_failed_posts_first(club: Club) -> None:
    store = await StateStore.open(club.state_db)
    try:
        nights = [
            await add_night(
                store,
                T0,
                T0 + timedelta(days=2, hours=n),
                guild_id=club.guild.id,
                channel_id=club.channel_id,
                role_id=None,
            )
            for n in range(50)
        ]
        failing = [
            night.id for night in nights[-5:]
        ]  # the last ones: a single message would have cut them off
        for night_id in failing:
            reminder = (await store.jobs_for_night(night_id))[1]
            assert await store.mark_failed(reminder.id, error="403 Missing Access", now=T0)
    finally:
        await store.close()
    await club.start_bot()
    await club.fake.wait_until(
        lambda: len(club.fake.requests("POST", MESSAGES)) >= 50, 20, "50 announcements"
    )

    handle = await club.run(club.member(name="organiser"), "movienight", subcommand="list")
    message = handle.original_message
    assert message is not None and message["flags"] & EPHEMERAL
    pages = [message["content"]]
    while True:
        assert len(pages[-1]) <= 2000 and "…" not in pages[-1]
        buttons = message["components"][0]["components"]
        if buttons[2].get("disabled"):
            break
        click = await club.fake.send_interaction(
            component_click(handle_ctx(club, handle), buttons[2]["custom_id"], message)
        )
        await click.wait(5)
        assert click.response_type == 7
        message = club.fake.message(club.channel_id, message["id"]) or {}
        pages.append(message["content"])
    assert pages[0].startswith("**Needs attention**")
    assert all(f"`#{n}`" in pages[0] for n in failing)
    shown = "\n".join(pages)
    assert all(f"`#{night.id}`" in shown for night in nights)
    assert len(pages) > 1
    assert_log_clean(club)
    club.assert_wire_clean()


def handle_ctx(club: Club, handle: InteractionHandle) -> Any:
    """The member who ran the interaction (pages turn for their owner)."""
    from bot.offline.payloads import Context

    user = handle.payload["member"]["user"]
    return Context.in_guild(club.fake, club.guild, user=user)


async def test_rsvp_buttons_only_count_in_their_own_server(clubs: ClubFactory) -> None:
    club = await clubs(guild_shards=(None, None))
    other = club.guilds[1]
    await club.start_bot()
    reply = await movienight(club, "schedule", {"when": "in 2 days"})
    night = night_id_of(reply)
    await club.wait_posts(club.channel_id, night, "announce", 10)
    # A button carrying our night's id, clicked by a member of another server.
    message = bot_message(
        club.fake, other.text_channel["id"], "RSVP", components=[button_row(f"rsvp:{night}:going")]
    )
    click = await club.fake.send_interaction(
        component_click(club.member(other), f"rsvp:{night}:going", message)
    )
    await click.wait(5)
    assert click.response_type == 4 and "no upcoming movie night" in click.response_data["content"]
    listed = await movienight(club, "rsvps", {"id": night}, organiser=False)
    assert "**Going** (0)" in listed
    assert_log_clean(club)
