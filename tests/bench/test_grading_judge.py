"""Whole grades of hand-made answers over a stand-in library: each check finds what it must, and a
perfect film grades perfect."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bench.grading.answers import load
from bench.grading.shown import render
from bench.knowledge import FilmGrade, judge, table
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
        documents: tuple[SourceInfo, ...] = (SourceInfo(DOC, "encyclopedia", 0.9, DOC, None),),
    ) -> None:
        told = (
            (0, "Andrew joins Fletcher's band.", Spoil.MILD, "beginning"),
            (1, "Andrew crashes his car on the way.", Spoil.MAJOR, "middle"),
            (2, "He is expelled after attacking Fletcher.", Spoil.ENDING, "end"),
        )
        self.premise = premise
        self.documents = documents
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
        return Soundtrack(FILM, self.facts.get("composer"), (), ())

    async def reception(self, slug: str) -> Reception:
        rt = Figure("Rotten Tomatoes", _fact("rt", "94%"), 300, "reviews")
        return Reception(FILM, (rt,), None, ())

    async def sources(self, slug: str) -> Sources:
        return Sources(FILM, self.documents, ())

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


WARNINGS = ["dup.txt: exact duplicate of wiki.txt", "junk.html: only scripts, nothing to read"]


def _grade(
    tmp_path: Path,
    library: Library,
    answers: str = ANSWERS,
    digests: dict[str, str] | None = None,
    warnings: list[str] = WARNINGS,
) -> FilmGrade:
    path = tmp_path / "drum.toml"
    path.write_text(answers, encoding="utf-8")
    a = load(path)
    searches = [*a.spoilers, *a.never, "Shaffer"]
    snap = asyncio.run(render(library, warnings, searches, [*a.never, "Teller"]))
    snap.digests = digests or {}
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


def test_names_are_sets_whatever_their_order(tmp_path: Path) -> None:
    answers = ANSWERS.replace(
        'director = "Damien Chazelle"',
        'director = "Damien Chazelle"\ncountry = "United Kingdom, United States"',
    )
    facts = {
        "runtime": _fact("runtime", "107 minutes"),
        "director": _fact("director", "Damien Chazelle"),
        "country": _fact("country", "United States and United Kingdom"),
    }
    assert _grade(tmp_path, Library(facts=facts), answers).perfect
    facts["country"] = _fact("country", "United States")
    grade = _grade(tmp_path, Library(facts=facts), answers)
    assert (
        "country: expected 'United Kingdom, United States', shown 'United States' (wrong)" in grade.problems
    )


def test_a_score_by_several_composers_is_a_set_of_names(tmp_path: Path) -> None:
    answers = ANSWERS.replace(
        'director = "Damien Chazelle"',
        'director = "Damien Chazelle"\ncomposer = ["Trent Reznor", "Atticus Ross"]',
    )
    facts = {
        "runtime": _fact("runtime", "107 minutes"),
        "director": _fact("director", "Damien Chazelle"),
        "composer": _fact("composer", "Atticus Ross and Trent Reznor"),
    }
    assert _grade(tmp_path, Library(facts=facts), answers).perfect
    facts["composer"] = _fact("composer", "Trent Reznor")
    grade = _grade(tmp_path, Library(facts=facts), answers)
    assert (
        "soundtrack score: expected ['Trent Reznor', 'Atticus Ross'], shown 'Trent Reznor' (wrong)"
        in grade.problems
    )


COPIES = (
    ANSWERS
    + """
[documents]
copies = { "dup.txt" = "wiki.txt" }
independent = ["wiki.txt", "blog.txt"]
warned = ["dup.txt"]
skipped = ["junk.html"]
"""
)


def _docs(wiki_copy_of: str | None, dup_copy_of: str | None, blog_witness: str = "blog.txt") -> Library:
    return Library(
        documents=(
            SourceInfo("blog.txt", "blog", 0.5, blog_witness, None),
            SourceInfo("dup.txt", "encyclopedia", 0.9, DOC, dup_copy_of),
            SourceInfo(DOC, "encyclopedia", 0.9, DOC, wiki_copy_of),
        )
    )


def test_copies_and_independent_documents(tmp_path: Path) -> None:
    assert _grade(tmp_path, _docs(None, DOC), COPIES).perfect
    reversed_ = _grade(tmp_path, _docs("dup.txt", None), COPIES)
    assert "copies: dup.txt not marked as a near-copy of wiki.txt (missing)" in reversed_.problems
    same_bytes = {"dup.txt": "same", DOC: "same"}
    assert _grade(tmp_path, _docs("dup.txt", None), COPIES, same_bytes).perfect
    grouped = _grade(tmp_path, _docs(None, DOC, blog_witness=DOC), COPIES)
    assert "documents: blog.txt grouped as a copy with wiki.txt (wrong)" in grouped.problems


def test_a_skipped_document_is_named_in_a_warning_and_never_used(tmp_path: Path) -> None:
    unwarned = _grade(tmp_path, _docs(None, DOC), COPIES, warnings=WARNINGS[:1])
    assert unwarned.problems == ["warnings: no warning names junk.html (missing)"]
    library = _docs(None, DOC)
    library.hits = [SearchHit(FILM, "junk.html", "", "Shaffer Conservatory", Spoil.SAFE, 0, 1)]
    used = _grade(tmp_path, library, COPIES)
    assert used.problems == ["skipped: junk.html was used (search hits in /search query:Shaffer) (wrong)"]
