"""`python -m bot` as a user runs it: no token, the console, a settings mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `python -m bot` subprocesses

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "SHARD_COUNT", "SHARD_IDS"}}
    base |= {
        "DISCORD_TOKEN": "",
        "FILMS_DIR": str(ROOT / "data" / "films"),
        "KNOWLEDGE_DB": str(tmp_path / "k.db"),
        "STATE_DB": str(tmp_path / "s.db"),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_no_token_explains_and_exits_2(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert done.returncode == 2
    assert "DISCORD_TOKEN" in done.stderr and "applications.commands" in done.stderr
    assert "python -m bot console" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "k.db").is_file()  # the knowledge database was built on the way


def test_run_command_falls_back_to_the_console(tmp_path: Path) -> None:
    done = run(tmp_path, "--or-console", stdin="/cast name:Paloma\n/plot part:end\nquit\n")
    assert done.returncode == 0, done.stderr
    assert "Alaina Huffman" in done.stdout
    assert "⟦spoiler:" in done.stdout and "Traceback" not in done.stderr


def test_settings_mistake_is_a_message(tmp_path: Path) -> None:
    done = run(tmp_path, SHARD_COUNT="two")
    assert done.returncode == 2
    assert "SHARD_COUNT must be a whole number" in done.stderr and "Traceback" not in done.stderr


def test_a_log_level_that_does_not_exist_is_a_message(tmp_path: Path) -> None:
    done = run(tmp_path, LOG_LEVEL="VERBOSE")
    assert done.returncode == 2
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in done.stderr
    assert "Traceback" not in done.stderr
