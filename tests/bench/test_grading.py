"""The knowledge grader's own rules: matching helpers (table-driven) and whole grades of hand-made answers."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bench.grading.answers import load
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
from bench.grading.shown import render
from bench.grading.story import premise_problems
from bench.knowledge import FilmGrade, judge, table
from bot.present.text import clean, spoiler
from bot.storage.errors import LookupFailed
from bot.storage.models import (
    Alternative,
    Beat,
    Credit,
    Fact,
    Figure,
    FilmRef,
    Overview,
    Plot,
    Provenance,
    Reception,
    SearchHit,
    Soundtrack,
    SourceInfo,
    Sources,
    Spoil,
)


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


# ---------------------------------------------------------------- whole grades over a hand-made library

FILM = FilmRef("drum", "Drumline Story", 2014)
DOC = "wiki.txt"


def _fact(field: str, value: str, alternatives: tuple[Alternative, ...] = ()) -> Fact:
    return Fact(field, value, (DOC,), Provenance(DOC, 0, 1, value), alternatives)


def _credit(n: int, actor: str, character: str, *alternatives: Alternative) -> Credit:
    return Credit(n, actor, character, "", "", (DOC,), actor_alternatives=alternatives)


class Library:
    """A stand-in for `Knowledge` over one film, holding exactly what a test gives it."""

    def __init__(
        self,
        *,
        premise: str = "Andrew is a young drummer at a music school.",
        facts: dict[str, Fact] | None = None,
        credits: list[Credit] | None = None,
        beats: tuple[Beat, ...] | None = None,
        hits: list[SearchHit] | None = None,
    ) -> None:
        told = (
            (0, "Andrew joins Fletcher's band.", Spoil.MILD, "beginning"),
            (1, "Andrew crashes his car on the way.", Spoil.MAJOR, "middle"),
            (2, "He is expelled after attacking Fletcher.", Spoil.ENDING, "end"),
        )
        self.premise = premise
        self.facts = facts or {
            "runtime": _fact("runtime", "107 minutes"),
            "director": _fact("director", "Damien Chazelle"),
        }
        self.credits = credits or [_credit(1, "Miles Teller", "Andrew Neiman")]
        self.beats = beats or tuple(
            Beat(i, text, spoil, part, Provenance(DOC, 0, 1, text)) for i, text, spoil, part in told
        )
        self.hits = hits or []

    async def resolve_film(self, text: str | None) -> FilmRef:
        return FILM

    async def find_films(self, text: str, limit: int = 25) -> list[FilmRef]:
        return [FILM]

    async def overview(self, slug: str) -> Overview:
        return Overview(FILM, self.facts, self.premise, tuple(self.credits[:5]), ())

    async def cast(self, slug: str) -> list[Credit]:
        return self.credits

    async def find_credits(self, slug: str, query: str, limit: int = 10) -> list[Credit]:
        found = [c for c in self.credits if query.casefold() in f"{c.actor} {c.character}".casefold()]
        if not found:
            raise LookupFailed("credit", query, tuple(c.actor for c in self.credits[:3]))
        return found

    async def plot(self, slug: str) -> Plot:
        return Plot(FILM, self.premise, self.beats, DOC)

    async def soundtrack(self, slug: str) -> Soundtrack:
        return Soundtrack(FILM, None, (), ())

    async def reception(self, slug: str) -> Reception:
        rt = Figure("Rotten Tomatoes", _fact("rt", "94%"), 300, "reviews")
        return Reception(FILM, (rt,), None, ())

    async def sources(self, slug: str) -> Sources:
        return Sources(FILM, (SourceInfo(DOC, "encyclopedia", 0.9, DOC, None),), ())

    async def search(self, query: str, slug: str | None = None, limit: int = 5) -> list[SearchHit]:
        words = query.casefold().split()
        return [h for h in self.hits if any(w in h.snippet.casefold() for w in words)][:limit]


ANSWERS = """
mix = "test"
[film]
title = "Drumline Story"
year = 2014
director = "Damien Chazelle"
runtime_minutes = 107
[[cast]]
actor = "Miles Teller"
character = "Andrew Neiman"
[cast_rules]
complete = true
[reception]
rotten_tomatoes = 94
rotten_tomatoes_reviews = 300
[plot]
told = true
told_by = ["wiki.txt"]
premise_mentions = ["Andrew", "drummer"]
events = [["Fletcher", "band"], ["Andrew", "crash"], ["expelled"]]
spoilers = ["expelled", "crashes"]
never = ["Imprint Teller"]
not_beats = ["Here is a short review"]
"""


def _grade(tmp_path: Path, library: Library, answers: str = ANSWERS) -> FilmGrade:
    path = tmp_path / "drum.toml"
    path.write_text(answers, encoding="utf-8")
    a = load(path)
    searches = [*a.spoilers, *a.never]
    snap = asyncio.run(render(library, [], searches, [*a.never, "Teller"]))
    return judge(a, snap, "drum")


def test_a_perfect_film_grades_perfect(tmp_path: Path) -> None:
    grade = _grade(tmp_path, Library())
    assert grade.perfect, grade.problems
    assert (grade.events_told, grade.events_expected) == (3, 3)
    assert grade.wrong == grade.missing == grade.garbles == grade.leaks == 0
    assert "| drum" in table([grade])


def test_wrong_and_missing_facts(tmp_path: Path) -> None:
    facts = {"runtime": _fact("runtime", "117 minutes")}
    grade = _grade(tmp_path, Library(facts=facts))
    assert "runtime_minutes: expected '107', shown '117 minutes' (wrong)" in grade.problems
    assert "director: expected 'Damien Chazelle', nothing shown (missing)" in grade.problems
    assert (grade.wrong, grade.missing) == (1, 1)


def test_an_alternative_nobody_expects_is_wrong(tmp_path: Path) -> None:
    title = _fact(
        "title", "Drumline Story", (Alternative("I Finally Watched Drumline Story", ("blog.txt",)),)
    )
    grade = _grade(tmp_path, Library(facts={"title": title}))
    assert any(p.startswith("title: 'I Finally Watched") for p in grade.problems)


def test_a_spoiler_in_the_premise_leaks(tmp_path: Path) -> None:
    grade = _grade(tmp_path, Library(premise="Andrew, a drummer, is expelled."))
    assert grade.leaks == 1
    assert any("'expelled' readable outside tags in /movie (description)" in p for p in grade.problems)


def test_search_hits_leak_unless_they_are_hidden(tmp_path: Path) -> None:
    hit = SearchHit(FILM, DOC, "Plot", "Andrew is expelled from Shaffer.", Spoil.SAFE, 0, 1)
    leaked = _grade(tmp_path, Library(hits=[hit]))
    assert any(
        p.startswith("spoiler: 'expelled' readable outside tags in /search query:expelled")
        for p in leaked.problems
    )
    hidden = _grade(tmp_path, Library(hits=[replace(hit, spoil=Spoil.ENDING)]))
    assert hidden.perfect, hidden.problems


def test_garbles_show_in_cast_and_extra_actors_count(tmp_path: Path) -> None:
    garbled = _credit(1, "Miles Teller", "Andrew Neiman", Alternative("Imprint Teller", ("spun.txt",)))
    stranger = _credit(2, "Paul Reiser", "Jim Neiman")
    grade = _grade(tmp_path, Library(credits=[garbled, stranger]))
    assert any(p.startswith("never: 'Imprint Teller' shown in /cast (description)") for p in grade.problems)
    assert any(p.startswith("cast: 'Paul Reiser' listed as 'Jim Neiman'") for p in grade.problems)
    assert grade.garbles == 2


def test_a_role_given_to_a_stranger_is_wrong(tmp_path: Path) -> None:
    grade = _grade(tmp_path, Library(credits=[_credit(1, "Imprint Teller", "Andrew Neiman")]))
    assert (
        "cast: expected Miles Teller as Andrew Neiman, shown 'Imprint Teller' as 'Andrew Neiman' (wrong)"
        in grade.problems
    )


def test_plot_events_order_source_and_framing(tmp_path: Path) -> None:
    beats = (
        Beat(
            0,
            "Here is a short review of the plot.",
            Spoil.MILD,
            "beginning",
            Provenance("fansite.txt", 0, 1, ""),
        ),
        Beat(
            1, "He is expelled after attacking Fletcher.", Spoil.ENDING, "middle", Provenance(DOC, 0, 1, "")
        ),
        Beat(2, "Andrew joins Fletcher's band.", Spoil.MILD, "end", Provenance(DOC, 0, 1, "")),
    )
    grade = _grade(tmp_path, Library(beats=beats))
    assert "plot: event ['Andrew', 'crash'] not told" in grade.problems
    assert (grade.events_told, grade.events_expected) == (2, 3)
    assert any("'expelled'" in p and "story order" in p for p in grade.problems)
    assert any(p.startswith("plot: beats told from ['fansite.txt']") for p in grade.problems)
    assert any(p.startswith("plot: 'Here is a short review'") for p in grade.problems)


def test_the_users_own_query_echoed_back_is_not_a_garble(tmp_path: Path) -> None:
    grade = _grade(tmp_path, Library())  # /search and /cast name: for "Imprint Teller" quote it back
    assert grade.perfect, grade.problems
