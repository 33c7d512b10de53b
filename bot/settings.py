"""The one place that reads the environment (and `.env`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from bot.storage.dsn import mask, parse_state_db

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A variable is set to something unusable."""


def _log_level(env: Mapping[str, str]) -> str:
    raw = env.get("LOG_LEVEL", "").strip()
    level = (raw or "INFO").upper()
    if level == "WARN":
        level = "WARNING"
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _ints(env: Mapping[str, str], name: str) -> tuple[int, ...] | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated whole numbers, got {raw!r}") from None


def _state_db(env: Mapping[str, str]) -> Path | str:
    try:
        return parse_state_db(env.get("STATE_DB", "").strip() or "data/state.db")
    except ValueError as error:
        raise SettingsError(str(error)) from None


@dataclass(frozen=True)
class Settings:
    token: str | None
    films_dir: Path
    knowledge_db: Path
    state_db: Path | str  # a SQLite file, or a postgresql:// DSN (its password is never shown)
    dev_guild_id: int | None
    log_level: str
    shard_count: int | None
    shard_ids: tuple[int, ...] | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = os.environ
        shard_count = _int(env, "SHARD_COUNT")
        if shard_count is not None and shard_count < 1:
            raise SettingsError(
                f"SHARD_COUNT must be 1 or more (the total number of shards), got {shard_count}"
            )
        shard_ids = _ints(env, "SHARD_IDS")
        if shard_ids is not None and len(set(shard_ids)) != len(shard_ids):
            raise SettingsError("SHARD_IDS lists a shard twice")
        if shard_ids is not None and shard_count is None:
            raise SettingsError("SHARD_IDS needs SHARD_COUNT")
        if shard_ids and shard_count and any(i < 0 or i >= shard_count for i in shard_ids):
            raise SettingsError(f"SHARD_IDS must be between 0 and {shard_count - 1}")
        return cls(
            token=env.get("DISCORD_TOKEN", "").strip() or None,
            films_dir=Path(env.get("FILMS_DIR", "").strip() or "data/films"),
            knowledge_db=Path(env.get("KNOWLEDGE_DB", "").strip() or "data/knowledge.db"),
            state_db=_state_db(env),
            dev_guild_id=_int(env, "DEV_GUILD_ID"),
            log_level=_log_level(env),
            shard_count=shard_count,
            shard_ids=shard_ids,
        )

    def __repr__(self) -> str:  # never print the token
        token = "set" if self.token else "unset"
        return (
            f"Settings(token={token}, films_dir={self.films_dir}, knowledge_db={self.knowledge_db}, "
            f"state_db={mask(self.state_db)}, dev_guild_id={self.dev_guild_id}, log_level={self.log_level}, "
            f"shard_count={self.shard_count}, shard_ids={self.shard_ids})"
        )
