"""Copy one state database into another (a SQLite file into PostgreSQL): `python -m bot.state migrate`.

Every table in `metadata` is copied with its ids, in dependency order, inside one transaction on the target,
except the coordination tables (`instances`, `leases`), which only describe running processes. Then:
- the target's row counts are checked against the source's before the COMMIT (a mismatch rolls back);
- a target that already holds exactly the source's rows is left alone (running the command twice is fine);
- a target holding anything else is refused, naming the tables that differ: nothing is overwritten or merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateError
from bot.storage.state.base import metadata
from bot.storage.state.dialect import reset_ids
from bot.storage.state.store import StateStore

NOT_COPIED: Final = frozenset({"instances", "leases"})
TRANSFER_LOCK: Final = 0x5472616E73  # PostgreSQL advisory lock key ("Trans"): one copy at a time
BATCH: Final = 1000


class TransferRefused(StateError):
    """The target already holds data that is not the source's."""


@dataclass(frozen=True)
class TransferReport:
    counts: dict[str, int]  # rows per copied table, as verified in the target
    copied: bool  # False: the target already held exactly these rows


def copied_tables() -> list[Table]:
    return [table for table in metadata.sorted_tables if table.name not in NOT_COPIED]


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


async def _read_all(store: StateStore) -> dict[str, list[dict[str, Any]]]:
    async def work(conn: AsyncConnection) -> dict[str, list[dict[str, Any]]]:
        return {
            table.name: [row._asdict() for row in await conn.execute(_ordered(table))]
            for table in copied_tables()
        }

    return await store.db.read(work)


async def _counts(conn: AsyncConnection) -> dict[str, int]:
    return {
        table.name: int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
        for table in copied_tables()
    }


async def copy_state(source: StateStore, target: StateStore) -> TransferReport:
    """Copy `source` into `target` (see the module docstring). Raises TransferRefused."""
    if source.db.shown == target.db.shown:
        raise TransferRefused("the source and the target are the same database")
    rows = await _read_all(source)
    expected = {name: len(table_rows) for name, table_rows in rows.items()}

    async def work(conn: AsyncConnection, maybe_committed: bool) -> TransferReport:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TRANSFER_LOCK})
        present = await _counts(conn)
        if any(present.values()):
            differing = [
                table.name
                for table in copied_tables()
                if [row._asdict() for row in await conn.execute(_ordered(table))] != rows[table.name]
            ]
            if differing:
                shown = ", ".join(
                    f"{name} ({present[name]} rows there, {expected[name]} here)" for name in differing
                )
                raise TransferRefused(f"{target.db.shown} already holds different data: {shown}")
            return TransferReport(present, copied=False)
        for table in copied_tables():
            table_rows = rows[table.name]
            for start in range(0, len(table_rows), BATCH):
                await conn.execute(table.insert(), table_rows[start : start + BATCH])
            await reset_ids(conn, table)
        written = await _counts(conn)
        if written != expected:
            raise StateError(f"copy verification failed: wrote {written}, expected {expected}")
        return TransferReport(written, copied=True)

    return await target.db.write(work)


async def verify(source: StateStore, target: StateStore) -> bool:
    """Whether the target holds exactly the source's rows (after a copy, or to check one)."""
    return await _read_all(source) == await _read_all(target)
