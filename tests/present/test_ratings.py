"""Ratings presentation: stars, the club's verdict, answers to /rate, the after-film prompt, /reviews pages.

Examples first, then properties over nasty generated input: every reply within Discord's limits, a review that
spoils never readable without revealing it, and no review able to format, mention or close a tag.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.club.stars import StarsError, half_stars
from bot.present import film as film_present
from bot.present import ratings as present
from bot.present.nights import Post
from bot.present.reply import Reply
from bot.present.text import spoilers_balanced, unspoiled
from bot.storage.models import FilmRef, Overview, Reception
from bot.storage.state import Rated, Rating, Verdict
from tests.present.strategies import (
    MARK,
    PROFILE,
    any_spoiler,
    any_text,
    films,
    overviews,
    short_text,
)
from tests.present.test_film import check

FILM = FilmRef("the-perfection", "The Perfection", 2018)
WHEN = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


def rating(half: int, review: str | None = None, *, spoiler: bool = False, user: int = 1) -> Rating:
    return Rating(1, FILM, user, half, review, spoiler, None, WHEN, WHEN)


def test_stars_and_numbers() -> None:
    assert [present.stars(h) for h in (1, 2, 7, 10)] == ["½", "★", "★★★½", "★★★★★"]
    assert [present.number(v) for v in (3.5, 4.0, 11 / 3)] == ["3.5", "4", "3.7"]
    with pytest.raises(ValueError):
        present.stars(0)


def test_verdict_field_says_nobody_rated_it_or_shows_the_spread() -> None:
    name, value = present.verdict_field(Verdict())
    assert name == present.VERDICT_NAME and "Nobody here has rated it yet" in value
    name, value = present.verdict_field(Verdict.of({8: 2, 5: 1}))
    lines = value.splitlines()
    assert lines[0] == "★★★½ **3.5**/5 from 3 members"  # (8 + 8 + 5) / 3 / 2 = 3.5
    assert lines[1].startswith("★★★★ ") and lines[1].endswith(" 2")
    assert lines[2].startswith("★★½ ") and lines[2].endswith(" 1")
    assert present.verdict_field(Verdict.of({8: 2}), detailed=False)[1] == "★★★★ **4**/5 from 2 members"


def test_the_verdict_goes_beside_the_critics_in_reception(reception_model: Reception) -> None:
    from cogs.club.hooks import after_critics

    reply = film_present.reception(reception_model)
    position = after_critics(reception_model)
    joined = present.with_fields(reply, [present.verdict_field(Verdict.of({9: 1}))], position)
    names = [f.name for f in joined.embeds[0].fields]
    assert names[position] == present.VERDICT_NAME
    assert names[position - 1] == "Reviewers' own ratings"  # after the figures and the reviewers' ratings
    assert names[:position] + names[position + 1 :] == [f.name for f in reply.embeds[0].fields]
    check(joined)


@pytest.mark.parametrize(
    ("stars", "words"),
    [
        (0, ["0 stars isn't a rating", "½ is the lowest", "/unrate"]),
        (7, ["7 stars is more than 5", "half stars"]),
        (2.25, ["2.25 isn't a whole or half star", "Did you mean 2 or 2.5?"]),
        (0.2, ["0.2 stars is below the lowest rating"]),
        (math.nan, ["That isn't a number of stars"]),
        (-math.inf, ["That isn't a number of stars"]),
    ],
)
def test_stars_that_are_not_ratings_are_answered_clearly(stars: float, words: list[str]) -> None:
    with pytest.raises(StarsError) as caught:
        half_stars(stars)
    answer = present.stars_error(caught.value)
    for word in words:
        assert word in answer


def test_answers_to_a_rating() -> None:
    new = present.rated(Rated(rating(8), None, Verdict.of({8: 1})), film=FILM, hint=True)
    assert new.startswith("You gave **The Perfection (2018)** ★★★★ (4/5).")
    assert "The club: ★★★★ **4**/5 from 1 member." in new and "/rate film:The Perfection stars:4" in new
    same = present.rated(Rated(rating(8), rating(8), Verdict.of({8: 1})), film=FILM, hint=True)
    assert "already given" in same and "nothing changed" in same
    changed = present.rated(Rated(rating(3), rating(8), Verdict.of({3: 1})), film=FILM)
    assert "from ★★★★ to ★½ (1.5/5)" in changed and "/rate film" not in changed
    reviewed = present.rated(Rated(rating(3, "meh", spoiler=True), None, Verdict.of({3: 1})), film=FILM)
    assert "behind a spoiler tag" in reviewed
    tagged = present.rated(Rated(rating(3, "ok ||twist||"), None, Verdict.of({3: 1})), film=FILM)
    assert "with the parts you tagged hidden" in tagged
    plain = present.rated(Rated(rating(3, "ok || not closed"), None, Verdict.of({3: 1})), film=FILM)
    assert "in the clear" in plain
    assert "5,000 characters" in present.review_too_long(
        5000
    ) and "Nothing was saved" in present.review_too_long(5000)


def test_the_after_film_post_invites_ratings() -> None:
    post = Post("over", discord.Embed(title="Spoilers are fair game"), None)
    prompted = present.rating_prompt(post)
    assert [f.name for f in prompted.embed.fields] == [present.PROMPT_NAME]
    assert post.embed.fields == []  # the original is left alone
    assert len(prompted.embed) <= 6000


def test_a_review_is_escaped_and_hidden_as_the_member_says() -> None:
    raw = "Great **acting** @everyone <@123> but ||the ending|| hurt"
    shown = present.review_text(raw, whole_spoils=False)
    assert unspoiled(shown) == unspoiled(shown).replace("**acting**", "")  # bold is inert
    assert "\\*\\*acting\\*\\*" in shown and "@\u200beveryone" in shown and "\\<@\u200b123>" in shown
    assert "the ending" not in unspoiled(shown) and "||the ending||" in shown
    whole = present.review_text(raw, whole_spoils=True)
    assert unspoiled(whole).strip() == "" and spoilers_balanced(whole)
    assert present.review_text("  \n ", whole_spoils=False) == ""


def test_reviews_pages() -> None:
    reviews = [rating(9, "Loved it", user=2), rating(4, "The twist", spoiler=True, user=3)]
    (page,) = check(present.reviews_pages(FILM, Verdict.of({9: 1, 4: 1}), reviews))
    text = page.embeds[0].description or ""
    assert "3.3" in text and "<@2>" in text and "Loved it" in text and "||The twist||" in text
    assert "The twist" not in unspoiled(text)
    (empty,) = check(present.reviews_pages(FILM, Verdict(), []))
    assert "Nobody has written a review yet" in (empty.embeds[0].description or "")
    many = check(
        present.reviews_pages(FILM, Verdict.of({5: 40}), [rating(5, "x" * 900, user=n) for n in range(40)])
    )
    assert len(many) > 1 and all("Page" in (p.embeds[0].footer.text or "") for p in many)


# -- properties -----------------------------------------------------------------------------------------------

verdicts = st.lists(st.integers(0, 10**6), min_size=10, max_size=10).map(lambda d: Verdict(tuple(d)))
halves = st.integers(1, 10)


@PROFILE
@given(any_text, st.booleans())
def test_any_review_is_inert(review: str, whole: bool) -> None:
    shown = present.review_text(review, whole_spoils=whole)
    assert spoilers_balanced(shown)
    assert "@everyone" not in shown and "@here" not in shown
    assert not re.search(r"(?<!\\)<[@#]", shown)
    if whole:
        assert unspoiled(shown).strip() == ""


@PROFILE
@given(
    short_text.filter(lambda s: "|" not in s and "\\" not in s), any_spoiler.filter(lambda s: "|" not in s)
)
def test_a_part_the_member_tagged_stays_hidden(visible: str, secret: str) -> None:
    shown = present.review_text(f"{visible} ||{secret}|| {visible}", whole_spoils=False)
    assert MARK not in unspoiled(shown)


@PROFILE
@given(
    films(big=True), verdicts, st.lists(st.tuples(halves, any_text, any_spoiler, st.booleans()), max_size=20)
)
def test_reviews_pages_any(film: FilmRef, verdict: Verdict, drawn: list[tuple[int, str, str, bool]]) -> None:
    reviews = [
        rating(half, secret if spoils else text, spoiler=spoils, user=n)
        for n, (half, text, secret, spoils) in enumerate(drawn)
    ]
    check(present.reviews_pages(film, verdict, reviews))


@PROFILE
@given(overviews(big=True), verdicts, st.booleans(), st.integers(-3, 40))
def test_the_verdict_fits_any_film_reply(
    o: Overview, verdict: Verdict, detailed: bool, position: int
) -> None:
    reply = film_present.overview(o)
    check(present.with_fields(reply, [present.verdict_field(verdict, detailed=detailed)], position))


@PROFILE
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_number_of_stars_is_a_rating_or_a_clear_answer(stars: float) -> None:
    try:
        half = half_stars(stars)
    except StarsError as error:
        answer = present.stars_error(error)
        assert 0 < len(answer) <= 2000 and "half stars" in answer
    else:
        assert half in range(1, 11) and abs(half / 2 - stars) < 1e-6


@PROFILE
@given(films(big=True), halves, st.one_of(st.none(), any_text), st.booleans(), verdicts)
def test_rated_fits(film: FilmRef, half: int, review: str | None, spoils: bool, verdict: Verdict) -> None:
    answer = present.rated(Rated(rating(half, review, spoiler=spoils), None, verdict), film=film, hint=True)
    assert 0 < len(answer) <= 2000 and spoilers_balanced(answer)
    Reply(answer).validate()
