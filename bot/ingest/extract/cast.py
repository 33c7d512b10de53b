"""Credits: who plays whom.

A cast list is lines of "Actor as Character" (bulleted or not, any spacing, nested lines for younger
versions; a Markdown `- **Actor** as Character` or a cast table reads the same once rendered). Without such
a list, prose credits: "Actor plays Character", "Character (Actor)", "starring Actor as Character".
"""

from __future__ import annotations

import re

from bot.ingest.extract.claims import CreditClaim, Extraction
from bot.ingest.shapes import Doc
from bot.ingest.text import sentences
from bot.ingest.values import NAME, NAME_TOKEN

# A cast list has several lines; one or two "X as Y" lines are prose or a caption.
CAST_LIST_MIN_LINES = 3

_CAST_LINE = re.compile(
    rf"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<actor>{NAME})[ ]+(?:as|\.{{3,}}|…)[ ]+(?P<role>\S[^\n]*?)[ ]*$",
    re.MULTILINE,
)
_ROLE = rf'(?:{NAME_TOKEN}|"[^"\n]{{1,30}}")(?: (?:{NAME_TOKEN}|"[^"\n]{{1,30}}"))*'
_PLAYS = re.compile(
    rf"\b(?P<actor>{NAME}) plays (?:the (?:character|role) of )?(?P<role>{NAME_TOKEN}(?: {NAME_TOKEN})?)"
)
# A one-word stage name written in its own capitals ("iOTA"), besides ordinary names.
_STAGE_NAME = r"(?=\w*[a-z])(?=\w*[A-Z])(?![A-Z][a-z]+\b)[A-Za-z][\w.]*"
_PAREN = re.compile(
    rf"\b(?P<role>{NAME_TOKEN}(?: {NAME_TOKEN}){{0,2}}) \((?P<actor>{NAME}|{_STAGE_NAME})(?:, [^)]*)?\)"
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


def credits(doc: Doc, out: Extraction) -> None:
    song_lines = {s.sentence for s in out.songs}
    lines = [
        m
        for m in _CAST_LINE.finditer(doc.text)
        if doc.section_at(m.start()) != "plot" and m.group(0).strip() not in song_lines
    ]
    if len(lines) >= CAST_LIST_MIN_LINES:
        parent: str | None = None
        for m in lines:
            character, note, credited_as = split_role(m.group("role"))
            nested = len(m.group("indent")) > 0 and parent is not None
            if not nested:
                parent = m.group("actor")
            out.credits.append(
                CreditClaim(
                    m.group("actor"),
                    character,
                    note,
                    credited_as,
                    parent if nested else None,
                    m.start("actor"),
                    m.end("role"),
                    m.group(0).strip(),
                )
            )
        return
    for sent in sentences(doc.text, doc.body_start):
        if sent.text in song_lines:
            continue
        patterns = [_PLAYS, _PAREN] + ([_STARS_AS] if _STARRING.search(sent.text) else [])
        patterns += [_IS] if _PLAYS.search(sent.text) else []
        for pattern in patterns:
            for m in pattern.finditer(sent.text):
                first = m.group("role").split(" ", 1)[0]
                if _CREW_BEFORE.search(sent.text[: m.start()]) or _CREW_BEFORE.search(first + " "):
                    continue
                character, _, _ = split_role(m.group("role").strip())
                if character:
                    out.credits.append(
                        CreditClaim(
                            m.group("actor"),
                            character,
                            "",
                            None,
                            None,
                            sent.start + m.start(),
                            sent.start + m.end(),
                            sent.text,
                        )
                    )
