"""Baseline: meta, guild settings, nights, RSVPs and jobs, as the pre-Alembic schema (PRAGMA user_version 1).

A SQLite state file written before Alembic has exactly these tables; `versioning` stamps it with this
revision instead of running it.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_baseline"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", INT, primary_key=True, autoincrement=False),
        sa.Column("channel_id", INT),
        sa.Column("timezone", sa.Text()),
        sa.Column("role_id", INT),
        sa.Column("reminders", sa.Text()),
        sa.Column("updated_at", INT, nullable=False),
    )
    op.create_table(
        "nights",
        sa.Column("id", INT, primary_key=True, autoincrement=True),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("channel_id", INT, nullable=False),
        sa.Column("film_slug", sa.Text(), nullable=False),
        sa.Column("film_title", sa.Text(), nullable=False),
        sa.Column("film_year", INT),
        sa.Column("runtime_minutes", INT),
        sa.Column("starts_at", INT, nullable=False),
        sa.Column("ends_at", INT, nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("role_id", INT),
        sa.Column("note", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'scheduled'")),
        sa.Column("revision", INT, nullable=False, server_default=sa.text("0")),
        sa.Column("announcement_id", INT),
        sa.Column("event_id", INT),
        sa.Column("event_error", sa.Text()),
        sa.Column("created_by", INT, nullable=False),
        sa.Column("created_at", INT, nullable=False),
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        sqlite_autoincrement=True,
    )
    op.create_index("nights_by_guild", "nights", ["guild_id", "status", "ends_at"])
    op.create_table(
        "rsvps",
        sa.Column("night_id", INT, sa.ForeignKey("nights.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", INT, primary_key=True, autoincrement=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("answer IN ('going', 'maybe', 'no')", name="answer"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", INT, primary_key=True, autoincrement=True),
        sa.Column("night_id", INT, sa.ForeignKey("nights.id", ondelete="CASCADE"), nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("offset_s", INT, nullable=False, server_default=sa.text("0")),
        sa.Column("revision", INT, nullable=False),
        sa.Column("due_at", INT, nullable=False),
        sa.Column("next_attempt_at", INT, nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("attempts", INT, nullable=False, server_default=sa.text("0")),
        sa.Column("nonce", sa.Text(), nullable=False, unique=True),
        sa.Column("message_id", INT),
        sa.Column("last_error", sa.Text()),
        sa.Column("first_claimed_at", INT),
        sa.Column("claimed_at", INT),
        sa.Column("claimed_by", sa.Text()),
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("kind IN ('announce', 'reminder', 'start', 'spoilers')", name="kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')", name="status"
        ),
        sa.UniqueConstraint("night_id", "kind", "offset_s", "revision"),
        sqlite_autoincrement=True,
    )
    op.create_index("jobs_due", "jobs", ["status", "next_attempt_at"])
    op.create_index("jobs_by_night", "jobs", ["night_id"])


def downgrade() -> None:
    for table in ("jobs", "rsvps", "nights", "guild_settings", "meta"):
        op.drop_table(table)
