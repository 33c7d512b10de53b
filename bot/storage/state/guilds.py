"""Per-server movie-night settings: default channel, timezone, role to ping, reminder offsets."""

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


def _reminders_text(reminders: Iterable[int]) -> str:
    return ",".join(str(int(s)) for s in sorted(set(reminders), reverse=True))


def _reminders(text: str | None) -> tuple[int, ...]:
    if text is None:
        return DEFAULT_REMINDERS
    return tuple(int(part) for part in text.split(",") if part)


def _settings(guild_id: int, row: Row[Any] | None) -> GuildSettings:
    if row is None:
        return GuildSettings(guild_id, None, DEFAULT_TIMEZONE, None, DEFAULT_REMINDERS)
    return GuildSettings(
        guild_id, row.channel_id, row.timezone or DEFAULT_TIMEZONE, row.role_id, _reminders(row.reminders)
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
    ) -> GuildSettings:
        """Change the given settings (None clears channel or role); the others keep their values."""
        changes: dict[str, Any] = {}
        if not isinstance(channel_id, _Unset):
            changes["channel_id"] = channel_id
        if not isinstance(timezone, _Unset):
            changes["timezone"] = timezone
        if not isinstance(role_id, _Unset):
            changes["role_id"] = role_id
        if not isinstance(reminders, _Unset):
            changes["reminders"] = _reminders_text(reminders)

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
