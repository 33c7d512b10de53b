"""The bot's own state: meta, server settings, movie nights, RSVPs and scheduled jobs.

One SQLite file (`settings.state_db`), separate from the knowledge database so re-ingesting never touches it.
WAL mode and a busy timeout let several processes (shards) on one machine share it. The schema is versioned
with `PRAGMA user_version` and an ordered list of migrations. All SQL for state lives here; no Discord types.

Jobs are rows: one per post (announcement, each reminder, start, spoilers-ok). A job is claimed atomically
(`UPDATE ... WHERE status = 'pending'`), carries a nonce fixed when the row is written, and is marked sent with
the message id. Times are stored as whole UTC seconds and exposed as aware UTC datetimes.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final, Literal

import aiosqlite

from bot.storage.models import FilmRef

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S: Final = 10.0

JobKind = Literal["announce", "reminder", "start", "spoilers"]
JobStatus = Literal["pending", "sending", "sent", "failed", "skipped", "cancelled"]
Answer = Literal["going", "maybe", "no"]
ANSWERS: Final[tuple[Answer, ...]] = ("going", "maybe", "no")
DEFAULT_REMINDERS: Final[tuple[int, ...]] = (24 * 3600, 15 * 60)  # seconds before the start
DEFAULT_TIMEZONE: Final = "UTC"

# Ordered migrations: MIGRATIONS[i] takes the schema from version i to i + 1. Never edit a released step;
# append a new one.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE guild_settings (
            guild_id INTEGER PRIMARY KEY,
            channel_id INTEGER,
            timezone TEXT,
            role_id INTEGER,
            reminders TEXT,
            updated_at INTEGER NOT NULL
        )""",
        """CREATE TABLE nights (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            film_slug TEXT NOT NULL,
            film_title TEXT NOT NULL,
            film_year INTEGER,
            runtime_minutes INTEGER,
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            timezone TEXT NOT NULL,
            role_id INTEGER,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
            revision INTEGER NOT NULL DEFAULT 0,
            announcement_id INTEGER,
            event_id INTEGER,
            event_error TEXT,
            created_by INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        )""",
        "CREATE INDEX nights_by_guild ON nights (guild_id, status, ends_at)",
        """CREATE TABLE rsvps (
            night_id INTEGER NOT NULL REFERENCES nights (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('going', 'maybe', 'no')),
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (night_id, user_id)
        )""",
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            night_id INTEGER NOT NULL REFERENCES nights (id) ON DELETE CASCADE,
            guild_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('announce', 'reminder', 'start', 'spoilers')),
            offset_s INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            nonce TEXT NOT NULL UNIQUE,
            message_id INTEGER,
            last_error TEXT,
            first_claimed_at INTEGER,
            claimed_at INTEGER,
            claimed_by TEXT,
            updated_at INTEGER NOT NULL,
            UNIQUE (night_id, kind, offset_s, revision)
        )""",
        "CREATE INDEX jobs_due ON jobs (status, next_attempt_at)",
        "CREATE INDEX jobs_by_night ON jobs (night_id)",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


class StateError(Exception):
    """The state database cannot be used (e.g. it was written by a newer version of the bot)."""


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET


def _ts(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("datetimes stored in state must be timezone-aware")
    return int(value.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _dt_req(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def new_nonce() -> str:
    """A Discord message nonce (at most 25 characters), fixed per job when its row is written."""
    return "mn" + secrets.token_hex(10)


@dataclass(frozen=True)
class Shards:
    """Which guilds a process serves: those with `(guild_id >> 22) % count in ids`."""

    count: int
    ids: tuple[int, ...]

    def serves(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    channel_id: int | None
    timezone: str
    role_id: int | None
    reminders: tuple[int, ...]  # seconds before the start, largest first


@dataclass(frozen=True)
class Night:
    id: int
    guild_id: int
    channel_id: int
    film: FilmRef
    runtime_minutes: int | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    role_id: int | None
    note: str
    status: Literal["scheduled", "cancelled"]
    revision: int
    announcement_id: int | None
    event_id: int | None
    event_error: str | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class JobSpec:
    """A job to write: what to post and when."""

    kind: JobKind
    due_at: datetime
    offset_s: int = 0  # reminders: seconds before the start


@dataclass(frozen=True)
class Job:
    id: int
    night_id: int
    guild_id: int
    kind: JobKind
    offset_s: int
    revision: int
    due_at: datetime
    next_attempt_at: datetime
    status: JobStatus
    attempts: int
    nonce: str
    message_id: int | None
    last_error: str | None
    first_claimed_at: datetime | None
    claimed_at: datetime | None
    claimed_by: str | None


@dataclass(frozen=True)
class RsvpCounts:
    going: int = 0
    maybe: int = 0
    no: int = 0

    def of(self, answer: Answer) -> int:
        return {"going": self.going, "maybe": self.maybe, "no": self.no}[answer]


@dataclass(frozen=True)
class Rsvp:
    user_id: int
    answer: Answer
    updated_at: datetime


_NIGHT_COLUMNS = (
    "id, guild_id, channel_id, film_slug, film_title, film_year, runtime_minutes, starts_at, ends_at, timezone, "
    "role_id, note, status, revision, announcement_id, event_id, event_error, created_by, created_at"
)
_JOB_COLUMNS = (
    "id, night_id, guild_id, kind, offset_s, revision, due_at, next_attempt_at, status, attempts, nonce, "
    "message_id, last_error, first_claimed_at, claimed_at, claimed_by"
)


def _night(row: Sequence[Any]) -> Night:
    return Night(
        id=row[0],
        guild_id=row[1],
        channel_id=row[2],
        film=FilmRef(slug=row[3], title=row[4], year=row[5]),
        runtime_minutes=row[6],
        starts_at=_dt_req(row[7]),
        ends_at=_dt_req(row[8]),
        timezone=row[9],
        role_id=row[10],
        note=row[11],
        status=row[12],
        revision=row[13],
        announcement_id=row[14],
        event_id=row[15],
        event_error=row[16],
        created_by=row[17],
        created_at=_dt_req(row[18]),
    )


def _job(row: Sequence[Any]) -> Job:
    return Job(
        id=row[0],
        night_id=row[1],
        guild_id=row[2],
        kind=row[3],
        offset_s=row[4],
        revision=row[5],
        due_at=_dt_req(row[6]),
        next_attempt_at=_dt_req(row[7]),
        status=row[8],
        attempts=row[9],
        nonce=row[10],
        message_id=row[11],
        last_error=row[12],
        first_claimed_at=_dt(row[13]),
        claimed_at=_dt(row[14]),
        claimed_by=row[15],
    )


def _shard_clause(shards: Shards | None, column: str = "guild_id") -> tuple[str, list[int]]:
    if shards is None:
        return "1 = 1", []
    if not shards.ids:
        return "0 = 1", []
    marks = ", ".join("?" for _ in shards.ids)
    return f"(({column} >> 22) % ?) IN ({marks})", [shards.count, *shards.ids]


def _reminders_text(reminders: Iterable[int]) -> str:
    return ",".join(str(int(s)) for s in reminders)


def _reminders(text: str | None) -> tuple[int, ...]:
    if text is None:
        return DEFAULT_REMINDERS
    return tuple(int(part) for part in text.split(",") if part)


async def _use_wal(db: aiosqlite.Connection) -> None:
    """Switch to WAL. SQLite answers "locked" at once, without the busy handler, while another process holds a
    lock on a database not yet in WAL mode (two shards starting together), so wait here instead."""
    deadline = asyncio.get_running_loop().time() + BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)


class StateStore:
    """Async access to the state database. Use `await StateStore.open(path)` and `await store.close()`."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        # One connection per process; the lock keeps one coroutine's transaction from interleaving another's.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> StateStore:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            await _use_wal(db)
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            store = cls(db, path)
            await store._migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        async with self._lock:
            await self._db.close()

    # -- plumbing ---------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction, taken with BEGIN IMMEDIATE so concurrent writers wait (busy timeout)."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            else:
                await self._db.execute("COMMIT")

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def schema_version(self) -> int:
        row = await self._fetchone("PRAGMA user_version")
        return int(row[0])

    async def _migrate(self) -> None:
        async with self._tx() as db:
            async with db.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{self.path} has schema version {version}; this bot knows up to {SCHEMA_VERSION}. "
                    "Upgrade the bot or use another STATE_DB."
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target - 1]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {target}")
                log.info("state database %s migrated to schema version %d", self.path, target)

    # -- meta -------------------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        row = await self._fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- guild settings ---------------------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._fetchone(
            "SELECT channel_id, timezone, role_id, reminders FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildSettings(guild_id, None, DEFAULT_TIMEZONE, None, DEFAULT_REMINDERS)
        return GuildSettings(guild_id, row[0], row[1] or DEFAULT_TIMEZONE, row[2], _reminders(row[3]))

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
        if channel_id is not UNSET:
            changes["channel_id"] = channel_id
        if timezone is not UNSET:
            changes["timezone"] = timezone
        if role_id is not UNSET:
            changes["role_id"] = role_id
        if not isinstance(reminders, _Unset):
            changes["reminders"] = _reminders_text(sorted(set(reminders), reverse=True))
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, _ts(now)),
            )
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                await db.execute(
                    f"UPDATE guild_settings SET {assignments}, updated_at = ? WHERE guild_id = ?",
                    (*changes.values(), _ts(now), guild_id),
                )
        return await self.guild_settings(guild_id)

    # -- nights -----------------------------------------------------------------------------------------

    async def create_night(
        self,
        *,
        guild_id: int,
        channel_id: int,
        film: FilmRef,
        runtime_minutes: int | None,
        starts_at: datetime,
        ends_at: datetime,
        timezone: str,
        role_id: int | None,
        note: str,
        created_by: int,
        now: datetime,
        jobs: Sequence[JobSpec],
    ) -> Night:
        """Write the night and its jobs in one transaction: either all of it exists or none."""
        async with self._tx() as db:
            cursor = await db.execute(
                "INSERT INTO nights (guild_id, channel_id, film_slug, film_title, film_year, runtime_minutes, "
                "starts_at, ends_at, timezone, role_id, note, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    film.slug,
                    film.title,
                    film.year,
                    runtime_minutes,
                    _ts(starts_at),
                    _ts(ends_at),
                    timezone,
                    role_id,
                    note,
                    created_by,
                    _ts(now),
                    _ts(now),
                ),
            )
            night_id = cursor.lastrowid
            assert night_id is not None
            await self._insert_jobs(db, night_id, guild_id, 0, jobs, now)
        night = await self.get_night(night_id)
        assert night is not None
        return night

    async def _insert_jobs(
        self,
        db: aiosqlite.Connection,
        night_id: int,
        guild_id: int,
        revision: int,
        jobs: Sequence[JobSpec],
        now: datetime,
    ) -> None:
        await db.executemany(
            "INSERT INTO jobs (night_id, guild_id, kind, offset_s, revision, due_at, next_attempt_at, nonce, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    night_id,
                    guild_id,
                    spec.kind,
                    spec.offset_s,
                    revision,
                    _ts(spec.due_at),
                    _ts(spec.due_at),
                    new_nonce(),
                    _ts(now),
                )
                for spec in jobs
            ],
        )

    async def get_night(self, night_id: int) -> Night | None:
        row = await self._fetchone(f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE id = ?", (night_id,))
        return None if row is None else _night(row)

    async def upcoming_nights(self, guild_id: int, now: datetime, *, limit: int = 25) -> list[Night]:
        """Scheduled nights that have not ended yet, soonest first."""
        rows = await self._fetchall(
            f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE guild_id = ? AND status = 'scheduled' AND ends_at > ? "
            "ORDER BY starts_at, id LIMIT ?",
            (guild_id, _ts(now), limit),
        )
        return [_night(row) for row in rows]

    async def update_night(
        self,
        night_id: int,
        *,
        now: datetime,
        starts_at: datetime | _Unset = UNSET,
        ends_at: datetime | _Unset = UNSET,
        film: FilmRef | _Unset = UNSET,
        runtime_minutes: int | _Unset | None = UNSET,
        note: str | _Unset = UNSET,
        replan: Sequence[JobSpec] | None = None,
    ) -> Night | None:
        """Change a scheduled night. With `replan`, every pending job except the announcement is cancelled and
        the given jobs are written under the next revision. Returns None when the night is not scheduled."""
        changes: dict[str, Any] = {}
        if not isinstance(starts_at, _Unset):
            changes["starts_at"] = _ts(starts_at)
        if not isinstance(ends_at, _Unset):
            changes["ends_at"] = _ts(ends_at)
        if not isinstance(film, _Unset):
            changes.update(film_slug=film.slug, film_title=film.title, film_year=film.year)
        if not isinstance(runtime_minutes, _Unset):
            changes["runtime_minutes"] = runtime_minutes
        if not isinstance(note, _Unset):
            changes["note"] = note
        async with self._tx() as db:
            async with db.execute(
                "SELECT guild_id, revision FROM nights WHERE id = ? AND status = 'scheduled'", (night_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            guild_id, revision = int(row[0]), int(row[1])
            if replan is not None:
                revision += 1
                changes["revision"] = revision
            assignments = "".join(f"{column} = ?, " for column in changes)
            await db.execute(
                f"UPDATE nights SET {assignments}updated_at = ? WHERE id = ?",
                (*changes.values(), _ts(now), night_id),
            )
            if replan is not None:
                await db.execute(
                    "UPDATE jobs SET status = 'cancelled', updated_at = ? "
                    "WHERE night_id = ? AND status = 'pending' AND kind != 'announce'",
                    (_ts(now), night_id),
                )
                await self._insert_jobs(db, night_id, guild_id, revision, replan, now)
        return await self.get_night(night_id)

    async def cancel_night(self, night_id: int, *, now: datetime) -> Night | None:
        """Mark the night cancelled and cancel every pending job. None when it was not scheduled."""
        async with self._tx() as db:
            cursor = await db.execute(
                "UPDATE nights SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'scheduled'",
                (_ts(now), night_id),
            )
            if cursor.rowcount != 1:
                return None
            await db.execute(
                "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE night_id = ? AND status = 'pending'",
                (_ts(now), night_id),
            )
        return await self.get_night(night_id)

    async def set_event(self, night_id: int, *, event_id: int | None, error: str | None) -> None:
        async with self._tx() as db:
            await db.execute(
                "UPDATE nights SET event_id = ?, event_error = ? WHERE id = ?", (event_id, error, night_id)
            )

    # -- RSVPs ------------------------------------------------------------------------------------------

    async def set_rsvp(self, night_id: int, user_id: int, answer: Answer, *, now: datetime) -> RsvpCounts:
        """Record a member's answer; a second answer replaces the first (never counted twice)."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown RSVP answer {answer!r}")
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO rsvps (night_id, user_id, answer, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (night_id, user_id) DO UPDATE SET answer = excluded.answer, "
                "updated_at = excluded.updated_at",
                (night_id, user_id, answer, _ts(now)),
            )
        return await self.rsvp_counts(night_id)

    async def rsvp_counts(self, night_id: int) -> RsvpCounts:
        return (await self.rsvp_counts_for([night_id]))[night_id]

    async def rsvp_counts_for(self, night_ids: Sequence[int]) -> dict[int, RsvpCounts]:
        result = {night_id: RsvpCounts() for night_id in night_ids}
        if not night_ids:
            return result
        marks = ", ".join("?" for _ in night_ids)
        rows = await self._fetchall(
            f"SELECT night_id, answer, COUNT(*) FROM rsvps WHERE night_id IN ({marks}) GROUP BY night_id, answer",
            list(night_ids),
        )
        counts: dict[int, dict[str, int]] = {night_id: {} for night_id in night_ids}
        for night_id, answer, count in rows:
            counts[night_id][answer] = count
        for night_id, by_answer in counts.items():
            result[night_id] = RsvpCounts(**by_answer)
        return result

    async def rsvps(self, night_id: int) -> list[Rsvp]:
        rows = await self._fetchall(
            "SELECT user_id, answer, updated_at FROM rsvps WHERE night_id = ? ORDER BY updated_at, user_id",
            (night_id,),
        )
        return [Rsvp(row[0], row[1], _dt_req(row[2])) for row in rows]

    # -- jobs -------------------------------------------------------------------------------------------

    async def get_job(self, job_id: int) -> Job | None:
        row = await self._fetchone(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return None if row is None else _job(row)

    async def jobs_for_night(self, night_id: int) -> list[Job]:
        rows = await self._fetchall(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE night_id = ? ORDER BY due_at, id", (night_id,)
        )
        return [_job(row) for row in rows]

    async def next_due_at(self, shards: Shards | None = None) -> datetime | None:
        """When the earliest pending job of the served guilds is due (None when there is none)."""
        clause, params = _shard_clause(shards)
        row = await self._fetchone(
            f"SELECT MIN(next_attempt_at) FROM jobs WHERE status = 'pending' AND {clause}", params
        )
        return None if row is None else _dt(row[0])

    async def due_jobs(self, now: datetime, shards: Shards | None = None, *, limit: int = 50) -> list[Job]:
        clause, params = _shard_clause(shards)
        rows = await self._fetchall(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE status = 'pending' AND next_attempt_at <= ? AND {clause} "
            "ORDER BY next_attempt_at, id LIMIT ?",
            (_ts(now), *params, limit),
        )
        return [_job(row) for row in rows]

    async def claim_job(self, job_id: int, *, instance: str, now: datetime) -> Job | None:
        """Atomically take a pending job for sending. None when another worker got it first (or it changed)."""
        async with self._tx() as db:
            cursor = await db.execute(
                "UPDATE jobs SET status = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_at = ?, "
                "first_claimed_at = COALESCE(first_claimed_at, ?), updated_at = ? "
                "WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                (instance, _ts(now), _ts(now), _ts(now), job_id, _ts(now)),
            )
            if cursor.rowcount != 1:
                return None
            async with db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)) as rows:
                row = await rows.fetchone()
        return None if row is None else _job(row)

    async def mark_sent(self, job_id: int, *, message_id: int, now: datetime) -> bool:
        """Record the message of a job being sent. The announcement's id is also kept on the night."""
        async with self._tx() as db:
            cursor = await db.execute(
                "UPDATE jobs SET status = 'sent', message_id = ?, last_error = NULL, updated_at = ? "
                "WHERE id = ? AND status = 'sending'",
                (message_id, _ts(now), job_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE nights SET announcement_id = ? "
                "WHERE id = (SELECT night_id FROM jobs WHERE id = ? AND kind = 'announce')",
                (message_id, job_id),
            )
        return True

    async def retry_later(self, job_id: int, *, error: str, at: datetime, now: datetime) -> bool:
        """A temporary failure: back to pending, tried again at `at` with the same nonce."""
        return await self._finish(
            job_id,
            "UPDATE jobs SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? "
            "WHERE id = ? AND status = 'sending'",
            (_ts(at), error[:500], _ts(now), job_id),
        )

    async def mark_failed(self, job_id: int, *, error: str, now: datetime) -> bool:
        """A permanent failure: recorded (and shown in /movienight list), never retried."""
        return await self._finish(
            job_id,
            "UPDATE jobs SET status = 'failed', last_error = ?, updated_at = ? "
            "WHERE id = ? AND status IN ('pending', 'sending')",
            (error[:500], _ts(now), job_id),
        )

    async def mark_skipped(self, job_id: int, *, reason: str, now: datetime) -> bool:
        """Not sent on purpose (too late to be useful, or superseded by a later post)."""
        return await self._finish(
            job_id,
            "UPDATE jobs SET status = 'skipped', last_error = ?, updated_at = ? "
            "WHERE id = ? AND status IN ('pending', 'sending')",
            (reason[:500], _ts(now), job_id),
        )

    async def mark_cancelled(self, job_id: int, *, now: datetime) -> bool:
        return await self._finish(
            job_id,
            "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE id = ? AND status IN ('pending', 'sending')",
            (_ts(now), job_id),
        )

    async def _finish(self, job_id: int, sql: str, params: Sequence[Any]) -> bool:
        async with self._tx() as db:
            cursor = await db.execute(sql, params)
            return cursor.rowcount == 1

    async def requeue_sending(
        self,
        *,
        now: datetime,
        shards: Shards | None = None,
        claimed_before: datetime | None = None,
    ) -> int:
        """Put jobs left in 'sending' (their worker died mid-send) back to pending; they keep their nonce,
        so sending again cannot duplicate a message Discord already created. Returns how many."""
        clause, params = _shard_clause(shards)
        before = _ts(claimed_before) if claimed_before is not None else _ts(now) + 1
        async with self._tx() as db:
            cursor = await db.execute(
                "UPDATE jobs SET status = 'pending', next_attempt_at = MIN(next_attempt_at, ?), updated_at = ? "
                f"WHERE status = 'sending' AND claimed_at < ? AND {clause}",
                (_ts(now), _ts(now), before, *params),
            )
            return cursor.rowcount

    async def problem_jobs(self, night_ids: Sequence[int]) -> dict[int, list[Job]]:
        """Failed jobs, and pending ones whose last attempt failed, per night: the announcement and the posts of
        the night's current plan (failures of reminders an edit replaced no longer matter)."""
        result: dict[int, list[Job]] = {night_id: [] for night_id in night_ids}
        if not night_ids:
            return result
        marks = ", ".join("?" for _ in night_ids)
        columns = ", ".join(f"jobs.{column.strip()}" for column in _JOB_COLUMNS.split(","))
        rows = await self._fetchall(
            f"SELECT {columns} FROM jobs JOIN nights ON nights.id = jobs.night_id "
            f"WHERE jobs.night_id IN ({marks}) AND (jobs.kind = 'announce' OR jobs.revision = nights.revision) "
            "AND (jobs.status = 'failed' OR (jobs.status = 'pending' AND jobs.last_error IS NOT NULL)) "
            "ORDER BY jobs.due_at, jobs.id",
            list(night_ids),
        )
        for row in rows:
            job = _job(row)
            result[job.night_id].append(job)
        return result
