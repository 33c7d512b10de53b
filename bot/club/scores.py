"""The critics' score a club's verdict is set beside, and how far apart the two are.

A film's reception has aggregator figures ("60/100", "70%", "6.2/10") and reviewers' own ratings ("3.5/5").
The critics' score is, in order of preference:
1. a critics' average score from an aggregator (Metacritic's metascore);
2. the average rating an approval aggregator reports (Rotten Tomatoes' "average 6.58/10");
3. the approval share itself (Rotten Tomatoes' "70%": the share of positive reviews);
4. any other aggregator that is not an audience poll;
5. the mean of the reviewers' own ratings.
Audience polls (IMDb and the like) are members of the public, not critics, so they never count. Every score
is put on a 0-100 scale; a club's average (½-5 stars) is too, by 20 points a star.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.storage.models import Figure, Reception

CRITICS_AVERAGE: Final = ("metacritic",)  # aggregators whose figure is a critics' average score
APPROVAL: Final = ("rotten tomatoes", "tomatometer")  # aggregators whose figure is a share of good reviews
AUDIENCE: Final = ("imdb", "letterboxd", "cinemascore", "audience", "users", "user score")
_RATIO = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:/|out of)\s*(\d+(?:[.,]\d+)?)", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")


@dataclass(frozen=True)
class CriticsScore:
    source: str  # e.g. "Metacritic", "Rotten Tomatoes average", "Reviewers"
    shown: str  # as the documents give it, e.g. "60/100"
    percent: float  # 0..100


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def percent_of(value: str) -> float | None:
    """'60/100' -> 60, '3.5/5' -> 70, '70%' -> 70; None for anything else (or out of range)."""
    ratio = _RATIO.search(value)
    if ratio:
        got, scale = _number(ratio[1]), _number(ratio[2])
        return got / scale * 100 if 0 < scale and 0 <= got <= scale else None
    share = _PERCENT.search(value)
    if share:
        got = _number(share[1])
        return got if 0 <= got <= 100 else None
    return None


def _named(figure: Figure, names: Iterable[str]) -> bool:
    aggregator = figure.aggregator.casefold()
    return any(name in aggregator for name in names)


def _candidates(reception: Reception) -> Iterable[CriticsScore | None]:
    figures = [f for f in reception.figures if not _named(f, AUDIENCE)]
    for figure in figures:
        if _named(figure, CRITICS_AVERAGE):
            yield _score(figure.aggregator, figure.fact.value)
    for figure in figures:
        if _named(figure, APPROVAL) and figure.average:
            yield _score(f"{figure.aggregator} average", figure.average)
    for figure in figures:
        if _named(figure, APPROVAL):
            yield _score(figure.aggregator, figure.fact.value)
    for figure in figures:
        if not _named(figure, CRITICS_AVERAGE + APPROVAL):
            yield _score(figure.aggregator, figure.fact.value)
    reviewers = [p for f in reception.reviewer_ratings if (p := percent_of(f.fact.value)) is not None]
    if reviewers:
        mean = sum(reviewers) / len(reviewers)
        count = f"{len(reviewers)} reviewer" + ("s" if len(reviewers) != 1 else "")
        yield CriticsScore("Reviewers", f"{mean:.0f}/100 ({count})", mean)


def _score(source: str, value: str) -> CriticsScore | None:
    percent = percent_of(value)
    return None if percent is None else CriticsScore(source, value.strip(), percent)


def critics_score(reception: Reception) -> CriticsScore | None:
    """The critics' score of the film (see the module docstring), or None when the documents give none."""
    return next((score for score in _candidates(reception) if score is not None), None)


def club_percent(average_stars: float) -> float:
    """A club's average (½-5 stars) on the critics' 0-100 scale."""
    return average_stars * 20


def disagreement(average_stars: float, critics: CriticsScore) -> float:
    """Club minus critics, in points out of 100 (positive: the club liked it more)."""
    return club_percent(average_stars) - critics.percent
