"""Shared value parsing (bot.ingest.values), table-driven: dates, running times, names, places."""

from __future__ import annotations

import re

import pytest

from bot.ingest.values import (
    ORG,
    RUNTIME_MINUTES,
    full_name,
    is_country,
    iso_date,
    minutes,
    person_key,
    plain_key,
    slug_pattern,
    split_names,
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("May 24, 2019", "2019-05-24"),
        ("24 May 2019", "2019-05-24"),
        ("Friday, May 24, 2019", "2019-05-24"),
        ("2019-05-24", "2019-05-24"),
        ("July 20th, 2001", "2001-07-20"),
        ("October 21st, 2016", "2016-10-21"),
        ("20th July 2001", "2001-07-20"),
        ("the 20th of July, 2001", "2001-07-20"),
        ("Sept. 6, 2019", "2019-09-06"),
        ("Jul 20 2001", "2001-07-20"),
        ("Fri. May 24, 2019", "2019-05-24"),
        ("2001/07/20", "2001-07-20"),
        ("07/20/2001", "2001-07-20"),  # month first: 20 cannot be a month
        ("20.07.2001", "2001-07-20"),  # day first: 20 cannot be a month
        ("05/06/2001", None),  # either way round: not read
        ("Marshall 12, 2019", None),  # a word that starts like a month is not one
        ("May 32, 2019", None),
        ("2019-13-01", None),
        ("sometime in May", None),
    ],
)
def test_iso_date(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The duration of the film is 107 minutes.", 107),
        ("It runs 1 hour 47 minutes.", 107),
        ("2h 10m of film", 130),
        ("107 min", 107),
        ("Running time 118 min.", 118),
        ("It's only 1h 51m long.", 111),
        ("2h16m", 136),
        ("1 hr. 51 min.", 111),
        ("two hours and 22 minutes", 142),
        ("two hours and twenty-two minutes", 142),
        ("an hour and forty minutes", 100),
        # The bounds of a feature's running time, on both sides.
        (f"{RUNTIME_MINUTES.start} minutes", RUNTIME_MINUTES.start),
        (f"{RUNTIME_MINUTES.start - 1} minutes", None),
        (f"{RUNTIME_MINUTES.stop - 1} minutes", RUNTIME_MINUTES.stop - 1),
        (f"{RUNTIME_MINUTES.stop} minutes", None),
    ],
)
def test_minutes(text: str, expected: int | None) -> None:
    found = minutes(text)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "companies", "names"),
    [
        (
            "Richard Shepard, Eric Charmelo, and Nicole Snyder",
            False,
            ["Richard Shepard", "Eric Charmelo", "Nicole Snyder"],
        ),
        ("Joel & Ethan Coen", False, ["Joel", "Ethan Coen"]),
        ("Barunson E&A, CJ Entertainment", True, ["Barunson E&A", "CJ Entertainment"]),
        ("Procter & Gamble", True, ["Procter & Gamble"]),
        ("Blumhouse Productions & Right of Way Films", True, ["Blumhouse Productions", "Right of Way Films"]),
        ("Miramax (uncredited), Netflix", True, ["Miramax", "Netflix"]),
        (
            "Warner Bros. (worldwide); Roadshow Entertainment (Australia)",
            True,
            ["Warner Bros.", "Roadshow Entertainment"],
        ),
        (
            "Frank Marshall\nKathleen Kennedy\nBarry Mendel",
            False,
            ["Frank Marshall", "Kathleen Kennedy", "Barry Mendel"],
        ),
        ("The Kennedy/Marshall Company", True, ["The Kennedy/Marshall Company"]),
    ],
)
def test_split_names(text: str, companies: bool, names: list[str]) -> None:
    assert split_names(text, companies=companies) == names


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("made by The Kennedy/Marshall Company in 1999", "The Kennedy/Marshall Company"),
        (
            "made by Blumhouse Productions & Right of Way Films in 1999",
            "Blumhouse Productions & Right of Way Films",
        ),
        ("made by 20th Century Fox in 1999", "20th Century Fox"),
    ],
)
def test_an_organisation_may_join_names_with_a_slash_or_an_ampersand(text: str, org: str) -> None:
    m = re.search(rf"made by ({ORG})", text)
    assert m is not None and m.group(1) == org


def test_keys() -> None:
    assert person_key("Eric C. Charmelo") == person_key("Eric Charmelo") == "eric charmelo"
    assert person_key("J.K. Simmons") == person_key("J. K. Simmons")
    assert plain_key("Mia & Sebastian's Theme") == "mia and sebastian s theme"


@pytest.mark.parametrize(
    ("place", "country"),
    [
        ("United States", True),
        ("UK", True),
        ("South Korea", True),
        ("United Kingdom, United States", True),
        ("Sundance", False),
        ("TIFF", False),
        ("Fantastic Fest", False),
    ],
)
def test_is_country(place: str, country: bool) -> None:
    assert is_country(place) is country


@pytest.mark.parametrize(
    ("slug", "text", "found"),
    [
        ("mad-max-fury-road", "I rewatched Mad Max: Fury Road last week", "Mad Max: Fury Road"),
        ("grand-budapest-hotel", "The Grand Budapest Hotel (2014)", "The Grand Budapest Hotel"),
        ("alien-1979", "Alien is a film", "Alien"),
        ("alien", "Aliens is the sequel", None),
    ],
)
def test_slug_pattern(slug: str, text: str, found: str | None) -> None:
    pattern = slug_pattern(slug)
    assert pattern is not None
    m = pattern.search(text)
    assert (m.group(0) if m else None) == found


def test_full_name_from_elsewhere_in_the_text() -> None:
    text = "Written by Richard Shepard. Later Shepard said so."
    assert full_name(text, "Shepard") == "Richard Shepard"
    assert full_name(text, "Nobody") == "Nobody"
