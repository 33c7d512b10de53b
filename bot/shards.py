"""The shard rule, in one place: which shard serves a guild, and which guilds a process serves.

Discord routes a guild's events to shard `(guild_id >> 22) % shard_count`. `shard_of` computes it as
`(guild_id // 2**22) % count`, the same number for every snowflake, written so that the one function also builds
the SQL expression: given a SQLAlchemy integer column it returns `(guild_id / 4194304) % :count`, which both
SQLite and PostgreSQL evaluate with integer division. The client, the movie-night cog, the scheduler and the
state store's queries all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, overload

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

SHARD_SHIFT: Final = 22  # the low 22 bits of a snowflake are worker, process and increment
SHARD_SPAN: Final = 1 << SHARD_SHIFT


@overload
def shard_of(guild_id: int, count: int) -> int: ...


@overload
def shard_of(guild_id: ColumnElement[Any], count: int) -> ColumnElement[Any]: ...


def shard_of(guild_id: Any, count: int) -> Any:
    """The shard serving `guild_id` among `count` shards: `(guild_id >> 22) % count`. Works on an int and on a
    SQLAlchemy integer column (giving the SQL expression)."""
    return (guild_id // SHARD_SPAN) % count


@dataclass(frozen=True)
class Shards:
    """Which guilds a process serves: those with `shard_of(guild_id, count) in ids`."""

    count: int
    ids: tuple[int, ...]

    def serves(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.count) in self.ids

    @classmethod
    def configured(cls, count: int | None, ids: Iterable[int] | None) -> Shards | None:
        """From SHARD_COUNT/SHARD_IDS: None (every guild) when unsharded, else the given ids or all of them."""
        if not count:
            return None
        return cls(count, tuple(ids) if ids is not None else tuple(range(count)))

    def __str__(self) -> str:
        return f"{','.join(map(str, self.ids)) or 'none'} of {self.count}"
