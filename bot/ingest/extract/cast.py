"""Credits: who plays whom.

A cast list is lines of "Actor as Character" (bulleted or not, any spacing, nested lines for younger
versions; a Markdown `- **Actor** as Character` or a cast table reads the same once rendered), or lines of
two names either way round ("Character – Actor", "Actor ..... Character"). Without such a list, prose
credits: "Actor plays Character", "Character, played by Actor", "Character (Actor)" or "Actor (Character)",
"starring Actor as Character". Which of two bare names is the actor is decided in `roles`.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.ingest.extract.claims import CreditClaim, Extraction
from bot.ingest.extract.roles import AGES, HONORIFICS, character_first, columns_character_first, mentions
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences
from bot.ingest.values import NAME, NAME_TOKEN

# A cast list has several lines; one or two "X as Y" lines are prose or a caption.
CAST_LIST_MIN_LINES = 3

_CAST_LINE = re.compile(
    rf"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<actor>{NAME})[ ]+(?:as|\.{{3,}}|…)[ ]+(?P<role>\S[^\n]*?)[ ]*$",
    re.MULTILINE,
)
# A one-word stage name ("Rufus as Raphaël Poulain", "Cher as ...") is read only inside a list of ordinary
# "Actor as Character" lines, next to one of them: alone, "Anton as ..." could be any sentence.
_CAST_LINE_ONE_WORD = re.compile(
    rf"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<actor>{NAME_TOKEN})[ ]+(?:as|\.{{3,}}|…)[ ]+(?P<role>\S[^\n]*?)[ ]*$",
    re.MULTILINE,
)
_ROLE = rf'(?:{NAME_TOKEN}|"[^"\n]{{1,30}}")(?: (?:{NAME_TOKEN}|"[^"\n]{{1,30}}"))*'
_PLAYS = re.compile(
    rf"\b(?P<actor>{NAME}) (?:plays|played|portrays|portrayed|voices|voiced) (?:the (?:character|role|part) of "
    rf"|the )?(?P<role>{NAME_TOKEN}(?: {NAME_TOKEN})?)"
)
# "Juan, played by Mahershala Ali," / "Kevin is played by ..." / "Paula (played by Naomie Harris)".
_PLAYED_BY = re.compile(
    rf"\b(?P<role>{NAME_TOKEN}(?: {NAME_TOKEN}){{0,2}}),? \(?(?:who (?:is|was) |is |was )?"
    rf"(?:played|portrayed|voiced) by (?P<actor>{NAME})"
)
# A pronoun or determiner is where a clause starts, not a character ("It was played by ...").
_NOT_A_ROLE = frozenset("it this that these those he she they we you his her their its which who one".split())
# A one-word stage name written in its own capitals ("iOTA"), besides ordinary names.
_STAGE_NAME = r"(?=\w*[a-z])(?=\w*[A-Z])(?![A-Z][a-z]+\b)[A-Za-z][\w.]*"
# Two names, one in brackets: "Lynn (Toni Collette)", "Alex Hibbert (Little)", "Jaden Piner (young Kevin)",
# "Suzanne Pleshette (Yubaba and Zeniba)", "Bill (J. K. Simmons, in a cameo)". Which is the actor is decided
# by `roles`.
_BRACKETS = re.compile(
    rf"\b(?P<outside>{NAME_TOKEN}(?: {NAME_TOKEN}){{0,3}}) \((?P<inside>(?:{AGES} )?{NAME_TOKEN}"
    rf"(?: (?:and |& |/ )?{NAME_TOKEN}){{0,3}}|{_STAGE_NAME})(?:, [^)]*)?\)"
)
# In a sentence listing parts ("Josh Helman plays Slit, Nathan Jones is Rictus Erectus"): "Actor is Role".
_IS = re.compile(rf"\b(?P<actor>{NAME}) is (?:the )?(?P<role>{NAME_TOKEN}(?: {NAME_TOKEN}){{0,2}})")
# "composer Junkie XL (Tom Holkenborg)": a crew member's real name, not a role.
_CREW_BEFORE = re.compile(
    r"\b(?:composer|director|cinematographer|editor|producer|writer|screenwriter)\s+$", re.I
)
_STARS_AS = re.compile(rf"\b(?P<actor>{NAME}) as (?P<role>{_ROLE})")
_STARRING = re.compile(r"\b(?:star(?:s|ring|red)?|cast (?:includes|features)|co-stars?)\b", re.IGNORECASE)
_NOTE_START = re.compile(r"\b(?:the|a|an|who|whose|his|her|their|its)\b")
# A line of two names: "Chihiro Ogino / Sen – Rumi Hiiragi", "Rumi Hiiragi - Chihiro", "Haku: Miyu Irino".
_PAIR_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<a>[^\s:–—.…][^\n:–—…]{0,60}?)"
    r"(?P<sep>[ ]+[–—-][ ]+|[ ]*[–—][ ]*|:[ ]+|[ ]*(?:\.{3,}|…)[ ]*)(?P<b>\S[^\n]{0,60}?)[ ]*$",
    re.MULTILINE,
)
# A list line of two names, one in brackets: "- Alex Hibbert (Little)", "Lynn (Toni Collette)".
_BRACKET_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<a>[^\s(][^\n(]{0,60}?)[ ]+\((?P<b>[^()\n]{1,60})\)[ ]*[.,;]?[ ]*$",
    re.MULTILINE,
)
# A side of such a line names one part or one person: a few words.
PAIR_SIDE_MAX_WORDS = 5


def split_role(role: str) -> tuple[str, str, str | None]:
    """'Anton, the head of the school (as A. N. Other)' -> ('Anton', 'the head of the school', 'A. N. Other')."""
    credited_as = None
    m = re.search(r"\s*\(as ([^)]+)\)\s*$", role)
    if m:
        credited_as, role = m.group(1).strip(), role[: m.start()]
    role = role.strip().rstrip(".")
    if "," in role:
        character, note = (part.strip() for part in role.split(",", 1))
    else:
        character, note = _split_run_on(role)
    return character, note, credited_as


def _split_run_on(role: str) -> tuple[str, str]:
    """A role without a comma: the note starts at a determiner, or at a possessive name before a noun."""
    tokens = role.split(" ")
    for i, token in enumerate(tokens[1:], start=1):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _NOTE_START.fullmatch(token):
            return " ".join(tokens[:i]), " ".join(tokens[i:])
        if re.fullmatch(r"[A-Z][\w-]*'s", token) and nxt[:1].islower():
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return role, ""


def _claim(
    actor: str, role: str, start: int, end: int, sentence: str, parent: str | None = None
) -> CreditClaim:
    character, note, credited_as = split_role(role)
    return CreditClaim(actor, character, note, credited_as, parent, start, end, sentence)


def _list_credits(doc: Doc, song_lines: set[str]) -> list[CreditClaim]:
    """A cast list: "Actor as Character" lines; else lines of two names ("Character – Actor", "Actor ......
    Character", "Name: Name" in a cast section, "Actor (Character)"), read the way round their shapes say."""
    lines = [
        m
        for m in _CAST_LINE.finditer(doc.text)
        if doc.section_at(m.start()) != "plot" and m.group(0).strip() not in song_lines
    ]
    if len(lines) >= CAST_LIST_MIN_LINES:
        lines = sorted(lines + _one_word_lines(doc, lines, song_lines), key=lambda m: m.start())
        return _nested([(m, m.group("actor"), m.group("role")) for m in lines])
    pairs = [
        m
        for m in _PAIR_LINE.finditer(doc.text)
        if doc.section_at(m.start()) != "plot"
        and m.group(0).strip() not in song_lines
        and (m.group("sep").strip() != ":" or doc.section_at(m.start()) == "cast")
        and all(_name_like(m.group(g)) for g in ("a", "b"))
    ]
    default = False  # "Rumi Hiiragi – Chihiro" unless the shapes or mentions say otherwise
    if len(pairs) < CAST_LIST_MIN_LINES:
        pairs = [
            m
            for m in _BRACKET_LINE.finditer(doc.text)
            if doc.section_at(m.start()) != "plot" and all(_name_like(m.group(g)) for g in ("a", "b"))
        ]
        default = True  # "Lynn (Toni Collette)", as in prose
    if len(pairs) < CAST_LIST_MIN_LINES:
        return []
    names = [(m.group("a"), m.group("b")) for m in pairs]
    flipped = columns_character_first(names, doc.text, default=default)
    return _nested(
        [(m, m.group("b"), m.group("a")) if flipped else (m, m.group("a"), m.group("b")) for m in pairs]
    )


def _one_word_lines(doc: Doc, lines: list[re.Match[str]], song_lines: set[str]) -> list[re.Match[str]]:
    """Lines of a one-word actor ("Rufus as Raphaël Poulain") right before or after a line of the list."""
    starts = {m.start() for m in lines}
    ends = {m.end() for m in lines}
    out = []
    for m in _CAST_LINE_ONE_WORD.finditer(doc.text):
        if m.start() in starts or m.group(0).strip() in song_lines or doc.section_at(m.start()) == "plot":
            continue
        if m.start() - 1 in ends or m.end() + 1 in starts:
            out.append(m)
    return out


def _nested(lines: list[tuple[re.Match[str], str, str]]) -> list[CreditClaim]:
    """Credits of list lines; an indented line is a younger version of the line above it."""
    out = []
    parent: str | None = None
    for m, actor, role in lines:
        nested = len(m.group("indent")) > 0 and parent is not None
        if not nested:
            parent = actor
        start, end = m.span(0)
        line = m.group(0).strip()
        out.append(_claim(actor, role, start + len(m.group("indent")), end, line, parent if nested else None))
    return out


def _name_like(text: str) -> bool:
    """A side of a two-name line: a few words, mostly capitalised, no digits or sentence."""
    words = text.replace("/", " ").split()
    return (
        1 <= len(words) <= PAIR_SIDE_MAX_WORDS
        and text[:1].isupper()
        and not re.search(r"\d|[.!?;,:]$", text)
        and sum(1 for w in words if w[:1].isupper()) * 2 >= len(words)
    )


def credits(doc: Doc, out: Extraction) -> None:
    song_lines = {s.sentence for s in out.songs}
    listed = _list_credits(doc, song_lines)
    if listed:
        out.credits += listed
        return
    spans = [s for s in sentences(doc.text, doc.body_start) if s.text not in song_lines]
    bracketed = _bracketed(doc, spans)
    for sent in spans:
        found = [c for c in bracketed if sent.start <= c.start < sent.end]
        credited = {c.actor for c in found}
        patterns = [_PLAYS, _PLAYED_BY] + ([_STARS_AS] if _STARRING.search(sent.text) else [])
        patterns += [_IS] if _PLAYS.search(sent.text) else []
        for pattern in patterns:
            for m in pattern.finditer(sent.text):
                first = m.group("role").split(" ", 1)[0]
                if m.group("actor") in credited or first.lower() in _NOT_A_ROLE:
                    continue
                if _crew(sent.text[: m.start()], m.group("role")):
                    continue
                claim = _claim(m.group("actor"), m.group("role").strip(), *_at(sent, m), sent.text)
                if claim.character:
                    found.append(claim)
                    credited.add(claim.actor)
        out.credits += sorted(found, key=lambda c: c.start)


def _crew(before: str, name: str) -> bool:
    """'composer Junkie XL (Tom Holkenborg)': a crew member named before, or in, the would-be role."""
    return bool(_CREW_BEFORE.search(before) or _CREW_BEFORE.search(name.split(" ", 1)[0] + " "))


def _at(sent: Span, m: re.Match[str]) -> tuple[int, int]:
    return sent.start + m.start(), sent.start + m.end()


def _bracketed(doc: Doc, spans: list[Span]) -> list[CreditClaim]:
    """Credits written "Character (Actor)" or "Actor (Character)", each read the way round the names'
    shapes say, else the way the document's other pairs run (see `roles`); a character named in brackets
    must be talked about elsewhere in the document (a story names its characters again and again)."""
    found = [
        (sent, m)
        for sent in spans
        for m in _BRACKETS.finditer(sent.text)
        if not _crew(sent.text[: m.start()], m.group("outside"))
    ]
    if not found:
        return []
    pairs = [(m.group("outside"), m.group("inside")) for _, m in found]
    order = character_first(pairs, doc.text, default=True)
    counts = mentions(doc.text)
    out = []
    for (sent, m), (outside, inside), outside_is_character in zip(found, pairs, order, strict=True):
        if outside_is_character:
            if re.fullmatch(rf"{NAME}|{_STAGE_NAME}", inside):
                out.append(_claim(inside, outside, *_at(sent, m), sent.text))
        elif re.fullmatch(NAME, outside) and _talked_about(inside, counts):
            out.append(_claim(outside, inside, *_at(sent, m), sent.text))
    return out


def _talked_about(character: str, counts: Counter[str]) -> bool:
    """The character's name occurs in the document beyond the credit that names it."""
    words = re.findall(r"\b[A-Z][\w'-]*", character)
    named = [w for w in words if w.lower() not in HONORIFICS] or words  # "Agent Smith": Smith; "Little"
    return any(counts[w] >= 2 for w in named)
