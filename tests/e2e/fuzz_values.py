"""Values the fuzz types into commands: what unusual users and careless admins type, as hypothesis strategies.

Text is built from pieces: whitespace, invisible and bidi characters, control characters, markdown, spoiler
bars, every mention form, FTS5 and SQL syntax, words the option expects (times, zones, durations, film and
cast names), and arbitrary unicode; or it is made only of the blank kinds; or it is as long as the option
allows. Everything stays within what Discord itself lets a user send (an option's min/max length and value,
its choices, its channel types), because Discord refuses the rest before the bot sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from tests.markup import MARKDOWN as BASE_MARKDOWN

WHITESPACE = (" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\u2028", "\u2029")
INVISIBLE = (
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u061c",  # Arabic letter mark
    "\u202a",  # bidi embeddings and overrides
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",  # bidi isolates
    "\u2067",
    "\u2068",
    "\u2069",
    "\u3164",  # Hangul filler
    "\u2800",  # braille blank
    "\u0301",  # a lone combining mark
)
CONTROL = ("\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\r", "\x0b", "\x0c")
MARKDOWN = (*BASE_MARKDOWN, "*", "_", "\\", "\\|", "||", "|", "||spoiler||", "||||", "<", ">")
FTS = (
    '"',
    '""',
    "NEAR(a b)",
    " OR ",
    " AND ",
    "NOT ",
    "*",
    "a*",
    "^",
    "-",
    "+",
    "col:x",
    "(",
    ")",
    "{a b}",
    "'",
)
SQL = ("'; DROP TABLE nights;--", "' OR '1'='1", "%", "_%", "\\x00", "1; SELECT 1", "/*", "*/")
TIMES = (
    "in 1 minute",
    "in 2 hours",
    "tomorrow 20:30",
    "friday 8pm",
    "next friday 8pm",
    "2030-01-08 20:00",
    "2030-01-08T20:00+14:00",
    "2030-03-31 01:30",  # the clocks go forward in Europe/London
    "in 366 days",
    "in 367 days",
    "in 99999999999 days",
    "in 999999999 weeks",
    "in 9999999 days",
    "in 100000000000000000000 minutes",
    "9999-12-31 23:59",
    "0001-01-01 00:01",
    "31 dec 9999 23:59",
    "yesterday 8pm",
    "now",
    "in 0 minutes",
    "25:99",
    "31 feb 2030 20:00",
    "2030-01-08",
    "99999999999 days ago 8pm",
)
FUTURE = ("in 1 minute", "in 2 hours", "in 3 days", "tomorrow 20:30", "friday 8pm", "in 1 week")
ZONES = (
    "UTC",
    "Europe/London",
    "europe/paris",
    "new york",
    "Asia/Tokyo",
    "Etc/GMT+12",
    "Etc/GMT-14",
    "Pacific/Kiritimati",
    "localtime",
    "Factory",
    "posixrules",
    "posix/Europe/London",
    "right/UTC",
    "Nowhere/City",
    "GMT+5",
    "\u202eamolaP\u202c Paloma",
)
DURATIONS = (
    "24h,15m",
    "none",
    "1d; 2h30m",
    "90 minutes",
    "0m",
    "15d",
    "9" * 40 + "h",
    "soon-ish",
    "1h,2h,3h,4h,5h,6h,7h",
)
NAMES = (
    "Paloma",
    "Allison Williams",
    "Alison Wiliams",
    "liz",
    "Lizzie",
    "Zhang Li",
    "The Perfection",
    "perf",
    "Jaws",
)
WORDS = ("cello", "Netflix", "Shanghai", "Bachoff", "cult", "Fantastic Fest", "bring snacks")
# What an option's name says it expects (film and cast names, times, zones, durations, free text).
DOMAIN: Mapping[str, Sequence[str]] = {
    "when": TIMES,
    "timezone": ZONES,
    "reminders": DURATIONS,
    "name": NAMES,
    "film": (
        "The Perfection",
        "perf",
        "the-perfection",
        "Perfection 2018",
        "whiplash",
        "Whiplash",
        "Jaws",
        "Paloma",
    ),
    "query": WORDS + NAMES,
    "note": WORDS,
}


def mentions(ids: Mapping[str, int]) -> tuple[str, ...]:
    """Every mention form, with real ids of this server and of another one."""
    user, role, channel, other = ids["user"], ids["role"], ids["channel"], ids["other"]
    return (
        "@everyone",
        "@here",
        f"<@{user}>",
        f"<@!{user}>",
        f"<@&{role}>",
        f"<#{channel}>",
        f"<@&{other}>",
        f"</cast:{other}>",
        "<t:1700000000:R>",
        f"<:popcorn:{other}>",
        f"<a:popcorn:{other}>",
        "@\u200beveryone",
    )


def _blank(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Text that shows nothing: whitespace, invisible and control characters only."""
    pieces = st.sampled_from(WHITESPACE + INVISIBLE + CONTROL)
    return st.lists(pieces, min_size=max(min_size, 1), max_size=min(8, max_size)).map("".join)


def _fit(text: str, min_length: int, max_length: int) -> str:
    text = text[:max_length]
    return text if len(text) >= min_length else text + "x" * (min_length - len(text))


def text_for(option: Mapping[str, Any], ids: Mapping[str, int]) -> st.SearchStrategy[str]:
    """Text for a string option, within its min/max length (Discord enforces those)."""
    low = int(option.get("min_length") or 0)
    high = int(option.get("max_length") or 6000)
    expected = DOMAIN.get(option["name"], WORDS)
    piece = st.one_of(
        st.sampled_from(expected),
        st.sampled_from(WHITESPACE + INVISIBLE + CONTROL + MARKDOWN + FTS + SQL),
        st.sampled_from(mentions(ids)),
        st.text(max_size=10),
    )
    mixed = st.lists(piece, min_size=1, max_size=6).map("".join)
    longest = st.builds(
        lambda p: (p * high)[:high], st.sampled_from((*expected, *MARKDOWN, "é", "👍🏽", "@everyone "))
    )
    # Hypothesis favours the first alternatives of a one_of: what the option expects comes first, often
    # enough to get somewhere, then blank text (the classic), then everything else.
    texts = st.one_of(
        st.sampled_from(expected),
        _blank(low, high),
        mixed,
        st.sampled_from(expected),
        _blank(low, high),
        mixed,
        longest,
        st.text(min_size=low, max_size=min(high, 50)),
    )
    if option["name"] == "when":  # a night that gets scheduled is where notes, posts and buttons get tried
        texts = st.one_of(*[st.sampled_from(FUTURE)] * 4, texts)
    return texts.map(lambda t: _fit(t, max(low, 1), high))


NIGHT = "night"  # an integer drawn as (NIGHT, server, n): the n-th night known in that server, when sent


def integer_for(option: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """An integer within the option's bounds (Discord's own: +-2^53), at the bounds, or a night id of this or
    another server (drawn as a reference, resolved when the step runs: the draw never reads live state)."""
    low = int(option.get("min_value", -(2**53)))
    high = int(option.get("max_value", 2**53))
    edges = [v for v in (low, high, 0, 1, -1, low + 1, high - 1, 2**31, 2**63 - 1) if low <= v <= high]
    strategies: list[st.SearchStrategy[Any]] = [st.sampled_from(edges), st.integers(low, high)]
    if low <= 1 and "min_value" not in option:
        nights = st.tuples(st.just(NIGHT), st.sampled_from(["ours", "ours", "other"]), st.integers(0, 99))
        strategies += [nights, nights]
    return st.one_of(strategies)


# -- the sweep: every option of every command gets each kind of edge value once ---------------------------------

# A usable value for a required option, so the sweep reaches the option under test.
ATTACHED = "attachment"
# Files a member may attach (an attachment option's values): documents about a film and what is not one.
FILES: tuple[tuple[str, bytes], ...] = (
    ("alien.txt", b"Alien is a 1979 science fiction horror film directed by Ridley Scott.\n\n" * 4),
    ("empty.txt", b""),
    ("poster.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
    ("notes.txt", b"%PDF-1.7 not really text"),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
    ("CON", b"Alien is a 1979 film.\n"),
    ("player.html", b"<html><head><script>go()</script></head><body><script>x()</script></body></html>"),
    ("@everyone ||x||.md", b"# Alien\n\n**Alien** is a 1979 film by Ridley Scott.\n"),
)
USABLE: Mapping[str, Any] = {
    "when": "in 2 days",
    "query": "cello",
    "id": (NIGHT, "ours", 0),
    "document": (ATTACHED, 0),
    "stars": 4.5,
}


def edge_texts(option: Mapping[str, Any], ids: Mapping[str, int]) -> list[str]:
    """One of each kind of text that breaks things, within the option's length limits."""
    low = max(int(option.get("min_length") or 0), 1)
    high = int(option.get("max_length") or 6000)
    user, role = ids["user"], ids["role"]
    texts = [
        " ",  # whitespace only
        "\u202e",  # one invisible (bidi) character
        "\u200b",  # a zero-width space, which Discord itself accepts as a field
        "\x00\x01\x1b",  # control characters
        "\u3164\u2800",  # blank-looking letters
        f"@everyone @here <@{user}> <@&{role}> </cast:{role}>",  # every mention form
        "||x|| **b** __u__ ~~s~~ `c` > q [l](https://example.com)",  # markdown and spoiler bars
        'NEAR("a" b) OR x* AND -y ^z col:"',  # FTS5 syntax
        "'; DROP TABLE nights;--",  # SQL
        "x" * high,  # the longest allowed
        ("é👍🏽" * high)[:high],  # long, and not ASCII
        *DOMAIN.get(option["name"], ()),  # what the option expects, edge cases included (absurd times, zones)
    ]
    return [_fit(t, low, high) for t in dict.fromkeys(texts)]


def usable(option: Mapping[str, Any]) -> Any:
    """A value a required option can take while another option is being fuzzed."""
    if option["name"] in USABLE:
        return USABLE[option["name"]]
    if option.get("choices"):
        return option["choices"][0]["value"]
    if option["type"] in (4, 10):  # integer, number
        return option.get("min_value", 1)
    if option["type"] == 5:
        return True
    return "x"


def edge_numbers(option: Mapping[str, Any]) -> list[float]:
    """Numbers (Discord's NUMBER options): the bounds, just outside them, and awkward fractions."""
    low = float(option.get("min_value", -(2.0**53)))
    high = float(option.get("max_value", 2.0**53))
    return list(dict.fromkeys((low, high, low - 0.5, high + 0.5, 0.0, -1.0, 2.25, 1e-9, (low + high) / 3)))


def edge_integers(option: Mapping[str, Any]) -> list[Any]:
    low = int(option.get("min_value", -(2**53)))
    high = int(option.get("max_value", 2**53))
    values: list[Any] = [v for v in dict.fromkeys((low, high, 0, -1, 1)) if low <= v <= high]
    if "min_value" not in option:  # an id: a night of this server, and one of another server
        values += [(NIGHT, "ours", 0), (NIGHT, "other", 0)]
    return values
