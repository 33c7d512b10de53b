"""Coordination between bot processes, possibly on several machines: who is alive, and leases.

- `instances`: each scheduler registers itself (host, pid, shards) and refreshes `seen_at` every few seconds.
  The ages come from the database server's clock, so machines need not agree on the time. Claims of an
  instance that stopped beating are re-driven by whoever serves those guilds (see bot/nights/presence.py).
- `leases`: a named claim that one holder has until it expires (or is released): `acquire_lease` is a single
  `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired OR mine RETURNING`, so exactly one contender wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state.base import Queries
from bot.storage.state.dialect import epoch_now, insert
from bot.storage.state.tables import instances, leases

FORGET_AFTER_S: Final = 7 * 24 * 3600  # rows of instances silent this long are deleted


@dataclass(frozen=True)
class Instance:
    name: str
    host: str
    pid: int
    shards: str
    silent_for: int  # seconds since its last heartbeat, by the database's clock


class PresenceQueries(Queries):
    async def register_instance(self, name: str, *, host: str, pid: int, shards: str) -> None:
        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            await conn.execute(delete(instances).where(instances.c.seen_at < epoch_now() - FORGET_AFTER_S))
            row = insert(conn, instances).values(
                name=name, host=host, pid=pid, shards=shards, started_at=epoch_now(), seen_at=epoch_now()
            )
            await conn.execute(
                row.on_conflict_do_update(
                    index_elements=[instances.c.name], set_={"seen_at": row.excluded.seen_at}
                )
            )

        await self.db.write(work)

    async def heartbeat(self, name: str) -> bool:
        """Refresh the instance's `seen_at`; False when its row is gone (register again)."""
        beat = update(instances).where(instances.c.name == name).values(seen_at=epoch_now())

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            return bool((await conn.execute(beat)).rowcount == 1)

        return await self.db.write(work)

    async def forget_instance(self, name: str) -> None:
        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            await conn.execute(delete(instances).where(instances.c.name == name))

        await self.db.write(work)

    async def instances(self) -> list[Instance]:
        query = select(
            instances.c.name,
            instances.c.host,
            instances.c.pid,
            instances.c.shards,
            (epoch_now() - instances.c.seen_at).label("silent_for"),
        ).order_by(instances.c.name)

        async def work(conn: AsyncConnection) -> list[Instance]:
            return [
                Instance(row.name, row.host, int(row.pid), row.shards, int(row.silent_for))
                for row in await conn.execute(query)
            ]

        return await self.db.read(work)

    async def acquire_lease(self, name: str, holder: str, *, ttl: float) -> bool:
        """Take (or extend) the lease `name` for `ttl` seconds: True for exactly one contender while it holds;
        another holder can take it once it expired."""

        async def work(conn: AsyncConnection, maybe_committed: bool) -> bool:
            take = insert(conn, leases).values(name=name, holder=holder, expires_at=epoch_now() + int(ttl))
            take = take.on_conflict_do_update(
                index_elements=[leases.c.name],
                set_={"holder": take.excluded.holder, "expires_at": take.excluded.expires_at},
                where=(leases.c.expires_at <= epoch_now()) | (leases.c.holder == take.excluded.holder),
            ).returning(leases.c.holder)
            return (await conn.execute(take)).first() is not None

        return await self.db.write(work)

    async def release_lease(self, name: str, holder: str) -> None:
        async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
            await conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))

        await self.db.write(work)

    async def lease_expires_in(self, name: str) -> int | None:
        """Seconds until the lease `name` expires (0 or less: expired), None when nobody holds it."""
        query = select((leases.c.expires_at - epoch_now()).label("left")).where(leases.c.name == name)

        async def work(conn: AsyncConnection) -> int | None:
            left = (await conn.execute(query)).scalar()
            return None if left is None else int(left)

        return await self.db.read(work)
