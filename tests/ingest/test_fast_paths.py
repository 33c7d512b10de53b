"""Ingest's fast paths give exactly what the slow ways give (the same documents always make the same rows)."""

from __future__ import annotations

import re
from pathlib import Path

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest import text as text_helpers
from bot.ingest.extract.facts import _PROMO, _RUNTIME, _VERSION
from bot.ingest.extract.figures import _IMDB
from bot.ingest.extract.sieve import (
    FIELD_WORDS,
    FOLDS_TO_ASCII,
    PROMO_NEEDLES,
    RUNTIME_NEEDLES,
    VERSION_NEEDLES,
    Sentence,
    fields_named,
    may_match,
)
from bot.ingest.resolve.narrative import _STOPS, STOPS_NEEDLES
from bot.ingest.resolve.spoilers import FATES, REVEALS, has_cue, reveals
from bot.ingest.text import decode, repair

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([*ROOT.glob("tests/fixtures/films/*/*"), *ROOT.glob("data/films/*/*")])

# Text as documents hold it: plain words, typographic marks, accents, mojibake, entities, markup, controls.
_PIECES = st.sampled_from(
    [
        "The film ",
        "Amélie",
        "itâ€™s",
        "Ã©",
        "’",
        "“quoted”",
        "—",
        "…",
        "&amp;",
        "&eacute;",
        "<b>",
        "\n",
        "\r\n",
        "\t",
        "\x1b[1m",
        "\x07",
        "ﬁ",
        "ＬＯＵＤ",
        "é",
        "\u00a0",
        "\x92",
        "e\u0301",
        "Ã©",
        "Â",
        "«»",
        "\u00ad",
        "ü",
        "ÿ",
        "×",
        "naïve café",
    ]
)


def slow(text: str) -> str:
    return ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            _PIECES,
            st.text(max_size=8),
            st.text(st.characters(min_codepoint=0x80, max_codepoint=0x2030), max_size=6),
        ),
        max_size=30,
    ).map("".join)
)
def test_repair_is_ftfy_fix_text(text: str) -> None:
    assert repair(text) == slow(text)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_repair_is_ftfy_fix_text_on_every_document(path: Path) -> None:
    text, _ = decode(path.read_bytes())
    assert repair(text) == slow(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["Directed", "WRITTEN", "Screenplay", "produc", "Money", " "]),
            st.text(max_size=6),
        ),
        max_size=12,
    ).map("".join)
)
def testfields_named_is_what_the_field_patterns_find(text: str) -> None:
    assert fields_named(text) == [f for f, pattern in FIELD_WORDS.items() if pattern.search(text)]


_PROSE_WORDS = st.sampled_from(
    ["Trailer", "traİler", "Dİrected", "IMDb", "İMDb", "ımdb", "Runſ", "Kelvin \u212a", "ſequel", "teasers", "DVD", "re-released", "Director's Cut", "4K", "home video", "sequel", "runs",
     "Running time", "120 minutes", "It is 98 minutes", "made in ", "Shot in ", "long", " ", "é"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PROSE_WORDS, st.text(max_size=6)), max_size=12).map("".join))
def test_needles_never_hide_a_match(text: str) -> None:
    said = Sentence(text)
    for pattern, needles in (
        (_PROMO, PROMO_NEEDLES),
        (_VERSION, VERSION_NEEDLES),
        (_RUNTIME, RUNTIME_NEEDLES),
    ):
        assert said.has(pattern, needles) == bool(pattern.search(text))


_STORY_WORDS = st.sampled_from(
    ["Twisted", "reveals", "Revelation", "her secret", "secrets", "turns out", "conspired", "flashbacks",
     "betrayal", "in fact", "Actually", "all along", "dies", "dying", "Dead", "deaths", "killers", "murderous",
     "suicide", "took his own life", "the ending", "ends with", "final scene", "climax", "In the end", " ", "é",
     "reveaİs", "dıes", "ſecret", "I'll stop here", "I wİll ſtop there", "you will have to see", "to fınd out",
     "no spoilers past", "won't gıve away", "Let's stop there"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_STORY_WORDS, st.text(max_size=6)), max_size=10).map("".join))
def test_cue_needles_never_hide_a_cue(text: str) -> None:
    assert reveals(text) == bool(REVEALS.search(text))
    assert has_cue(text) == bool(REVEALS.search(text) or FATES.search(text))
    assert (may_match(text, STOPS_NEEDLES) and bool(_STOPS.search(text))) == bool(_STOPS.search(text))
    assert (may_match(text, ("imdb",)) and bool(_IMDB.search(text))) == bool(_IMDB.search(text))


def test_the_characters_that_fold_to_ascii_are_all_there_are() -> None:
    """Python's case-blind matching takes these four, and no other character beyond ASCII, for a letter."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    assert {chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c))} == set(FOLDS_TO_ASCII)


_ABBREVIATED = st.sampled_from(
    ["Mr", "Mrs", "etc", "Inc", "Ltd", "Vol", "ca", "J", "St", "No", "vs", "x", "Xetc", "Amrs", "1Co", "é", " ", "-"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(_ABBREVIATED, st.text(max_size=4)), max_size=8).map(lambda parts: "".join(parts) + ".")
)
def test_an_abbreviation_is_told_from_the_last_characters_before_the_stop(head: str) -> None:
    """`sentences` looks for an abbreviation in the few characters before a stop, not the whole sentence."""
    sight = head[-(text_helpers._ABBREV_SIGHT + 1) :]
    assert bool(text_helpers._ABBREV.search(sight)) == bool(text_helpers._ABBREV.search(head))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_PIECES, st.sampled_from(list(text_helpers._UNIFIED)), st.text(max_size=6)), max_size=20
    ).map("".join)
)
def test_unify_is_the_translation_table(words: str) -> None:
    assert text_helpers.unify(words) == words.translate(str.maketrans(text_helpers._UNIFIED))


_LINES = st.lists(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["Mr. Smith", " runs. ", "The end.", "Why? ", '"Go!" said he.', "J. Doe", " ", "..."]
            ),
            st.text(max_size=5),
        ),
        max_size=6,
    ).map("".join),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_LINES, st.data())
def test_a_stretch_of_whole_lines_is_cut_out_of_the_whole_split(
    lines: list[str], data: st.DataObject
) -> None:
    text = "\n".join(lines)
    bounds = sorted({0, len(text), *(i + 1 for i, c in enumerate(text) if c == "\n")})
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(
        st.sampled_from([b - 1 if b and text[b - 1] == "\n" else b for b in bounds if b >= start])
    )
    end = max(start, end)
    assert text_helpers.sentences(text, start, end) == list(text_helpers.iter_sentences(text, start, end))
