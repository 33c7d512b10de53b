"""SQLite only: WAL, waiting for another process's lock on a fresh file, and adopting state files written
before Alembic (schema `PRAGMA user_version = 1`) without losing a row."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage.state import StateError, StateStore
from bot.storage.state.versioning import head_revisions
from tests.fakes import (
    PERFECTION,
    utc,
)

LEGACY_TABLES = ("meta", "guild_settings", "nights", "rsvps", "jobs")
# The schema as the bot wrote it before Alembic (bot/storage/state.py, schema version 1), verbatim.
LEGACY_SCHEMA = (
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
)


def write_legacy_file(path: Path) -> None:
    """A version-1 state file with a night, its jobs (one sent, one mid-send), RSVPs, settings and meta."""
    with sqlite3.connect(path) as raw:
        for statement in LEGACY_SCHEMA:
            raw.execute(statement)
        raw.execute("PRAGMA user_version = 1")
        raw.execute("INSERT INTO meta VALUES ('command_hash', 'abc123')")
        raw.execute(
            "INSERT INTO guild_settings VALUES (4194304, 77, 'Europe/Paris', 88, '3600,600', 1700000000)"
        )
        raw.execute(
            "INSERT INTO nights (guild_id, channel_id, film_slug, film_title, film_year, runtime_minutes, "
            "starts_at, ends_at, timezone, role_id, note, status, revision, announcement_id, created_by, "
            "created_at, updated_at) VALUES (4194304, 77, 'the-perfection', 'The Perfection', 2018, 90, "
            "1800000000, 1800005400, 'Europe/Paris', 88, 'snacks', 'scheduled', 0, 999, 5, 1700000000, 1700000000)"
        )
        raw.executemany(
            "INSERT INTO jobs (night_id, guild_id, kind, offset_s, revision, due_at, next_attempt_at, status, "
            "attempts, nonce, message_id, claimed_at, claimed_by, first_claimed_at, updated_at) "
            "VALUES (1, 4194304, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1700000000)",
            [
                (
                    "announce",
                    0,
                    1700000000,
                    1700000000,
                    "sent",
                    1,
                    "mnlegacy1",
                    999,
                    1700000000,
                    "old",
                    1700000000,
                ),
                (
                    "reminder",
                    3600,
                    1799996400,
                    1799996400,
                    "sending",
                    1,
                    "mnlegacy2",
                    None,
                    1799996400,
                    "old",
                    1799996400,
                ),
                ("start", 0, 1800000000, 1800000000, "pending", 0, "mnlegacy3", None, None, None, None),
            ],
        )
        raw.executemany(
            "INSERT INTO rsvps VALUES (1, ?, ?, 1700000100)", [(11, "going"), (12, "maybe"), (13, "going")]
        )


async def test_open_creates_the_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.db"
    store = await StateStore.open(path)
    assert await store.schema_revision() == head_revisions()
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "guild_settings", "nights", "rsvps", "jobs", "instances", "leases"} <= tables
    again = await StateStore.open(path)  # idempotent
    assert await again.schema_revision() == head_revisions()
    await again.close()


async def test_a_pre_alembic_file_is_adopted_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    write_legacy_file(path)
    with sqlite3.connect(path) as raw:
        before = {t: raw.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in LEGACY_TABLES}
    store = await StateStore.open(path)
    try:
        assert await store.schema_revision() == head_revisions()
        assert await store.get_meta("command_hash") == "abc123"
        settings = await store.guild_settings(4194304)
        assert (settings.channel_id, settings.timezone, settings.role_id, settings.reminders) == (
            77,
            "Europe/Paris",
            88,
            (3600, 600),
        )
        night = await store.get_night(1)
        assert night is not None and night.film == PERFECTION and night.announcement_id == 999
        assert night.starts_at == utc(2027, 1, 15, 8, 0) and night.note == "snacks"
        assert (await store.rsvp_counts(1)).going == 2
        jobs = await store.jobs_for_night(1)
        assert [(j.kind, j.status, j.nonce) for j in jobs] == [
            ("announce", "sent", "mnlegacy1"),
            ("reminder", "sending", "mnlegacy2"),
            ("start", "pending", "mnlegacy3"),
        ]
        # the old process's claim is re-driven like any dead worker's, with its nonce
        assert await store.requeue_sending(now=utc(2027, 1, 15, 7, 0), live=()) == 1
        # new rows continue after the old ids
        second = await store.create_night(
            guild_id=4194304,
            channel_id=77,
            film=PERFECTION,
            runtime_minutes=None,
            starts_at=night.starts_at,
            ends_at=night.ends_at,
            timezone="UTC",
            role_id=None,
            note="",
            created_by=5,
            now=night.created_at,
            jobs=[],
        )
        assert second.id == 2
    finally:
        await store.close()
    with sqlite3.connect(path) as raw:
        after = {t: raw.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in LEGACY_TABLES}
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    assert after["meta"] == before["meta"] and after["rsvps"] == before["rsvps"]
    old_columns = len(before["nights"][0])  # later revisions add columns (NULL for old rows)
    assert after["nights"][0][:old_columns] == before["nights"][0]
    assert set(after["nights"][0][old_columns:]) <= {None} and len(after["jobs"]) == len(before["jobs"])


async def test_a_newer_pre_alembic_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 2")
    with pytest.raises(StateError, match="schema version 2"):
        await StateStore.open(path)


async def test_open_waits_while_another_process_holds_a_fresh_database(tmp_path: Path) -> None:
    """Two shard processes starting together: one holds a write lock before WAL is on; the other must wait."""
    path = tmp_path / "state.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE other_process (a)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO other_process VALUES (1)")

    async def release() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    releasing = asyncio.create_task(release())
    store = await StateStore.open(path)
    try:
        assert await store.schema_revision() == head_revisions()
    finally:
        await store.close()
        await releasing
        other.close()
