"""Every slash command of the real bot process, over the wire: real content from the bundled documents, the
spoiler rule on everything sent, no pings, requests that match Discord's OpenAPI, and command sync."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest

from bot.offline.model import T_CALLBACK, RecordedRequest
from bot.present.text import unspoiled
from tests.e2e.wire import (
    GLOBAL_COMMANDS,
    MESSAGES,
    SPOILERS,
    custom_ids,
    footer,
    hidden_spoilers,
    labels,
    mention_problems,
    strings,
    visible_spoilers,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import (
        Club,
    )

pytestmark = pytest.mark.slow  # real bot processes

EPHEMERAL = 1 << 6
COMMANDS = {
    "movie",
    "cast",
    "plot",
    "soundtrack",
    "reception",
    "search",
    "sources",
    "help",
    "movienight",
    "watchlist",
    "rate",
    "unrate",
    "reviews",
    "history",
    "stats",
    "film",
    "Add to film library",  # a message menu: not a slash command, not in /help
}
GROUPS = {"movienight", "watchlist", "film", "Add to film library"}
SUBCOMMANDS = {
    "movienight schedule",
    "movienight poll start",
    "movienight poll end",
    "watchlist add",
    "film add",
    "film list",
    "film remove",
    "film role",
}


def visible(data: Mapping[str, Any]) -> str:
    """What a reader sees of a message before revealing spoilers."""
    return "\n".join(unspoiled(text) for text in strings(data))


def field(data: Mapping[str, Any], name: str) -> str:
    for embed in data.get("embeds") or []:
        for f in embed.get("fields") or []:
            if f["name"] == name:
                return str(f["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for e in data['embeds'] for f in e['fields']]}")


def test_the_wire_checks_catch_spoilers_and_pings() -> None:
    """The checks every e2e test ends with can fail: a visible spoiler, a message that may ping."""

    def request(template: str, body: Any, method: str = "POST") -> RecordedRequest:
        return RecordedRequest(method, "/x", template, {}, {}, body, 0.0)

    hidden = {"content": "Anton ||runs a sex cult||", "allowed_mentions": {"parse": []}}
    shown = {
        "embeds": [{"fields": [{"name": "Anton", "value": "runs a sex cult"}]}],
        "allowed_mentions": {"parse": []},
    }
    choice = {"type": 8, "data": {"choices": [{"name": "Lizzie hacks off her hand", "value": "x"}]}}
    titled = {"embeds": [{"title": "Anton ||runs a sex cult||", "description": "||Paloma: kill paloma||"}]}
    assert visible_spoilers([request(MESSAGES, hidden)]) == []
    assert len(visible_spoilers([request(MESSAGES, shown), request(T_CALLBACK, choice)])) == 2
    (in_title,) = visible_spoilers([request(MESSAGES, titled)])  # tags don't hide anything in a title
    assert "sex cult" in in_title
    assert hidden_spoilers([request(MESSAGES, hidden)]) == {"sex cult"}

    pings = [
        {"content": "@everyone movie night"},
        {"content": "hi", "allowed_mentions": {"parse": ["everyone"]}},
        {"content": "hi", "allowed_mentions": {"parse": [], "users": ["1"]}},
        {"content": "hi", "allowed_mentions": {"parse": [], "roles": ["5"]}},
    ]
    assert len(mention_problems([request(MESSAGES, b) for b in pings])) == 4
    assert mention_problems([request(MESSAGES, pings[3])], allowed_roles=[5]) == []
    assert mention_problems([request(T_CALLBACK, {"type": 4, "data": pings[0]})])


async def answer(club: Club, name: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """/name answered with a message (callback type 4); its data."""
    handle = await club.run(club.member(), name, options)
    assert handle.callback is not None and handle.callback.status == 200
    assert handle.response_type == 4, handle.callback.json
    return handle.response_data


async def test_every_command_answers_from_the_documents_without_spoiling(club: Club) -> None:
    bot = await club.start_bot()
    (sync,) = club.fake.requests("PUT", GLOBAL_COMMANDS)
    assert sync.status == 200
    assert {c["name"] for c in club.fake.commands()} == COMMANDS

    movie = await answer(club, "movie")
    assert movie["embeds"][0]["title"] == "The Perfection (2018)"
    assert field(movie, "Director") == "Richard Shepard"
    year = field(movie, "Year")
    assert year.startswith("2018") and "sources differ" in year and "2019" in year
    assert "Alaina Huffman (Paloma)" in field(movie, "Starring")
    assert "cellist" in movie["embeds"][0]["description"]
    typo = await answer(club, "movie", {"film": "the perfecton"})
    assert typo["embeds"][0]["title"] == "The Perfection (2018)"

    paloma = await answer(club, "cast", {"name": "Paloma"})
    (credit,) = paloma["embeds"][0]["fields"]
    assert "Alaina Huffman" in credit["name"] and "Paloma" in credit["name"]
    assert not paloma.get("flags", 0) & EPHEMERAL
    by_actor = await answer(club, "cast", {"name": "alaina hufman", "private": True})
    assert "Paloma" in by_actor["embeds"][0]["fields"][0]["name"] and by_actor["flags"] & EPHEMERAL

    plot = await answer(club, "plot")
    description = plot["embeds"][0]["description"]
    # The premise in the clear, every beat behind its own tag.
    assert "Charlotte Willmore is a talented young cellist" in unspoiled(description)
    assert description.count("||") >= 2 * 20
    end = await answer(club, "plot", {"part": "end", "private": True})
    assert end["flags"] & EPHEMERAL and "(end)" in end["embeds"][0]["title"]
    assert "sewn shut" in end["embeds"][0]["description"] and "sewn shut" not in visible(end)

    soundtrack = await answer(club, "soundtrack")
    assert field(soundtrack, "Score") == "Paul Haslinger"
    songs = soundtrack["embeds"][0]["description"]
    # The spun copy's garbled titles are never shown as songs or alternatives.
    assert "At Least I Still Have You" in songs and "Prepared or Not" not in songs

    by_film = await answer(club, "soundtrack", {"film": "Perfection"})
    assert by_film["embeds"] == soundtrack["embeds"]

    reception = await answer(club, "reception")
    tomatoes = field(reception, "Rotten Tomatoes")
    assert tomatoes.startswith("**70%** of 98 reviews") and "71%" in tomatoes and "73%" in tomatoes
    assert "60/100" in field(reception, "Metacritic")
    assert "Consensus" in reception["embeds"][0]["description"]

    search = await answer(club, "search", {"query": "cello"})
    assert "cello" in search["embeds"][0]["description"] and search["embeds"][0]["fields"]
    narrowed = await answer(club, "search", {"query": "Netflix", "film": "the-perfection"})
    assert narrowed["embeds"][0]["fields"]

    sources = await answer(club, "sources")
    disputes = {f["name"] for f in sources["embeds"][0]["fields"] if f["name"].startswith("Disputed")}
    assert {"Disputed: Year", "Disputed: Rotten Tomatoes"} <= disputes
    assert "Disputed: Theis (actor)" not in disputes  # a garble is not a dispute
    copy = field(sources, "001\\_976fb35c43b5aed4.txt")
    assert "near-copy of" in copy and "“Imprint Kandborg” for “Mark Kandborg”" in copy
    for command in ("reception", "sources", "search"):
        options: dict[str, Any] = {"private": True, "film": "the perfection"}
        private = await answer(
            club, command, {**options, "query": "Anton"} if command == "search" else options
        )
        assert private["flags"] & EPHEMERAL and private["embeds"], command

    help_ = await answer(club, "help")
    assert help_["flags"] & EPHEMERAL
    listed = help_["embeds"][0]["description"]
    for name in COMMANDS - GROUPS | SUBCOMMANDS:
        assert f"**/{name}**" in listed

    # Autocomplete: the film everywhere it is asked for, the cast name by actor or character.
    ctx = club.member()
    for command in ("movie", "cast", "plot", "soundtrack", "reception", "search", "sources"):
        options = {"film": "perf", "query": "x"} if command == "search" else {"film": "perf"}
        choices = await club.complete(ctx, command, options, "film")
        assert choices == [{"name": "The Perfection (2018)", "value": "the-perfection"}], command
    liz = await club.complete(ctx, "cast", {"name": "liz"}, "name")
    assert liz[0] == {"name": 'Logan Browning — Elizabeth "Lizzie" Wells', "value": "Logan Browning"}
    palo = await club.complete(ctx, "cast", {"name": "palo"}, "name")
    assert palo[0]["value"] == "Alaina Huffman" and "Paloma" in palo[0]["name"]
    anton = await club.complete(ctx, "cast", {"name": "anton"}, "name")
    assert any("Steven Weber" in c["name"] for c in anton)

    club.assert_wire_clean()
    # The check above has something to catch: every phrase was sent, behind tags.
    assert hidden_spoilers(club.fake.requests()) == set(SPOILERS)
    club.assert_no_traceback()
    assert bot.returncode is None


async def test_cast_pages_turn_with_next_and_previous_for_their_owner_only(club: Club) -> None:
    await club.start_bot()
    owner = club.member(name="owner")
    handle = await club.run(owner, "cast")
    first = handle.original_message
    assert first is not None and footer(first) == "Page 1/3"
    assert labels(first) == ["◀ Previous", "1/3", "Next ▶"]
    assert "Steven Weber" in first["embeds"][0]["description"]
    assert "sex cult" in first["embeds"][0]["description"] and "sex cult" not in visible(first)
    channel, message_id = club.channel_id, first["id"]

    async def press(button: int, ctx: Any = owner) -> dict[str, Any]:
        """Press a button of the message as it is now (0: Previous, 2: Next)."""
        now = club.fake.message(channel, message_id)
        assert now is not None
        click = await club.click(ctx, custom_ids(now)[button], channel, message_id)
        assert click.callback is not None and click.callback.status == 200
        return click.callback.json

    previous, next_ = 0, 2
    turned = await press(next_)
    assert turned["type"] == 7  # the same message is edited, not a new one posted
    page = club.fake.message(channel, message_id)
    assert page is not None and footer(page) == "Page 2/3" and labels(page)[1] == "2/3"
    assert "Party Cellist" in page["embeds"][0]["description"]
    await press(next_)
    page = club.fake.message(channel, message_id)
    assert page is not None and footer(page) == "Page 3/3"
    assert [b["disabled"] for b in page["components"][0]["components"]] == [False, True, True]
    await press(previous)
    page = club.fake.message(channel, message_id)
    assert page is not None and footer(page) == "Page 2/3"

    stranger = await press(next_, club.member(name="stranger"))
    assert stranger["type"] == 4 and stranger["data"]["flags"] & EPHEMERAL
    assert "Only the person who ran the command" in stranger["data"]["content"]
    page = club.fake.message(channel, message_id)
    assert page is not None and footer(page) == "Page 2/3"  # unchanged by the stranger
    assert len([m for m in club.fake.messages(channel) if not m["flags"] & EPHEMERAL]) == 1

    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_cast_pages_still_turn_after_the_bot_restarts(club: Club) -> None:
    """The finding: Next on a page sent before a restart got no answer ("This interaction failed")."""
    bot = await club.start_bot()
    owner = club.member(name="owner")
    first = (await club.run(owner, "cast")).original_message
    assert first is not None
    _, _, next_ = custom_ids(first)
    await bot.kill()
    await club.start_bot()
    click = await club.click(owner, next_, club.channel_id, first["id"])
    assert click.response_type == 7
    page = club.fake.message(club.channel_id, first["id"])
    assert page is not None and footer(page) == "Page 2/3"
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_lookup_errors_and_cooldown_are_answered_privately(club: Club) -> None:
    await club.start_bot()
    alien = await answer(club, "movie", {"film": "Alien"})
    assert alien["flags"] & EPHEMERAL and "Did you mean **The Perfection**" in alien["content"]
    nobody = await answer(club, "cast", {"name": "zzzzqq"})
    assert nobody["flags"] & EPHEMERAL and "couldn't find a cast member" in nobody["content"]

    spammer = club.member(name="spammer")
    answers = [await club.run(spammer, "movie") for _ in range(6)]  # five per ten seconds per user
    assert [h.response_data.get("flags", 0) & EPHEMERAL for h in answers] == [0] * 5 + [EPHEMERAL]
    assert "embeds" not in answers[-1].response_data or not answers[-1].response_data["embeds"]
    assert (await club.run(club.member(), "movie")).response_data["embeds"]  # others are not slowed down

    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_restart_with_the_same_state_keeps_the_command_hash(club: Club) -> None:
    first = await club.start_bot()
    assert len(club.fake.requests("PUT", GLOBAL_COMMANDS)) == 1
    ids = {c["name"]: c["id"] for c in club.fake.commands()}
    await first.terminate()

    second = await club.start_bot()
    assert len(club.fake.requests("PUT", GLOBAL_COMMANDS)) == 1, "re-synced although nothing changed"
    assert "global sync skipped" in second.output()
    assert {c["name"]: c["id"] for c in club.fake.commands()} == ids
    assert (await answer(club, "movie"))["embeds"][0]["title"] == "The Perfection (2018)"
    await second.terminate()

    club.state_db = club.tmp / "fresh-state.db"  # a new state database has no hash: it syncs
    await club.start_bot()
    assert len(club.fake.requests("PUT", GLOBAL_COMMANDS)) == 2

    club.assert_wire_clean()
    club.assert_no_traceback()
