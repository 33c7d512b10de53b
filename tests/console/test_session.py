"""The console's own commands and readings: options by their names (quotes, colons in values, files from paths
served by the offline CDN), `wait`, `as`, `now`, help and mistakes, and how a message is written out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.console import Console, render
from bot.console.session import HELP
from tests.console.conftest import START, Opener


class Files(commands.Cog):
    """A command with a file option, as `/film add` will have: it downloads the file like from Discord's CDN."""

    @app_commands.command(name="upload", description="Read a file")
    async def upload(
        self, interaction: discord.Interaction[Any], file: discord.Attachment, note: str = ""
    ) -> None:
        data = await file.read()
        digest = hashlib.sha256(data).hexdigest()[:12]
        await interaction.response.send_message(
            f"{file.filename}: {len(data)} bytes, {digest}, note={note!r}"
        )


async def test_a_file_option_takes_a_local_path(console: Console, tmp_path: Path) -> None:
    await console.bot.add_cog(Files())
    await console.bot.tree.sync()
    document = tmp_path / "alien notes.txt"
    document.write_bytes(b"In space no one can hear you scream.\n" * 100)
    digest = hashlib.sha256(document.read_bytes()).hexdigest()[:12]
    out = await console.run_line(f'/upload file:"{document}" note:from the console')
    assert out == f"alien notes.txt: 3700 bytes, {digest}, note='from the console'"
    assert "No file at" in await console.run_line(f"/upload file:{tmp_path / 'missing.txt'}")


async def test_options_are_split_on_the_commands_own_names(console: Console) -> None:
    out = await console.run_line("/rate stars:4 review:Verdict: great, 10:30 well spent")
    assert "Your review is saved" in out
    rating = await console.bot.state.rating(console.guild.id, "the-perfection", int(console.you.user["id"]))
    assert rating is not None and rating.review == "Verdict: great, 10:30 well spent"
    assert "/cast has no option 'nme:Paloma'" in await console.run_line("/cast nme:Paloma")
    assert "/movienight needs one of:" in await console.run_line("/movienight")
    assert "private is true or false" in await console.run_line("/reception private:maybe")
    assert "Unknown command" in await console.run_line("/nonsense")
    assert "Choices:" in await console.run_line("?/rate stars:4 film:perf")


async def test_wait_as_now_help_and_mistakes(console: Console) -> None:
    assert await console.run_line("now") == "It is Wednesday 25 November 2026 12:00 (UTC)."
    assert (await console.run_line("wait 90 minutes")).startswith(
        "⏩ 1 h 30 min later: Wednesday 25 November 2026 13:30"
    )
    assert console.clock.now() == START + timedelta(minutes=90)
    assert "I can't read" in await console.run_line("wait until the cows come home")
    assert "Wait how long?" in await console.run_line("wait")
    assert "Say who and what" in await console.run_line("as alice")
    assert "Unknown console command" in await console.run_line("dance")
    assert "No button 'Nope'" in await console.run_line("press Nope")
    assert await console.run_line("help") == HELP
    assert await console.run_line("# a comment in a script") == ""
    assert "You gave" in await console.run_line("as Zoë /rate stars:1")
    assert console.members["zoë"].user["global_name"] == "Zoë"


async def test_the_next_session_goes_on_where_this_one_stopped(opener: Opener, one_film_db: Path) -> None:
    first = await opener(
        one_film_db, start=datetime(2040, 1, 4, 12, 0, tzinfo=UTC)
    )  # a Wednesday, long after now
    await first.run_line('/movienight schedule when:"friday 20:00"')
    await first.run_line("press Going")
    await first.run_line("wait until saturday 09:00")
    await first.close()
    later = await opener(one_film_db, start=None)  # the real time is long before that virtual Saturday
    assert later.clock.now() == datetime(2040, 1, 7, 9, 0, tzinfo=UTC)
    assert "1 member going" in await later.run_line("/history")  # the same server and member as before
    assert "1 night" in await later.run_line("/stats")


def test_a_message_written_out() -> None:
    names = render.Names(
        now=START, zone="Europe/Paris", users={1: "Alice"}, roles={2: "Film Club"}, channels={3: "general"}
    )
    friday = int(datetime(2026, 11, 27, 19, 0, tzinfo=UTC).timestamp())
    content = f"<@&2> <t:{friday}:F> (<t:{friday}:R>) in <#3> by <@1>, not <@9>: \\*\\*a\\_b\\*\\* **bold** ||twist||"
    shown = render.text(content, names)
    assert shown == (
        "@Film Club Friday 27 November 2026 20:00 (in 2 days) in #general by @Alice, not @someone: **a_b** bold "
        "⟦spoiler: twist⟧"
    )
    assert render.text("\\|\\|not a spoiler\\|\\| -# fine", names) == "||not a spoiler|| -# fine"
    assert render.text(f"<t:{int(START.timestamp()) - 12 * 3600}:R>", names) == "12 hours ago"
    message = {
        "content": "hi",
        "flags": 64,
        "embeds": [
            {
                "title": "T",
                "description": "d",
                "fields": [{"name": "n", "value": "v"}],
                "footer": {"text": "f"},
            }
        ],
        "poll": {"question": {"text": "Which?"}, "answers": [{"poll_media": {"text": "Alien"}}]},
        "attachments": [{"filename": "a.txt", "size": 1234}],
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "label": "Go"}, {"type": 2, "label": "No", "disabled": True}],
            }
        ],
    }
    assert render.message(message, names).splitlines() == [
        "(only you can see this)",
        "hi",
        "┌ T",
        "│ d",
        "│ ▸ n",
        "│   v",
        "└ f",
        "📊 Which?",
        "   1. Alien",
        "📎 a.txt (1,234 bytes)",
        "[Go]  [No (disabled)]",
    ]
