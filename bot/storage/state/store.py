"""`StateStore`: the one object the bot uses for its state, whichever database holds it.

It is the sum of each concern's queries (one mixin per module) over one `Database`. `StateStore.open` picks
the backend from the location (a path: SQLite; a `postgresql://` DSN: PostgreSQL), connects, and migrates.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.storage.state import versioning
from bot.storage.state.base import metadata
from bot.storage.state.engine import Database, RetryPolicy
from bot.storage.state.guilds import GuildQueries
from bot.storage.state.jobs import JobQueries
from bot.storage.state.meta import MetaQueries
from bot.storage.state.nights import NightQueries
from bot.storage.state.presence import PresenceQueries
from bot.storage.state.rsvps import RsvpQueries

log = logging.getLogger(__name__)

__all__ = ["StateStore", "metadata"]


class StateStore(
    MetaQueries,
    GuildQueries,
    NightQueries,
    RsvpQueries,
    JobQueries,
    PresenceQueries,
):
    """Async access to the state. Use `await StateStore.open(path_or_dsn)` and `await store.close()`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    async def open(cls, location: Path | str, *, retry: RetryPolicy | None = None) -> StateStore:
        """Connect to the state database at `location` and bring its schema up to date."""
        db = await Database.connect(location, retry=retry)
        try:
            await versioning.upgrade(db)
        except BaseException:
            await db.dispose()
            raise
        log.info("state database: %s (%s)", db.shown, db.backend)
        return cls(db)

    async def close(self) -> None:
        await self.db.dispose()

    @property
    def backend(self) -> str:
        return self.db.backend

    @property
    def location(self) -> Path | str:
        return self.db.location

    async def schema_revision(self) -> tuple[str, ...]:
        """The Alembic revision(s) the database is at."""
        return await versioning.revisions(self.db)

    def __repr__(self) -> str:
        return f"StateStore({self.db.shown})"
