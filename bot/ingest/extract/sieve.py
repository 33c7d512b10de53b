"""Which sentences a case-blind pattern needs to see: most of a document's sentences hold none of the words
a pattern's matches contain, and a substring test of the lower-cased sentence says so far faster than the
pattern. Only ASCII sentences are sieved (case-folding beyond ASCII is the pattern's own business), so a
sieved pattern finds exactly what it finds unsieved (tests/ingest/test_fast_paths.py)."""

from __future__ import annotations

import re

# The words each field's patterns need: a sentence without any (most of a story) skips the field's patterns.
WORDS_BY_FIELD: dict[str, str] = {
    "director": r"direct",
    "writers": r"screenplay|script|writ|wrote|story",
    "composer": r"score|music|compos",
    "cinematographer": r"cinematograph|photograph|shot|lensed",
    "editor": r"edit|cut",
    "producers": r"produc",
    "companies": r"produc|compan",
    "made_by": r"made|financ|backed|develop|money|fund|budget",
    "distributor": r"distribut|release|acquired|rights",
    "streaming": r"watch|stream",
    "language": r"language",
}
FIELD_WORDS: dict[str, re.Pattern[str]] = {
    field_: re.compile(words, re.IGNORECASE) for field_, words in WORDS_BY_FIELD.items()
}
_FIELD_KEYWORDS: dict[str, tuple[str, ...]] = {f: tuple(w.split("|")) for f, w in WORDS_BY_FIELD.items()}

# The words each match of these patterns (in `facts`) contains, lower-cased.
PROMO_NEEDLES = ("trailer", "teaser", "poster", "clip", "featurette")
VERSION_NEEDLES = (
    "dub", "releas", "remaster", "restor", "anniversary", "director's cut", "extended ", "dvd", "blu-ray",
    "4k", "home ", "sequel", "prequel", "remake", "reboot",
)  # fmt: skip
RUNTIME_NEEDLES = (
    "duration", "running time", "runtime", "run time", "runs", "length", "lasts", "clocks in", "long", "minutes",
)  # fmt: skip
MADE_IN_NEEDLES = ("made in ", "produced in ", "shot in ", "filmed in ")  # case-sensitive, as its pattern


def fields_named(text: str) -> list[str]:
    """The fields whose words the sentence has (a story sentence has few)."""
    if text.isascii():
        low = text.lower()
        return [f for f, keys in _FIELD_KEYWORDS.items() if any(k in low for k in keys)]
    return [f for f, pattern in FIELD_WORDS.items() if pattern.search(text)]


class Sentence:
    """One sentence, asked several case-blind patterns: a pattern is tried only where the lower-cased
    sentence holds one of the words every match of it contains."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower() if text.isascii() else None

    def has(self, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
        if self.low is not None and not any(n in self.low for n in needles):
            return False
        return pattern.search(self.text) is not None
