"""Autocomplete choices: films and cast members offered as a member types, prefix matches first, within
Discord's limits (25 choices, 100-character names and values). Choices cannot hold spoiler tags, so they
never show notes or anything else that could spoil."""

from __future__ import annotations

from collections.abc import Iterable

from bot.present import limits
from bot.present.text import plain_label
from bot.storage.models import Credit, FilmRef


def _matches(needle: str, *haystacks: str) -> int | None:
    """0 for a prefix match, 1 for a match elsewhere, None for no match."""
    if not needle:
        return 1
    found = [h.casefold() for h in haystacks if needle in h.casefold()]
    if not found:
        return None
    return 0 if any(h.startswith(needle) for h in found) else 1


def _choices(ranked: Iterable[tuple[int, str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for _, name, value in sorted(ranked, key=lambda r: r[0]):
        if name and value and (name, value) not in seen and len(value) <= limits.CHOICE_VALUE:
            seen.add((name, value))
            out.append((name, value))
        if len(out) == limits.AUTOCOMPLETE_CHOICES:
            break
    return out


def film_choices(films: list[FilmRef], current: str) -> list[tuple[str, str]]:
    """Autocomplete (name, value) pairs for films: 'Title (Year)' -> slug. Films with slugs over 100
    characters cannot be offered and are skipped."""
    needle = " ".join(current.split()).casefold()
    ranked = []
    for film in films:
        rank = _matches(needle, film.title, str(film.year or ""), film.slug)
        if rank is not None:
            name = f"{film.title} ({film.year})" if film.year else film.title
            ranked.append((rank, plain_label(name, limits.CHOICE_NAME), film.slug))
    return _choices(ranked)


def credit_choices(credits: list[Credit], current: str) -> list[tuple[str, str]]:
    """Autocomplete (name, value) pairs for cast members: 'Actor — Character' -> actor. Never notes."""
    needle = " ".join(current.split()).casefold()
    people = [c for credit in sorted(credits, key=lambda c: c.billing) for c in (credit, *credit.younger)]
    ranked = []
    for c in people:
        rank = _matches(needle, c.actor, c.character)
        if rank is not None:
            name = plain_label(f"{c.actor} — {c.character}" if c.character else c.actor, limits.CHOICE_NAME)
            ranked.append((rank, name, " ".join(c.actor.split())[: limits.CHOICE_VALUE]))
    return _choices(ranked)
