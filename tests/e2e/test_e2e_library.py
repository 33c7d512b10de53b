"""A server's own films end to end: the real bot process, documents attached as a member attaches them and
downloaded from the loopback Discord's CDN. An admin adds a film, members ask about it, another server can
neither see nor autocomplete it, the admin removes it; two servers add the same title; the bot is SIGKILLed in
the middle of adds and restarted (each film is then whole or absent); a night keeps its text after a removal.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.offline.model import EVERYONE_PERMISSIONS, MANAGE_EVENTS
from bot.offline.payloads import ATTACHMENT, Context, Option
from bot.present.text import unspoiled
from tests.e2e.wire import (
    strings,
)

if TYPE_CHECKING:
    from bot.offline.model import FakeGuild
    from bot.offline.routes.interactions import InteractionHandle
    from tests.e2e.conftest import (
        Club,
        ClubFactory,
    )

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "films"
MANAGE_SERVER = 1 << 5
ADD_S = 30.0  # bound on an add's answer on a loaded machine (it takes well under a second)
IN_STEP = r"library in step"


def doc(film: str, name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / film / name).read_bytes()


def admin(club: Club, guild: FakeGuild) -> Context:
    user = club.fake.make_user("admin", global_name="Admin")
    return Context.in_guild(
        club.fake, guild, user=user, permissions=EVERYONE_PERMISSIONS | MANAGE_SERVER | MANAGE_EVENTS
    )


def seen(data: Mapping[str, Any] | None) -> str:
    return unspoiled("\n".join(strings(data or {})))


async def send_add(
    club: Club, ctx: Context, attachments: list[dict[str, Any]], title: str | None = None
) -> InteractionHandle:
    options: dict[str, Any] = {}
    for n, attachment in enumerate(attachments, 1):
        options["document" if n == 1 else f"document{n}"] = Option(attachment, ATTACHMENT)
    if title is not None:
        options["title"] = title
    return await club.send(ctx, "film", options, subcommand="add")


async def add(
    club: Club, ctx: Context, docs: list[tuple[str, bytes]], title: str | None = None
) -> dict[str, Any]:
    """/film add with these documents; the answer (a followup of the deferred, ephemeral response)."""
    handle = await send_add(
        club, ctx, [club.fake.add_attachment(club.channel_id, n, d) for n, d in docs], title
    )
    await club.fake.wait_until(lambda: bool(handle.followups), ADD_S, "the answer to /film add")
    assert handle.response_type == 5 and handle.response_data.get("flags") == 1 << 6  # deferred, privately
    return handle.followups[-1]


async def answer(
    club: Club, ctx: Context, name: str, options: Mapping[str, Any], sub: str | None = None
) -> str:
    handle = await club.run(ctx, name, options, subcommand=sub)
    return seen(handle.response_data)


def stored(club: Club) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(club.state_db)
    try:
        return list(conn.execute("SELECT guild_id, slug, name FROM library_documents ORDER BY 1, 2, 3"))
    finally:
        conn.close()


async def test_a_server_adds_asks_and_removes_and_no_other_server_sees(clubs: ClubFactory) -> None:
    club = await clubs(guild_shards=(None, None))
    await club.start_bot()
    ours, theirs = club.guilds
    boss = admin(club, ours)
    refused = await club.run(
        club.member(ours),
        "film",
        {"document": Option(club.fake.add_attachment(club.channel_id, "a.txt", b"x"), ATTACHMENT)},
        subcommand="add",
    )
    assert "Manage Server" in seen(refused.response_data)
    added = seen(await add(club, boss, [doc("alien", "wikipedia.txt"), doc("alien", "player.html")]))
    assert "Alien (1979)" in added and "Ridley Scott" in added and "player.html" in added
    assert [(g, s, n) for g, s, n in stored(club)] == [(ours.id, "alien", "wikipedia.txt")]

    member = club.member(ours)
    assert "Sigourney Weaver" in await answer(club, member, "cast", {"name": "Ripley", "film": "Alien"})
    plot = await club.run(member, "plot", {"film": "Alien"})
    assert "||" in str(plot.response_data["embeds"]) and "Nostromo" in seen(plot.response_data)
    assert "Nostromo" in await answer(club, member, "search", {"query": "Nostromo", "film": "Alien"})
    assert any("Alien" in c["name"] for c in await club.complete(member, "movie", {"film": "ali"}, "film"))

    stranger = club.member(theirs)
    assert not any(
        "Alien" in c["name"] for c in await club.complete(stranger, "movie", {"film": "ali"}, "film")
    )
    assert "couldn't find a film" in await answer(club, stranger, "movie", {"film": "Alien"})
    assert "Nothing in the documents matches" in await answer(club, stranger, "search", {"query": "Nostromo"})
    assert "couldn't find a film" in await answer(club, stranger, "cast", {"film": "alien~" + str(ours.id)})

    asked = await club.run(boss, "film", {"film": "Alien"}, subcommand="remove")
    message = asked.original_message
    assert message is not None and "Remove Alien (1979)" in seen(message)
    button = next(
        c["custom_id"] for row in message["components"] for c in row["components"] if c["label"] == "Remove"
    )
    click = await club.click(boss, button, club.channel_id, message["id"])
    assert "Removed Alien (1979)" in seen(click.callback.json if click.callback else None)
    assert stored(club) == []
    assert "couldn't find a film" in await answer(club, member, "movie", {"film": "Alien"})
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_two_servers_add_the_same_title(clubs: ClubFactory) -> None:
    club = await clubs(guild_shards=(None, None))
    await club.start_bot()
    one, two = club.guilds
    await add(club, admin(club, one), [doc("alien", "wikipedia.txt")], title="Alien")
    await add(club, admin(club, two), [doc("alien", "forum-post.txt")], title="Alien")
    first = await answer(club, club.member(one), "sources", {"film": "Alien"})
    second = await answer(club, club.member(two), "sources", {"film": "Alien"})
    assert "wikipedia.txt" in first and "forum-post.txt" not in first
    assert "forum-post.txt" in second and "wikipedia.txt" not in second
    assert sorted((g, s) for g, s, _ in stored(club)) == sorted([(one.id, "alien"), (two.id, "alien")])
    club.assert_no_traceback()


@pytest.mark.slow
async def test_sigkill_in_the_middle_of_an_add_leaves_each_film_whole_or_absent(club: Club) -> None:
    bot = await club.start_bot()
    boss = admin(club, club.guild)

    # Killed while downloading: nothing at all.
    (attachment,) = [club.fake.add_attachment(club.channel_id, *doc("alien", "wikipedia.txt"))]
    club.fake.cdn_faults[int(attachment["id"])] = "stall"
    await send_add(club, boss, [attachment])
    await club.fake.wait_until(lambda: int(attachment["id"]) in club.fake.downloads, 10, "the download")
    assert await bot.kill() == -9
    bot = await club.start_bot()
    await club.wait_output(bot, IN_STEP, 30)
    assert stored(club) == []
    assert "couldn't find a film" in await answer(club, club.member(), "movie", {"film": "Alien"})

    # Killed at moments after the download: parsing, storing, writing. Whatever the moment, after a restart
    # the film is whole (stored and answering) or absent (neither).
    for film, name, title, delay in (
        ("arrival", "wikipedia.txt", "Arrival", 0.0),
        ("hereditary", "wikipedia.txt", "Hereditary", 0.08),
        ("knives-out", "cinewiki-knives-out.html", "Knives Out", 0.2),
    ):
        (attachment,) = [club.fake.add_attachment(club.channel_id, *doc(film, name))]
        await send_add(club, boss, [attachment], title)
        await club.fake.wait_until(
            lambda a=attachment: int(a["id"]) in club.fake.downloads, 10, "the download"
        )
        await asyncio.sleep(delay)  # picks the moment of the kill; nothing is concluded from waiting
        assert await bot.kill() == -9
        bot = await club.start_bot()
        await club.wait_output(bot, IN_STEP, 30)
        kept = any(slug == film for _, slug, _ in stored(club))
        reply = await answer(club, club.member(), "movie", {"film": title})
        if kept:
            assert f"{title} (" in reply and "couldn't find" not in reply, (film, reply)
        else:
            assert "couldn't find a film" in reply, (film, reply)

    # Killed as soon as the documents are stored (before or while the film is written): whole after restart.
    (attachment,) = [club.fake.add_attachment(club.channel_id, *doc("parasite", "movie-faq.txt"))]
    await send_add(club, boss, [attachment], "Parasite")
    deadline = asyncio.get_running_loop().time() + ADD_S
    while not any(slug == "parasite" for _, slug, _ in stored(club)):
        assert asyncio.get_running_loop().time() < deadline, "the documents were never stored"
        await asyncio.sleep(0.002)
    assert await bot.kill() == -9
    bot = await club.start_bot()
    await club.wait_output(bot, IN_STEP, 30)
    assert "Parasite (2019)" in await answer(club, club.member(), "movie", {"film": "Parasite"})
    club.assert_wire_clean()


async def test_a_night_keeps_its_text_when_its_film_is_removed(club: Club) -> None:
    await club.start_bot()
    boss = admin(club, club.guild)
    await add(club, boss, [doc("arrival", "wikipedia.txt")])
    handle = await club.run(
        boss, "movienight", {"when": "in 3 days", "film": "Arrival"}, subcommand="schedule"
    )
    await club.fake.wait_until(lambda: bool(handle.followups), ADD_S, "the night")
    assert "Arrival (2016)" in seen(handle.followups[-1])
    asked = await club.run(boss, "film", {"film": "Arrival"}, subcommand="remove")
    message = asked.original_message
    assert message is not None
    button = next(
        c["custom_id"] for row in message["components"] for c in row["components"] if c["label"] == "Remove"
    )
    await club.click(boss, button, club.channel_id, message["id"])
    listed = await club.run(boss, "movienight", {}, subcommand="list")
    assert "Arrival (2016)" in seen(listed.response_data)
    club.assert_no_traceback()
