from __future__ import annotations

import re

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.present import limits
from bot.present.text import (
    ELLIPSIS,
    TAG,
    ZWSP,
    chunk,
    clean,
    escape,
    fit,
    plain_label,
    split_spoilers,
    spoiler,
    spoilers_balanced,
    truncate,
    unspoiled,
)
from tests.present.strategies import (
    MARK,
    PROFILE,
    any_spoiler,
    any_text,
    short_spoiler,
    short_text,
)

ESCAPE_PAIR = re.compile(r"\\[\s\S]")


def unescaped(text: str) -> str:
    """`text` with every backslash escape pair removed: what markdown could still act on."""
    return ESCAPE_PAIR.sub("", text)


def words(text: str) -> str:
    """Text with whitespace and escaping backslashes gone, to compare content across cuts."""
    return re.sub(r"[\s\\]", "", text)


# ---------------------------------------------------------------- examples


def test_escape_neutralises_markdown_mentions_and_pipes() -> None:
    raw = "**bold** _it_ ~~x~~ `code` a||b @everyone @here <@123> <@&456> <#789> [x](https://e.com)"
    text = escape(raw)
    assert "@everyone" not in text and "@here" not in text
    assert f"@{ZWSP}everyone" in text
    assert TAG not in unescaped(text)
    assert "<" not in unescaped(text) and "[" not in unescaped(text)
    assert "*" not in unescaped(text) and "_" not in unescaped(text) and "`" not in unescaped(text)
    assert "bold" in text


def test_escape_covers_what_discord_escape_markdown_misses() -> None:
    raw = "[a](https://e.com) secret || here [b](https://e.com)"
    assert "||" in discord.utils.escape_markdown(raw)  # the library leaves these pipes live
    assert TAG not in unescaped(escape(raw))
    assert "\\\n-" in discord.utils.escape_markdown("a\n\n- b")  # a stray backslash, dash unescaped
    assert escape("a\n\n- b") == "a\n\n\\- b"


def test_escape_line_starts() -> None:
    assert escape("> quote") == "\\> quote"
    assert escape("  - item").startswith("\\-")
    assert escape("# Heading").startswith("\\#")
    assert escape("-# small").startswith("\\-")
    assert escape("2018. A year") == "2018\\. A year"


def test_escape_keeps_links_working_and_inert() -> None:
    text = escape("see https://example.com/a_b|c@d now")
    assert "https://example.com/a%5Fb%7Cc%40d" in text
    assert "|" not in text and "@" not in text


def test_spoiler_wraps_escaped_text_on_one_line() -> None:
    assert spoiler("Anton dies") == "||Anton dies||"
    assert spoiler("a||b") == "||a\\|\\|b||"
    assert spoiler("ends with |") == "||ends with \\| ||"  # a tag can't be glued to an escaped pipe
    assert spoiler("two\n\nlines") == "||two lines||"
    assert spoiler("") == "" and spoiler("  \n ") == ""


def test_unspoiled_removes_spoiler_spans() -> None:
    assert unspoiled("safe ||secret|| safe ||more||") == "safe  safe "
    assert unspoiled("escaped \\|\\|not a tag\\|\\|") == "escaped \\|\\|not a tag\\|\\|"
    assert unspoiled("dangling ||visible") == "dangling ||visible"


def test_spoilers_balanced() -> None:
    assert spoilers_balanced("a ||b|| c")
    assert not spoilers_balanced("a ||b")
    assert not spoilers_balanced("a |||| b")
    assert not spoilers_balanced("||  ||")


def test_chunk_closes_and_reopens_a_split_spoiler() -> None:
    secret = escape("one two three four five six seven eight nine ten eleven twelve")
    pieces = chunk([("Intro: ", False), (secret, True), (" outro", False)], 30)
    assert len(pieces) > 1
    assert all(len(p) <= 30 and spoilers_balanced(p) for p in pieces)
    assert pieces[1].startswith(TAG) and pieces[0].endswith(TAG)
    assert words("".join(unspoiled(p) for p in pieces)) == words("Intro: outro")


def test_chunk_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "First paragraph here.\n\nSecond one. It has two sentences that go on."
    assert chunk([(text, False)], 40)[0] == "First paragraph here."
    assert chunk([("Alpha beta gamma. Delta epsilon zeta eta", False)], 25)[0] == "Alpha beta gamma."
    assert chunk([("alpha beta gamma delta epsilon", False)], 20)[0] == "alpha beta gamma"


def test_chunk_never_splits_an_escape() -> None:
    text = escape("*" * 40)  # "\*" pairs
    for piece in chunk([(text, False)], 15):
        assert not re.search(r"(?<!\\)(\\\\)*\\$", piece)


def test_chunk_rejects_unescaped_spoiler_segment() -> None:
    with pytest.raises(ValueError):
        chunk([("a||b", True)], 100)


def test_truncate() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("alpha beta gamma delta epsilon zeta", 20)
    assert cut.endswith(ELLIPSIS) and len(cut) <= 20 and cut.startswith("alpha beta")
    hidden = truncate("safe ||hidden words go on and on and on|| tail", 25)
    assert len(hidden) <= 25 and spoilers_balanced(hidden) and unspoiled(hidden).startswith("safe")


def test_plain_label() -> None:
    label = plain_label("  **Allison**   ||who secretly||  _Williams_\n\nas @everyone ", 100)
    assert label == "Allison Williams as @everyone"
    long = plain_label("word " * 50, 30)
    assert len(long) <= 30 and long.endswith(ELLIPSIS) and not long.endswith(" " + ELLIPSIS)


# ---------------------------------------------------------------- properties


@PROFILE
@given(any_text)
def test_escape_is_inert(text: str) -> None:
    out = escape(text)
    bare = unescaped(out)
    assert TAG not in bare and "<" not in bare and "[" not in bare and "`" not in bare
    assert not re.search(r"@(?!\u200b)", out)
    assert split_spoilers(out) in ([], [(out, False)])
    assert discord.utils.escape_mentions(out) == out


@PROFILE
@given(any_spoiler)
def test_spoiler_hides_everything(text: str) -> None:
    out = spoiler(text)
    assert out and unspoiled(out) == "" and spoilers_balanced(out)
    assert "\n" not in out


# A segment is visible escaped text, a spoiler segment (escaped, flagged), or visible text holding a span.
segments = st.one_of(
    any_text.map(lambda t: (escape(t), False)),
    st.tuples(any_spoiler, st.booleans()).map(
        lambda p: (escape(p[0]), True) if p[1] else (spoiler(p[0]), False)
    ),
)


@PROFILE
@given(st.lists(segments, max_size=8), st.integers(min_value=12, max_value=limits.EMBED_DESCRIPTION))
def test_chunk_properties(segments: list[tuple[str, bool]], limit: int) -> None:
    pieces = chunk(segments, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert all(spoilers_balanced(p) and p == p.strip() for p in pieces)
    joined = "".join(unspoiled(p) for p in pieces)
    assert MARK not in joined
    hidden_in = "".join(
        t if h else "".join(part for part, hid in split_spoilers(t) if hid) for t, h in segments
    )
    hidden_out = "".join(part for p in pieces for part, hid in split_spoilers(p) if hid)
    assert words(hidden_out) == words(hidden_in)
    visible_in = "".join(unspoiled(t) for t, h in segments if not h)
    assert words(joined) == words(visible_in)


@PROFILE
@given(st.lists(st.one_of(short_text, short_spoiler), max_size=6), st.integers(min_value=13, max_value=3000))
def test_truncate_and_fit_properties(raw: list[str], limit: int) -> None:
    text = " ".join(spoiler(t) if MARK in t else clean(t) for t in raw)
    out = truncate(text, limit)
    assert len(out) <= limit and spoilers_balanced(out) and MARK not in unspoiled(out)
    assert len(fit([(text, False)], limit)) <= limit


@PROFILE
@given(st.one_of(any_text, any_spoiler.map(spoiler)), st.integers(min_value=2, max_value=limits.CHOICE_NAME))
def test_plain_label_properties(text: str, limit: int) -> None:
    out = plain_label(text, limit)
    assert len(out) <= limit
    assert MARK not in out
    assert not set(out) & set("|*`~\\\n")
