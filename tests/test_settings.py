"""Settings are read and checked in one place; a mistake is a clear message, never a traceback later."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


@pytest.mark.parametrize("level", ["debug", " Warning ", "warn", "ERROR", ""])
def test_log_levels_python_knows_are_accepted(level: str) -> None:
    assert settings(LOG_LEVEL=level).log_level in ("DEBUG", "WARNING", "ERROR", "INFO")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LOG_LEVEL": "VERBOSE"},
            "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'VERBOSE'",
        ),
        ({"LOG_LEVEL": "5"}, "LOG_LEVEL must be one of"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be 1 or more"),
        ({"SHARD_COUNT": "-2"}, "SHARD_COUNT must be 1 or more"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS must be between 0 and 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1"}, "SHARD_IDS lists a shard twice"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
    ],
)
def test_unusable_values_are_refused_with_a_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(**env)
    assert message in str(caught.value)


def test_shards_are_read() -> None:
    read = settings(SHARD_COUNT="4", SHARD_IDS="0, 2")
    assert (read.shard_count, read.shard_ids) == (4, (0, 2))
