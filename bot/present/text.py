"""Escaping, spoiler tags, truncation and splitting for Discord markdown.

Conventions used across `bot.present`:

* Raw text (from documents or users) goes through `escape`/`clean` (visible) or `spoiler` (hidden) exactly
  once. The result is "markdown-ready": every markdown character is backslash-escaped, `@` is followed by
  a zero-width space, `<` and `[` are escaped, so nothing in it can format, mention, link or close a tag.
* A markdown-ready string may contain whole `||…||` spans produced by `spoiler`. `truncate` and `chunk`
  understand them: they never cut inside a tag or an escape sequence, and a spoiler cut in two is closed
  at the end of one piece and reopened at the start of the next.
* Spoilers are kept on one line (whitespace collapsed), so no line-level markdown can swallow a tag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

Segment = tuple[str, bool]
"""(markdown-ready text, is_spoiler). Spoiler segments are given WITHOUT tags; `chunk` adds them."""

TAG = "||"
ELLIPSIS = "…"
ZWSP = "\u200b"
MIN_CHUNK = 12  # the smallest limit `chunk` accepts: room for a tagged word

_TAG_OVERHEAD = 5  # "||" + optional padding space + "||"
# Control characters, Unicode line/paragraph separators and bidi overrides (which can disguise text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LEADING_SPACE = re.compile(r"^[ \t\xa0]+", re.MULTILINE)
_TRAILING_SPACE = re.compile(r"[ \t\xa0]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[^\S\n]+")
# Discord's plain link pattern (as in discord.utils). Characters in a link that markdown would act on are
# percent-encoded, which leaves the link working and inert.
_URL = re.compile(r"(?:https?|steam)://[^\s<]+[^<.,:;\"\'\]\s]")
_URL_INERT = str.maketrans({c: f"%{ord(c):02X}" for c in "|@\\*_~`[]"})
# Backslash-escaped everywhere: inline markdown, spoiler pipes, masked links, mentions/emoji/timestamps.
_SPECIAL = re.compile(r"[\\*_~`|\[<]")
_LINE_START = re.compile(r"^(?:([-+>#])|(\d+)\.(?=\s|$))")
_MARKUP = re.compile(r"[\\*_~`|]")
# Characters that show nothing on their own, beyond whitespace and the categories below: the blank "letters"
# people use for blank-looking names (Hangul fillers, the halfwidth filler, the braille blank, Mongolian vowel
# separator).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Controls, format characters (zero-width spaces and joiners, bidi controls, soft hyphen, BOM), combining
# marks (nothing to sit on when alone) and separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp"})
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),  # paragraph
    re.compile(r"\n"),  # line
    re.compile(r"(?<=[.!?…])\s"),  # sentence
    re.compile(r"\s"),  # word
)


def has_visible(text: str | None) -> bool:
    """True when `text` shows something: a character that is not whitespace, a control or format character
    (zero-width, bidi, soft hyphen), a combining mark or a blank-looking letter."""
    return any(
        not ch.isspace()
        and ch not in _BLANK_LOOKING
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        for ch in text or ""
    )


def given(text: str | None) -> str | None:
    """An option's text, or None when nothing in it would show (empty, spaces, invisible characters): a
    command treats such an option as not given rather than as a search for nothing."""
    return text if has_visible(text) else None


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _LEADING_SPACE.sub("", _TRAILING_SPACE.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _escape_line_starts(text: str) -> str:
    """Neutralise a list, quote or heading marker at the very start of `text`."""
    return _LINE_START.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\.", text)


def _escape_line(line: str) -> str:
    out = []
    pos = 0
    for link in _URL.finditer(line):
        out += [_SPECIAL.sub(r"\\\g<0>", line[pos : link.start()]), link[0].translate(_URL_INERT)]
        pos = link.end()
    out.append(_SPECIAL.sub(r"\\\g<0>", line[pos:]))
    return _escape_line_starts("".join(out))


def escape(text: str) -> str:
    """Make raw text inert: markdown escaped, pipes escaped, no mentions, links kept working.

    Line breaks are kept; leading/trailing spaces of lines and control characters are dropped.
    Not built on `discord.utils.escape_markdown`: its greedy masked-link pattern leaves everything
    between a line's first `[` and last `)` unescaped (pipes included), and its `^\\s*-` pattern
    escapes the indentation instead of the dash (see tests/present/test_text.py).
    """
    lines = _normalise(text).split("\n")
    return "\n".join(_escape_line(line) for line in lines).replace("@", "@" + ZWSP)


def clean(text: str) -> str:
    """Safe (non-spoiler) document text: escaped, runs of spaces collapsed, paragraphs kept."""
    return escape(_SPACES.sub(" ", text))


def _wrap(body: str) -> str:
    """Tag markdown-ready text as a spoiler; "" for nothing. A trailing pipe or backslash gets a space."""
    if not body:
        return ""
    pad = " " if body.endswith(("|", "\\")) else ""
    return f"{TAG}{body}{pad}{TAG}"


def spoiler(text: str) -> str:
    """Raw text escaped, kept on one line and wrapped in `||…||`; "" when there is nothing to hide."""
    return _wrap(" ".join(escape(text).split()))


def _scan(text: str) -> tuple[list[Segment], bool]:
    """Split like Discord reads it; the flag is False when an opening `||` is never closed."""
    parts: list[Segment] = []
    closed = True
    start = i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(TAG, i):
            end = text.find(TAG, i + 3)
            if end == -1:
                closed = False
            else:
                if i > start:
                    parts.append((text[start:i], False))
                parts.append((text[i + 2 : end], True))
                i = start = end + 2
                continue
        i += 1
    if start < len(text):
        parts.append((text[start:], False))
    return parts, closed


def split_spoilers(text: str) -> list[Segment]:
    """Split markdown into (visible, False) and (spoiler content, True) parts, the way Discord reads it.

    Outside a spoiler a backslash escapes the next character; a spoiler runs from `||` to the next `||`
    at least one character later. An unmatched `||` stays visible text.
    """
    return _scan(text)[0]


def unspoiled(text: str) -> str:
    """What a reader sees before revealing anything: `text` with every `||…||` span removed."""
    return "".join(part for part, hidden in split_spoilers(text) if not hidden)


def spoilers_balanced(text: str) -> bool:
    """True when every `||` opens or closes a non-blank spoiler and no `||||` appears."""
    parts, closed = _scan(text)
    return closed and TAG * 2 not in text and all(part.strip() for part, hidden in parts if hidden)


def _joins_previous(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200b\u200d\ufe0e\ufe0f"


def _safe_cut(text: str, pos: int, floor: int) -> int:
    """Move a cut back so it splits neither a character from its combining marks nor an escape sequence."""
    back = pos
    while back > floor and back < len(text) and _joins_previous(text[back]):
        back -= 1
    if back < len(text) and not _joins_previous(text[back]):
        pos = back
    run = 0
    while pos - run > 0 and text[pos - run - 1] == "\\":
        run += 1
    return pos - run % 2


def _cut(text: str, room: int) -> int:
    """Where to cut `text` so the head is at most `room` long, preferring paragraph/line/sentence/word ends."""
    if len(text) <= room:
        return len(text)
    if room < 2:
        return 0
    window = text[: room + 1]
    floor = room // 2
    for boundary in _BOUNDARIES:
        best = -1
        for match in boundary.finditer(window, floor):
            best = match.start()
        if best >= floor:
            return _safe_cut(text, best, floor)
    return _safe_cut(text, room, floor)


def _pieces(text: str, hidden: bool) -> list[Segment]:
    """A segment as visible text and untagged spoiler pieces, each spoiler kept on one line."""
    if hidden and TAG in text:
        raise ValueError("spoiler segment text must be escaped (it contains '||')")
    parts = [(text, True)] if hidden else split_spoilers(text)
    return [(" ".join(part.split()) if spoils else part, spoils) for part, spoils in parts]


def _chunks(segments: Iterable[Segment], limit: int, *, fill: bool, stop_after: int = 0) -> list[str]:
    if limit < MIN_CHUNK:
        raise ValueError(f"limit must be at least {MIN_CHUNK}")
    out: list[str] = []
    cur = ""

    def flush() -> None:
        nonlocal cur
        if cur.strip():
            out.append(cur.strip())
        cur = ""

    for segment in segments:
        pieces = _pieces(*segment)
        if not fill and cur.strip():
            # Keep a segment whole: start a new chunk for it when it fits in one, or when this one is full
            # enough. A segment longer than a chunk starts here and continues in the next.
            size = sum(len(_wrap(t)) + 1 if h else len(t) for t, h in pieces) + 1
            if len(cur) + size > limit and (size <= limit or len(cur) >= limit // 2):
                flush()
        for text, hidden in pieces:
            while text:
                if stop_after and len(out) >= stop_after:
                    return out
                if not cur.strip():
                    cur = ""
                    if not hidden:
                        text = _escape_line_starts(text.lstrip())
                        if not text:
                            break
                sep = " " if hidden and cur and not cur[-1].isspace() else ""
                room = limit - len(cur) - len(sep)
                piece = _wrap(text) if hidden else text
                if len(piece) <= room:
                    cur += sep + piece
                    break
                cut = _cut(text, room - (_TAG_OVERHEAD if hidden else 0))
                if cut <= 0 or (cur and room < MIN_CHUNK):
                    if not cur:
                        raise AssertionError("no progress")  # unreachable: limit >= MIN_CHUNK
                    flush()
                    continue
                head, text = text[:cut].rstrip(), text[cut:].lstrip()
                if head:
                    cur += sep + (_wrap(head) if hidden else head)
                flush()
    flush()
    return out


def chunk(segments: Iterable[Segment], limit: int) -> list[str]:
    """Lay segments end to end in pieces of at most `limit` characters.

    Segment text is markdown-ready (already escaped; visible text may hold whole `||…||` spans). Spoiler
    segments are tagged here, each as its own spoiler; one cut in two is closed and reopened. Cuts prefer
    segment, paragraph, line, sentence and word boundaries, and never split an escape sequence or a tag.
    No piece is empty, and none starts with a line-level markdown marker.
    """
    return _chunks(segments, limit, fill=False)


def fit(segments: Iterable[Segment], limit: int) -> str:
    """As much of the segments as fits in `limit` characters, cut on a boundary, with "…" if cut."""
    segments = list(segments)
    pieces = _chunks(segments, limit, fill=True, stop_after=2)
    if len(pieces) <= 1:
        return pieces[0] if pieces else ""
    return _chunks(segments, limit - len(ELLIPSIS), fill=True, stop_after=1)[0] + ELLIPSIS


def truncate(text: str, limit: int) -> str:
    """Markdown-ready text cut to `limit` characters on a boundary with an ellipsis; spoilers stay closed."""
    if len(text) <= limit:
        return text
    return fit([(text, False)], limit)


def plain_label(text: str, limit: int) -> str:
    """Text for places that render no markdown (labels, choices, footers): no spoiler spans, no markup
    characters, whitespace collapsed, cut to `limit` on a word boundary with an ellipsis."""
    text = _MARKUP.sub("", unspoiled(_CONTROL.sub("", text)))
    text = " ".join(text.replace(ZWSP, "").split())
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS) + 1]
    space = head.rfind(" ")
    cut = space if space >= limit // 2 else limit - len(ELLIPSIS)
    return head[:cut].rstrip() + ELLIPSIS
