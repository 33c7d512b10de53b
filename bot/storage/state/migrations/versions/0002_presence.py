"""Coordination between processes: live instances (heartbeats) and leases (e.g. who syncs the commands).

Revision ID: 0002_presence
Revises: 0001_baseline
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_presence"
down_revision: str | Sequence[str] | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", INT, nullable=False),
        sa.Column("shards", sa.Text(), nullable=False),
        sa.Column("started_at", INT, nullable=False),
        sa.Column("seen_at", INT, nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("expires_at", INT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("instances")
