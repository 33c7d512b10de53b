"""What every state module shares: the table registry (`metadata`), column types, and the `Queries` base.

- `metadata` holds every state table; Alembic compares it with the migrated schema (see the package docstring).
- `Int` is BIGINT on PostgreSQL (Discord snowflakes need 64 bits) and INTEGER on SQLite (where INTEGER
  PRIMARY KEY is the rowid); `Epoch` stores an aware datetime as whole UTC seconds and reads it back as one.
- `Queries` is the base of each concern's mixin; `StateStore` (store.py) combines them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import BigInteger, ColumnElement, Dialect, Integer, MetaData, false, true
from sqlalchemy.types import TypeDecorator

from bot.shards import Shards, shard_of

if TYPE_CHECKING:
    from bot.storage.state.engine import Database

NAMING: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

Int = BigInteger().with_variant(Integer(), "sqlite")


class Epoch(TypeDecorator[datetime]):
    """An aware datetime stored as whole UTC seconds (an integer on both backends)."""

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(Integer() if dialect.name == "sqlite" else BigInteger())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored in state must be timezone-aware")
        return int(value.timestamp())

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromtimestamp(value, UTC)


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET  # "leave as it is" for optional arguments where None means "clear"


def served_by(guild_column: ColumnElement[Any], shards: Shards | None) -> ColumnElement[bool]:
    """SQL: the row's guild is served by `shards` (every guild when None), by the one shard rule."""
    if shards is None:
        return true()
    if not shards.ids:
        return false()
    return shard_of(guild_column, shards.count).in_(shards.ids)


class Queries:
    """Base of each concern's queries; `db` runs reads and writes (see engine.Database)."""

    db: Database
