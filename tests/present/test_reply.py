"""`make_embed` and `Reply`: nothing that shows nothing, by construction (Discord refuses blank fields)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.offline.validation import message_violations
from bot.present import limits
from bot.present.reply import PLACEHOLDER, Field, Reply, make_embed
from bot.present.text import escape, has_visible
from tests.present.strategies import (
    INVISIBLE,
    PROFILE,
    blank_text,
    maybe_blank_text,
)


def discord_refuses(embeds: list[Any], content: str | None = None) -> list[str]:
    """What the offline Discord (which refuses what Discord refuses) would say to this message."""
    body: dict[str, Any] = {"embeds": [e.to_dict() for e in embeds]}
    if content is not None:
        body["content"] = content
    return [str(v) for v in message_violations(body)]


def test_has_visible() -> None:
    for blank in ("", " ", "\n\t", "\u200b", "\u202e\u202c", "\u3164", "\ufeff", "\u0301", "\x00"):
        assert not has_visible(blank), repr(blank)
    for shown in ("a", " . ", "—", "\\*", "||x||", "👍", "\u200bx"):
        assert has_visible(shown), repr(shown)
    assert not any(has_visible(c) for c in INVISIBLE)


def test_a_blank_field_shows_a_dash_and_blank_parts_are_left_out() -> None:
    embed = make_embed(
        " ", "\u200b", [("Note", " "), ("\u202e", "value"), Field("\u3164", "\u2800", True)], "\n"
    )
    assert embed.title is None and embed.description is None and embed.footer.text is None
    assert [(f.name, f.value, f.inline) for f in embed.fields] == [
        ("Note", PLACEHOLDER, False),
        (PLACEHOLDER, "value", False),
        (PLACEHOLDER, PLACEHOLDER, True),
    ]
    assert discord_refuses([embed]) == []


@PROFILE
@given(
    maybe_blank_text,
    maybe_blank_text,
    st.lists(st.tuples(maybe_blank_text, maybe_blank_text, st.booleans()), max_size=30),
    maybe_blank_text,
)
def test_make_embed_never_emits_a_field_that_shows_nothing(
    title: str, description: str, fields: list[tuple[str, str, bool]], footer: str
) -> None:
    # Raw text, escaped the way every caller escapes it (escaping drops controls and bidi characters).
    embed = make_embed(
        escape(title), escape(description), [Field(escape(n), escape(v), i) for n, v, i in fields], footer
    )
    for f in embed.fields:
        assert has_visible(f.name) and has_visible(f.value), (f.name, f.value)
    assert embed.title is None or has_visible(embed.title)
    assert embed.description is None or has_visible(embed.description)
    assert Reply(None, [embed]).problems() == []
    assert discord_refuses([embed]) == []
    assert len(embed.fields) <= limits.EMBED_FIELDS


@PROFILE
@given(blank_text)
def test_a_reply_of_blank_content_is_not_sendable(content: str) -> None:
    assert "nothing to send" in Reply(content).problems()
