from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.present import choices as present_choices
from bot.present import film as present
from bot.present import limits
from bot.present.reply import Reply
from bot.present.text import clean, spoiler, spoilers_balanced, unspoiled
from bot.storage.errors import FilmAmbiguous, LookupFailed
from bot.storage.models import (
    FIELDS,
    Credit,
    FilmRef,
    Overview,
    Plot,
    Reception,
    SearchHit,
    Soundtrack,
    Sources,
    Spoil,
)
from tests.present.conftest import (
    ANTON,
    QUOTE_SPOILER,
    SECRET,
)
from tests.present.strategies import (
    DOC0,
    DOC1,
    DOC2,
    FILM,
    MARK,
    PROFILE,
    any_text,
    credits_lists,
    films,
    overviews,
    plots,
    receptions,
    search_hits,
    short_text,
    soundtracks,
    sources_models,
)

# ---------------------------------------------------------------- helpers

E0, E1, E2 = clean(DOC0), clean(DOC1), clean(DOC2)  # document names as rendered: "000\_655…"


def parts(reply: Reply) -> tuple[list[str], list[str]]:
    """(places that can hold spoiler tags, places that cannot) of a reply."""
    tagged = [reply.content or ""]
    plain: list[str] = []
    for embed in reply.embeds:
        tagged.append(embed.description or "")
        plain += [embed.title or "", embed.footer.text or "", embed.author.name or ""]
        for field in embed.fields:
            plain.append(field.name or "")
            tagged.append(field.value or "")
    return tagged, plain


def regex_unspoiled(text: str) -> str:
    """A second, independent reading: neutralise escape pairs (an escaped character still takes a place, so
    `||\\*\\*||` stays a spoiler of "**"), then drop every non-greedy `||…||`."""
    return re.sub(r"\|\|[\s\S]+?\|\|", "", re.sub(r"\\[\s\S]", "_", text))


def visible(reply: Reply) -> str:
    """Everything a reader sees before revealing a spoiler (by both readings)."""
    tagged, plain = parts(reply)
    return "\n".join([*(unspoiled(t) for t in tagged), *(regex_unspoiled(t) for t in tagged), *plain])


def check(replies: Reply | Sequence[Reply]) -> list[Reply]:
    """Every reply is within every limit, balanced, and shows no spoiler marker."""
    replies = [replies] if isinstance(replies, Reply) else list(replies)
    assert replies
    for reply in replies:
        reply.validate()
        tagged, plain = parts(reply)
        assert all(spoilers_balanced(t) for t in tagged)
        assert MARK not in visible(reply)
        assert not any("||" in p for p in plain)
    return replies


def descriptions(replies: Sequence[Reply]) -> str:
    return "\n".join(e.description or "" for r in replies for e in r.embeds)


def field_map(reply: Reply) -> dict[str, str]:
    return {f.name or "": f.value or "" for f in reply.embeds[0].fields}


# ---------------------------------------------------------------- overview


def test_overview(overview_model: Overview) -> None:
    (reply,) = check(present.overview(overview_model))
    embed = reply.embeds[0]
    assert embed.title == "The Perfection (2018)"
    assert "troubled cello prodigy" in (embed.description or "")
    fields = field_map(reply)
    labels = [label for key, label in FIELDS if key in overview_model.facts]
    assert list(fields)[: len(labels)] == labels
    assert fields["Director"] == "Richard Shepard"
    assert fields["Year"].startswith("2018") and "sources differ" in fields["Year"]
    assert f"2019 ({E1})" in fields["Year"]
    assert "Allison Williams (Charlotte Willmore)" in fields["Starring"]
    assert fields["Where to watch"] == "Netflix"
    timeline = fields["Timeline"]
    assert timeline.index("September 2017") < timeline.index("October 2017")
    assert SECRET not in str(embed.to_dict())  # notes, spoiling or not, are not part of the overview


def test_overview_hides_a_spoiling_fact(overview_model: Overview) -> None:
    fact = replace(overview_model.facts["runtime"], value="90 minutes SPOILMARK1", spoil=Spoil.MAJOR)
    reply = present.overview(replace(overview_model, facts={**overview_model.facts, "runtime": fact}))
    check(reply)
    assert spoiler("90 minutes SPOILMARK1") in field_map(reply)["Runtime"]


# ---------------------------------------------------------------- cast


def test_cast_pages(film: FilmRef, credits: list[Credit]) -> None:
    (page,) = check(present.cast_pages(film, credits))
    text = page.embeds[0].description or ""
    assert page.embeds[0].title == "Cast: The Perfection (2018)"
    assert page.embeds[0].footer.text == "Page 1/1"
    order = [
        text.index(name) for name in ("Allison Williams", "Logan Browning", "Steven Weber", "Eileen Tian")
    ]
    assert order == sorted(order)
    assert text.count("Molly Grace") == 1  # listed once, under the adult role
    assert text.index("Allison Williams") < text.index("Molly Grace") < text.index("Logan Browning")
    assert "↳ younger: **Molly Grace** as young Charlotte Willmore" in text
    assert "the head of Bachoff Academy " + spoiler(SECRET) in text
    assert SECRET not in unspoiled(text)
    assert f"*also credited as* Imprint Kandborg in {E1}" in text


def test_cast_pages_split(film: FilmRef, credits: list[Credit]) -> None:
    pages = check(present.cast_pages(film, credits, per_page=3))
    assert [p.embeds[0].footer.text for p in pages] == ["Page 1/3", "Page 2/3", "Page 3/3"]
    assert "Eileen Tian" in (pages[-1].embeds[0].description or "")


def test_cast_pages_empty(film: FilmRef) -> None:
    (page,) = check(present.cast_pages(film, []))
    assert "No cast" in (page.embeds[0].description or "")


def test_credit_matches(film: FilmRef) -> None:
    reply = check(present.credit_matches(film, "weber", [ANTON]))[0]
    fields = field_map(reply)
    assert list(fields) == ["5. Steven Weber: Anton"]
    value = fields["5. Steven Weber: Anton"]
    assert value.startswith("the head of Bachoff Academy " + spoiler(SECRET))
    assert f"Sources: {E1}, {E2}" in value
    assert "“weber”" in (reply.embeds[0].description or "")


def test_credit_matches_none(film: FilmRef) -> None:
    reply = check(present.credit_matches(film, "@everyone ||x||", []))[0]
    assert "No one in the cast matches" in (reply.embeds[0].description or "")
    assert "@everyone" not in (reply.embeds[0].description or "")


# ---------------------------------------------------------------- plot


def test_plot(plot_model: Plot) -> None:
    pages = check(present.plot(plot_model, None))
    text = descriptions(pages)
    assert "Charlotte, a former cello prodigy, reconnects" in unspoiled(text)
    for beat in plot_model.beats:
        assert f"**{beat.index + 1}.** {spoiler(beat.text)}" in text  # each beat its own spoiler
        assert beat.text not in unspoiled(text)
    assert E1 in text
    assert "1 sentence of other sources that this telling does not support was left out" in text
    assert "goes on as told" not in text
    assert "strange village" not in text  # the rejected event itself is never told
    assert unspoiled(text).index("**Beginning**") < unspoiled(text).index("**End**")


def test_plot_says_where_the_story_continues_from(plot_model: Plot) -> None:
    text = descriptions(check(present.plot(replace(plot_model, continued_from=DOC2))))
    assert f"Where it stops, the story goes on as told in {E2}." in text


def test_plot_part(plot_model: Plot) -> None:
    text = descriptions(check(present.plot(plot_model, "end")))
    assert "**5.**" in text and "**6.**" in text and "**1.**" not in text
    with pytest.raises(ValueError):
        present.plot(plot_model, "credits")


def test_plot_long_is_paged(plot_model: Plot) -> None:
    beats = tuple(replace(plot_model.beats[n % 6], index=n) for n in range(300))
    pages = check(present.plot(replace(plot_model, beats=beats), None))
    assert len(pages) > 1
    assert [p.embeds[0].footer.text for p in pages][-1] == f"Page {len(pages)}/{len(pages)}"
    assert "**300.**" in descriptions(pages)


# ---------------------------------------------------------------- soundtrack, reception, search, sources


def test_soundtrack(soundtrack_model: Soundtrack) -> None:
    reply = check(present.soundtrack(soundtrack_model))[0]
    text = reply.embeds[0].description or ""
    assert (
        "**“At Least I Still Have You”** by Rose Liu (written by Jason Zachary Parris, "
        "Lestley Renaldo Pierce, Rose Liu)" in text
    )
    assert f"*sources differ:* At any rate I Still Have You ({E1})" in text
    assert field_map(reply) == {"Score": "Paul Haslinger", "Featured music": "Bach, Mozart, Handel"}


def test_reception(reception_model: Reception) -> None:
    reply = check(present.reception(reception_model))[0]
    fields = field_map(reply)
    rt = fields["Rotten Tomatoes"]
    assert rt.startswith("**70%** of 98 reviews · average 6.58/10")
    assert f"73% ({E1}), 71% ({E2})" in rt
    assert fields["Metacritic"] == "**60/100** of 15 critics · mixed or average reviews"
    assert "compelling performances" in (reply.embeds[0].description or "")
    assert fields["Jeannette Catsoulis, The New York Times"] == "“A nasty little shocker.”"
    hidden = fields["A. Critic, Film Weekly (B+)"]
    assert QUOTE_SPOILER in hidden and QUOTE_SPOILER not in unspoiled(hidden)
    assert "Common Sense Media: **3/5**" in fields["Reviewers' own ratings"]


def test_search(hits: list[SearchHit]) -> None:
    query = "@everyone ||cello|| **bold** <@123456789012345678> " + "x" * 10_000
    reply = check(present.search(query, hits))[0]
    description = reply.embeds[0].description or ""
    assert "@everyone" not in description and "\\<@\u200b123456789012345678>" in description
    assert "\\|\\|cello\\|\\|" in description and "\\*\\*bold\\*\\*" in description
    fields = field_map(reply)
    assert fields[f"{E2}, Plot"].startswith("Charlotte, a gifted cellist")
    assert fields[f"{E1}, Plot"] == spoiler("Lizzie hacks off her infected right hand.")


def test_search_nothing() -> None:
    reply = check(present.search("zzz", []))[0]
    assert "Nothing in the documents matches “zzz”" in (reply.embeds[0].description or "")


def test_sources(sources_model: Sources) -> None:
    reply = check(present.sources(sources_model))[0]
    fields = field_map(reply)
    assert fields[E2].startswith("encyclopedia · reliability 91%")
    assert "contributed: cast 9, plot 6" in fields[E2]
    assert f"rewrite · reliability 55%\nnear-copy of {E2}" in fields[E1]
    assert "⚠ machine-reworded text" in fields[E1]
    assert "garbles: “Imprint Kandborg” for “Mark Kandborg” (Theis (actor))" in fields[E1]
    assert (
        fields[E0]
        == "blog (html) · reliability 30%\n· 0 of 6 story sentences told as the plot source tells them"
    )
    assert fields["Disputed: Year"].startswith("2018") and f"2019 ({E1})" in fields["Disputed: Year"]
    fate = fields["Disputed: fate"]
    assert "Anton dies" in fate and "Anton" not in unspoiled(fate)


# ---------------------------------------------------------------- autocomplete, messages, help


def test_film_choices() -> None:
    many = [FilmRef(f"film-{n}", f"Film {n}", 2000 + n) for n in range(40)]
    choices = present_choices.film_choices([FILM, *many], "")
    assert len(choices) == 25 and choices[0] == ("The Perfection (2018)", "the-perfection")
    assert present_choices.film_choices([FILM, *many], "perf") == [
        ("The Perfection (2018)", "the-perfection")
    ]
    assert present_choices.film_choices([FilmRef("x" * 101, "Too long", None)], "") == []


def test_credit_choices(credits: list[Credit]) -> None:
    choices = present_choices.credit_choices(credits, "")
    assert ("Allison Williams — Charlotte Willmore", "Allison Williams") in choices
    assert ("Molly Grace — young Charlotte Willmore", "Molly Grace") in choices
    assert ("Steven Weber — Anton", "Steven Weber") in choices
    assert not any("secret" in name or "Bachoff" in name for name, _ in choices)
    assert [name for name, _ in present_choices.credit_choices(credits, "lizz")] == [
        "Logan Browning — Elizabeth “Lizzie” Wells",
        "Milah Thompson — young Lizzie",
    ]


def test_not_found_and_ambiguous() -> None:
    message = present.not_found(LookupFailed("film", "@everyone Perfektion", ("The Perfection",)))
    assert (
        message
        == "I couldn't find a film matching “@\u200beveryone Perfektion”. Did you mean **The Perfection**?"
    )
    message = present.not_found(LookupFailed("credit", "x" * 5000))
    assert "cast member" in message and len(message) <= limits.CONTENT
    films_ = tuple(FilmRef(f"f{n}", f"Film {n}", None) for n in range(12))
    message = present.ambiguous(FilmAmbiguous(films_))
    assert message.startswith("Which film do you mean? Please name one: **Film 0**, **Film 1**")
    assert message.endswith("and 2 more.")


def test_help_reply() -> None:
    reply = check(present.help_reply([("cast", "Who plays whom"), ("plot", "The story, behind spoilers")]))[0]
    assert "**/cast**: Who plays whom" in (reply.embeds[0].description or "")


# ---------------------------------------------------------------- properties over huge, nasty models


@PROFILE
@given(overviews(big=True))
def test_overview_any(o: Overview) -> None:
    check(present.overview(o))


@PROFILE
@given(overviews())
def test_overview_many(o: Overview) -> None:
    check(present.overview(o))
    cast_only = present.overview(replace(o, facts={}))
    assert MARK not in str(cast_only.embeds[0].to_dict())  # notes are never part of the overview


@PROFILE
@given(films(big=True), credits_lists(big=True), st.integers(1, 30))
def test_cast_pages_any(film: FilmRef, credits: list[Credit], per_page: int) -> None:
    check(present.cast_pages(film, credits, per_page))


@PROFILE
@given(films(), credits_lists(copies=100))
def test_cast_pages_whole_cast_in_order(film: FilmRef, credits: list[Credit]) -> None:
    pages = check(present.cast_pages(film, credits))
    numbers = [int(n) for n in re.findall(r"^\*\*(\d+)\.\*\*", unspoiled(descriptions(pages)), re.M)]
    top = sorted(c.billing for c in credits if c.adult_of is None)
    assert numbers == top


@PROFILE
@given(films(big=True), any_text, credits_lists(big=True))
def test_credit_matches_any(film: FilmRef, query: str, credits: list[Credit]) -> None:
    check(present.credit_matches(film, query, credits))


@PROFILE
@given(plots(big=True), st.sampled_from([None, *present.PARTS]))
def test_plot_any(p: Plot, part: str | None) -> None:
    check(present.plot(p, part))


@PROFILE
@given(plots(copies=50))
def test_plot_every_beat_numbered(p: Plot) -> None:
    text = descriptions(check(present.plot(p, None)))
    for beat in p.beats:
        if spoiler(beat.text):
            assert f"**{beat.index + 1}.** ||" in text
        else:
            assert f"**{beat.index + 1}.**" not in text  # a blank beat is left out


@PROFILE
@given(st.one_of(soundtracks(), soundtracks(big=True)))
def test_soundtrack_any(s: Soundtrack) -> None:
    check(present.soundtrack(s))


@PROFILE
@given(st.one_of(receptions(), receptions(big=True)))
def test_reception_any(r: Reception) -> None:
    check(present.reception(r))


@PROFILE
@given(any_text, st.one_of(search_hits(), search_hits(big=True)))
def test_search_any(query: str, hits: list[SearchHit]) -> None:
    reply = check(present.search(query, hits))[0]
    assert "@everyone" not in visible(reply) and "@here" not in visible(reply)


@PROFILE
@given(st.one_of(sources_models(), sources_models(big=True)))
def test_sources_any(s: Sources) -> None:
    check(present.sources(s))


@PROFILE
@given(st.lists(films(big=True), max_size=60), short_text)
def test_film_choices_any(films_: list[FilmRef], current: str) -> None:
    choices = present_choices.film_choices(films_, current)
    assert len(choices) <= limits.AUTOCOMPLETE_CHOICES
    for name, value in choices:
        assert 0 < len(name) <= limits.CHOICE_NAME and 0 < len(value) <= limits.CHOICE_VALUE


@PROFILE
@given(st.one_of(credits_lists(big=True), credits_lists(copies=20)), short_text)
def test_credit_choices_any(credits: list[Credit], current: str) -> None:
    choices = present_choices.credit_choices(credits, current)
    assert len(choices) <= limits.AUTOCOMPLETE_CHOICES
    for name, value in choices:
        assert 0 < len(name) <= limits.CHOICE_NAME and 0 < len(value) <= limits.CHOICE_VALUE
        assert MARK not in name and MARK not in value


@PROFILE
@given(short_text, any_text, st.lists(any_text, max_size=30))
def test_lookup_messages_any(kind: str, query: str, suggestions: list[str]) -> None:
    message = present.not_found(LookupFailed(kind, query, tuple(suggestions)))
    assert len(message) <= limits.CONTENT and "@everyone" not in message and spoilers_balanced(message)


@PROFILE
@given(st.lists(st.tuples(any_text, any_text), max_size=40))
def test_help_reply_any(commands: list[tuple[str, str]]) -> None:
    check(present.help_reply(commands))
