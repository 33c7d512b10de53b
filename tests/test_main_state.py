"""`python -m bot` with a state database it cannot use says why and exits 1, before connecting anywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import run_bot
from bot.settings import Settings


async def test_a_newer_state_file_stops_the_bot_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.db"
    with sqlite3.connect(state) as raw:
        raw.execute("PRAGMA user_version = 7")
    env = {"DISCORD_TOKEN": "x.y.z", "STATE_DB": str(state), "KNOWLEDGE_DB": str(tmp_path / "k.db")}
    assert await run_bot(Settings.from_env(env, dotenv=False)) == 1
    assert "schema version 7" in capsys.readouterr().err
