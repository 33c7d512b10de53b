"""The movie-night tables (meta, guild settings, nights, RSVPs, jobs) and the coordination tables (instances,
leases). They reference each other, so they share this module; a new feature's tables go in its own module.

This is the schema as of the newest migration: every change here needs a migration in `migrations/versions`
(`python -m bot.state revision --autogenerate -m "..."` writes one), and `tests/storage/test_state_schema.py`
fails while the two disagree.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Table, Text, UniqueConstraint, text

from bot.storage.state.base import Epoch, Int, metadata

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

guild_settings = Table(
    "guild_settings",
    metadata,
    Column("guild_id", Int, primary_key=True, autoincrement=False),
    Column("channel_id", Int),
    Column("timezone", Text),
    Column("role_id", Int),
    Column("reminders", Text),  # seconds before the start, comma-separated, largest first; NULL = defaults
    Column("updated_at", Epoch, nullable=False),
)

nights = Table(
    "nights",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("guild_id", Int, nullable=False),
    Column("channel_id", Int, nullable=False),
    Column("film_slug", Text, nullable=False),
    Column("film_title", Text, nullable=False),
    Column("film_year", Int),
    Column("runtime_minutes", Int),
    Column("starts_at", Epoch, nullable=False),
    Column("ends_at", Epoch, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("role_id", Int),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("status", Text, nullable=False, server_default=text("'scheduled'")),
    Column("revision", Int, nullable=False, server_default=text("0")),
    Column("announcement_id", Int),
    Column("event_id", Int),
    Column("event_error", Text),
    Column("created_by", Int, nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
    Index("nights_by_guild", "guild_id", "status", "ends_at"),
    sqlite_autoincrement=True,
)

rsvps = Table(
    "rsvps",
    metadata,
    Column("night_id", Int, ForeignKey("nights.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Int, primary_key=True, autoincrement=False),
    Column("answer", Text, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("answer IN ('going', 'maybe', 'no')", name="answer"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Int, primary_key=True, autoincrement=True),
    Column("night_id", Int, ForeignKey("nights.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", Int, nullable=False),
    Column("kind", Text, nullable=False),
    Column("offset_s", Int, nullable=False, server_default=text("0")),
    Column("revision", Int, nullable=False),
    Column("due_at", Epoch, nullable=False),
    Column("next_attempt_at", Epoch, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Int, nullable=False, server_default=text("0")),
    Column("nonce", Text, nullable=False, unique=True),
    Column("message_id", Int),
    Column("last_error", Text),
    Column("first_claimed_at", Epoch),
    Column("claimed_at", Epoch),
    Column("claimed_by", Text),
    Column("updated_at", Epoch, nullable=False),
    CheckConstraint("kind IN ('announce', 'reminder', 'start', 'spoilers')", name="kind"),
    CheckConstraint(
        "status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')", name="status"
    ),
    UniqueConstraint("night_id", "kind", "offset_s", "revision"),
    Index("jobs_due", "status", "next_attempt_at"),
    Index("jobs_by_night", "night_id"),
    sqlite_autoincrement=True,
)

# -- coordination between processes (migration 0002) ---------------------------------------------------------

instances = Table(
    "instances",  # one row per running scheduler: who claims jobs, and whether it is alive
    metadata,
    Column("name", Text, primary_key=True),
    Column("host", Text, nullable=False),
    Column("pid", Int, nullable=False),
    Column("shards", Text, nullable=False),
    Column("started_at", Int, nullable=False),  # the database's clock, UTC seconds
    Column("seen_at", Int, nullable=False),  # the database's clock, UTC seconds
)

leases = Table(
    "leases",  # a named, expiring claim that one process holds at a time (e.g. syncing the command tree)
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("expires_at", Int, nullable=False),  # the database's clock, UTC seconds
)
