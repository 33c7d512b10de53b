"""A whole movie night in the offline console, in-process, on the console's clock: scheduled, answered,
reminded, started and over in a few lines; then rated with the stars and /rate, and seen in /reception, /movie,
/history and /stats. Every post arrives once, in order, and nothing the members typed can ping anyone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from discord.ext import commands

from bot.console import Console
from bot.offline import payloads
from bot.present.nights import marker
from bot.storage.state import Screening
from tests.console.conftest import Opener
from tests.e2e.wire import (
    footer,
    mention_problems,
)


def posts(console: Console, kind: str, night: int = 1, offset: int = 0) -> list[dict[str, Any]]:
    channel = console.guild.text_channel["id"]
    return [m for m in console.fake.messages(channel) if footer(m).startswith(marker(night, kind, offset))]


class Watched(commands.Cog):
    """Stands in for a watchlist: listens for the club's `film_watched` event."""

    def __init__(self) -> None:
        self.seen: list[Screening] = []

    @commands.Cog.listener()
    async def on_film_watched(self, screening: Screening) -> None:
        self.seen.append(screening)


async def test_a_whole_night_then_ratings_reception_history_and_stats(console: Console) -> None:
    watched = Watched()
    await console.bot.add_cog(watched)

    out = await console.run_line('/movienight schedule when:"friday 20:00"')
    assert "Scheduled movie night `#1`: The Perfection (2018)" in out
    assert "Friday 27 November 2026 20:00 (in 2 days)" in out
    assert "── #general · Film Club Bot" in out and "Movie night #1 · announcement" in out  # arrived at once
    assert "[Going (0)]  [Maybe (0)]  [Can't go (0)]" in out

    assert "[Going (1)]" in await console.run_line("press Going")
    assert "[Going (2)]" in await console.run_line("as alice press going")
    assert "[Maybe (1)]" in await console.run_line("as bob press Maybe")

    out = await console.run_line("wait until friday 20:00")
    assert out.startswith("⏩ 2 d 8 h later: Friday 27 November 2026 20:00 (UTC).")
    order = [out.index(m) for m in ("24h reminder", "15m reminder", "Movie night #1 · starting now")]
    assert order == sorted(order)
    assert posts(console, "spoilers") == []

    out = await console.run_line("wait 2h")
    assert "Spoilers are fair game" in out and "Rate it" in out
    assert "[½]  [★]  [★½]  [★★]  [★★½]" in out and "[★★★]  [★★★½]  [★★★★]  [★★★★½]  [★★★★★]" in out
    for kind, offset in (
        ("announce", 0),
        ("reminder", 86400),
        ("reminder", 900),
        ("start", 0),
        ("spoilers", 0),
    ):
        assert len(posts(console, kind, offset=offset)) == 1, kind
    assert [s.film.slug for s in watched.seen] == ["the-perfection"]  # recorded when the film ended

    assert "You gave The Perfection (2018) ★★★★ (4/5)." in await console.run_line("press ★★★★")
    assert "from 2 members" in await console.run_line("as alice press ★★★★★")
    again = await console.run_line("as alice press ★★★★★")  # a double click counts once
    assert "nothing changed" in again and "from 2 members" in again
    out = await console.run_line("as bob /rate stars:3 review:Slow start, then ||that ending||")
    assert "You gave The Perfection (2018) ★★★ (3/5)." in out and "Your review is saved" in out

    reception = await console.run_line("/reception")
    assert "▸ This club's members\n│   ★★★★ 4/5 from 3 members" in reception
    assert reception.index("Reviewers' own ratings") < reception.index("This club's members")
    assert reception.index("This club's members") < reception.index("Variety")  # before the critics' quotes
    assert "▸ This club's members\n│   ★★★★ 4/5 from 3 members" in await console.run_line("/movie")
    await console.run_line("as carol /rate stars:5")  # the answers kept with the verdict follow it at once
    assert "from 4 members" in await console.run_line("/movie")
    assert "from 4 members" in await console.run_line("/reception")
    assert "is removed" in await console.run_line("as carol /unrate film:perfection")
    assert "from 3 members" in await console.run_line("/movie")

    history = await console.run_line("/history")
    assert "The Perfection (2018) · 27 November 2026" in history
    assert "2 members going · ⭐ Club: ★★★★ 4/5 from 3 members · 🎟️ Critics: Metacritic 60/100" in history

    stats = await console.run_line("/stats")
    assert "1 movie night, 1 film, 1 h 30 min of film" in stats
    assert "The club liked it 20 points more" in stats  # 4/5 = 80/100 against Metacritic's 60
    assert "Richard Shepard (1 night)" in stats and "Allison Williams (1 night)" in stats
    regulars = stats.split("Most regular members")[1]
    assert "@you: 1 night" in regulars and "@Alice: 1 night" in regulars and "Bob" not in regulars

    reviews = await console.run_line("/reviews")
    assert "★★★ @Bob" in reviews and "Slow start, then ⟦spoiler: that ending⟧" in reviews
    assert watched.seen and len(watched.seen) == 1  # /history and /stats recorded nothing twice
    assert mention_problems(console.fake.requests()) == []


async def test_bad_input_is_answered_clearly_and_saves_nothing(console: Console) -> None:
    for n, (line, answer) in enumerate(
        [
            ("/rate stars:0", "0 stars isn't a rating."),
            ("/rate stars:7", "7 stars is more than 5."),
            ("/rate stars:2.25", "Did you mean 2 or 2.5?"),
            ("/rate stars:4 film:Jaws", "I couldn't find a film matching “Jaws”."),
            ("/rate stars:lots", "stars must be a number, not 'lots'."),
            ("/rate film:The Perfection", "/rate needs stars:."),
        ]
    ):
        out = await console.run_line(f"as member{n} {line}")  # one each: a member may rate 5 times in 10 s
        assert answer in out, (line, out)
    long = "word " * 1000
    out = await console.run_line(f"/rate stars:4 review:{long}")
    assert "Your review is 4,999 characters; a review holds at most 1,000. Nothing was saved." in out
    assert "📎 your-review.txt (4,999 bytes)" in out
    (attachment,) = console.last.message["attachments"]  # type: ignore[union-attr]
    assert console.fake.attachments[int(attachment["id"])][1].decode() == long.strip()
    assert (
        await console.bot.state.rating(console.guild.id, "the-perfection", int(console.you.user["id"]))
        is None
    )

    nasty = "@everyone look: **bold** ||not closed <@123> [x](https://e.com) @here"
    out = await console.run_line(f"as nasty /rate stars:3.5 review:{nasty}")
    assert "Your review is saved, in the clear" in out
    await console.run_line("as reader /reviews")
    reviews = console.last
    assert reviews is not None
    description = reviews.embeds[0]["description"]
    assert (
        "@\u200beveryone" in description
        and "@\u200bhere" in description
        and "\\*\\*bold\\*\\*" in description
    )
    assert "\\|\\|not closed" in description and "\\<@\u200b123>" in description
    assert mention_problems(console.fake.requests()) == []


async def test_the_stars_answer_for_nights_that_cannot_be_rated(console: Console) -> None:
    out = await console.run_line('/movienight schedule when:"friday 20:00"')
    open_night = int(re.search(r"`#(\d+)`", out)[1])  # type: ignore[index]
    await console.run_line('/movienight schedule when:"saturday 20:00"')
    await console.run_line("/movienight cancel id:2")
    channel = console.guild.text_channel["id"]

    async def click(custom_id: str) -> str:
        """A click on a message carrying that button (Discord only sends clicks on buttons a message has)."""
        message = payloads.bot_message(console.fake, channel, components=[payloads.button_row(custom_id)])
        return await console.dispatch(payloads.component_click(console.you.context, custom_id, message))

    assert "once it's over" in await click(f"rate:{open_night}:8")
    assert "was cancelled" in await click("rate:2:8")
    assert "no movie night `#999`" in await click("rate:999:8")
    assert "isn't a rating any more" in await click(f"rate:{open_night}:99")
    assert await console.bot.state.rated_films(console.guild.id) == []


async def test_a_film_removed_from_the_library_keeps_its_history(
    opener: Opener, one_film_db: Path, two_films_db: Path
) -> None:
    first = await opener(two_films_db)
    await first.run_line('/movienight schedule when:"friday 20:00" film:Whiplash')
    await first.run_line("press Going")
    await first.run_line("wait until saturday 12:00")
    assert "You gave Whiplash (2014) ★★★★½" in await first.run_line("/rate stars:4.5 review:Not my tempo")
    await first.close()

    later = await opener(one_film_db, start=first.clock.now())  # Whiplash is gone from the library
    history = await later.run_line("/history")
    assert "Whiplash (2014) · 27 November 2026" in history and "1 member going" in history
    assert "★★★★½ 4.5/5 from 1 member" in history
    stats = await later.run_line("/stats")
    assert "1 movie night, 1 film" in stats and "Not in the library any more" in stats
    assert "Not my tempo" in await later.run_line("/reviews film:Whiplash")
    assert "I couldn't find a film matching “Whiplash”" in await later.run_line("/rate stars:2 film:Whiplash")
