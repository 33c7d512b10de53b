"""Presentation of the watchlist, polls and series, with generated titles and premises (markdown, mentions,
spoiler bars, huge text): every message within Discord's limits, nothing that formats, pings or spoils."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nights.series import Rule, dst_notes, place
from bot.present import limits
from bot.present import polls as present_polls
from bot.present import series as present_series
from bot.present import watchlist as present_watchlist
from bot.present.reply import Reply
from bot.storage.state import Night
from bot.storage.state.polls import Poll, PollOption
from bot.storage.state.watchlist import WatchEntry
from cogs.nights.views import result_view
from tests.fakes import (
    utc,
)
from tests.present.strategies import (
    any_text,
    short_text,
)

NOW = utc(2026, 11, 20, 12, 0)
titles = short_text.map(lambda t: t[:100]).filter(lambda t: t.strip() != "")


def inert(text: str) -> None:
    """Nothing in it can ping (every @ is followed by a zero-width space) or open an unescaped spoiler."""
    assert "@everyone" not in text and "@here" not in text
    unescaped_bars = text.replace("\\|", "")
    assert "||" not in unescaped_bars


def make_poll(names: list[str], votes: list[int], *, ended_by: int | None = None) -> Poll:
    options = tuple(
        PollOption(i, name, 2000 + i, None, i, v)
        for i, (name, v) in enumerate(zip(names, votes, strict=False), 1)
    )
    top = max(votes, default=0)
    winners = tuple(o.position for o in options if top and o.votes == top)
    return Poll(
        id=7,
        guild_id=1,
        channel_id=2,
        message_id=3,
        night_id=None,
        source="watchlist",
        status="closed",
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        ended_by=ended_by,
        winners=winners,
        total_votes=sum(votes),
        error=None,
        created_by=4,
        created_at=NOW,
        options=options,
    )


def make_night(film_title: str | None = None) -> Night:
    from bot.storage.models import FilmRef

    film = FilmRef("x", film_title, 2000) if film_title is not None else None
    return Night(
        id=12,
        guild_id=1,
        channel_id=2,
        film=film,
        runtime_minutes=None,
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=2),
        timezone="Europe/London",
        role_id=None,
        note="",
        status="scheduled",
        revision=0,
        announcement_id=None,
        event_id=None,
        event_error=None,
        created_by=4,
        created_at=NOW,
        series_id=1,
        occurrence=0,
    )


@settings(max_examples=60)
@given(st.lists(titles, min_size=1, max_size=10), st.data())
def test_poll_questions_answers_and_results_fit_and_are_inert(names: list[str], data: st.DataObject) -> None:
    votes = data.draw(st.lists(st.integers(0, 5), min_size=len(names), max_size=len(names)))
    poll = make_poll(names, votes, ended_by=data.draw(st.none() | st.integers(1, 2**63)))
    night = data.draw(st.none() | st.builds(make_night, st.none() | titles))
    question = present_polls.question(poll, night)
    assert len(question) <= 300 and question.endswith(" · poll #7") and "||" not in question
    for option in poll.options:
        answer = present_polls.answer(option)
        assert 0 < len(answer) <= 55 and "||" not in answer and "*" not in answer
    post = present_polls.result(poll, night, late_by=data.draw(st.none() | st.just(timedelta(hours=3))))
    reply = Reply(content=post.content, embeds=[post.embed])
    assert reply.problems() == [] and post.ping_role is None
    inert(post.content or "")
    inert(post.embed.description or "")
    view = result_view(poll, night)
    buttons = [c for row in (view.to_components() if view is not None else []) for c in row["components"]]
    for button in buttons:
        assert (
            0 < len(button["label"]) <= limits.BUTTON_LABEL and len(button["custom_id"]) <= limits.CUSTOM_ID
        )
        assert "||" not in button["label"]
    if not any(votes):
        assert view is None and "Nobody voted" in (post.content or "")
    elif len(poll.winners or ()) > 1:
        assert len(buttons) == len(poll.winners or ())


@settings(max_examples=40)
@given(
    st.lists(st.tuples(titles, st.integers(1, 50), st.booleans()), max_size=45),
    st.lists(any_text, max_size=3),
)
def test_watchlist_pages_fit_and_are_inert(rows: list[tuple[str, int, bool]], premises: list[str]) -> None:
    entries = [
        WatchEntry(
            id=i,
            guild_id=1,
            title=title,
            year=None,
            film=None,
            suggested_by=10 + i,
            suggested_at=NOW,
            watched_at=NOW if watched else None,
            supporters=supporters,
        )
        for i, (title, supporters, watched) in enumerate(rows, 1)
    ]
    pages = present_watchlist.watchlist_pages(
        entries, dict(enumerate(premises, 1)), server="Film @everyone ||Club||"
    )
    assert len(pages) == max(1, -(-len(entries) // present_watchlist.PAGE))
    for page in pages:
        assert page.problems() == []
        for embed in page.embeds:
            inert(embed.description or "")
            assert "||" not in (embed.title or "").replace("\\|", "")
    for entry in entries:
        choice = present_watchlist.entry_choice(entry)
        assert 0 < len(choice) <= limits.CHOICE_NAME and "||" not in choice


def test_a_series_reply_with_many_daylight_saving_notes_fits() -> None:
    rule = Rule(date(2027, 1, 3), time(2, 30), "Europe/Berlin", "weekly")
    notes = dst_notes(rule, utc(2027, 1, 1)) * 5
    nights = [make_night("@everyone || " * 40) for _ in range(2)]
    text = present_series.created(_series(), rule, nights, notes, event_errors=["403 missing access" * 50])
    assert len(text) <= limits.CONTENT and "…and" in text
    inert(text)
    assert "doesn't exist" in present_series.dst_note(place(rule, 12), rule)


def _series():  # type: ignore[no-untyped-def]
    from bot.storage.state.series import Series

    return Series(
        id=1,
        guild_id=1,
        channel_id=2,
        role_id=None,
        timezone="Europe/Berlin",
        local_time="02:30",
        first_date=date(2027, 1, 3),
        repeat="weekly",
        until=date(2027, 12, 31),
        poll_days=3,
        note="",
        status="active",
        created_by=4,
        created_at=NOW,
    )


def test_film_to_be_decided_lines() -> None:
    poll = make_poll(["a", "b"], [0, 0])
    scheduled = Poll(**{**poll.__dict__, "status": "scheduled"})
    opened = Poll(**{**poll.__dict__, "status": "open"})
    assert "opening <t:" in present_series.film_tbd_line(scheduled)
    assert "vote before it closes <t:" in present_series.film_tbd_line(opened)
    assert "an organiser will choose" in present_series.film_tbd_line(None)
