"""Connecting to the state database, and running reads and writes on it with retries.

`Database.connect(location)` turns a file path into SQLite (aiosqlite) and a `postgresql://` DSN into
PostgreSQL (asyncpg), each with a connection pool and its own settings:
- SQLite: WAL (readers never block the writer; several processes on one machine share the file), a busy timeout,
  `synchronous = NORMAL`, foreign keys on; writers take `BEGIN IMMEDIATE` so two writers queue instead of
  deadlocking; readers run without a transaction (one statement each).
- PostgreSQL: writers in READ COMMITTED transactions, readers in autocommit (one round trip).

When the server refuses or drops connections (restarts, failovers, network), an operation is retried with
exponential backoff for `RetryPolicy.budget` seconds, then `StateUnavailable` is raised. A write that failed
before COMMIT was rolled back by the server and is simply run again; one whose COMMIT got no answer may have
been applied, so the retry tells the work function (`maybe_committed=True`), which must make it safe (each
write in this package does: conditional updates, upserts, or a check by a key written in the same transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from sqlalchemy import URL, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.storage.dsn import is_dsn, mask
from bot.storage.errors import StateUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
Backend = Literal["sqlite", "postgresql"]

BUSY_TIMEOUT_S: Final = 10.0
CONNECT_TIMEOUT_S: Final = 5.0
COMMAND_TIMEOUT_S: Final = 60.0
POOL_SIZE: Final = 5
MAX_OVERFLOW: Final = 10


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep retrying an operation whose connection was refused or dropped."""

    budget: float = 1.5  # seconds; short enough to still answer an interaction within Discord's 3 s
    first_delay: float = 0.05
    max_delay: float = 0.5

    def delays(self) -> Iterator[float]:
        delay, spent = self.first_delay, 0.0
        while spent + delay <= self.budget:
            yield delay
            spent += delay
            delay = min(delay * 2, self.max_delay)


def engine_url(location: Path | str) -> URL:
    if is_dsn(location):
        return make_url(str(location)).set(drivername="postgresql+asyncpg")
    return URL.create("sqlite+aiosqlite", database=str(location))


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 8:
        yield current
        seen += 1
        inner = current.orig if isinstance(current, DBAPIError) else None
        current = inner if isinstance(inner, BaseException) else current.__cause__


def is_transient(error: BaseException) -> bool:
    """True when the error means the connection was refused, dropped or timed out (worth retrying)."""
    import asyncpg

    connection_errors = (
        OSError,  # refused, reset, unreachable
        TimeoutError,
        asyncpg.PostgresConnectionError,
        asyncpg.CannotConnectNowError,
        asyncpg.AdminShutdownError,
        asyncpg.CrashShutdownError,
        asyncpg.ConnectionDoesNotExistError,
        asyncpg.InterfaceError,
    )
    for cause in _causes(error):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, connection_errors):
            return True
    return False


def brief(error: BaseException) -> str:
    """One line for the log: the innermost cause's type and message."""
    inner = list(_causes(error))[-1]
    text = str(inner).splitlines()[0] if str(inner) else ""
    return f"{type(inner).__name__}: {text}"[:200]


def _sqlite_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("state_tx")
    if mode == "read":
        return  # one statement, no transaction: sqlite3 then skips COMMIT/ROLLBACK too
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "write" else "BEGIN")


class Database:
    """An engine, the backend's name, and `read`/`write` that retry on lost connections."""

    def __init__(self, engine: AsyncEngine, location: Path | str, retry: RetryPolicy | None = None) -> None:
        self.engine = engine
        self.location = location
        self.shown = mask(location)  # what logs and reprs say: never the password
        self.backend: Backend = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
        self.retry = retry or RetryPolicy()
        if self.backend == "sqlite":
            self._reader = engine.execution_options(state_tx="read")
            self._writer = engine.execution_options(state_tx="write")
        else:
            self._reader = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._writer = engine
        self._down_since: float | None = None
        # SQLite has one writer at a time: queue this process's writers here rather than in SQLite's busy
        # handler, which sleeps in steps of up to 100 ms (other processes still wait there).
        self._write_lock = asyncio.Lock() if self.backend == "sqlite" else None

    @classmethod
    async def connect(cls, location: Path | str, *, retry: RetryPolicy | None = None) -> Database:
        url = engine_url(location)
        if url.get_backend_name() == "sqlite":
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
            engine = create_async_engine(
                url,
                pool_size=POOL_SIZE,
                max_overflow=MAX_OVERFLOW,
                pool_reset_on_return=None,
                connect_args={"timeout": BUSY_TIMEOUT_S},
            )
            event.listen(engine.sync_engine, "connect", _sqlite_connect)
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
        else:
            engine = create_async_engine(
                url,
                pool_size=POOL_SIZE,
                max_overflow=MAX_OVERFLOW,
                pool_recycle=1800,
                connect_args={
                    "timeout": CONNECT_TIMEOUT_S,
                    "command_timeout": COMMAND_TIMEOUT_S,
                    "server_settings": {"application_name": "filmclub-bot"},
                },
            )
        db = cls(engine, location, retry)
        if db.backend == "sqlite":
            try:
                await db._use_wal()
            except BaseException:
                await engine.dispose()
                raise
        return db

    async def _use_wal(self) -> None:
        """Switch to WAL (kept in the file). SQLite answers "locked" at once, without the busy handler, while
        another process holds a lock on a database not yet in WAL mode (two shards starting together)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT_S
        delay = 0.01
        while True:
            try:
                async with self._reader.connect() as conn:
                    await conn.exec_driver_sql("PRAGMA journal_mode = WAL")
                return
            except OperationalError as error:
                if "locked" not in str(error) or loop.time() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.25)

    async def dispose(self) -> None:
        await self.engine.dispose()

    # -- running work --------------------------------------------------------------------------------------

    async def read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run a read (no transaction on SQLite, autocommit on PostgreSQL), retried on lost connections."""

        async def attempt() -> T:
            async with self._reader.connect() as conn:
                return await work(conn)

        return await self._retrying(attempt)

    async def write(self, work: Callable[[AsyncConnection, bool], Awaitable[T]]) -> T:
        """Run `work(conn, maybe_committed)` in one write transaction, retried on lost connections.
        `maybe_committed` is True when an earlier attempt's COMMIT got no answer (it may have been applied)."""
        maybe_committed = False

        async def attempt() -> T:
            nonlocal maybe_committed
            committing = False
            try:
                async with self._serialized(), self._writer.connect() as conn:
                    await conn.begin()
                    result = await work(conn, maybe_committed)
                    committing = True
                    await self._commit(conn)
                    return result
            except BaseException:
                maybe_committed = maybe_committed or committing
                raise

        return await self._retrying(attempt)

    def _serialized(self) -> AbstractAsyncContextManager[Any]:
        return self._write_lock if self._write_lock is not None else nullcontext()

    async def _commit(self, conn: AsyncConnection) -> None:
        await conn.commit()

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        delays = self.retry.delays()
        while True:
            try:
                result = await attempt()
            except Exception as error:
                if not is_transient(error):
                    raise
                self._note_down(error)
                delay = next(delays, None)
                if delay is None:
                    raise StateUnavailable(
                        f"the state database {self.shown} is unreachable ({brief(error)})"
                    ) from error
                await asyncio.sleep(delay)
                continue
            if self._down_since is not None:
                down_for = asyncio.get_running_loop().time() - self._down_since
                self._down_since = None
                log.warning("state database %s reachable again after %.1fs", self.shown, down_for)
            return result

    def _note_down(self, error: BaseException) -> None:
        if self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()
            log.warning("state database %s connection lost (%s); retrying", self.shown, brief(error))
