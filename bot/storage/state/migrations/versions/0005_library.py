"""Each server's own films: uploaded documents (bytes, safe name, content hash, who, when) and who may add.

Revision ID: 0005_library
Revises: 0004_club
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_library"
down_revision: str | Sequence[str] | None = "0004_club"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Integer columns: BIGINT on PostgreSQL (snowflakes), INTEGER on SQLite (INTEGER PRIMARY KEY is the rowid).
INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "library_films",
        sa.Column("guild_id", INT, autoincrement=False, nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("year", INT, nullable=True),
        sa.Column("added_by", INT, nullable=False),
        sa.Column("added_at", INT, nullable=False),
        sa.Column("updated_at", INT, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "slug", name=op.f("pk_library_films")),
    )
    op.create_table(
        "library_settings",
        sa.Column("guild_id", INT, autoincrement=False, nullable=False),
        sa.Column("editor_role_id", INT, nullable=True),
        sa.Column("updated_at", INT, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_library_settings")),
    )
    op.create_table(
        "library_documents",
        sa.Column("id", INT, autoincrement=True, nullable=False),
        sa.Column("guild_id", INT, nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("size", INT, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_by", INT, nullable=False),
        sa.Column("added_at", INT, nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id", "slug"],
            ["library_films.guild_id", "library_films.slug"],
            name=op.f("fk_library_documents_guild_id_library_films"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_documents")),
        sa.UniqueConstraint("guild_id", "slug", "name", name=op.f("uq_library_documents_guild_id_slug_name")),
        sa.UniqueConstraint(
            "guild_id", "slug", "sha256", name=op.f("uq_library_documents_guild_id_slug_sha256")
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("library_documents")
    op.drop_table("library_settings")
    op.drop_table("library_films")
