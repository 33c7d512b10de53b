"""Pure text helpers of the knowledge grader: folding, phrase matching, what a reader sees, values in text.

Two kinds of comparison are used:

* **Names and values** (`fold_name`): Unicode NFKC, accents and case folded, punctuation dropped, and runs of
  single letters joined, so "J.K. Simmons", "J. K. Simmons" and "JK Simmons" are one name.
* **Phrases in shown text** (`has_phrase`): case- and accent-insensitive, curly quotes and hyphens folded,
  whitespace collapsed; the phrase must start at a word boundary and may end inside a word ("crash" matches
  "crashes", "twist" matches "twists").

`seen` and `revealed` turn a piece of Discord markdown into what a person reads: before revealing spoilers
(every `||...||` span removed, the way Discord hides them) and after (tags dropped, text kept). Both undo the
presentation's markdown escaping.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from bot.present.text import unspoiled

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200d": "",
        "\ufeff": "",
    }
)
_WORD = re.compile(r"\w+")
_PIECES = re.compile(r"\w+|\s+|[^\w\s]+")
_MARKERS = re.compile(r"\\(.)|[*_~`|]", re.DOTALL)

# Words that carry no identity in a character's name ("Dr. Louise Banks" is Louise Banks; a younger version
# of a role is still that role). Used only to compare characters, never actors.
CHARACTER_STOPWORDS = frozenset(
    "the a an of and as dr mr mrs ms miss m mme monsieur madame aged age young younger older adult old".split()
)


def fold_text(text: str) -> str:
    """Text for matching: NFKC, curly quotes/odd hyphens/odd spaces folded, accents dropped, casefolded,
    whitespace collapsed. Mojibake is NOT repaired (the grader must see it)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def fold_name(text: str) -> str:
    """A name or short value for equality: `fold_text`, punctuation dropped, runs of single letters joined
    ("J.K. Simmons", "J. K. Simmons" and "JK Simmons" all give "jk simmons"; "E&A" gives "ea")."""
    out: list[str] = []
    single = False  # the last word in `out` is made of joined single letters
    for word in re.findall(r"[^\W_]+", fold_text(text)):
        if len(word) == 1 and single:
            out[-1] += word
        else:
            out.append(word)
            single = len(word) == 1
    return " ".join(out)


def name_words(text: str, stopwords: frozenset[str] = frozenset()) -> frozenset[str]:
    """The folded words of a name, without `stopwords`."""
    return frozenset(w for w in fold_name(text).split() if w not in stopwords)


def same_name(a: str, b: str) -> bool:
    return bool(fold_name(a)) and fold_name(a) == fold_name(b)


def character_matches(expected: str, shown: str) -> bool:
    """A shown character is the expected one when the words of one name are all in the other
    ("Lizzie" and 'Elizabeth "Lizzie" Wells'; "Hannah" and "Hannah, aged 8")."""
    want = name_words(expected, CHARACTER_STOPWORDS)
    got = name_words(shown, CHARACTER_STOPWORDS)
    return bool(want) and bool(got) and (want <= got or got <= want)


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex for `phrase` in folded text: it starts after no letter or digit, any whitespace between words,
    a hyphen optional, other punctuation as written (spaces around it allowed), no boundary at the end."""
    folded = fold_text(phrase)
    parts = []
    for piece in _PIECES.findall(folded):
        if piece.isspace():
            parts.append(r"\s+")
        elif _WORD.fullmatch(piece):
            parts.append(re.escape(piece))
        elif set(piece) == {"-"}:
            parts.append(r"[\s-]*")
        else:
            parts.append(r"\s*" + re.escape(piece) + r"\s*")
    start = r"(?<![^\W_])" if re.match(r"[^\W_]", folded) else ""  # "_" is markdown, not a letter
    return re.compile(start + "".join(parts))


def has_phrase(text: str, phrase: str) -> bool:
    """`phrase` occurs in `text` (see the module docstring for the rules)."""
    return bool(phrase.strip()) and phrase_pattern(phrase).search(fold_text(text)) is not None


def has_all(text: str, words: Iterable[str]) -> bool:
    """Every one of `words` (each a word or phrase) occurs in `text`."""
    return all(has_phrase(text, w) for w in words)


def unescape(text: str) -> str:
    """Discord markdown as read: `\\x` shows x, unescaped `* _ ~ ` |` are formatting and show nothing."""
    return _MARKERS.sub(lambda m: m[1] or "", text).replace("\u200b", "")


def seen(text: str, *, can_hide: bool = True) -> str:
    """What a reader sees before revealing spoilers. Parts that cannot hold tags (titles, field names,
    footers, labels, choices) count raw: a `||` there hides nothing."""
    return unescape(unspoiled(text) if can_hide else text)


def revealed(text: str) -> str:
    """What a reader sees after revealing every spoiler."""
    return unescape(text)


def remove_echo(text: str, query: str) -> str:
    """`text` without the user's own query echoed back in quotes (“query”), which is not the bot's knowledge."""
    folded_query = " ".join(query.split())
    return text.replace(f"“{folded_query}”", "“”") if folded_query else text


# ---------------------------------------------------------------- values in text

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATES = re.compile(
    r"(?P<iso>\b(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})\b)"
    rf"|(?P<mdy>\b(?P<mon2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})\b)"
    rf"|(?P<dmy>\b(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon3>{_MONTH})\.?,?\s+(?P<y3>\d{{4}})\b)",
    re.IGNORECASE,
)


def dates_in(text: str) -> list[date]:
    """Every full date written in `text`, in order: ISO, "May 24, 2019", "24 May 2019"."""
    found = []
    for m in _DATES.finditer(text):
        try:
            if m["iso"]:
                found.append(date(int(m["y1"]), int(m["m1"]), int(m["d1"])))
            elif m["mdy"]:
                found.append(date(int(m["y2"]), _MONTHS[m["mon2"].lower()], int(m["d2"])))
            else:
                found.append(date(int(m["y3"]), _MONTHS[m["mon3"].lower()], int(m["d3"])))
        except ValueError:
            continue
    return found


def numbers_in(text: str) -> list[float]:
    """Every number written in `text`, in order ("1,024" is 1024; "6.2/10" gives 6.2 and 10)."""
    return [float(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)]


def split_names(text: str) -> list[str]:
    """A shown list of names: split on commas, semicolons, slashes, line breaks and a standalone "and"."""
    parts = re.split(r"\s*(?:[,;/\n•·]|\band\b)\s*", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]
