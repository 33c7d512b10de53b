"""The club's rules, pure: what a rating is, what a review keeps, the critics' score a verdict is compared with,
and the statistics (counted from hand-made histories; each expectation written before running the code)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.club.reviews import normalise
from bot.club.scores import critics_score, disagreement, percent_of
from bot.club.stars import StarsError, half_stars
from bot.club.stats import FilmFacts, compute, people
from bot.storage.models import Fact, Figure, FilmRef, Provenance, Reception
from bot.storage.state import Screening, Verdict

A = FilmRef("a", "Alpha", 2001)
B = FilmRef("b", "Beta", 2002)
C = FilmRef("c", "Gamma", None)
START = datetime(2026, 1, 2, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(("stars", "half"), [(0.5, 1), (1, 2), (3.5, 7), (5, 10), (4.9999999999, 10)])
def test_ratings_are_half_stars(stars: float, half: int) -> None:
    assert half_stars(stars) == half


@pytest.mark.parametrize(
    ("stars", "problem", "nearest"),
    [
        (0, "too_low", ()),
        (0.25, "too_low", ()),
        (-3, "too_low", ()),
        (5.5, "too_high", ()),
        (7, "too_high", ()),
        (2.25, "not_a_half", (2.0, 2.5)),
        (4.8, "not_a_half", (4.5, 5.0)),
        (float("nan"), "not_a_number", ()),
        (float("inf"), "not_a_number", ()),
    ],
)
def test_other_numbers_are_not_ratings(stars: float, problem: str, nearest: tuple[float, ...]) -> None:
    with pytest.raises(StarsError) as caught:
        half_stars(stars)
    assert (caught.value.problem, caught.value.nearest) == (problem, nearest)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (None, None),
        ("", None),
        ("   \n\t ", None),
        ("\u200b\u200d\ufeff", None),
        ("  Loved it  ", "Loved it"),
        ("Line one\nline two", "Line one\nline two"),
        ("e\u0301", "é"),  # NFC
        ("a\u202eb\x00c", "abc"),
    ],
)
def test_a_review_keeps_what_the_member_wrote_minus_invisible_characters(
    raw: str | None, kept: str | None
) -> None:
    assert normalise(raw) == kept


def figure(aggregator: str, value: str, average: str | None = None) -> Figure:
    fact = Fact("figure", value, ("doc.txt",), Provenance("doc.txt", 0, 1, value))
    return Figure(aggregator, fact, None, "", average)


def reception(*figures: Figure, reviewers: tuple[Figure, ...] = ()) -> Reception:
    return Reception(A, tuple(figures), None, (), reviewers)


@pytest.mark.parametrize(
    ("value", "percent"),
    [
        ("60/100", 60),
        ("3.5/5", 70),
        ("70%", 70),
        ("6,5/10", 65),
        ("8 out of 10", 80),
        ("B+", None),
        ("150%", None),
        ("7/5", None),
    ],
)
def test_scores_are_read_on_a_0_to_100_scale(value: str, percent: float | None) -> None:
    assert percent_of(value) == percent


def test_the_critics_score_prefers_a_critics_average_and_never_an_audience_poll() -> None:
    rt = figure("Rotten Tomatoes", "70%", average="6.58/10")
    mc = figure("Metacritic", "60/100")
    imdb = figure("IMDb", "8.2/10")
    reviewer = figure("Reviewer (blog.txt)", "3.5/5")
    assert (
        critics_score(reception(rt, mc, imdb)) == critics_score(reception(mc))
        and critics_score(reception(mc)).percent == 60
    )  # type: ignore[union-attr]
    average = critics_score(reception(rt, imdb))
    assert average is not None and (average.source, average.percent) == ("Rotten Tomatoes average", 65.8)
    approval = critics_score(reception(replace(rt, average=None), imdb))
    assert approval is not None and (approval.source, approval.shown) == ("Rotten Tomatoes", "70%")
    other = critics_score(reception(imdb, figure("Some Aggregator", "4/5")))
    assert other is not None and other.source == "Some Aggregator"
    from_reviewers = critics_score(reception(imdb, reviewers=(reviewer, figure("Reviewer 2", "2/5"))))
    assert from_reviewers is not None and (from_reviewers.source, from_reviewers.percent) == ("Reviewers", 55)
    assert critics_score(reception(imdb)) is None and critics_score(reception()) is None


def test_disagreement_is_club_minus_critics_in_points() -> None:
    score = critics_score(reception(figure("Metacritic", "60/100")))
    assert score is not None
    assert disagreement(4.0, score) == 20 and disagreement(1.5, score) == -30


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("Richard Shepard", ["Richard Shepard"]),
        ("Joel Coen and Ethan Coen", ["Joel Coen", "Ethan Coen"]),
        ("Lana Wachowski, Lilly Wachowski", ["Lana Wachowski", "Lilly Wachowski"]),
        ("Anna  Boden & Ryan Fleck", ["Anna Boden", "Ryan Fleck"]),
    ],
)
def test_a_credit_may_name_several_people(credit: str, names: list[str]) -> None:
    assert people(credit) == names


def night(n: int, film: FilmRef, runtime: int | None, going: int) -> Screening:
    start = START + timedelta(days=7 * n)
    return Screening(n, 1, 2, film, runtime, start, start + timedelta(minutes=runtime or 120), going)


def test_statistics_of_a_club() -> None:
    screenings = [night(3, A, 100, 4), night(2, B, None, 2), night(1, A, 100, 3)]  # newest first
    rated = [(A, Verdict.of({8: 2, 10: 1})), (B, Verdict.of({2: 1})), (C, Verdict.of({6: 2}))]
    facts = {
        "a": FilmFacts(
            ("Jane Doe",),
            ("Star One", "Star Two", "Extra"),
            critics_score(reception(figure("Metacritic", "90/100"))),
        ),
        "b": FilmFacts(
            ("Jane Doe", "John Roe"),
            ("Star Two", "Star Three"),
            critics_score(reception(figure("Metacritic", "80/100"))),
        ),
        "c": None,  # removed from the library: still rated, adds no people
    }
    stats = compute(screenings, rated, facts, [(7, 3), (8, 1)])
    assert (stats.nights, stats.films, stats.minutes, stats.unknown_runtime, stats.rated) == (3, 2, 200, 1, 3)
    assert [film for film, _ in stats.highest] == [A, C, B]  # 4.33, 3, 1
    assert [film for film, _ in stats.lowest] == [B, C, A]
    assert stats.disagreement is not None and stats.disagreement.film == B  # 20/100 against 80: 60 points
    assert stats.disagreement.points == -60
    assert stats.directors == (("Jane Doe", 3), ("John Roe", 1))  # nights: Alpha twice, Beta once
    assert stats.actors == (("Star Two", 3), ("Star One", 2), ("Extra", 2))  # ties: billing, then name
    assert stats.regulars == ((7, 3), (8, 1))
    assert stats.facts_missing == ()


def test_statistics_of_a_new_club_and_of_a_removed_film() -> None:
    empty = compute([], [], {}, [])
    assert (empty.nights, empty.rated, empty.highest, empty.lowest, empty.disagreement) == (
        0,
        0,
        (),
        (),
        None,
    )
    removed = compute([night(1, C, 95, 1)], [(C, Verdict.of({4: 1}))], {"c": None}, [])
    assert removed.facts_missing == (C,) and removed.directors == () and removed.disagreement is None
    assert [f for f, _ in removed.highest] == [C] and removed.lowest == ()  # one rated film: no "lowest"
