"""The one home of the film fields: their labels, how each value is typed in the knowledge database, and how a
typed value is shown. The builder (bot/ingest/rows.py) stores by these rules and the queries read by them.

Kinds:
- text: stored as written (`facts.text`), e.g. the director or the genre;
- number: an integer (`facts.number`): the year, the runtime in minutes, the number of Metacritic critics;
- date: an ISO date (`facts.date`), shown as "May 24, 2019";
- list: one row per item (`fact_items`), e.g. writers, producers, companies, where to watch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

Kind = Literal["text", "number", "date", "list"]

MONTHS: Final = (
    "January February March April May June July August September October November December".split()
)

# Every field with a fixed label, in the order an overview shows them (the composite "premiere" and
# "release" are built from their parts; the rest as voted).
LABELS: Final[dict[str, str]] = {
    "title": "Title",
    "year": "Year",
    "genre": "Genre",
    "director": "Director",
    "writers": "Writers",
    "producers": "Producers",
    "composer": "Music",
    "cinematographer": "Cinematography",
    "editor": "Editing",
    "companies": "Production companies",
    "distributor": "Distributor",
    "premiere": "Premiere",
    "release": "Release",
    "trailer": "Trailer",
    "runtime": "Runtime",
    "country": "Country",
    "language": "Language",
    "premiere_date": "Premiere date",
    "premiere_venue": "Premiere venue",
    "release_date": "Release date",
    "release_region": "Release region",
    "featured": "Featured music",
    "consensus": "Critics' consensus",
    "rotten_tomatoes": "Rotten Tomatoes",
    "metacritic": "Metacritic",
    "metacritic_count": "Metacritic critics",
    "metacritic_verdict": "Metacritic verdict",
    "imdb": "IMDb",
    "streaming": "Where to watch",
}

# The overview's fields, in display order, with their labels.
OVERVIEW: Final[tuple[str, ...]] = (
    "title",
    "year",
    "genre",
    "director",
    "writers",
    "producers",
    "composer",
    "cinematographer",
    "editor",
    "companies",
    "distributor",
    "premiere",
    "release",
    "trailer",
    "runtime",
    "country",
    "language",
)
FIELDS: Final[tuple[tuple[str, str], ...]] = tuple((name, LABELS[name]) for name in OVERVIEW)

NUMBER_FIELDS: Final = frozenset({"year", "runtime", "metacritic_count"})
DATE_FIELDS: Final = frozenset({"trailer", "premiere_date", "release_date"})
# List fields and the separator their items are joined with where one line shows them.
LIST_FIELDS: Final[dict[str, str]] = {
    "writers": ", ",
    "producers": ", ",
    "companies": ", ",
    "featured": "; ",  # a featured piece may hold commas ("Symphony No. 2, 'Romantic'")
    "streaming": ", ",
}
UNITS: Final[dict[str, str]] = {"runtime": "minutes"}


def kind_of(field: str) -> Kind:
    if field in NUMBER_FIELDS:
        return "number"
    if field in DATE_FIELDS:
        return "date"
    if field in LIST_FIELDS:
        return "list"
    return "text"


def credit_label(character: str) -> str:
    return f"{character} (actor)"


def song_label(index: int) -> str:
    return f"Song {index + 1} title"


def reviewer_label(document: str) -> str:
    return f"Reviewer's rating ({document})"


def show_date(iso: str) -> str:
    """'2019-05-24' -> 'May 24, 2019'."""
    year, month, day = iso.split("-")
    return f"{MONTHS[int(month) - 1]} {int(day)}, {year}"


def show(
    field: str, text: str | None, number: int | None, date: str | None, items: Sequence[str] = ()
) -> str:
    """A typed value as one line of text."""
    kind = kind_of(field)
    if kind == "number" and number is not None:
        unit = UNITS.get(field)
        return f"{number} {unit}" if unit else str(number)
    if kind == "date" and date is not None:
        return show_date(date)
    if kind == "list" and items:
        return LIST_FIELDS[field].join(items)
    return text or ""
