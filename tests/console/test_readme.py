"""The README's offline session is true: its lines, piped into `python -m bot --or-console` (what `make run`
starts without a token), show what the README says, and the start prints nothing a newcomer must puzzle over
(no log lines, no warnings about voice support the bot never uses)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.console.session import CLOCK_KEY
from bot.storage.state import StateStore

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- console-session:"
# Lines that name a date or a span of days depend on when the session runs; the rest must match exactly.
DATED = re.compile(
    r"January|February|March|April|May|June|July|August|September|October|November|December|\d+ d \d+ h"
)
WEDNESDAY_NOON = datetime(2040, 1, 4, 12, 0, tzinfo=UTC)  # so that "friday 20:00" has both reminders ahead


def readme_session() -> tuple[list[str], list[str]]:
    """(input lines, output lines to find) of the README's console session."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(MARKER) :].split("```", 2)[1]
    lines = block.strip("\n").splitlines()
    inputs = [line[2:] for line in lines if line.startswith("> ")]
    shown = [line for line in lines if line.strip() and not line.startswith("> ") and line != "…"]
    return inputs, shown


def test_the_readme_session_shows_what_it_says(tmp_path: Path) -> None:
    inputs, shown = readme_session()
    assert len(inputs) >= 8 and any(i.startswith("wait") for i in inputs) and "press ★★★★" in inputs
    state_db = tmp_path / "state.db"

    async def start_on_a_wednesday() -> None:  # the console goes on from a stored clock that is ahead of now
        store = await StateStore.open(state_db)
        await store.set_meta(CLOCK_KEY, WEDNESDAY_NOON.isoformat())
        await store.close()

    asyncio.run(start_on_a_wednesday())
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISCORD_TOKEN", "SHARD_COUNT", "SHARD_IDS", "LOG_LEVEL"}
    }
    env |= {
        "DISCORD_TOKEN": "",
        "FILMS_DIR": str(ROOT / "data" / "films"),
        "KNOWLEDGE_DB": str(tmp_path / "knowledge.db"),
        "STATE_DB": str(state_db),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--or-console"],
        input="\n".join([*inputs, "quit"]) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for line in inputs:
        assert f"\n> {line}\n" in out  # a script's lines are echoed, so the output reads like the README
    missing = [line for line in shown if not DATED.search(line) and line not in out.splitlines()]
    assert not missing, f"README lines not shown:\n{missing}\n--- output ---\n{out}"
    positions = [out.index(f"\n> {line}\n") for line in inputs]
    assert positions == sorted(positions)

    errors = done.stderr
    assert "Starting the offline console instead." in errors and "DISCORD_TOKEN" in errors
    for noise in ("voice", "PyNaCl", "davey", "WARNING", "INFO", "alembic", "Traceback"):
        assert noise not in errors, errors
    assert not re.search(r"^\d{4}-\d{2}-\d{2} ", errors, re.MULTILINE)  # no log line at all
