"""Music: songs with performer and writers, and featured pre-existing music (the score composer is a crew
fact, read in `facts.py`).

Songs are read from list lines ('"Caravan" by Duke Ellington (Juan Tizol)') and from prose that talks about
music ('the band plays Hank Levy's "Whiplash"'); featured music from sentences that name whose music the
film uses ("big band arrangements of Ellington and Kenton").
"""

from __future__ import annotations

import re

from bot.ingest.extract.claims import Extraction, SongClaim, sub
from bot.ingest.extract.facts import prose_sentences
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences
from bot.ingest.values import NAME, NAME_TOKEN, ORG, full_name, names_key, person_key, split_names

_WRITERS = r"(?:[ ]*\((?:written by |words and music by |music and lyrics by )?(?P<writers>[^)\n]*)\))?"
_SONG_LINE = re.compile(
    rf'^[ ]*(?:[-*•][ ]*|\d+\.[ ]*)?"(?P<title>[^"\n]{{1,120}})"[ ]*(?:by|[-–—]|performed by)[ ]+'
    rf"(?P<performer>[^(\n]+?){_WRITERS}[ ]*$",
    re.MULTILINE,
)
_BY = re.compile(
    rf'"(?P<title>[^"\n]{{1,80}}?),?"[ ]*,?[ ]*(?:\((?:performed |sung )?by (?P<p1>{ORG})\)|(?:performed |sung |recorded )?by (?P<p2>{ORG}))'
    rf"{_WRITERS}"
)
_POSSESSIVE = re.compile(
    rf"\b(?P<performer>{NAME}|{NAME_TOKEN})'s (?:song |track |tune |standard |piece )?\"(?P<title>[^\"\n]{{1,80}}?),?\""
)
# Prose names a song only where it talks about music: these words, or a soundtrack section.
MUSIC_WORDS = re.compile(
    r"\b(?:songs?|tracks?|tunes?|numbers?|pieces?|standards?|singles?|albums?|soundtracks?|score|music\w*"
    r"|play(?:s|ed|ing)?|perform(?:s|ed|ing|ance)?|sings?|sang|sung|band|chart|jazz|orchestra|records?|hits?"
    r"|covers?|lyrics|melod\w+|duet)\b",
    re.IGNORECASE,
)
_FEATURED = re.compile(
    r"\b(?:music|pieces|works|arrangements|compositions|recordings|standards|selections|cues|songs|tracks)"
    rf" (?:of|by|from) (?P<names>{NAME_TOKEN}(?: {NAME_TOKEN})?(?:, {NAME_TOKEN}(?: {NAME_TOKEN})?)*,? and "
    rf"{NAME_TOKEN}(?: {NAME_TOKEN})?)\b"
)


def _writers(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    names = split_names(raw)
    return tuple(n for n in names if re.fullmatch(NAME, n) or re.fullmatch(NAME_TOKEN, n))


def songs(doc: Doc, out: Extraction) -> None:
    directors = {person_key(d) for d in out.values("director")}
    seen: set[int] = set()
    for m in _SONG_LINE.finditer(doc.text):
        performer = m.group("performer").strip().rstrip(".,")
        line = m.group(0).strip()
        out.songs.append(
            SongClaim(
                m.group("title").strip(),
                performer,
                _writers(m.group("writers")),
                m.start("title"),
                m.end("title"),
                line,
            )
        )
        seen.add(m.start("title"))
    for sent in sentences(doc.text, doc.body_start):
        music = doc.section_at(sent.start) == "soundtrack" or MUSIC_WORDS.search(sent.text)
        if not music:
            continue
        for m in _BY.finditer(sent.text):
            performer = (m.group("p1") or m.group("p2") or "").strip()
            start = sent.start + m.start("title")
            if start in seen or not performer or person_key(performer) in directors:
                continue
            seen.add(start)
            out.songs.append(
                SongClaim(
                    m.group("title").strip(),
                    performer,
                    _writers(m.group("writers")),
                    start,
                    sent.start + m.end("title"),
                    sent.text,
                )
            )
        for m in _POSSESSIVE.finditer(sent.text):
            start = sent.start + m.start("title")
            if start in seen:
                continue
            seen.add(start)
            performer = full_name(doc.text, m.group("performer"))
            out.songs.append(
                SongClaim(
                    m.group("title").strip(), performer, (), start, sent.start + m.end("title"), sent.text
                )
            )


def featured(doc: Doc, out: Extraction) -> None:
    """Whose pre-existing music the film features ("arrangements of Bach, Mozart, and Handel")."""
    for sent, section in prose_sentences(doc):
        if section != "soundtrack" and not re.search(
            r"\b(?:soundtrack|score|music)\b", sent.text, re.IGNORECASE
        ):
            continue
        found = _FEATURED.search(sent.text)
        if found:
            names = [full_name(doc.text, n) for n in split_names(found.group("names"))]
            span: Span = sub(sent, found, "names")
            out.add("featured", ", ".join(names), names_key(names), span, sent)
