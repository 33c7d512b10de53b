"""Pure text helpers for ingestion: decoding, normalisation, sentences, content words."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

import ftfy
from ftfy.badness import is_bad

# A file larger than this is skipped with a warning: a saved web page with its inline scripts and styles
# runs to a few megabytes; the text left once markup is dropped has its own limit (build.MAX_TEXT_CHARS).
MAX_BYTES = 8_000_000


# Control characters other than line breaks, tabs and form feeds: many of them make a file binary.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


class Unreadable(ValueError):
    """The bytes are not a text document we can read; the message says why."""


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Bytes to text, with warnings. Raises Unreadable for empty, binary, huge or undecodable input."""
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"too large ({len(raw):,} bytes; the limit is {MAX_BYTES:,})")
    if not raw.strip():
        raise Unreadable("empty")
    if b"\x00" in raw:
        raise Unreadable("binary (contains NUL bytes)")
    warnings: list[str] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise Unreadable("undecodable (neither UTF-8 nor Windows-1252)") from None
        warnings.append("not UTF-8; read as Windows-1252")
    controls = len(_CONTROLS.findall(text)) if _CONTROLS.search(text) else 0
    if controls > len(text) / 100:
        raise Unreadable("binary (too many control characters)")
    return text, warnings


_UNIFIED = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\t": " ",
    "\f": "\n",
    "\u200b": "",
    "\ufeff": "",
}
# A regular expression finds the few characters to replace: several times faster than `str.translate`,
# which looks every character of the text up in its table.
_TO_UNIFY = re.compile("[" + "".join(map(re.escape, _UNIFIED)) + "]")
_TRAILING = re.compile(r"[ ]+$", re.MULTILINE)


def unify(text: str) -> str:
    """Quotes, apostrophes and spaces as one kind each (also for text a markup's entities produced)."""
    return _TO_UNIFY.sub(_unified, text)


def _unified(m: re.Match[str]) -> str:
    return _UNIFIED[m.group()]


# A table copied from a web page keeps its cells apart with tabs: "Directed by<TAB>Jordan Peele" is a
# labelled value, written as "Directed by: Jordan Peele" (but "Actor<TAB>as Role" is just spacing).
_TAB_CELL = re.compile(r"^([A-Za-z][^\t\n:]{0,40})\t+(?=[^\sa-z])", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC", explain=False)
# A line of these characters only is left as it is by every one of ftfy's fixes: printable ASCII without "&"
# (no HTML entity, no terminal escape, no control character, no line break but its own), and the typographic
# marks a web page uses whose Windows-1252 bytes are all UTF-8 continuation bytes (no lead byte), so they can
# never be part of mojibake, and which NFC leaves alone. Checked against ftfy.fix_text in tests.
_INERT = re.compile(r"[\t\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026]*\n?")
# A line that also holds Latin-1 letters and signs (accents, "«»", "©") is left alone by every fix but the
# encoding repair, which touches only what ftfy's own badness test calls mojibake.
_LATIN = re.compile(
    r"[\t\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0-\u00ac\u00ae-\u00ff]*\n?"
)


def repair(text: str) -> str:
    """`ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")`, line by line as it works, without
    calling it on lines it cannot change (most of any document): the same text, several times faster."""
    config = _FTFY
    out = []
    pos = 0
    while pos < len(text):
        brk = text.find("\n", pos) + 1 or len(text)
        if brk - pos > config.max_decode_length:
            brk = pos + config.max_decode_length
        segment = text[pos:brk]
        if (
            config.unescape_html == "auto" and "<" in segment
        ):  # as fix_text: for this line and every later one
            config = config._replace(unescape_html=False)
        inert = _INERT.fullmatch(segment) or (_LATIN.fullmatch(segment) and not is_bad(segment))
        out.append(segment if inert else ftfy.fix_and_explain(segment, config).text)
        pos = brk
    return "".join(out)


def normalise(text: str) -> str:
    """Repair mojibake (ftfy), unify quotes and whitespace. Offsets everywhere refer to this text.

    Runs of spaces inside a line are kept: some documents use them as structure ("Actor  as Role").
    """
    text = repair(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unify(_TAB_CELL.sub(r"\1: ", text))
    text = _TRAILING.sub("", text)
    return _BLANKS.sub("\n\n", text).strip("\n") + "\n"


class Span(NamedTuple):
    """A stretch of a document's text and where it is (a named tuple: documents make thousands of them)."""

    start: int
    end: int
    text: str


# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) and whitespace,
# unless the word before the stop is an initial ("C.") or a common abbreviation.
_STOP = re.compile(r"[.!?][\"')\]]*(?=\s+|$)")
# A sentence starts with a capital, a digit or a quotation: a stop followed by a lower-case word is inside one.
_LOWER_NEXT = re.compile(r"\s+[a-z]")
_ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|No|Vol|Inc|Ltd|Co|Mt|ca))\.$")
_ABBREV_SIGHT = 5  # characters before a stop that `_ABBREV` looks at: its longest word, and one more


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split text[start:end] into sentence spans (offsets into `text`). Every extractor asks for the same
    documents' sentences, so the split is remembered (a string's hash is computed once). Sentences never cross
    a line break: a stretch of whole lines is cut out of the whole text's split."""
    end = len(text) if end is None else end
    whole_lines = (start == 0 or (0 < start <= len(text) and text[start - 1] == "\n")) and (
        end >= len(text) or text[end] == "\n"
    )
    if whole_lines:
        spans, starts = _whole(text)
        return list(spans[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)])
    return list(_sentences(text, start, end))


@functools.lru_cache(maxsize=64)  # a film's documents
def _whole(text: str) -> tuple[tuple[Span, ...], list[int]]:
    spans = _sentences(text, 0, len(text))
    return spans, [s.start for s in spans]


@functools.lru_cache(maxsize=4096)
def _sentences(text: str, start: int, end: int) -> tuple[Span, ...]:
    return tuple(iter_sentences(text, start, end))


def iter_sentences(text: str, start: int = 0, end: int | None = None) -> Iterator[Span]:
    """`sentences`, one at a time and not remembered: for a caller that needs only the first few."""
    end = len(text) if end is None else end
    pos = start
    for line_start, line_end in _lines(text, start, end):
        cursor = max(pos, line_start)
        for match in _STOP.finditer(text, cursor, line_end):
            # The head's last few characters are all `_ABBREV` can match (it ends at the stop, and its
            # longest word is three letters with a boundary before); one more keeps that boundary's sight.
            head = text[max(cursor, match.start() - _ABBREV_SIGHT) : match.start() + 1]
            if _ABBREV.search(head) and not _next_starts_sentence_strongly(text, match.end(), line_end):
                continue
            if _LOWER_NEXT.match(text, match.end(), line_end):
                continue  # '"Spybreak!" by Propellerheads': a title's mark, not the sentence's end
            if (span := _span(text, cursor, match.end())) is not None:
                yield span
            cursor = match.end()
        if (span := _span(text, cursor, line_end)) is not None:
            yield span
        pos = line_end


def _next_starts_sentence_strongly(text: str, pos: int, end: int) -> bool:
    rest = text[pos:end].lstrip()
    return rest[:1].isupper() and rest.split(" ", 1)[0].lower() in {"the", "it", "he", "she", "they", "a"}


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph-ish units: sentences never cross a line break."""
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        spans.append((pos, stop))
        pos = stop + 1
    return spans


def _span(text: str, start: int, end: int) -> Span | None:
    """text[start:end] without the whitespace around it, as a span; None when nothing is left."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    start += len(piece) - len(piece.lstrip())
    return Span(start, start + len(stripped), stripped)


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Blocks separated by blank lines, as spans of `text`."""
    end = len(text) if end is None else end
    out: list[Span] = []
    for match in re.finditer(r"(?:[^\n]+\n?)+", text[start:end]):
        span = _span(text, start + match.start(), start + match.end())
        if span is not None:
            out.append(span)
    return out


_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'-]*")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each even ever few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    let like made make many may me might more most much must my myself no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up upon very was we were what when where
    which while who whom why will with would you your yours one two later first last after next into onto
    s t get gets got take takes took give gives gave go goes went come comes came""".split()
)


# A sentence's words are remembered (the language check, copy detection and the story all ask for them); a
# longer text's (a whole document's) only for the last few documents: more would hold every document read.
WORDS_CACHED_MAX_CHARS = 2000


def words(text: str) -> list[str]:
    return list(_words(text) if len(text) <= WORDS_CACHED_MAX_CHARS else _document_words(text))


@functools.lru_cache(maxsize=4096)  # a film's sentences, a few times over
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower().strip("'-") for w in _WORD.findall(text))


@functools.lru_cache(maxsize=16)  # the documents of the film being read, and no more
def _document_words(text: str) -> tuple[str, ...]:
    return _words.__wrapped__(text)


@functools.lru_cache(maxsize=16384)
def content_stems(text: str) -> frozenset[str]:
    """Lower-cased content words cut to five letters: a crude stem good enough for overlap."""
    return frozenset(w[:5] for w in words(text) if len(w) > 2 and w not in STOPWORDS)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of a's words found in b."""
    return len(a & b) / len(a) if a else 0.0


# English prose is about half function words; prose in another language shares only a few ("a", "on").
ENGLISH_MIN_SHARE = 0.15
# Too little prose to tell: fewer sentences than this, of at least PROSE_WORDS words each.
LANGUAGE_MIN_SENTENCES = 5
PROSE_WORDS = 8


def english_share(text: str) -> float | None:
    """Share of English function words in the document's prose sentences; None when there is too little."""
    prose = [w for s in sentences(text) if len(w := words(s.text)) >= PROSE_WORDS]
    if len(prose) < LANGUAGE_MIN_SENTENCES:
        return None
    tokens = [t for sentence in prose for t in sentence]
    return sum(1 for t in tokens if t in STOPWORDS) / len(tokens)
