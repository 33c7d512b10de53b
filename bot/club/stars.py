"""Ratings are half stars: ½ to 5 stars in steps of ½, stored as a whole number of half stars (1 to 10)."""

from __future__ import annotations

import math
from typing import Final, Literal

MIN_STARS: Final = 0.5
MAX_STARS: Final = 5.0
_TOLERANCE: Final = 1e-9

Problem = Literal["not_a_number", "too_low", "too_high", "not_a_half"]


class StarsError(ValueError):
    """A number of stars that is not a rating; `problem` says why (presentation words it)."""

    def __init__(self, value: float, problem: Problem) -> None:
        super().__init__(f"{value!r} stars is not a rating ({problem})")
        self.value = value
        self.problem = problem

    @property
    def nearest(self) -> tuple[float, ...]:
        """The ratings either side of a value between two half stars (empty for other problems)."""
        if self.problem != "not_a_half":
            return ()
        low = math.floor(self.value * 2) / 2
        return tuple(s for s in (low, low + 0.5) if MIN_STARS <= s <= MAX_STARS)


def half_stars(stars: float) -> int:
    """1..10 for ½..5 stars; StarsError for anything else (0, 7, 2.25, NaN, infinity)."""
    if not math.isfinite(stars):
        raise StarsError(stars, "not_a_number")
    if stars < MIN_STARS - _TOLERANCE:
        raise StarsError(stars, "too_low")
    if stars > MAX_STARS + _TOLERANCE:
        raise StarsError(stars, "too_high")
    doubled = stars * 2
    whole = round(doubled)
    if abs(doubled - whole) > _TOLERANCE:
        raise StarsError(stars, "not_a_half")
    return int(whole)


def stars_of(half: int) -> float:
    return half / 2
