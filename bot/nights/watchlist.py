"""Watchlist rules: what a suggested title may be, how it is compared (fuzzy title and year), and how it is
found in the library. Pure: no Discord, no database.

A title is refused (with a message for the member, nothing stored) when it is empty once invisible characters
are dropped, longer than `TITLE_MAX`, or carries a mention (`@everyone`, `@here`, `<@…>`) or spoiler bars
(`||`): none of those belong in a film's name. Anything else (markdown characters, a lone `@`) is kept as
typed and escaped wherever it is shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.storage.models import FilmRef
from bot.storage.state.watchlist import UNLISTED_PREFIX

TITLE_MAX: Final = 100  # characters of a suggested title
MEMBER_CAP: Final = 10  # open (not yet watched) suggestions per member
SERVER_CAP: Final = 200  # open entries per server
SAME_TITLE: Final = 90  # rapidfuzz ratio of two normalised titles that name the same film
YEAR_MIN: Final = 1870

_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_MENTION = re.compile(r"@(?:everyone|here)\b|<[@#][!&]?\d*>?|<@", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"^(?P<title>.+?)\s*[(\[](?P<year>\d{4})[)\]]$")
_ARTICLES = re.compile(r"^(?:the|a|an|le|la|les|el|los|las|il|der|die|das)\s+")
_NOT_WORD = re.compile(r"[^\w\s]")
_ROMAN = re.compile(r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")


class TitleError(ValueError):
    """A title that cannot go on the watchlist; str(error) tells the member why."""


@dataclass(frozen=True)
class Title:
    """A cleaned suggestion: the title as shown, its year if given, and its comparison key."""

    text: str
    year: int | None
    key: str


def title_key(title: str) -> str:
    """Lower case, accents and punctuation dropped, a leading article dropped: 'The Perfection' and
    'perfection' compare equal, and so do 'Amélie' and 'Amelie'."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("&", " and ")
    words = " ".join(_NOT_WORD.sub(" ", folded).split())
    return _ARTICLES.sub("", words) or words


def clean_title(text: str, year: int | None = None, *, this_year: int = 2100) -> Title:
    """The suggestion as stored, or TitleError. A year in brackets at the end ('Arrival (2016)') is read as
    the year unless `year` is given; a bare number stays part of the title ('Blade Runner 2049')."""
    cleaned = " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())
    if not cleaned:
        raise TitleError("Give a film title, e.g. `Arrival (2016)`.")
    if len(cleaned) > TITLE_MAX:
        raise TitleError(
            f"That title is {len(cleaned):,} characters long; a title can be at most {TITLE_MAX}. "
            "Type the film's title alone, e.g. `Arrival (2016)`."
        )
    if _MENTION.search(cleaned) or "||" in cleaned:
        raise TitleError(
            "A film title can't contain mentions (@everyone, @here, <@…>) or spoiler bars (||). "
            "Type the film's title alone, e.g. `Arrival (2016)`."
        )
    found = _YEAR_SUFFIX.match(cleaned)
    if found and year is None:
        cleaned, year = found["title"], int(found["year"])
    if year is not None and not YEAR_MIN <= year <= this_year + 10:
        raise TitleError(f"{year} isn't a year a film came out. Leave the year out if you're not sure.")
    return Title(cleaned, year, title_key(cleaned))


def years_agree(a: int | None, b: int | None) -> bool:
    """Two years name the same film unless both are known and differ."""
    return a is None or b is None or a == b


def _numbers(key: str) -> set[str]:
    """The words of a title that tell sequels and episodes apart: numbers and roman numerals."""
    return {word for word in key.split() if word.isdigit() or _ROMAN.fullmatch(word)}


def same_film(a_key: str, a_year: int | None, b_key: str, b_year: int | None) -> bool:
    """Fuzzy: close titles (typos, punctuation, articles) and years that agree; numbers and roman numerals
    must be the same ('Saw II' is not 'Saw III', 'Film 001' is not 'Film 002')."""
    if not years_agree(a_year, b_year) or not a_key or not b_key:
        return False
    if a_key == b_key:
        return True
    return _numbers(a_key) == _numbers(b_key) and fuzz.ratio(a_key, b_key) >= SAME_TITLE


def library_match(title: Title, films: Iterable[FilmRef]) -> FilmRef | None:
    """The library film this suggestion names, if exactly one comes close enough (the closest wins)."""
    best: tuple[float, FilmRef] | None = None
    for film in films:
        key = title_key(film.title)
        if not same_film(title.key, title.year, key, film.year):
            continue
        score = 100.0 if key == title.key else fuzz.ratio(title.key, key)
        if title.year is not None and title.year == film.year:
            score += 1
        if best is None or score > best[0]:
            best = (score, film)
    return None if best is None else best[1]


def unlisted_film(entry_id: int, title: str, year: int | None) -> FilmRef:
    """A watchlist suggestion that is not in the library, as a night's film (no details to show; the night
    still marks the entry watched)."""
    return FilmRef(f"{UNLISTED_PREFIX}{entry_id}", title, year)
