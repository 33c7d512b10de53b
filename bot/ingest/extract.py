"""Pure extractors: one parsed document in, claims with provenance out.

Patterns are about how documents about films are written ("directed by", "X  as Y", "based on N reviews"),
never about one film. Every claim keeps the character offsets of what it was read from.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.ingest.shapes import Doc, Section
from bot.ingest.text import Span, paragraphs, sentences

MONTHS = ("January February March April May June July August September October November December").split()
_MONTH = "|".join(MONTHS)
_DAY = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
DATE = rf"{_DAY}(?:{_MONTH})\s+\d{{1,2}},\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
_NAME_TOKEN = r"[A-Z][\w.'’-]*"
NAME = rf"{_NAME_TOKEN}(?:[ ]{_NAME_TOKEN}){{1,3}}"  # two to four capitalised words
ORG = rf"{_NAME_TOKEN}(?:[ ](?:{_NAME_TOKEN}|&|and|of))*"


@dataclass(frozen=True)
class Claim:
    """A value one document gives for one field. `key` is what votes compare; `value` is what is shown."""

    field: str
    value: str
    key: str
    start: int
    end: int
    sentence: str
    extra: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class CreditClaim:
    actor: str
    character: str
    note: str
    credited_as: str | None
    nested_under: str | None  # actor of the line this one is indented under
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class SongClaim:
    title: str
    performer: str
    writers: tuple[str, ...]
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class QuoteClaim:
    critic: str
    outlet: str
    grade: str | None
    text: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class TimelineClaim:
    when: str
    sort_key: str
    text: str
    start: int
    end: int


@dataclass
class Extraction:
    doc: Doc
    claims: list[Claim] = field(default_factory=list)
    credits: list[CreditClaim] = field(default_factory=list)
    songs: list[SongClaim] = field(default_factory=list)
    quotes: list[QuoteClaim] = field(default_factory=list)
    timeline: list[TimelineClaim] = field(default_factory=list)

    def add(
        self, field_: str, value: str, key: str, span: Span, sentence: Span | None = None, **extra: str
    ) -> None:
        value = value.strip()
        if value and key:
            where = sentence or span
            self.claims.append(Claim(field_, value, key, span.start, span.end, where.text, dict(extra)))


# ---------------------------------------------------------------- normalisation of values


def iso_date(text: str) -> str | None:
    text = re.sub(rf"^{_DAY}", "", text.strip())
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return text
    m = re.fullmatch(rf"({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})", text)
    if not m:
        return None
    return f"{m.group(3)}-{MONTHS.index(m.group(1)) + 1:02d}-{int(m.group(2)):02d}"


def show_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{MONTHS[int(month) - 1]} {int(day)}, {year}"


def person_key(name: str) -> str:
    """'Eric C. Charmelo' and 'Eric Charmelo' are one person: first and last word, lower-cased."""
    tokens = [t for t in re.findall(r"[\w'’-]+", name.lower()) if t not in {"jr", "sr"}]
    if not tokens:
        return ""
    return tokens[0] if len(tokens) == 1 else f"{tokens[0]} {tokens[-1]}"


def plain_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def split_names(text: str) -> list[str]:
    text = re.sub(r"\s*\((?:[^)]*)\)", "", text)
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*|;\s*", text.strip().rstrip("."))
    return [p.strip() for p in parts if p.strip()]


def names_key(names: list[str], key: Callable[[str], str] = person_key) -> str:
    return "|".join(sorted({key(n) for n in names if key(n)}))


# ---------------------------------------------------------------- the extractor


INFOBOX_FIELDS: dict[str, str] = {
    "director": "director",
    "directed by": "director",
    "producer": "producers",
    "producers": "producers",
    "produced by": "producers",
    "writer": "writers",
    "writers": "writers",
    "written by": "writers",
    "screenplay by": "writers",
    "music": "composer",
    "music by": "composer",
    "cinematography": "cinematographer",
    "editing": "editor",
    "edited by": "editor",
    "production companies": "companies",
    "production company": "companies",
    "distributor": "distributor",
    "distributed by": "distributor",
    "released": "premiere_date",
    "release date": "premiere_date",
    "release dates": "premiere_date",
    "runtime": "runtime",
    "running time": "runtime",
    "country": "country",
    "language": "language",
}
LIST_FIELDS = frozenset({"writers", "producers", "companies"})
PERSON_FIELDS = frozenset({"director", "composer", "cinematographer", "editor"})


def extract(doc: Doc) -> Extraction:
    out = Extraction(doc)
    _title_and_year(doc, out)
    _infobox(doc, out)
    _prose_facts(doc, out)
    _figures(doc, out)
    _songs(doc, out)
    _credits(doc, out)
    _quotes(doc, out)
    _timeline(doc, out)
    return out


def _title_and_year(doc: Doc, out: Extraction) -> None:
    span = doc.title
    if span is None:
        return
    text = span.text.strip().strip("=").strip()
    quoted = re.match(r'^"([^"]{1,120})"', text)
    if quoted:  # a first line that is a sentence about a quoted title
        text = quoted.group(1)
        title = Span(span.start + quoted.start(1), span.start + quoted.end(1), text)
    elif len(text) > 120 or text.endswith("."):
        return
    else:
        title = Span(span.start, span.end, text)
    year = re.search(r"\s*\((\d{4})\)\s*$", title.text)
    name = title.text[: year.start()] if year else title.text
    out.add("title", name.strip(), plain_key(name), title)
    if year:
        out.add(
            "year",
            year.group(1),
            year.group(1),
            Span(title.start + year.start(1), title.start + year.end(1), ""),
            title,
        )


def _infobox(doc: Doc, out: Extraction) -> None:
    for key, span in doc.infobox:
        field_ = INFOBOX_FIELDS.get(key)
        if field_ is None:
            continue
        _add_value(doc, out, field_, span.text, span, span)


def _add_value(doc: Doc, out: Extraction, field_: str, raw: str, span: Span, sentence: Span) -> None:
    raw = raw.strip().rstrip(".")
    if field_ in LIST_FIELDS:
        names = [_full_name(doc, n, out) for n in split_names(raw)]
        key = names_key(names, plain_key if field_ == "companies" else person_key)
        out.add(field_, ", ".join(names), key, span, sentence)
    elif field_ in PERSON_FIELDS:
        out.add(field_, raw, person_key(raw), span, sentence)
    elif field_ == "premiere_date":
        iso = iso_date(raw)
        if iso:
            out.add(field_, iso, iso, span, sentence)
    elif field_ == "runtime":
        m = re.search(r"(\d{2,3})\s*(?:min|minutes)", raw)
        if m:
            out.add(field_, f"{m.group(1)} minutes", m.group(1), span, sentence)
    else:
        out.add(field_, raw, plain_key(raw), span, sentence)


def _full_name(doc: Doc, name: str, out: Extraction) -> str:
    """'Shepard' or 'himself' in a writers list means a person the document names in full elsewhere."""
    if name.lower() in {"himself", "herself", "themselves"}:
        directors = [c.value for c in out.claims if c.field == "director"]
        return directors[0] if directors else name
    if " " not in name:
        m = re.search(rf"\b([A-Z][\w'-]+(?: [A-Z][\w.'-]+)* {re.escape(name)})\b", doc.text)
        if m:
            return m.group(1)
    return name


# "<Title> is a 2018 American psychological thriller film": only in a sentence about the title itself.
_ABOUT_TITLE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"\bis an? ((?:19|20)\d{2}) [A-Za-z -]{0,80}?\b(?:film|movie)\b")),
    ("year", re.compile(r"\breleased in ((?:19|20)\d{2})\b")),
    (
        "genre",
        re.compile(
            r"\bis an? (?:(?:19|20)\d{2} )?(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)* )?([a-z][a-z -]{2,80}?) (?:film|movie)\b"
        ),
    ),
)
_PROSE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("director", re.compile(rf"\bdirected by ({NAME})")),
    (
        "writers",
        re.compile(
            rf"\bscreenplay by ((?:{_NAME_TOKEN}|himself|herself)(?:(?:,| and|, and) (?:{NAME}|{_NAME_TOKEN}|himself|herself))*)"
        ),
    ),
    ("composer", re.compile(rf"\b(?:score|music) (?:was |is )?(?:composed |written )?by ({NAME})")),
    ("cinematographer", re.compile(rf"\bcinematography (?:was )?by ({NAME})")),
    ("editor", re.compile(rf"\bedited by ({NAME})")),
    ("distributor", re.compile(rf"\breleased by ({ORG}) on\b")),
    ("distributor", re.compile(rf"\b({ORG}) acquired (?:the )?[a-z]+ rights\b")),
    ("distributor", re.compile(rf"\bdistribut(?:ed|ing) by ({ORG})")),
    ("distributor", re.compile(rf"\bon (?:{DATE}),? by ({ORG})")),
    ("release_date", re.compile(rf"\breleased (?:by {ORG} )?on ({DATE})")),
    ("runtime", re.compile(r"\b(?:duration|running time|runtime|runs)\b[^.]{0,40}?(\d{2,3}) minutes")),
    ("streaming", re.compile(rf"\b(?:watch|stream)\w*\b[^.:]{{0,60}}?\b(?:on|via) ({ORG})")),
)
_PREMIERE = re.compile(rf"\b(?:premiere|debut)d? at ({ORG}) on ({DATE})")
_DATED_PLACE = re.compile(rf"\b({DATE}) \(({ORG})\)")
_TRAILER_DATE = re.compile(rf"({DATE})")


def _prose_sentences(doc: Doc) -> Iterator[tuple[Span, str]]:
    """Sentences outside plot sections, with their section name."""
    for s in sentences(doc.text, doc.body_start):
        section = doc.section_at(s.start)
        if section != "plot":
            yield s, section


def _prose_facts(doc: Doc, out: Extraction) -> None:
    titles = {c.value for c in out.claims if c.field == "title"}
    for sent, _section in _prose_sentences(doc):
        about_title = any(sent.text.lstrip('"').startswith(t) for t in titles)
        for field_, pattern in (_ABOUT_TITLE + _PROSE) if about_title else _PROSE:
            for m in pattern.finditer(sent.text):
                span = Span(sent.start + m.start(1), sent.start + m.end(1), m.group(1))
                if field_ == "release_date" or field_ == "premiere_date":
                    iso = iso_date(m.group(1))
                    if iso:
                        out.add(field_, iso, iso, span, sent)
                elif field_ == "year":
                    out.add(field_, m.group(1), m.group(1), span, sent)
                else:
                    _add_value(doc, out, field_, m.group(1), span, sent)
        for m in _PREMIERE.finditer(sent.text):
            iso = iso_date(m.group(2))
            if iso:
                out.add("premiere_date", iso, iso, _sub(sent, m, 2), sent)
                out.add("premiere_venue", m.group(1), plain_key(m.group(1)), _sub(sent, m, 1), sent)
        dated = [(iso_date(m.group(1)), m) for m in _DATED_PLACE.finditer(sent.text)]
        dated = [(iso, m) for iso, m in dated if iso]
        if len(dated) >= 2:  # "on <date> (Festival) and on <date> (Country)": the earliest is the premiere
            dated.sort(key=lambda pair: pair[0] or "")
            (first_iso, first), (last_iso, last) = dated[0], dated[-1]
            out.add("premiere_date", first_iso or "", first_iso or "", _sub(sent, first, 1), sent)
            out.add("premiere_venue", first.group(2), plain_key(first.group(2)), _sub(sent, first, 2), sent)
            out.add("release_date", last_iso or "", last_iso or "", _sub(sent, last, 1), sent)
            out.add("release_region", last.group(2), plain_key(last.group(2)), _sub(sent, last, 2), sent)
        if re.search(r"\btrailer\b", sent.text, re.IGNORECASE):
            for m in _TRAILER_DATE.finditer(sent.text):
                iso = iso_date(m.group(1))
                if iso:
                    out.add("trailer", iso, iso, _sub(sent, m, 1), sent)


def _sub(sent: Span, m: re.Match[str], group: int) -> Span:
    return Span(sent.start + m.start(group), sent.start + m.end(group), m.group(group))


# ---------------------------------------------------------------- reception figures


def _figures(doc: Doc, out: Extraction) -> None:
    for sent, _section in _prose_sentences(doc):
        text = sent.text
        if "Rotten Tomatoes" in text:
            _rotten_tomatoes(out, sent)
        if "Metacritic" in text:
            _metacritic(out, sent)
        if re.search(r"\bIMDb\b", text, re.IGNORECASE):
            m = re.search(r"\b(\d(?:\.\d)?)/10\b", text)
            if m:
                out.add("imdb", f"{m.group(1)}/10", m.group(1), _sub(sent, m, 1), sent)
        m = re.search(r'\bconsensus \w+:? "([^"]{10,})"', text)
        if m:
            out.add("consensus", m.group(1), plain_key(m.group(1)), _sub(sent, m, 1), sent)
    rating = doc.frontmatter.get("rating")
    if rating is not None:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?\s*", rating.text)
        if m:
            value = float(m.group(1))
            scale = m.group(2) or ("5" if value <= 5 else "10" if value <= 10 else "100")
            out.add("reviewer_rating", f"{m.group(1)}/{scale}", f"{m.group(1)}/{scale}", rating, rating)


def _rotten_tomatoes(out: Extraction, sent: Span) -> None:
    text = sent.text[sent.text.index("Rotten Tomatoes") :]
    base = sent.start + sent.text.index("Rotten Tomatoes")
    m = re.search(r"\b(\d{1,3})\s?%", text) or re.search(r"\b(\d{1,3})/100\b", text)
    if not m:
        return
    extra: dict[str, str] = {}
    count = re.search(r"\b(\d[\d,]*) (?!out\b)([a-z]+)", text[m.end() :])
    if count and count.group(2) not in {"percent", "per"}:
        extra["count"] = count.group(1).replace(",", "")
    average = re.search(r"\b(\d+(?:\.\d+)?)/10\b", text[m.end() :])
    if average:
        extra["average"] = f"{average.group(1)}/10"
    value = f"{m.group(1)}%"
    span = Span(base + m.start(1), base + m.end(1), m.group(1))
    out.add("rotten_tomatoes", value, m.group(1), span, sent, **extra)


def _metacritic(out: Extraction, sent: Span) -> None:
    text = sent.text
    m = re.search(r"\b(\d{1,3}) out of 100\b", text) or re.search(r"\b(\d{1,3})/100\b", text)
    if not m:
        return
    out.add("metacritic", f"{m.group(1)}/100", m.group(1), _sub(sent, m, 1), sent)
    count = re.search(r"\b(\d[\d,]*) ([a-z]+)", text[m.end() :])
    if count:
        value = count.group(1).replace(",", "")
        start = sent.start + m.end() + count.start(1)
        out.add("metacritic_count", value, value, Span(start, start + len(count.group(1)), value), sent)
    verdict = re.search(r'"([^"]{3,60})"', text[m.end() :])
    if verdict:
        start = sent.start + m.end() + verdict.start(1)
        span = Span(start, start + len(verdict.group(1)), verdict.group(1))
        out.add("metacritic_verdict", verdict.group(1), plain_key(verdict.group(1)), span, sent)


# ---------------------------------------------------------------- soundtrack


_SONG = re.compile(
    r'^[ ]*(?:[-*•][ ]*)?"([^"\n]{1,120})" by ([^(\n]+?)(?:[ ]*\(([^)\n]*)\))?[ ]*$', re.MULTILINE
)
_CLASSICAL = re.compile(r"\bof ((?:[A-Z][a-zà-ÿ]+, )+(?:and )?[A-Z][a-zà-ÿ]+)\b")


def _songs(doc: Doc, out: Extraction) -> None:
    for m in _SONG.finditer(doc.text):
        writers = tuple(split_names(m.group(3))) if m.group(3) else ()
        line = Span(m.start(), m.end(), m.group(0).strip())
        out.songs.append(
            SongClaim(m.group(1).strip(), m.group(2).strip(), writers, m.start(1), m.end(1), line.text)
        )
    for sent, section in _prose_sentences(doc):
        if section == "soundtrack" or re.search(r"\bsoundtrack\b", sent.text, re.IGNORECASE):
            found = _CLASSICAL.search(sent.text)
            if found:
                names = split_names(found.group(1))
                out.add("classical", ", ".join(names), names_key(names), _sub(sent, found, 1), sent)


# ---------------------------------------------------------------- cast


_CAST_LINE = re.compile(
    rf"^(?P<indent>[ ]*)(?:[-*•][ ]*)?(?P<actor>{NAME})[ ]+as[ ]+(?P<role>\S[^\n]*?)[ ]*$", re.MULTILINE
)
_PLAYS = re.compile(
    rf"\b(?P<actor>{NAME}) plays (?:the (?:character|role) of )?(?P<role>{_NAME_TOKEN}(?: {_NAME_TOKEN})?)"
)
_PAREN = re.compile(rf"\b(?P<role>{_NAME_TOKEN}(?: {_NAME_TOKEN})?) \((?P<actor>{NAME})\)")
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


def _credits(doc: Doc, out: Extraction) -> None:
    lines = [m for m in _CAST_LINE.finditer(doc.text) if doc.section_at(m.start()) != "plot"]
    song_lines = {s.sentence for s in out.songs}
    if len(lines) >= 3:
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
        for pattern in (_PLAYS, _PAREN):
            for m in pattern.finditer(sent.text):
                character, _, _ = split_role(m.group("role"))
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


# ---------------------------------------------------------------- critics' quotes


_CRITIC_OF = re.compile(rf"^(?P<critic>{NAME}) of (?P<outlet>(?:The )?{ORG})\b")
_OUTLET_CRITIC = re.compile(rf"^(?:The )?(?P<outlet>{ORG})'s (?P<critic>{NAME})\b")
_GRADE = re.compile(r"\bgrade of ([A-F][+\-−]?)|\bscore of (\d+(?:\.\d+)?/\d+)")


def _quotes(doc: Doc, out: Extraction) -> None:
    for sent, section in _prose_sentences(doc):
        if section not in {"reception", "lead", "other"} or re.search(
            r"Rotten Tomatoes|Metacritic", sent.text
        ):
            continue
        m = _CRITIC_OF.match(sent.text) or _OUTLET_CRITIC.match(sent.text)
        quoted = [q for q in re.finditer(r'"([^"]{12,})"', sent.text)]
        if not m or not quoted:
            continue
        outlet = m.group("outlet")
        if sent.text.startswith("The ") and not outlet.startswith("The "):
            outlet = "The " + outlet
        grade = _GRADE.search(sent.text)
        out.quotes.append(
            QuoteClaim(
                m.group("critic"),
                outlet,
                (grade.group(1) or grade.group(2)) if grade else None,
                " … ".join(q.group(1).strip() for q in quoted),
                sent.start + quoted[0].start(1),
                sent.start + quoted[-1].end(1),
                sent.text,
            )
        )


# ---------------------------------------------------------------- production and release timeline


_WHEN = re.compile(rf"^In (?:(?P<month>{_MONTH}) )?(?P<year>(?:19|20)\d{{2}}),\s+(?P<rest>.+)$")


def _timeline(doc: Doc, out: Extraction) -> None:
    for sent, section in _prose_sentences(doc):
        if section in {"reception", "soundtrack", "cast"}:
            continue
        m = _WHEN.match(sent.text)
        if not m:
            continue
        month = MONTHS.index(m.group("month")) + 1 if m.group("month") else 0
        when = f"{m.group('month') + ' ' if m.group('month') else ''}{m.group('year')}"
        out.timeline.append(
            TimelineClaim(when, f"{m.group('year')}-{month:02d}", sent.text, sent.start, sent.end)
        )


def passages(doc: Doc, limit: int = 700) -> list[tuple[str, Span]]:
    """Searchable passages: each section's paragraphs (long ones cut at sentence ends), with the section name."""
    out: list[tuple[str, Span]] = []
    sections = doc.sections or [Section("other", "", doc.body_start, len(doc.text))]
    for section in sections:
        for para in paragraphs(doc.text, section.start, section.end):
            if len(para.text) < 25:
                continue
            chunk: list[Span] = []
            for sent in sentences(doc.text, para.start, para.end):
                if chunk and sent.end - chunk[0].start > limit:
                    out.append((section.name, _join(doc, chunk)))
                    chunk = []
                chunk.append(sent)
            if chunk:
                out.append((section.name, _join(doc, chunk)))
    return out


def _join(doc: Doc, chunk: list[Span]) -> Span:
    return Span(chunk[0].start, chunk[-1].end, doc.text[chunk[0].start : chunk[-1].end])
