"""The knowledge grader's matching rules, table-driven: folding, phrases, what a reader sees, values."""

from __future__ import annotations

from datetime import date

import pytest

from bench.grading.facts import value_of
from bench.grading.match import (
    character_matches,
    dates_in,
    fold_name,
    has_phrase,
    numbers_in,
    remove_echo,
    revealed,
    seen,
    split_names,
)
from bench.grading.story import premise_problems
from bot.present.text import clean, spoiler


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("J.K. Simmons", "J. K. Simmons"),
        ("J.K. Simmons", "JK Simmons"),
        ("Jóhann Jóhannsson", "Johann Johannsson"),
        ("Mark O'Brien", "Mark O’Brien"),
        ("Barunson E&A", "Barunson E & A"),
        ("  Wes   Anderson ", "wes anderson"),
        ("Bong Joon-ho", "Bong Joon Ho"),
    ],
)
def test_fold_name_same(a: str, b: str) -> None:
    assert fold_name(a) == fold_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mark Kandborg", "Imprint Kandborg"),
        ("JÃ³hann", "Jóhann"),
        ("Eric Charmelo", "Eric C. Charmelo"),
        ("", ""),
    ],
)
def test_fold_name_different(a: str, b: str) -> None:
    assert not (fold_name(a) and fold_name(a) == fold_name(b))


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("Andrew crashes the car.", "crash", True),  # a prefix
        ("The twists pile up.", "twist", True),
        ("The discrash was loud.", "crash", False),  # starts at a word
        ("a spiritual retreat", "ritual", False),
        ("the _Boy with Apple_ painting", "Boy with Apple", True),  # markdown underscores are not letters
        ("a scholar’s rock", "scholar's rock", True),  # curly apostrophe
        ("a  SCHOLAR'S\nrock", "scholar's rock", True),
        ("Min hyuk", "Min-hyuk", True),
        ("une séance", "seance", True),
        ("Bong Joon-hoâ€™s control", "Joon-hoâ€", True),  # mojibake stuck to its word
        ("Bong Joon-ho’s control", "Joon-hoâ€", False),
        ("Portable, Alabama", "Portable, Alabama", True),
        ("took his own life", "took his life", False),
        ("anything", "", False),
    ],
)
def test_has_phrase(text: str, phrase: str, found: bool) -> None:
    assert has_phrase(text, phrase) is found


@pytest.mark.parametrize(
    ("expected", "shown", "same"),
    [
        ('Elizabeth "Lizzie" Wells', "Lizzie", True),
        ("Young Charlotte Willmore", "Charlotte Willmore", True),
        ("Hannah", "Hannah, aged 8", True),
        ("Monsieur Gustave H.", "M. Gustave", True),
        ("Louise Banks", "Dr. Louise Banks, a linguist", True),
        ("Theis", "Geoffrey", False),
        ("Theis", "", False),
    ],
)
def test_character_matches(expected: str, shown: str, same: bool) -> None:
    assert character_matches(expected, shown) is same


def test_seen_hides_spoilers_and_reads_escapes() -> None:
    text = f"**Premise**\n{clean('A *cellist* @here')} {spoiler('she is expelled')}"
    assert "expelled" not in seen(text)
    assert "expelled" in revealed(text)
    assert seen(text).startswith("Premise\nA *cellist* @")
    assert "\u200b" not in seen(text)


def test_seen_counts_raw_where_tags_cannot_hide() -> None:
    assert "expelled" in seen("||expelled||", can_hide=False)
    assert "expelled" not in seen("||expelled||")


def test_escaped_pipes_hide_nothing() -> None:
    text = clean("a || b expelled || c")  # document text with pipes, escaped: no spoiler span
    assert "expelled" in seen(text)


def test_remove_echo() -> None:
    assert remove_echo("Nothing matches “Imprint Kandborg”.", " Imprint  Kandborg") == "Nothing matches “”."


def test_values_in_text() -> None:
    assert dates_in("September 1, 2016 (Venice); 11 Nov 2016; 2019-05-24; May 40, 2019") == [
        date(2016, 9, 1),
        date(2016, 11, 11),
        date(2019, 5, 24),
    ]
    assert numbers_in("70% of 1,024 reviews · 6.2/10") == [70, 1024, 6.2, 10]
    assert split_names("Bill Block, Stacey Reiss, and Richard Shepard") == [
        "Bill Block",
        "Stacey Reiss",
        "Richard Shepard",
    ]
    assert value_of("names", "Barunson E&A") == frozenset({"barunson ea"})
    assert value_of("int", "116 minutes") == 116
    assert value_of("genre", "horror film") == "horror"
    assert value_of("date", "no date here") is None


@pytest.mark.parametrize(
    ("premise", "problems"),
    [
        ("Chris, a photographer, meets his girlfriend's parents.", 0),
        ("- Starring: Amy Adams - Production Companies: FilmNation", 2),
        ("Starring: Amy Adams, Jeremy Renner. Production companies: FilmNation.", 1),
        ("Parasite Ending Explained: Who Is the Real Parasite", 1),
    ],
)
def test_premise_problems(premise: str, problems: int) -> None:
    assert len(premise_problems(premise)) == problems
