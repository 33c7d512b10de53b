"""Every film command driven through real discord.py Interaction objects (built from payloads) in the console.

Checks what the documents say, the spoiler rule over everything shown, and bad input.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import Console, open_console
from bot.ingest.build import build
from bot.present.text import unspoiled
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SPOILERS = [
    "sex cult",
    "hacks off",
    "sewn shut",
    "conspired",
    "kill Paloma",
    "drugged Lizzie",
    "strange village",
]


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    build(ROOT / "data" / "films", tmp_path / "k.db")
    env = {"KNOWLEDGE_DB": str(tmp_path / "k.db"), "STATE_DB": str(tmp_path / "s.db")}
    c = await open_console(Settings.from_env(env))
    yield c
    await c.close()


def visible(console: Console) -> str:
    """Everything the last message shows outside spoiler tags (content, embeds, buttons, choices)."""
    sent = console.last
    assert sent is not None
    parts = [sent.content]
    for e in sent.embeds:
        parts += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
    parts += [b.get("label", "") for row in sent.components for b in row.get("components", [])]
    parts += [c["name"] for c in sent.choices]
    return unspoiled("\n".join(parts))


def assert_no_spoilers(console: Console) -> None:
    shown = visible(console)
    for phrase in SPOILERS:
        assert phrase not in shown


COMMANDS = [
    (
        "/movie",
        ["Richard Shepard", "2018", "2019 (001_976fb35c43b5aed4.txt)", "Fantastic Fest", "90 minutes"],
    ),
    ("/cast name:Paloma", ["Alaina Huffman"]),
    ("/cast name:Alison Wiliams", ["Allison Williams", "Molly Grace"]),
    ("/cast", ["Allison Williams", "Page 1/"]),
    ("/plot", ["Charlotte Willmore is a talented young cellist"]),
    ("/plot part:end", ["Premise"]),
    ("/soundtrack", ["Paul Haslinger", "At Least I Still Have You", "Rose Liu", "Jason Zachary Parris"]),
    ("/reception", ["70%", "98 reviews", "71%", "73%", "mixed or average reviews", "Katie Rife"]),
    ("/search query:Fantastic Fest", ["Fantastic Fest"]),
    ("/sources", ["rewrite", "near-copy", "Imprint Kandborg"]),
    ("/help", ["/cast", "/plot", "/sources"]),
]


@pytest.mark.parametrize(("line", "expected"), COMMANDS)
async def test_commands_answer_with_the_documents_facts(
    console: Console, line: str, expected: list[str]
) -> None:
    out = await console.run_line(line)
    plain = out.replace("\\", "")
    for text in expected:
        assert text in plain, (text, out)
    assert "went wrong" not in out
    assert_no_spoilers(console)


async def test_plot_hides_every_beat(console: Console) -> None:
    await console.run_line("/plot")
    sent = console.last
    assert sent is not None
    text = "\n".join(f["value"] for e in sent.embeds for f in e.get("fields", [])) + "".join(
        e.get("description") or "" for e in sent.embeds
    )
    assert len(re.findall(r"\|\|", text)) >= 10
    assert_no_spoilers(console)


async def test_paging_buttons_and_autocomplete(console: Console) -> None:
    await console.run_line("/cast")
    first = visible(console)
    out = await console.press("Next")
    assert "Page 2/" in out and visible(console) != first
    out = await console.run_line("?/cast name:liz")
    assert "Logan Browning" in out and "Milah Thompson" in out
    assert_no_spoilers(console)
    assert console.last is not None and 0 < len(console.last.choices) <= 25


@pytest.mark.parametrize(
    "line",
    [
        "/cast name:zzzz",
        "/cast name:@everyone <@123> ||x||",
        "/movie film:Jaws",
        "/search query:" + 'NEAR(a b) OR "x ||' * 10,
        "/search query:@everyone",
        "/cast name:" + "*" * 90,
    ],
)
async def test_bad_input_gets_a_helpful_answer(console: Console, line: str) -> None:
    out = await console.run_line(line)
    assert out and "went wrong" not in out and "Traceback" not in out
    assert "@everyone" not in visible(console).replace("@\u200beveryone", "")
    assert_no_spoilers(console)
