"""/watchlist through the real bot in-process over the loopback Discord: suggestions link to the library
(now or when documents are added later), the same film suggested twice counts a supporter, caps hold, bad
titles are refused with nothing stored, the list is paged and spoiler-safe, and a night marks its film
watched."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import pytest

from bot.nights.watchlist import MEMBER_CAP
from bot.offline.payloads import Context
from bot.storage.models import FilmRef
from tests.cogs.loop import Loop, labels, text_of
from tests.fakes import (
    overview_for,
)

EPHEMERAL = 1 << 6


async def add(club: Loop, ctx: Context, title: str, **extra: Any) -> str:
    handle = await club.run(ctx, "watchlist", {"title": title, **extra}, subcommand="add")
    data = handle.followups[-1] if handle.followups else handle.response_data
    assert data["flags"] & EPHEMERAL
    return text_of(handle)


async def show(club: Loop, ctx: Context) -> list[dict[str, Any]]:
    handle = await club.run(ctx, "watchlist", subcommand="show")
    return handle.followups


async def test_suggestions_link_merge_and_count_supporters(loop: Loop) -> None:
    club = loop
    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    reply = await add(club, alice, "the perfection")
    assert "Added **The Perfection (2018)** to the watchlist" in reply and "in the library" in reply
    assert "> A troubled musical prodigy" in reply  # the premise, and only the premise
    assert "now one of its 2 supporters" in await add(club, bob, "Perfecton (2018)")  # typo, same film
    assert "You already support **The Perfection (2018)**" in await add(club, bob, "The Perfection")
    assert "Added **Perfection (1995)**" in await add(
        club, carol, "Perfection (1995)"
    )  # another year: another film
    assert "Added **Paprika (2006)**" in await add(club, carol, "Paprika (2006)")
    assert "now one of its 2 supporters" in await add(club, alice, "paprika")
    entries = await club.state.watchlist(club.guild.id)
    assert [(e.title, e.year, e.film.slug if e.film else None, e.supporters) for e in entries] == [
        ("The Perfection", 2018, "the-perfection", 2),
        ("Paprika", 2006, None, 2),
        ("Perfection", 1995, None, 1),
    ]
    club.assert_wire_clean()


async def test_a_suggestion_is_linked_when_documents_for_it_are_added(loop: Loop) -> None:
    club = loop
    await add(club, club.member(), "Paprika (2006)")
    (page,) = await show(club, club.member())
    assert "not in the library yet" in page["embeds"][0]["description"]
    paprika = FilmRef("paprika", "Paprika", 2006)
    knowledge = club.bot.knowledge
    knowledge._films.append(paprika)  # type: ignore[attr-defined]  # documents for it were ingested
    knowledge._overviews[paprika.slug] = overview_for(paprika, premise="A dream detective enters dreams.")  # type: ignore[attr-defined]
    (page,) = await show(club, club.member())
    description = page["embeds"][0]["description"]
    assert "📚 in the library" in description and "A dream detective enters dreams." in description
    (entry,) = await club.state.watchlist(club.guild.id)
    assert entry.film == paprika


@pytest.mark.parametrize(
    "title",
    [
        "x" * 5000,
        "@everyone Movie Night",
        "Night of the ||Living Dead||",
        "<@123456789012345678>",
        "   ",
        "\u200b\u200b\u2060",
    ],
)
async def test_bad_titles_are_refused_clearly_with_nothing_stored(loop: Loop, title: str) -> None:
    club = loop
    reply = await add(club, club.member(), title)
    assert reply.startswith("⚠️") and "Nothing was added." in reply, reply
    assert "@everyone" not in reply and "<@1" not in reply
    assert await club.state.watchlist(club.guild.id) == []
    club.assert_wire_clean()


async def test_500_suggestions_from_one_member_stop_at_the_cap(loop: Loop) -> None:
    club = loop
    member = club.member(name="eager")
    replies = [await add(club, member, f"Film number {i:03d}") for i in range(500)]
    assert all(r.startswith("Added") for r in replies[:MEMBER_CAP])
    assert all(f"the most a member can have ({MEMBER_CAP})" in r for r in replies[MEMBER_CAP:])
    assert all("Nothing was added." in r for r in replies[MEMBER_CAP:])
    entries = await club.state.watchlist(club.guild.id)
    assert len(entries) == MEMBER_CAP and {e.suggested_by for e in entries} == {int(member.user["id"])}
    # Supporting others' suggestions is not capped.
    other = club.member(name="other")
    assert "Added" in await add(club, other, "Arrival")
    assert "now one of its 2 supporters" in await add(club, member, "Arrival")


async def test_the_server_cap_holds(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    club = loop
    monkeypatch.setattr(sys.modules["cogs.watchlist"], "SERVER_CAP", 3)
    for i in range(3):
        assert "Added" in await add(club, club.member(name=f"m{i}"), f"Film {i}")
    reply = await add(club, club.member(name="late"), "One too many")
    assert "The watchlist is full" in reply and "Nothing was added." in reply
    assert len(await club.state.watchlist(club.guild.id)) == 3


async def test_the_list_is_paged_escaped_and_marks_what_was_watched(loop: Loop) -> None:
    club = loop
    await add(club, club.member(name="fan"), "M*A*S*H <i>_2_ @ 8½")  # markdown: kept as typed, escaped
    for i in range(23):
        await add(club, club.member(name=f"m{i}"), f"Obscure film {i:02d}")
    await add(club, club.member(name="fan2"), "Arrival")
    pages = await show(club, club.member())
    (page,) = pages  # one message; the others are reached with the buttons
    assert labels(page) == ["◀ Previous", "1/3", "Next ▶"]
    text = page["embeds"][0]["description"]
    assert "Obscure film 00" in text and "`10.`" in text and "`11.`" not in text
    assert "**M\\*A\\*S\\*H \\<i>\\_2\\_ @\u200b 8½**" in text
    assert "25 to watch, 0 watched" in page["embeds"][0]["footer"]["text"]

    # A night showing Arrival: once it starts, the entry is watched and listed last.
    organiser = club.member(organiser=True)
    await club.run(organiser, "movienight", {"when": "in 2 hours", "film": "Arrival"}, subcommand="schedule")
    await club.advance(timedelta(hours=2))
    (page,) = await show(club, club.member())
    entries = await club.state.watchlist(club.guild.id)
    assert entries[-1].title == "Arrival" and entries[-1].watched
    assert "24 to watch, 1 watched" in page["embeds"][0]["footer"]["text"]
    club.assert_wire_clean()


async def test_removing_is_for_the_suggester_or_an_organiser(loop: Loop) -> None:
    club = loop
    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    await add(club, alice, "Heat")
    await add(club, bob, "Heat")
    (entry,) = await club.state.watchlist(club.guild.id)

    async def remove(ctx: Context) -> str:
        return text_of(await club.run(ctx, "watchlist", {"entry": entry.id}, subcommand="remove"))

    assert "Only whoever suggested **Heat (1995)** or an organiser" in await remove(carol)
    assert "You no longer support **Heat (1995)**" in await remove(bob)
    assert (await club.state.watch_entry(entry.id)).supporters == 1  # type: ignore[union-attr]
    assert "Removed **Heat (1995)**" in await remove(alice)
    assert await club.state.watchlist(club.guild.id) == []
    await add(club, carol, "Heat")
    (again,) = await club.state.watchlist(club.guild.id)
    reply = text_of(
        await club.run(club.member(organiser=True), "watchlist", {"entry": again.id}, subcommand="remove")
    )
    assert "Removed" in reply
    assert "no watchlist entry `999`" in text_of(
        await club.run(alice, "watchlist", {"entry": 999}, subcommand="remove")
    )
