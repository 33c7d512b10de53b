"""Watchlist rules: what a title may be, which titles name the same film, and library matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.nights.watchlist import TITLE_MAX, TitleError, clean_title, library_match, same_film, title_key
from bot.storage.models import FilmRef

LIBRARY = [
    FilmRef("the-perfection", "The Perfection", 2018),
    FilmRef("arrival", "Arrival", 2016),
    FilmRef("saw-ii", "Saw II", 2005),
    FilmRef("saw-iii", "Saw III", 2006),
    FilmRef("amelie", "Amélie", 2001),
]


@pytest.mark.parametrize(
    ("text", "title", "year"),
    [
        ("  Arrival   (2016) ", "Arrival", 2016),
        ("Arrival [2016]", "Arrival", 2016),
        ("Blade Runner 2049", "Blade Runner 2049", None),
        ("2001: A Space Odyssey", "2001: A Space Odyssey", None),
        ("M*A*S*H", "M*A*S*H", None),
        ("Am\u200belie\u2060", "Amelie", None),
    ],
)
def test_titles_are_cleaned_and_a_bracketed_year_read(text: str, title: str, year: int | None) -> None:
    cleaned = clean_title(text, this_year=2026)
    assert (cleaned.text, cleaned.year) == (title, year)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * 5000, "5,000 characters long"),
        ("@everyone watch this", "can't contain mentions"),
        ("@here", "can't contain mentions"),
        ("<@&1234>", "can't contain mentions"),
        ("Fight Club ||Tyler is||", "spoiler bars"),
        ("", "Give a film title"),
        ("\u200b \u2060", "Give a film title"),
        ("Metropolis (1066)", "isn't a year"),
    ],
)
def test_bad_titles_say_why(text: str, reason: str) -> None:
    with pytest.raises(TitleError, match=reason):
        clean_title(text, this_year=2026)


@given(st.text(max_size=300))
def test_any_text_is_a_clean_title_or_a_title_error(text: str) -> None:
    try:
        cleaned = clean_title(text, this_year=2026)
    except TitleError:
        return
    assert 0 < len(cleaned.text) <= TITLE_MAX and cleaned.text == cleaned.text.strip()
    assert "||" not in cleaned.text and "@everyone" not in cleaned.text.lower()
    assert title_key(cleaned.text) == cleaned.key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("The Perfection", 2018), ("perfection", None), True),
        (("The Perfection", 2018), ("Perfecton", 2018), True),  # a typo
        (("The Perfection", 2018), ("The Perfection", 2019), False),  # another film of the same name
        (("Amélie", None), ("Amelie", 2001), True),
        (("Saw II", None), ("Saw III", None), False),
        (("Rocky 2", None), ("Rocky 3", None), False),
        (("Film number 001", None), ("Film number 002", None), False),
        (("Heat", None), ("Hear", None), False),
    ],
)
def test_the_same_film_is_recognised_and_sequels_are_not(
    a: tuple[str, int | None], b: tuple[str, int | None], same: bool
) -> None:
    assert same_film(title_key(a[0]), a[1], title_key(b[0]), b[1]) is same
    assert same_film(title_key(b[0]), b[1], title_key(a[0]), a[1]) is same


def test_the_library_match_is_the_closest_film() -> None:
    assert library_match(clean_title("the perfection"), LIBRARY) == LIBRARY[0]
    assert library_match(clean_title("Saw III"), LIBRARY) == LIBRARY[3]
    assert library_match(clean_title("amelie (2001)"), LIBRARY) == LIBRARY[4]
    assert library_match(clean_title("Arrival (1996)"), LIBRARY) is None  # another year: not this one
    assert library_match(clean_title("Paprika"), LIBRARY) is None
