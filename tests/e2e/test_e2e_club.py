"""After the screening, end to end: the real bot process on a virtual clock against the offline Discord.

A night happens (reminders, start, the after-film post with its stars, exactly once even across a SIGKILL),
members rate with the buttons (a double click counts once) and with /rate, and /reception shows the club's
score beside the critics'. Several nights later (the clock jumps weeks in seconds), /history and /stats add them
up. Bad input is answered clearly and nothing anyone typed can ping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.build import build
from bot.offline.payloads import Context, bot_message, button_row, component_click
from bot.offline.process import REPO_ROOT
from tests.e2e.conftest import (
    FILMS_DIR,
    Club,
    ClubFactory,
)
from tests.e2e.wire import (
    MESSAGES,
    custom_ids,
    footer,
    labels,
    night_id_of,
)

EPHEMERAL = 1 << 6
WEDNESDAY = datetime(2040, 1, 4, 12, 0, tzinfo=UTC)
FRIDAY_8PM = datetime(2040, 1, 6, 20, 0, tzinfo=UTC)
POST_WITHIN = 15.0  # seconds for the bot to notice a clock jump and post


@pytest.fixture(scope="module")
def two_films(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A films folder with the bundled film and a second one, and its knowledge database."""
    films = tmp_path_factory.mktemp("films")
    (films / "the-perfection").symlink_to(FILMS_DIR / "the-perfection")
    (films / "whiplash").symlink_to(REPO_ROOT / "tests" / "fixtures" / "films" / "whiplash")
    knowledge = tmp_path_factory.mktemp("knowledge") / "knowledge.db"
    build(films, knowledge)
    return films, knowledge


async def say(club: Club, ctx: Context, name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run /name; the message it answered with (waiting for a deferred answer's follow-up)."""
    handle = await club.run(ctx, name, options)
    if handle.response_type == 5:
        return (await club.followup(handle))[0]
    assert handle.response_type == 4, handle.callback and handle.callback.json
    message = handle.original_message
    assert message is not None
    return message


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


async def schedule(club: Club, when: str, film: str | None = None) -> int:
    options = {"when": when} | ({"film": film} if film else {})
    handle = await club.run(club.member(organiser=True), "movienight", options, subcommand="schedule")
    (reply,) = await club.followup(handle)
    assert "Scheduled movie night" in reply["content"], reply["content"]
    return night_id_of(reply["content"])


async def night_happens(club: Club, night: int, starts: datetime, going: list[Context]) -> dict[str, Any]:
    """RSVP, then move the clock from post to post; the after-film post."""
    channel = club.channel_id
    (announcement,) = await club.wait_posts(channel, night, "announce", POST_WITHIN)
    for member in going:
        click = await club.click(member, f"rsvp:{night}:going", channel, announcement["id"])
        await club.followup(click)
    assert club.clock is not None
    for moment, label in (
        (starts - timedelta(hours=24), "24h reminder"),
        (starts - timedelta(minutes=15), "15m reminder"),
        (starts, "starting now"),
    ):
        if moment > club.clock.now():
            await club.move_to(moment)
            await club.fake.wait_until(
                lambda f=f"Movie night #{night} · {label}": any(
                    footer(m) == f for m in club.fake.messages(channel)
                ),
                POST_WITHIN,
                f"night {night}'s {label} post",
            )
    runtime = next(f["value"] for f in announcement["embeds"][0]["fields"] if f["name"] == "Runtime")
    await club.move_to(starts + timedelta(minutes=int(runtime.split()[0])))  # the film ends
    (after,) = await club.wait_posts(channel, night, "spoilers", POST_WITHIN)
    assert "late" not in after["content"]
    return after


async def rate_with(club: Club, member: Context, night: int, half: int, after: dict[str, Any]) -> str:
    click = await club.click(member, f"rate:{night}:{half}", club.channel_id, after["id"])
    assert click.response_type == 4 and click.response_data["flags"] & EPHEMERAL
    return str(click.response_data["content"])


async def test_a_night_then_stars_and_rate_and_the_club_score_in_reception(clubs: ClubFactory) -> None:
    club = await clubs(clock_start=WEDNESDAY)
    bot = await club.start_bot()
    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    night = await schedule(club, "friday 20:00")
    after = await night_happens(club, night, FRIDAY_8PM, [alice, bob])
    assert "Spoilers are fair game" in text_of(after) and "Rate it" in text_of(after)
    assert labels(after) == ["½", "★", "★½", "★★", "★★½", "★★★", "★★★½", "★★★★", "★★★★½", "★★★★★"]
    assert custom_ids(after) == [f"rate:{night}:{half}" for half in range(1, 11)]
    assert [len(row["components"]) for row in after["components"]] == [5, 5]

    assert "You gave **The Perfection (2018)** ★★★★ (4/5)." in await rate_with(club, alice, night, 8, after)
    again = await rate_with(club, alice, night, 8, after)  # a double click
    assert "already given" in again and "from 1 member" in again

    # Killed after the after-film post: the restart posts nothing again, and the stars still work.
    await bot.kill()
    bot = await club.start_bot()
    assert "from 2 members" in await rate_with(club, bob, night, 10, after)
    rated = await say(club, carol, "rate", {"stars": 3, "review": "Slow, then ||that ending||"})
    assert (
        rated["flags"] & EPHEMERAL
        and "★★★ (3/5)" in rated["content"]
        and "Your review is saved" in rated["content"]
    )

    reception = await say(club, club.member(name="dave"), "reception")
    fields = {f["name"]: f["value"] for f in reception["embeds"][0]["fields"]}
    names = list(fields)
    assert fields["This club's members"].startswith(
        "★★★★ **4**/5 from 3 members"
    )  # (8 + 10 + 6) / 3 half stars
    assert names.index("Metacritic") < names.index("This club's members") < len(names) - 1
    movie = await say(club, club.member(name="erin"), "movie")
    assert "★★★★ **4**/5 from 3 members" in text_of(movie)

    for kind in ("announce", "start", "spoilers"):
        assert (
            len(club.post_requests(night, kind)) == 1 and len(club.posts(club.channel_id, night, kind)) == 1
        )
    reminders = [r for r in club.fake.requests("POST", MESSAGES) if "reminder" in footer(r.json)]
    assert len(reminders) == 2
    assert f"night {night} recorded: the-perfection watched" in club.bots[0].output()  # when the film ended
    assert "recorded" not in bot.output()  # and never again
    club.assert_wire_clean()
    club.assert_no_traceback()


@pytest.mark.slow
async def test_history_and_stats_after_several_nights(
    clubs: ClubFactory, two_films: tuple[Path, Path]
) -> None:
    club = await clubs(clock_start=WEDNESDAY, library=two_films)
    await club.start_bot()
    alice, bob, carol = (club.member(name=n) for n in ("alice", "bob", "carol"))
    plan = [  # (film, who goes, half stars given by alice, bob, carol)
        ("The Perfection", [alice, bob, carol], (8, 6, 9)),
        ("Whiplash", [alice, bob], (10, 9, None)),
        ("The Perfection", [alice], (None, None, None)),
    ]
    nights = []
    for week, (film, going, stars) in enumerate(plan):
        starts = FRIDAY_8PM + timedelta(weeks=week)
        assert club.clock is not None
        await club.move_to(starts - timedelta(days=2, hours=8))  # the Wednesday before
        night = await schedule(club, "friday 20:00", film)
        after = await night_happens(club, night, starts, going)
        for member, half in zip((alice, bob, carol), stars, strict=True):
            if half is not None:
                await rate_with(club, member, night, half, after)
        nights.append(night)

    history = await say(club, club.member(name="reader"), "history")
    text = history["embeds"][0]["description"]
    entries = text.split("\n\n")
    assert [e.split(" · ")[0] for e in entries] == [
        "**The Perfection (2018)**",
        "**Whiplash (2014)**",
        "**The Perfection (2018)**",
    ]  # newest first
    assert f"<t:{int((FRIDAY_8PM + timedelta(weeks=2)).timestamp())}:D>" in entries[0]
    assert (
        "1 member going" in entries[0] and "2 members going" in entries[1] and "3 members going" in entries[2]
    )
    assert "★★★★ **3.8**/5 from 3 members" in entries[0]  # (8 + 6 + 9) / 3 / 2 = 3.83
    assert "Critics: Metacritic 60/100" in entries[0]
    assert "★★★★★ **4.8**/5 from 2 members" in entries[1]  # (10 + 9) / 2 / 2 = 4.75
    assert history["embeds"][0]["footer"]["text"] == "Page 1/1 · 3 movie nights"

    stats = await say(club, club.member(name="counter"), "stats", {"private": True})
    assert stats["flags"] & EPHEMERAL
    fields = {f["name"]: f["value"] for f in stats["embeds"][0]["fields"]}
    assert fields["Watched"].startswith("**3 movie nights**, 2 films, ")
    assert fields["Highest rated"].splitlines()[0].endswith("**Whiplash (2014)**")
    assert fields["Lowest rated"].splitlines()[0].endswith("**The Perfection (2018)**")
    assert "Biggest disagreement with the critics" in fields
    assert fields["Most-watched director"] == "Richard Shepard (2 nights), Damien Chazelle (1 night)"
    assert fields["Most-seen actors"].startswith("Allison Williams (2 nights)")
    regulars = fields["Most regular members"].splitlines()
    assert (
        regulars[0] == f"<@{alice.user['id']}>: 3 nights" and regulars[1] == f"<@{bob.user['id']}>: 2 nights"
    )
    assert regulars[2] == f"<@{carol.user['id']}>: 1 night" and len(regulars) == 3  # only those who took part
    club.assert_wire_clean()
    club.assert_no_traceback()


async def test_bad_input_is_answered_clearly(clubs: ClubFactory) -> None:
    club = await clubs(clock_start=WEDNESDAY)
    await club.start_bot()
    for n, (options, answer) in enumerate(
        [
            ({"stars": 0}, "0 stars isn't a rating."),
            ({"stars": 7}, "7 stars is more than 5."),
            ({"stars": 2.25}, "Did you mean 2 or 2.5?"),
            ({"stars": 4, "film": "Jaws"}, "I couldn't find a film matching “Jaws”."),
        ]
    ):
        answered = await say(club, club.member(name=f"member{n}"), "rate", options)
        assert answered["flags"] & EPHEMERAL and answer in answered["content"], answered["content"]

    long = await say(club, club.member(name="novelist"), "rate", {"stars": 4, "review": "x" * 5000})
    assert (
        "Your review is 5,000 characters; a review holds at most 1,000. Nothing was saved." in long["content"]
    )
    (kept,) = long["attachments"]
    assert kept["filename"] == "your-review.txt" and kept["size"] == 5000

    nasty = "@everyone **bold** ||open <@123> `code` @here"
    shouter = club.member(name="shouter")
    saved = await say(club, shouter, "rate", {"stars": 1.5, "review": nasty})
    assert "Your review is saved" in saved["content"]
    reviews = await say(club, club.member(name="reader"), "reviews")
    shown = reviews["embeds"][0]["description"]
    assert "@\u200beveryone" in shown and "@\u200bhere" in shown and "\\*\\*bold\\*\\*" in shown
    assert "\\|\\|open" in shown and "\\<@\u200b123>" in shown and "x" * 50 not in shown

    night = await schedule(club, "friday 20:00")
    cancelled = await schedule(club, "saturday 20:00")
    organiser = club.member(organiser=True, name="organiser")
    cancelling = await club.run(organiser, "movienight", {"id": cancelled}, subcommand="cancel")
    assert "Cancelled movie night" in (await club.followup(cancelling))[0]["content"]
    member = club.member(name="early")
    for custom_id, answer in (
        (f"rate:{cancelled}:8", "was cancelled"),
        (f"rate:{night}:8", "once it's over"),
        ("rate:424242:8", "no movie night `#424242`"),
        (f"rate:{night}:99", "isn't a rating any more"),
    ):
        message = bot_message(club.fake, club.channel_id, components=[button_row(custom_id)])
        handle = await club.fake.send_interaction(component_click(member, custom_id, message))
        await handle.wait(5)
        assert answer in handle.response_data["content"], (custom_id, handle.response_data)
    club.assert_wire_clean()
    club.assert_no_traceback()
