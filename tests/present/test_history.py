"""/history and /stats presentation: examples, then any history within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.club.scores import CriticsScore
from bot.club.stats import ClubStats, Disagreement
from bot.present import history as present
from bot.present.text import unspoiled
from bot.storage.models import FilmRef
from bot.storage.state import Screening, Verdict
from tests.present.strategies import (
    PROFILE,
    any_text,
    films,
)
from tests.present.test_film import check

FILM = FilmRef("the-perfection", "The Perfection", 2018)
OTHER = FilmRef("whiplash", "Whiplash", 2014)
START = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
METACRITIC = CriticsScore("Metacritic", "60/100", 60.0)


def screening(n: int, film: FilmRef = FILM, going: int = 3, runtime: int | None = 90) -> Screening:
    start = START + timedelta(days=7 * n)
    return Screening(n, 1, 2, film, runtime, start, start + timedelta(minutes=runtime or 120), going)


def test_history_lists_date_attendance_and_both_scores() -> None:
    pages = check(
        present.history_pages(
            [screening(2, OTHER, going=1), screening(1)],
            {FILM.slug: Verdict.of({7: 2}), OTHER.slug: Verdict()},
            {FILM.slug: METACRITIC, OTHER.slug: None},
        )
    )
    (page,) = pages
    text = page.embeds[0].description or ""
    first, second = text.split("\n\n")
    assert first.startswith("**Whiplash (2014)**") and "1 member going" in first and "not rated yet" in first
    assert "no critics' score known" in first
    assert f"<t:{int((START + timedelta(days=7)).timestamp())}:D>" in second and "3 members going" in second
    assert "★★★½ **3.5**/5 from 2 members" in second and "Critics: Metacritic 60/100" in second
    assert page.embeds[0].footer.text == "Page 1/1 · 2 movie nights"


def test_history_pages_and_nothing_yet() -> None:
    pages = check(present.history_pages([screening(n) for n in range(20)], {}, {}))
    assert len(pages) == 3 and pages[-1].embeds[0].footer.text == "Page 3/3 · 20 movie nights"
    (empty,) = check(present.history_pages([], {}, {}))
    assert "No movie night has happened here yet" in (empty.embeds[0].description or "")


def test_stats_reply() -> None:
    stats = ClubStats(
        nights=3,
        films=2,
        minutes=185,
        unknown_runtime=1,
        rated=2,
        highest=((FILM, Verdict.of({8: 1})), (OTHER, Verdict.of({3: 1}))),
        lowest=((OTHER, Verdict.of({3: 1})), (FILM, Verdict.of({8: 1}))),
        disagreement=Disagreement(OTHER, Verdict.of({3: 1}), METACRITIC, -30.0),
        directors=(("Richard Shepard", 2),),
        actors=(("Allison Williams", 2), ("Logan Browning", 1)),
        regulars=((111, 3), (222, 1)),
    )
    (reply,) = check(present.stats_reply(stats))
    fields = {f.name: f.value or "" for f in reply.embeds[0].fields}
    assert (
        fields["Watched"]
        == "**3 movie nights**, 2 films, **3 h 5 min** of film (runtime unknown for 1 night)"
    )
    assert fields["Highest rated"].splitlines()[0] == "★★★★ **4**/5 from 1 member: **The Perfection (2018)**"
    assert fields["Lowest rated"].startswith("★½ **1.5**/5 from 1 member: **Whiplash (2014)**")
    assert (
        "the club gave 1.5/5 (30/100); the critics, Metacritic 60/100 (60/100)"
        in fields["Biggest disagreement with the critics"]
    )
    assert "liked it 30 points less" in fields["Biggest disagreement with the critics"]
    assert fields["Most-watched director"] == "Richard Shepard (2 nights)"
    assert fields["Most-seen actors"] == "Allison Williams (2 nights), Logan Browning (1 night)"
    assert fields["Most regular members"] == "<@111>: 3 nights\n<@222>: 1 night"
    (empty,) = check(present.stats_reply(ClubStats()))
    assert "No movie night has happened here yet" in (empty.embeds[0].description or "")
    unrated = check(present.stats_reply(ClubStats(nights=1, films=1, minutes=90, facts_missing=(FILM,))))[0]
    assert "Nobody has rated a film yet" in unspoiled(unrated.embeds[0].description or "")
    assert "Not in the library any more" in (unrated.embeds[0].description or "")


def test_durations() -> None:
    assert [present.duration(m) for m in (0, 45, 60, 125, 60 * 1000)] == [
        "0 min",
        "45 min",
        "1 h",
        "2 h 5 min",
        "1,000 h",
    ]


# -- properties -----------------------------------------------------------------------------------------------

verdicts = st.lists(st.integers(0, 10**4), min_size=10, max_size=10).map(lambda d: Verdict(tuple(d)))
scores = st.one_of(st.none(), st.builds(CriticsScore, any_text, any_text, st.floats(0, 100)))


@st.composite
def screenings(draw: st.DrawFn) -> Screening:
    return Screening(
        draw(st.integers(1, 10**9)),
        1,
        2,
        draw(films(big=True)),
        draw(st.one_of(st.none(), st.integers(0, 10**6))),
        START,
        START,
        draw(st.integers(0, 10**6)),
    )


@PROFILE
@given(st.lists(screenings(), max_size=30), verdicts, scores)
def test_history_pages_any(listed: list[Screening], verdict: Verdict, score: CriticsScore | None) -> None:
    slugs = {s.film.slug for s in listed}
    check(present.history_pages(listed, dict.fromkeys(slugs, verdict), dict.fromkeys(slugs, score)))


@PROFILE
@given(
    st.lists(st.tuples(films(big=True), verdicts), max_size=3),
    st.lists(st.tuples(any_text, st.integers(1, 10**6)), max_size=3),
    scores,
    st.lists(st.tuples(st.integers(1, 2**63), st.integers(1, 10**6)), max_size=6),
    st.lists(films(), max_size=8),
)
def test_stats_reply_any(
    rated: list[tuple[FilmRef, Verdict]],
    named: list[tuple[str, int]],
    score: CriticsScore | None,
    regulars: list[tuple[int, int]],
    missing: list[FilmRef],
) -> None:
    rated = [(film, verdict) for film, verdict in rated if verdict.count]
    disagreement = Disagreement(rated[0][0], rated[0][1], score, 12.5) if rated and score else None
    stats = ClubStats(
        nights=len(regulars),
        films=len(rated),
        minutes=10**7,
        rated=len(rated),
        highest=tuple(rated),
        lowest=tuple(reversed(rated)),
        disagreement=disagreement,
        directors=tuple(named),
        actors=tuple(named),
        regulars=tuple(regulars),
        facts_missing=tuple(missing),
    )
    check(present.stats_reply(stats))
