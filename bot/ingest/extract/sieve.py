"""Which sentences a case-blind pattern needs to see: most of a document's sentences hold none of the words
a pattern's matches contain, and a substring test of the lower-cased sentence says so far faster than the
pattern. A case-blind pattern matches an ASCII letter to four characters beyond ASCII too (İ ı ſ K); a
text holding any of them is not sieved, so a sieved pattern finds exactly what it finds unsieved
(tests/ingest/test_fast_paths.py)."""

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


# The characters beyond ASCII that Python's case-blind matching takes for an ASCII letter (i, i, s, k).
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def lowered(text: str) -> str | None:
    """The text lower-cased, to look for needles in; None when a case-blind pattern could match letters that
    the lower-cased text does not show."""
    if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
        return None
    return text.lower()


def may_match(text: str, needles: tuple[str, ...]) -> bool:
    """False only when a case-blind pattern whose every match holds one of the needles cannot match."""
    low = lowered(text)
    return low is None or any(n in low for n in needles)


def fields_named(text: str) -> list[str]:
    """The fields whose words the sentence has (a story sentence has few)."""
    low = lowered(text)
    if low is not None:
        return [f for f, keys in _FIELD_KEYWORDS.items() if any(k in low for k in keys)]
    return [f for f, pattern in FIELD_WORDS.items() if pattern.search(text)]


class Sentence:
    """One sentence, asked several case-blind patterns: a pattern is tried only where the lower-cased
    sentence holds one of the words every match of it contains."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = lowered(text)

    def has(self, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
        if self.low is not None and not any(n in self.low for n in needles):
            return False
        return pattern.search(self.text) is not None
