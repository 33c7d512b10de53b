"""Reminder offsets as people write them: read, bounded (no overflow on absurd numbers), helpful errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nights.offsets import MAX_OFFSET_S, OffsetError, format_offsets, parse_offsets


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24h,15m", (86400, 900)), ("1d; 2h30m", (86400, 9000)), ("none", ()), ("90 minutes", (5400,))],
)
def test_offsets_are_read(text: str, expected: tuple[int, ...]) -> None:
    assert parse_offsets(text) == expected
    assert parse_offsets(format_offsets(expected) if expected else "none") == expected


@pytest.mark.parametrize("text", ["9" * 400 + "h", "99999999999999999999d", "15d"])
def test_absurd_offsets_are_refused_not_overflowed(text: str) -> None:
    """The fuzz's finding: a number too long for a float became infinity, and round() raised OverflowError."""
    with pytest.raises(OffsetError, match="at most 14 days"):
        parse_offsets(text)


def test_unreadable_offsets_quote_the_text_not_a_python_repr() -> None:
    with pytest.raises(OffsetError) as caught:
        parse_offsets("soon-ish\x00")
    assert "“soon-ish" in str(caught.value) and "'soon-ish" not in str(caught.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40) | st.builds("{}{}".format, st.integers(0, 10**500), st.sampled_from("dhm")))
def test_any_text_is_offsets_or_an_offset_error(text: str) -> None:
    try:
        offsets = parse_offsets(text)
    except OffsetError as error:
        assert str(error)
    else:
        assert all(0 < offset <= MAX_OFFSET_S for offset in offsets)
