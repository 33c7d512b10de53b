"""Movie-night posts with any note and film name: within Discord's limits, no blank field, no ping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.present import nights
from bot.present.text import has_visible
from bot.storage.models import FilmRef
from bot.storage.state import Night
from tests.fakes import (
    overview_for,
)
from tests.present.strategies import (
    PROFILE,
    blank_text,
    maybe_blank_text,
)

from .test_reply import discord_refuses

START = datetime(2030, 3, 1, 19, 30, tzinfo=UTC)
NIGHT = Night(
    id=23,
    guild_id=1 << 22,
    channel_id=2 << 22,
    film=FilmRef("the-perfection", "The Perfection", 2018),
    runtime_minutes=90,
    starts_at=START,
    ends_at=START + timedelta(minutes=90),
    timezone="Europe/London",
    role_id=None,
    note="",
    status="scheduled",
    revision=1,
    announcement_id=None,
    event_id=None,
    event_error=None,
    created_by=3 << 22,
    created_at=START - timedelta(days=3),
)


def test_a_note_of_one_space_or_one_invisible_character_adds_no_field() -> None:
    """The finding: `note:" "` made a {"name": "Note", "value": ""} field, which Discord refuses."""
    for note in (" ", "\u202e", "\u200b", "\x00 \x01"):
        post = nights.announcement(replace(NIGHT, note=note), overview_for(NIGHT.film))
        assert "Note" not in [f.name for f in post.embed.fields]
        assert discord_refuses([post.embed], post.content) == []
    post = nights.announcement(replace(NIGHT, note="bring snacks"), None)
    assert [f.value for f in post.embed.fields if f.name == "Note"] == ["bring snacks"]


@PROFILE
@given(maybe_blank_text, maybe_blank_text, st.one_of(st.none(), maybe_blank_text))
def test_every_post_is_accepted_whatever_the_note_and_title(
    note: str, title: str, director: str | None
) -> None:
    film = FilmRef("a-film", title, None)
    night = replace(NIGHT, note=note, film=film, role_id=4 << 22)
    overview = overview_for(film, director=director or "", premise=title)
    posts = [
        nights.announcement(night, overview),
        nights.announcement(night, None, late_by=timedelta(minutes=5)),
        nights.reminder(night, 900),
        nights.starting(night),
        nights.spoilers_ok(night),
        nights.cancelled_announcement(night),
    ]
    for post in posts:
        assert discord_refuses([post.embed], post.content) == [], post
        for field in post.embed.fields:
            assert has_visible(field.name) and has_visible(field.value)
    assert len(nights.event_description(night, overview)) <= nights.EVENT_DESCRIPTION
    assert has_visible(nights.event_name(night))


@PROFILE
@given(blank_text)
def test_a_blank_note_is_left_out_of_the_event_description(note: str) -> None:
    description = nights.event_description(replace(NIGHT, note=note), None)
    assert "Note:" not in description
