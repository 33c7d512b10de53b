"""Key-value facts about the bot itself (e.g. `command_hash`, the hash of the last synced command tree)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state.base import Queries
from bot.storage.state.dialect import insert
from bot.storage.state.tables import meta


class MetaQueries(Queries):
    async def get_meta(self, key: str) -> str | None:
        async def work(conn: AsyncConnection) -> str | None:
            value = (await conn.execute(select(meta.c.value).where(meta.c.key == key))).scalar()
            return None if value is None else str(value)

        return await self.db.read(work)

    async def set_meta(self, key: str, value: str) -> None:
        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            statement = insert(conn, meta).values(key=key, value=value)
            await conn.execute(
                statement.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": value})
            )

        await self.db.write(work)
