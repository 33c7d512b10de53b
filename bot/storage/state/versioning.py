"""Schema versions: Alembic migrations (shipped in `migrations/`), applied when the store opens.

`upgrade(db)` runs in one write transaction that only one process at a time can hold (SQLite: BEGIN IMMEDIATE;
PostgreSQL: a transaction-scoped advisory lock), so processes starting together migrate once. It:
1. adopts a SQLite file written before Alembic (`PRAGMA user_version = 1`, no `alembic_version` table) by
   stamping it with the baseline revision, which created exactly those tables; no row is touched;
2. refuses a database whose revision this bot does not know (written by a newer bot), or a pre-Alembic file
   newer than version 1, with StateError;
3. upgrades to every head (`heads`: features developed in parallel may each add a head).

A database already at HEADS (every start but the first after an upgrade) is recognised by one read, without
loading Alembic: it costs a tenth of a second of start-up and 10 MB of memory. HEADS must name every head of
`migrations/` (tests/storage/test_state_schema.py checks it against Alembic's own view).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import StateError
from bot.storage.state.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)
logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing ours don't (see _upgrade)

MIGRATIONS: Final = Path(__file__).resolve().with_name("migrations")
HEADS: Final = ("0005_library",)  # every head revision in MIGRATIONS, sorted (a new migration changes it)
BASELINE: Final = "0001_baseline"
LEGACY_VERSION: Final = 1  # PRAGMA user_version of the pre-Alembic schema
MIGRATION_LOCK: Final = 0x5374617465  # PostgreSQL advisory lock key ("State")


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["connection"] = connection
    return config


def script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> tuple[str, ...]:
    return tuple(sorted(script().get_heads()))


def current_revisions(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _stamped(connection: Connection) -> tuple[str, ...]:
    """The revisions in the database's `alembic_version` table, sorted (none: no table), read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return ()
    return tuple(
        sorted(str(r[0]) for r in connection.execute(text("SELECT version_num FROM alembic_version")))
    )


def _adopt_or_refuse(connection: Connection, shown: str) -> None:
    """Stamp a pre-Alembic SQLite state file with the baseline; refuse what this bot cannot read."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        known = {rev.revision for rev in script().walk_revisions()}
        unknown = [rev for rev in current_revisions(connection) if rev not in known]
        if unknown:
            raise StateError(
                f"{shown} has schema revision {', '.join(unknown)}, which this bot does not know: it was "
                "written by a newer version. Upgrade the bot or use another STATE_DB."
            )
        return
    if connection.dialect.name != "sqlite":
        if tables & {"nights", "jobs"}:
            raise StateError(
                f"{shown} has state tables but no alembic_version: not a database this bot wrote"
            )
        return
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    if version > LEGACY_VERSION:
        raise StateError(
            f"{shown} has schema version {version}; this bot knows up to {LEGACY_VERSION} before Alembic. "
            "Upgrade the bot or use another STATE_DB."
        )
    if version == LEGACY_VERSION:
        from alembic import command

        command.stamp(alembic_config(connection), BASELINE)
        log.warning("state database %s: adopted the pre-Alembic schema (version 1) as %s", shown, BASELINE)


def _upgrade(connection: Connection, shown: str) -> tuple[str, ...]:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    _adopt_or_refuse(connection, shown)
    before = current_revisions(connection)
    from alembic import command

    command.upgrade(alembic_config(connection), "heads")
    after = current_revisions(connection)
    if after != before:
        log.info("state database %s migrated from %s to %s", shown, before or "nothing", after)
    return after


async def upgrade(db: Database) -> tuple[str, ...]:
    """Bring the database to the newest schema (see the module docstring); the revisions it is at."""

    async def stamped(conn: AsyncConnection) -> tuple[str, ...]:
        return await conn.run_sync(_stamped)

    if await db.read(stamped) == HEADS:
        return HEADS

    async def work(conn: AsyncConnection, maybe_committed: bool) -> tuple[str, ...]:
        return await conn.run_sync(_upgrade, db.shown)

    return await db.write(work)


async def revisions(db: Database) -> tuple[str, ...]:
    async def work(conn: AsyncConnection) -> tuple[str, ...]:
        return await conn.run_sync(current_revisions)

    return await db.read(work)
