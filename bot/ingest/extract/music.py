"""Music: songs with performer and writers, and featured pre-existing music (the score composer is a crew
fact, read in `facts.py`).

Songs are read from list lines ('"Caravan" by Duke Ellington (Juan Tizol)') and from prose that talks about
music: '"Start a Fire", performed by John Legend', 'Gianni Morandi's 1964 hit "In ginocchio da te"',
'"Caravan", written by Juan Tizol and Duke Ellington', '"Whiplash", the Hank Levy composition', a
title-case quotation in a sentence about singing or dancing, and "It is sung by ..." right after a title.
Featured music is whose pre-existing work the film uses: "arrangements of Bach, Mozart, and Handel",
"Howard Hanson's Symphony No. 2", '"On the Nature of Daylight", a 2004 piece by Max Richter', "a Vivaldi
concerto".
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from bot.ingest.extract.claims import Extraction, SongClaim, prose_sentences, sub
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences
from bot.ingest.values import NAME, NAME_TOKEN, ORG, full_name, person_key, plain_key, split_names, surname
from bot.ingest.values import trim_stop as _name

FEATURED_SEPARATOR = "; "  # featured entries may hold commas ("Symphony No. 2, 'Romantic'")
_QUOTE = r'"(?P<title>[^"\n]{1,80}?),?"'
_IN_BRACKETS = r"[ ]*\((?:written by |words and music by |music and lyrics by )?(?P<writers>[^)\n]*)\)"
_WRITERS = rf"(?:{_IN_BRACKETS})?"
# A lower-case note in brackets after a listed title: '"Les Jours tristes" (instrumental) – Yann Tiersen'.
_NOTE = r"(?:[ ]*\([a-z][a-z -]{0,30}\))?"
_SONG_LINE = re.compile(
    rf'^[ ]*(?:[-*•][ ]*|\d+\.[ ]*)?"(?P<title>[^"\n]{{1,120}})"{_NOTE}[ ]*(?:by|[-–—]|performed by)[ ]+'
    rf"(?P<performer>[^(\n]+?){_WRITERS}[ ]*$",
    re.MULTILINE,
)
_PERSONS = rf"{NAME}(?:(?:, | and |, and ){NAME})*"
_MUSIC_NOUN = (
    r"(?:song|track|tune|hit|single|standard|piece|number|ballad|anthem|composition|chart|theme|aria)"
)
_PROSE_SONGS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"{_QUOTE}[ ]*,?[ ]*(?:\((?:performed |sung )?by (?P<p1>{ORG})\)|(?:performed |sung |recorded )?by (?P<p2>{ORG}))"
        rf"(?:{_IN_BRACKETS}|,? (?:written|composed) by (?P<w3>{_PERSONS}))?"
    ),
    re.compile(rf"{_QUOTE}[ ]*,?[ ]*(?:written|composed) by (?P<w1>{_PERSONS})"),
    re.compile(rf"{_QUOTE}[ ]*,?[ ]*the (?P<w2>{NAME}) {_MUSIC_NOUN}"),
    re.compile(rf"{_QUOTE}[ ]*,?[ ]*which (?P<p3>{NAME}) (?:sings|performs|plays)"),
    re.compile(rf"\b(?P<p4>{NAME}|{NAME_TOKEN})'s (?:[\w-]+ ){{0,3}}?(?:{_MUSIC_NOUN} )?{_QUOTE}"),
    re.compile(rf"\b(?P<p5>{NAME}) (?:singing|performing) {_QUOTE}"),
)
_SUNG_NEXT = re.compile(
    rf"^(?:It|The song|The track) (?:is|was) (?:sung|performed) by (?P<performer>{NAME})"
    rf"(?:[^.]*?\bmusic by (?P<music>{NAME})(?: and lyrics by (?P<lyrics>{NAME}))?)?"
)
# Prose names a song only where it talks about music: these words, or a soundtrack section.
MUSIC_WORDS = re.compile(
    r"\b(?:songs?|tracks?|tunes?|numbers?|pieces?|standards?|singles?|albums?|soundtracks?|score|music\w*"
    r"|play(?:s|ed|ing)?|perform(?:s|ed|ing|ance)?|sings?|sang|sung|singing|band|charts?|jazz|orchestra"
    r"|records?|hits?|covers?|lyrics|melod\w+|duet|piano|dance[sd]?|dancing|\w+-dancing|ballad|composition)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2048)
def about_music(sentence: str) -> bool:
    """The sentence talks about music (asked by both the song and the featured-music readers)."""
    return bool(MUSIC_WORDS.search(sentence))


# A bare quotation is a song title only in a sentence about music, and only when it reads as a title: at
# least two words, most of them capitalised ("Another Day of Sun", not "blood bag" or "Chapel").
TITLE_MIN_WORDS = 2
_BARE = re.compile(r'"(?P<title>[^"\n]{3,60}?),?"')
_SMALL = frozenset("a an and as at but by for from in into of on or the to with".split())

_LIST = rf"{NAME_TOKEN}(?: {NAME_TOKEN})?(?:, {NAME_TOKEN}(?: {NAME_TOKEN})?)*,? and {NAME_TOKEN}(?: {NAME_TOKEN})?"
_WORK = r"(?:[Ss]ymphony|[Cc]oncerto|[Ss]onata|[Ss]uite|[Rr]equiem|[Oo]verture|[Pp]relude|[Ff]ugue|[Oo]pera|[Cc]antata|[Mm]ass|[Ww]altz|[Nn]octurne|[Aa]ria)"
_FEATURED: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(?:music|pieces|works|arrangements|compositions|recordings|standards|selections|cues|songs|tracks)"
        rf" (?:of|by|from) (?P<names>{_LIST})\b"
    ),
    re.compile(
        rf"\b(?P<name>{NAME})'s (?P<piece>{_WORK}(?: No\. \d+)?(?: in [A-G][ -]?(?:flat|sharp)?(?: major| minor)?)?(?: \"[^\"]+\")?)"
    ),
    re.compile(
        rf"{_QUOTE}[ ]*,?[ ]*an? (?:(?:18|19|20)\d{{2}} )?(?:piece|composition|work|recording) by (?P<name>{NAME})"
    ),
    re.compile(rf"\b(?:a|an|the) (?:[a-z]+ (?:of|from) (?:a|an|the) )?(?P<name>{NAME_TOKEN}) {_WORK}\b"),
)


def _writers(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    names = [_name(n) for n in split_names(raw)]
    return tuple(n for n in names if re.fullmatch(NAME, n) or re.fullmatch(NAME_TOKEN, n))


def _title_like(title: str) -> bool:
    words = title.split()
    if len(words) < TITLE_MIN_WORDS:
        return False
    capitalised = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    return len(capitalised) * 2 >= len(words) and all(
        w[:1].isupper() or w[:1].isdigit() or not w[:1].isalpha() or w.lower() in _SMALL for w in words
    )


def songs(doc: Doc, out: Extraction) -> None:
    """Songs; never the film's own title, nor a piece already read as featured music."""
    directors = {person_key(d) for d in out.values("director")}
    not_songs = {plain_key(t) for t in out.values("title")}
    for value in out.values("featured"):
        not_songs |= {plain_key(e.split(": ", 1)[-1]) for e in value.split(FEATURED_SEPARATOR)}
    seen: set[int] = set()

    def add(title: str, performer: str, writers: tuple[str, ...], start: int, end: int, where: str) -> None:
        if start in seen or not title.strip() or plain_key(title) in not_songs:
            return
        if _TRANSLATED.search(doc.text, max(0, start - 5), start):  # '"Itsumo Nando Demo" ("Always With Me")'
            return
        said = _credited(doc.text[end : end + CLAUSE_MAX_CHARS], bool(performer))
        performer, writers = _name(performer or said[0]), writers or said[1]
        if performer and person_key(performer) in directors:
            return
        seen.add(start)
        out.songs.append(SongClaim(title.strip(), performer, writers, start, end, where))

    for m in _SONG_LINE.finditer(doc.text):
        performer = m.group("performer").strip().rstrip(".,")
        add(
            m.group("title"),
            performer,
            _writers(m.group("writers")),
            m.start("title"),
            m.end("title"),
            m.group(0).strip(),
        )
    spans = sentences(doc.text, doc.body_start)
    for i, sent in enumerate(spans):
        if doc.section_at(sent.start) != "soundtrack" and not about_music(sent.text):
            continue
        for pattern in _PROSE_SONGS:
            for m in pattern.finditer(sent.text):
                groups = m.groupdict()
                performer = (
                    next((groups[g] for g in ("p1", "p2", "p3", "p4", "p5") if groups.get(g)), "") or ""
                )
                writers = _writers(
                    next((groups[g] for g in ("writers", "w1", "w2", "w3") if groups.get(g)), None)
                )
                if groups.get("p4"):
                    performer = full_name(doc.text, performer)
                span = sub(sent, m, "title")
                add(span.text, performer.strip(), writers, span.start, span.end, sent.text)
        for m in _BARE.finditer(sent.text):
            span = sub(sent, m, "title")
            if span.start in seen or not _title_like(span.text):
                continue
            performer, writers = _sung_next(spans, i)
            add(span.text, performer, writers, span.start, span.end, sent.text)


# A song named by its performer later on: 'the Piaf song, written by Charles Dumont with words by ...'.
_REFERRED = re.compile(rf"\bthe (?P<who>{NAME_TOKEN}) (?:{_MUSIC_NOUN})\b")


def referred_writers(doc: Doc, out: Extraction) -> None:
    """Writers credited to "the <performer> song": the one song of the document with that performer."""
    for sent in sentences(doc.text, doc.body_start):
        for m in _REFERRED.finditer(sent.text):
            who = m.group("who").lower()
            mine = [i for i, s in enumerate(out.songs) if s.performer and surname(s.performer) == who]
            if len(mine) != 1 or out.songs[mine[0]].writers:
                continue
            _, writers = _credited(sent.text[m.end() : m.end() + CLAUSE_MAX_CHARS], True)
            if writers:
                out.songs[mine[0]] = replace(out.songs[mine[0]], writers=writers)


def same_titles(out: Extraction) -> None:
    """The document's songs in the order it names them. A song it names twice ("Barbara Lewis's "Hello
    Stranger"" in the story, its writer in the music paragraph) is one song: the first mention, with what
    the later ones add."""
    merged: dict[str, int] = {}
    kept: list[SongClaim] = []
    for song in sorted(out.songs, key=lambda s: s.start):  # in the order the document names them
        key = plain_key(song.title)
        if key not in merged:
            merged[key] = len(kept)
            kept.append(song)
            continue
        first = kept[merged[key]]
        kept[merged[key]] = replace(
            first, performer=first.performer or song.performer, writers=first.writers or song.writers
        )
    out.songs = kept


# The clause after a song's title that credits it: '"Hello Stranger", written and sung by Barbara Lewis',
# '"Itsumo Nando Demo" ("Always With Me"), was written by Youmi Kimura with lyrics by Wakako Kaku, and is
# sung by Youmi Kimura', '"Cucurrucucú paloma", the 1954 song by Tomás Méndez'. It ends at the sentence's
# end or at the next quotation (another title); this many characters at most.
CLAUSE_MAX_CHARS = 200
_TRANSLATED = re.compile(r'"\s*\("$')
_WRITTEN = re.compile(
    rf"\b(?:(?:(?:co-)?written|composed|(?:words and )?music|music and lyrics|lyrics|words)"
    rf"(?P<sung> and (?:sung|performed|recorded))? by|credited to) (?P<who>{_PERSONS})"
)
_SUNG = re.compile(rf"\b(?:sung|performed|recorded|covered) by (?P<who>{NAME}|{ORG})")
_SONG_BY = re.compile(rf"^,? (?:the|a|an) (?:(?:19|20)\d{{2}} )?(?:[\w-]+ )?{_MUSIC_NOUN} by (?P<who>{NAME})")
# '"Ball and Biscuit" by the White Stripes': a title followed at once by "by" and a name is that recording's.
_TITLE_BY = re.compile(rf"^,? by (?P<who>(?:the )?{ORG})")


def _credited(tail: str, performed: bool) -> tuple[str, tuple[str, ...]]:
    """(performer, writers) the clause after a title names. "the 1954 song by X" names its writer where
    the song's performer is already known (a cover: "Caetano Veloso's version of ..."), else its performer."""
    tail = re.sub(r'^,?"?(?:\s*\("[^"]*"\))?', "", tail)  # the title's closing quote, its translation
    tail = re.split(r'"|[.;!?](?:\s|$)', tail, maxsplit=1)[0]
    performer, writers = "", []
    for m in _WRITTEN.finditer(tail):
        names = [_name(n) for n in split_names(m.group("who"))]
        writers += [n for n in names if n not in writers]
        if m.group("sung") and not performer:
            performer = names[0]
    sung = _SUNG.search(tail)
    if sung and not performer:
        performer = _name(sung.group("who"))
    right_by = _TITLE_BY.match(tail)
    if right_by and not performer and not performed:
        performer = _name(right_by.group("who"))
    by = _SONG_BY.match(tail)
    if by and not writers and performed:
        writers = [_name(by.group("who"))]
    elif by and not performer:
        performer = _name(by.group("who"))
    return performer, tuple(writers)


def _sung_next(spans: list[Span], i: int) -> tuple[str, tuple[str, ...]]:
    """'It is sung by X, with music by Y and lyrics by Z.' right after the sentence naming the song."""
    if i + 1 >= len(spans):
        return "", ()
    m = _SUNG_NEXT.match(spans[i + 1].text)
    if not m:
        return "", ()
    writers = tuple(_name(w) for w in (m.group("music"), m.group("lyrics")) if w)
    return _name(m.group("performer")), writers


def featured(doc: Doc, out: Extraction) -> None:
    """Whose pre-existing music the film features, with the piece where one is named."""
    entries: list[str] = []
    where: tuple[Span, Span] | None = None
    for sent, section in prose_sentences(doc):
        if section != "soundtrack" and not about_music(sent.text):
            continue
        for pattern in _FEATURED:
            for m in pattern.finditer(sent.text):
                groups = m.groupdict()
                if groups.get("names"):
                    names = [full_name(doc.text, n) for n in split_names(m.group("names"))]
                elif groups.get("piece") or groups.get("title"):
                    piece = groups.get("piece") or f'"{groups["title"]}"'
                    names = [f"{_name(m.group('name'))}: {piece}"]
                else:
                    names = [_name(m.group("name"))]
                for name in names:
                    if not any(plain_key(name.split(":")[0]) == plain_key(e.split(":")[0]) for e in entries):
                        entries.append(name)
                        where = where or (sub(sent, m, 0), sent)
    if entries and where is not None:
        key = "|".join(sorted(plain_key(e.split(":")[0]) for e in entries))
        out.add("featured", FEATURED_SEPARATOR.join(entries), key, where[0], where[1])
