"""The shard rule's one home (bot/shards.py) agrees with Discord's `(guild_id >> 22) % shard_count`."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.shards import Shards, shard_of

SNOWFLAKES = st.integers(min_value=0, max_value=(1 << 63) - 1)


@given(SNOWFLAKES, st.integers(min_value=1, max_value=4096))
def test_shard_of_is_discords_rule(guild_id: int, count: int) -> None:
    assert shard_of(guild_id, count) == (guild_id >> 22) % count


def test_configured_shards() -> None:
    assert Shards.configured(None, None) is None
    assert Shards.configured(0, None) is None
    assert Shards.configured(4, None) == Shards(4, (0, 1, 2, 3))
    two = Shards.configured(4, (1, 3))
    assert two == Shards(4, (1, 3)) and str(two) == "1,3 of 4"
    assert two.serves(1 << 22) and not two.serves(2 << 22) and two.serves(7 << 22)
    assert not Shards(2, ()).serves(0)
