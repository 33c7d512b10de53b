"""From suggestion to screening: the watchlist, film polls, recurring series; jobs of a poll or a series;
occurrences of a series; the club's usual night in the server settings.

SQLite copies a table to change a column or a CHECK constraint: only `jobs` is copied (no table refers to it).
`nights` is referred to by `rsvps` and `jobs` with ON DELETE CASCADE, and dropping the old copy would delete
their rows, so `nights` only gains columns (ALTER TABLE ADD COLUMN) and an index.

Revision ID: 0003_club_loop
Revises: 0002_presence
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_club_loop"
down_revision: str | Sequence[str] | None = "0002_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Integer columns: BIGINT on PostgreSQL (snowflakes), INTEGER on SQLite (INTEGER PRIMARY KEY is the rowid).
INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_JOB_KINDS = "kind IN ('announce', 'reminder', 'start', 'spoilers')"
JOB_KINDS = "kind IN ('announce', 'reminder', 'start', 'spoilers', 'poll_open', 'poll_close', 'series')"
KEEP_AUTOINCREMENT = {"sqlite_autoincrement": True}  # SQLite: the copy of `jobs` keeps AUTOINCREMENT
NAMING = {  # the naming convention of bot.storage.state.base, as of this revision
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
JOB_OWNER = (
    "(CASE WHEN night_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN poll_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN series_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _jobs_table(*, new: bool) -> sa.Table:
    """`jobs` before this revision (new=False) or after it (new=True), without its `kind`/`owner` CHECKs.

    SQLite copies the table from this description rather than from reflection, because a state file written
    before Alembic has an unnamed CHECK on `kind` that reflection would carry over and nothing could drop."""
    table = sa.Table(
        "jobs",
        sa.MetaData(naming_convention=NAMING),
        sa.Column("id", INT, primary_key=True, autoincrement=True),
        sa.Column("night_id", INT, sa.ForeignKey("nights.id", ondelete="CASCADE"), nullable=new),
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
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')", name="status"
        ),
        sa.UniqueConstraint("night_id", "kind", "offset_s", "revision"),
        sa.Index("jobs_due", "status", "next_attempt_at"),
        sa.Index("jobs_by_night", "night_id"),
        sqlite_autoincrement=True,
    )
    if new:
        table.append_column(sa.Column("poll_id", INT, sa.ForeignKey("polls.id", ondelete="CASCADE")))
        table.append_column(sa.Column("series_id", INT, sa.ForeignKey("series.id", ondelete="CASCADE")))
        sa.Index("jobs_by_poll", table.c.poll_id)
        sa.Index("jobs_by_series", table.c.series_id)
    return table


def _alter_jobs(*, new: bool) -> Any:
    """Batch changes to `jobs`: on SQLite a copy (from `_jobs_table`), keeping AUTOINCREMENT; else ALTERs."""
    if _sqlite():
        return op.batch_alter_table(
            "jobs", recreate="always", copy_from=_jobs_table(new=new), table_kwargs=KEEP_AUTOINCREMENT
        )
    return op.batch_alter_table("jobs", recreate="never")


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", INT, autoincrement=True, nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("channel_id", INT, nullable=False),
        sa.Column("role_id", INT, nullable=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("local_time", sa.Text(), nullable=False),
        sa.Column("first_date", sa.Text(), nullable=False),
        sa.Column("repeat", sa.Text(), nullable=False),
        sa.Column("until", sa.Text(), nullable=True),
        sa.Column("poll_days", INT, nullable=True),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'active'"), nullable=False),
        sa.Column("created_by", INT, nullable=False),
        sa.Column("created_at", INT, nullable=False),
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("repeat IN ('weekly', 'fortnightly', 'monthly')", name=op.f("ck_series_repeat")),
        sa.CheckConstraint("status IN ('active', 'ended', 'cancelled')", name=op.f("ck_series_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "polls",
        sa.Column("id", INT, autoincrement=True, nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("channel_id", INT, nullable=False),
        sa.Column("message_id", INT, nullable=True),
        sa.Column("night_id", INT, nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'scheduled'"), nullable=False),
        sa.Column("opens_at", INT, nullable=False),
        sa.Column("closes_at", INT, nullable=False),
        sa.Column("ended_by", INT, nullable=True),
        sa.Column("winners", sa.Text(), nullable=True),
        sa.Column("total_votes", INT, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", INT, nullable=False),
        sa.Column("created_at", INT, nullable=False),
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("source IN ('watchlist', 'library')", name=op.f("ck_polls_source")),
        sa.CheckConstraint(
            "status IN ('scheduled', 'open', 'closed', 'failed', 'cancelled')", name=op.f("ck_polls_status")
        ),
        sa.ForeignKeyConstraint(
            ["night_id"], ["nights.id"], name=op.f("fk_polls_night_id_nights"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("polls", recreate="never") as batch_op:
        batch_op.create_index("polls_by_guild", ["guild_id", "status"], unique=False)
        batch_op.create_index("polls_by_night", ["night_id"], unique=False)

    op.create_table(
        "watchlist",
        sa.Column("id", INT, autoincrement=True, nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("year", INT, nullable=True),
        sa.Column("film_slug", sa.Text(), nullable=True),
        sa.Column("suggested_by", INT, nullable=False),
        sa.Column("suggested_at", INT, nullable=False),
        sa.Column("watched_at", INT, nullable=True),
        sa.Column("watched_night_id", INT, nullable=True),
        sa.ForeignKeyConstraint(
            ["watched_night_id"],
            ["nights.id"],
            name=op.f("fk_watchlist_watched_night_id_nights"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("watchlist", recreate="never") as batch_op:
        batch_op.create_index("watchlist_by_guild", ["guild_id", "watched_at"], unique=False)

    op.create_table(
        "poll_options",
        sa.Column("poll_id", INT, nullable=False),
        sa.Column(
            "position",
            INT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("year", INT, nullable=True),
        sa.Column("film_slug", sa.Text(), nullable=True),
        sa.Column("watch_id", INT, nullable=True),
        sa.Column("votes", INT, nullable=True),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_options_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("poll_id", "position", name=op.f("pk_poll_options")),
    )
    op.create_table(
        "watchlist_supporters",
        sa.Column("entry_id", INT, nullable=False),
        sa.Column(
            "user_id",
            INT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("supported_at", INT, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["watchlist.id"],
            name=op.f("fk_watchlist_supporters_entry_id_watchlist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "user_id", name=op.f("pk_watchlist_supporters")),
    )
    with op.batch_alter_table("guild_settings", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("usual_weekday", INT, nullable=True))
        batch_op.add_column(sa.Column("usual_time", sa.Text(), nullable=True))

    with _alter_jobs(new=False) as batch_op:
        batch_op.add_column(sa.Column("poll_id", INT, nullable=True))
        batch_op.add_column(sa.Column("series_id", INT, nullable=True))
        batch_op.alter_column("night_id", existing_type=INT, nullable=True)
        batch_op.create_index("jobs_by_poll", ["poll_id"], unique=False)
        batch_op.create_index("jobs_by_series", ["series_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_poll_id_polls"), "polls", ["poll_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_series_id_series"), "series", ["series_id"], ["id"], ondelete="CASCADE"
        )
        if not _sqlite():
            batch_op.drop_constraint(batch_op.f("ck_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", JOB_KINDS)
        batch_op.create_check_constraint("owner", JOB_OWNER)

    with op.batch_alter_table("nights", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("series_id", INT, nullable=True))
        batch_op.add_column(sa.Column("occurrence", INT, nullable=True))
        batch_op.create_index("nights_by_series", ["series_id", "occurrence"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("nights", recreate="never") as batch_op:
        batch_op.drop_index("nights_by_series")
        batch_op.drop_column("occurrence")
        batch_op.drop_column("series_id")

    op.execute("DELETE FROM jobs WHERE night_id IS NULL")
    with _alter_jobs(new=True) as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(batch_op.f("ck_jobs_owner"), type_="check")
            batch_op.drop_constraint(batch_op.f("ck_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", OLD_JOB_KINDS)
        batch_op.drop_constraint(batch_op.f("fk_jobs_series_id_series"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_jobs_poll_id_polls"), type_="foreignkey")
        batch_op.drop_index("jobs_by_series")
        batch_op.drop_index("jobs_by_poll")
        batch_op.alter_column("night_id", existing_type=INT, nullable=False)
        batch_op.drop_column("series_id")
        batch_op.drop_column("poll_id")

    with op.batch_alter_table("guild_settings", recreate="never") as batch_op:
        batch_op.drop_column("usual_time")
        batch_op.drop_column("usual_weekday")

    op.drop_table("watchlist_supporters")
    op.drop_table("poll_options")
    with op.batch_alter_table("watchlist", recreate="never") as batch_op:
        batch_op.drop_index("watchlist_by_guild")

    op.drop_table("watchlist")
    with op.batch_alter_table("polls", recreate="never") as batch_op:
        batch_op.drop_index("polls_by_night")
        batch_op.drop_index("polls_by_guild")

    op.drop_table("polls")
    op.drop_table("series")
