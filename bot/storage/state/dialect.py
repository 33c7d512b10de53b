"""The few statements that differ between SQLite and PostgreSQL, behind one name each.

- `insert(conn, table)`: the dialect's INSERT, which has `on_conflict_do_update` / `on_conflict_do_nothing`
  (`INSERT ... ON CONFLICT`, the same syntax on both backends, built by each dialect).
- `epoch_now()`: the database server's clock in whole UTC seconds, so that processes on several machines
  compare heartbeats and lease expiries against one clock.
- `reset_ids(conn, table)`: after rows were copied in with their ids, make new ids continue after them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def insert(conn: AsyncConnection, table: Table) -> Any:
    """INSERT for this connection's backend (with ON CONFLICT support)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class epoch_now(FunctionElement[int]):  # lower case: it reads like the SQL function it stands for
    """The server's current time as whole seconds since the epoch (UTC)."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_now, "postgresql")
def _epoch_now_postgresql(element: epoch_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)"


@compiles(epoch_now, "sqlite")
def _epoch_now_sqlite(element: epoch_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "CAST(strftime('%s', 'now') AS INTEGER)"


async def reset_ids(conn: AsyncConnection, table: Table) -> None:
    """PostgreSQL: move the id sequence past the highest id (SQLite's AUTOINCREMENT already follows)."""
    if conn.dialect.name != "postgresql" or "id" not in table.c:
        return
    highest = (await conn.execute(select(func.max(table.c.id)))).scalar()
    if highest is None:
        return
    await conn.execute(
        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
        {"table": table.name, "value": int(highest)},
    )
