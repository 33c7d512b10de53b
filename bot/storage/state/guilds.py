"""Per-server movie-night settings: default channel, timezone, role to ping, reminder offsets, and the
club's usual night (weekday and local time, used to prefill "Schedule it" after a poll)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state.base import UNSET, Queries, _Unset
from bot.storage.state.dialect import insert
from bot.storage.state.tables import guild_settings

DEFAULT_REMINDERS: Final[tuple[int, ...]] = (24 * 3600, 15 * 60)  # seconds before the start
DEFAULT_TIMEZONE: Final = "UTC"


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    channel_id: int | None
    timezone: str
    role_id: int | None
    reminders: tuple[int, ...]  # seconds before the start, largest first
    usual_weekday: int | None = None  # 0 = Monday
    usual_time: str | None = None  # 'HH:MM', local


def _reminders_text(reminders: Iterable[int]) -> str:
    return ",".join(str(int(s)) for s in sorted(set(reminders), reverse=True))


def _reminders(text: str | None) -> tuple[int, ...]:
    if text is None:
        return DEFAULT_REMINDERS
    return tuple(int(part) for part in text.split(",") if part)


def _settings(guild_id: int, row: Row[Any] | None) -> GuildSettings:
    if row is None:
        return GuildSettings(guild_id, None, DEFAULT_TIMEZONE, None, DEFAULT_REMINDERS)
    usual = (row.usual_weekday, row.usual_time) if row.usual_time is not None else (None, None)
    return GuildSettings(
        guild_id,
        row.channel_id,
        row.timezone or DEFAULT_TIMEZONE,
        row.role_id,
        _reminders(row.reminders),
        *usual,
    )


class GuildQueries(Queries):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        async def work(conn: AsyncConnection) -> GuildSettings:
            query = select(guild_settings).where(guild_settings.c.guild_id == guild_id)
            return _settings(guild_id, (await conn.execute(query)).first())

        return await self.db.read(work)

    async def update_guild_settings(
        self,
        guild_id: int,
        *,
        now: datetime,
        channel_id: int | _Unset | None = UNSET,
        timezone: str | _Unset = UNSET,
        role_id: int | _Unset | None = UNSET,
        reminders: Sequence[int] | _Unset = UNSET,
        usual: tuple[int, str] | _Unset | None = UNSET,
    ) -> GuildSettings:
        """Change the given settings (None clears channel, role or usual night); the others keep their values."""
        changes: dict[str, Any] = {}
        if not isinstance(channel_id, _Unset):
            changes["channel_id"] = channel_id
        if not isinstance(timezone, _Unset):
            changes["timezone"] = timezone
        if not isinstance(role_id, _Unset):
            changes["role_id"] = role_id
        if not isinstance(reminders, _Unset):
            changes["reminders"] = _reminders_text(reminders)
        if not isinstance(usual, _Unset):
            changes["usual_weekday"], changes["usual_time"] = usual if usual is not None else (None, None)

        async def work(conn: AsyncConnection, maybe_committed: bool) -> GuildSettings:
            create = insert(conn, guild_settings).values(guild_id=guild_id, updated_at=now)
            await conn.execute(create.on_conflict_do_nothing(index_elements=[guild_settings.c.guild_id]))
            if changes:
                await conn.execute(
                    update(guild_settings)
                    .where(guild_settings.c.guild_id == guild_id)
                    .values(**changes, updated_at=now)
                )
            query = select(guild_settings).where(guild_settings.c.guild_id == guild_id)
            return _settings(guild_id, (await conn.execute(query)).first())

        return await self.db.write(work)
