"""A club's statistics, computed from its history, its ratings and what the knowledge base says of its films.

Pure: the cog gathers the inputs (screenings, verdicts, directors, casts, critics' scores) and this module
counts. A film the knowledge base no longer has still counts as watched and rated; it simply adds no director
or actor.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.club.scores import CriticsScore, disagreement
from bot.storage.models import FilmRef
from bot.storage.state import Screening, Verdict

TOP: Final = 3
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Disagreement:
    film: FilmRef
    verdict: Verdict
    critics: CriticsScore
    points: float  # club minus critics, out of 100


@dataclass(frozen=True)
class FilmFacts:
    """What the knowledge base says of a watched film (empty when it no longer has the film)."""

    directors: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()  # in billing order
    critics: CriticsScore | None = None


@dataclass(frozen=True)
class ClubStats:
    nights: int = 0  # movie nights that happened
    films: int = 0  # different films among them
    minutes: int = 0  # runtime of the nights whose runtime is known
    unknown_runtime: int = 0  # nights whose film's runtime is unknown
    rated: int = 0  # films the members rated
    highest: tuple[tuple[FilmRef, Verdict], ...] = ()
    lowest: tuple[tuple[FilmRef, Verdict], ...] = ()
    disagreement: Disagreement | None = None
    directors: tuple[tuple[str, int], ...] = ()  # (name, nights their film was watched), most first
    actors: tuple[tuple[str, int], ...] = ()
    regulars: tuple[tuple[int, int], ...] = ()  # (member id, nights attended), most first
    facts_missing: tuple[FilmRef, ...] = field(default_factory=tuple)  # watched films the library lacks


def people(credit: str) -> list[str]:
    """'Joel Coen and Ethan Coen' -> both names; one credit may name several people."""
    return [" ".join(name.split()) for name in _SEPARATORS.split(credit) if name.strip()]


def _ranked(counts: Counter[str], order: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Most first; ties by how early the name first appears (billing), then by name."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], 0), item[0].casefold()))
    return tuple(ranked[:TOP])


def compute(
    screenings: Sequence[Screening],
    rated: Sequence[tuple[FilmRef, Verdict]],
    facts: Mapping[str, FilmFacts | None],
    regulars: Sequence[tuple[int, int]],
) -> ClubStats:
    """The statistics: `facts` is keyed by film slug (None: not in the knowledge base any more)."""
    watched = {s.film.slug: s.film for s in screenings}
    directors: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for screening in screenings:  # a film watched twice counts twice: these are the nights
        known = facts.get(screening.film.slug)
        if known is None:
            continue
        directors.update(set(known.directors))
        for position, actor in enumerate(dict.fromkeys(known.actors)):
            actors[actor] += 1
            first_seen[actor] = min(first_seen.get(actor, position), position)
    scored = [(film, verdict) for film, verdict in rated if verdict.average is not None]
    by_score = sorted(scored, key=lambda fv: (-(fv[1].average or 0), -fv[1].count, fv[0].title.casefold()))
    lowest = sorted(scored, key=lambda fv: ((fv[1].average or 0), -fv[1].count, fv[0].title.casefold()))
    return ClubStats(
        nights=len(screenings),
        films=len(watched),
        minutes=sum(s.runtime_minutes or 0 for s in screenings),
        unknown_runtime=sum(1 for s in screenings if s.runtime_minutes is None),
        rated=len(scored),
        highest=tuple(by_score[:TOP]),
        lowest=tuple(lowest[:TOP]) if len(scored) > 1 else (),
        disagreement=_biggest_disagreement(scored, facts),
        directors=_ranked(directors, {}),
        actors=_ranked(actors, first_seen),
        regulars=tuple(regulars[: TOP * 2]),
        facts_missing=tuple(film for slug, film in watched.items() if facts.get(slug) is None),
    )


def _biggest_disagreement(
    scored: Sequence[tuple[FilmRef, Verdict]], facts: Mapping[str, FilmFacts | None]
) -> Disagreement | None:
    best: Disagreement | None = None
    for film, verdict in scored:
        known = facts.get(film.slug)
        if known is None or known.critics is None or verdict.average is None:
            continue
        points = disagreement(verdict.average, known.critics)
        if best is None or abs(points) > abs(best.points):
            best = Disagreement(film, verdict, known.critics, points)
    return best
