"""After the screening: members' ratings and reviews (ratings), and the nights that happened (screenings, with
who said they were going: screening_attendees).

Revision ID: 0004_club
Revises: 0003_club_loop
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_club"
down_revision: str | Sequence[str] | None = "0003_club_loop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Integer columns: BIGINT on PostgreSQL (snowflakes), INTEGER on SQLite (INTEGER PRIMARY KEY is the rowid).
INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("guild_id", INT, autoincrement=False, nullable=False),
        sa.Column("film_slug", sa.Text(), nullable=False),
        sa.Column("user_id", INT, autoincrement=False, nullable=False),
        sa.Column("film_title", sa.Text(), nullable=False),
        sa.Column("film_year", INT, nullable=True),
        sa.Column("half_stars", INT, nullable=False),
        sa.Column("review", sa.Text(), nullable=True),
        sa.Column("spoiler", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("night_id", INT, nullable=True),
        sa.Column("created_at", INT, nullable=False),  # Epoch: whole UTC seconds
        sa.Column("updated_at", INT, nullable=False),
        sa.CheckConstraint("half_stars BETWEEN 1 AND 10", name=op.f("ck_ratings_half_stars")),
        sa.PrimaryKeyConstraint("guild_id", "film_slug", "user_id", name=op.f("pk_ratings")),
    )
    op.create_index("ratings_by_member", "ratings", ["guild_id", "user_id"])
    op.create_table(
        "screenings",
        sa.Column("night_id", INT, autoincrement=False, nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("channel_id", INT, nullable=False),
        sa.Column("film_slug", sa.Text(), nullable=False),
        sa.Column("film_title", sa.Text(), nullable=False),
        sa.Column("film_year", INT, nullable=True),
        sa.Column("runtime_minutes", INT, nullable=True),
        sa.Column("starts_at", INT, nullable=False),
        sa.Column("ends_at", INT, nullable=False),
        sa.Column("recorded_at", INT, nullable=False),
        sa.PrimaryKeyConstraint("night_id", name=op.f("pk_screenings")),
    )
    op.create_index("screenings_by_guild", "screenings", ["guild_id", "starts_at"])
    op.create_table(
        "screening_attendees",
        sa.Column("night_id", INT, nullable=False),
        sa.Column("user_id", INT, autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["night_id"],
            ["screenings.night_id"],
            name=op.f("fk_screening_attendees_night_id_screenings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("night_id", "user_id", name=op.f("pk_screening_attendees")),
    )


def downgrade() -> None:
    op.drop_table("screening_attendees")
    op.drop_index("screenings_by_guild", table_name="screenings")
    op.drop_table("screenings")
    op.drop_index("ratings_by_member", table_name="ratings")
    op.drop_table("ratings")
