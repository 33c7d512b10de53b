"""The film's own facts: credits of the crew, companies, runtime, country, language (and its dates, read in
`dates.py`).

Read from the infobox (any markup's key/value rows) and from prose written the way film pages are written
("directed by", "produced by him and Emma Thomas", "The duration of the film is 107 minutes."). Which
sentences each case-blind pattern needs to see is decided in `sieve.py`.
"""

from __future__ import annotations

import dataclasses
import re

from bot.ingest.extract.claims import Extraction, prose_sentences, sub
from bot.ingest.extract.dates import dates, prose_dates
from bot.ingest.extract.sieve import (
    MADE_IN_NEEDLES,
    PROMO_NEEDLES,
    RUNTIME_NEEDLES,
    VERSION_NEEDLES,
    Sentence,
    fields_named,
)
from bot.ingest.labels import infobox_field
from bot.ingest.shapes import Doc
from bot.ingest.text import Span
from bot.ingest.values import (
    DATE,
    NAME,
    NAME_TOKEN,
    ORG,
    SELF,
    company_like,
    full_name,
    is_country,
    iso_date,
    minutes,
    names_key,
    person_key,
    plain_key,
    split_names,
    trim_stop,
)

LIST_FIELDS = frozenset({"writers", "producers", "companies", "distributor"})
PERSON_FIELDS = frozenset({"director", "composer", "cinematographer", "editor"})
ORG_FIELDS = frozenset({"companies", "distributor"})
# Sentences about a trailer, teaser or poster date those, never the film's release.
_PROMO = re.compile(r"\b(?:trailers?|teasers?|posters?|clips?|featurettes?)\b", re.IGNORECASE)
# Sentences about another version of the film (a dub, a re-release, a restoration, a home-video edition, a
# sequel or a remake) date and credit that version, not the film.
_VERSION = re.compile(
    r"\b(?:dub|dubbed|dubbing|re-?releas\w*|remaster\w*|restor(?:ed|ation)|anniversary|director's cut"
    r"|extended (?:cut|edition)|DVD|Blu-ray|4K|home (?:video|media)|sequels?|prequels?|remakes?|reboot)\b",
    re.IGNORECASE,
)


def union_lists(out: Extraction) -> None:
    """A document that names some writers in one sentence and another in the next credits them all: its
    claims for a list field become one, in the place of its first. Where it lists them against a label (an
    infobox row), that list is the one it gives: names in passing elsewhere do not add to it."""
    for field_ in LIST_FIELDS:
        found = [c for c in out.claims if c.field == field_]
        if len(found) < 2 or any(c.labelled for c in found):  # a labelled list is the document's whole list
            continue
        names: list[str] = []
        for name in (n for c in found for n in c.value.split(", ")):
            words = set(plain_key(name).split())
            if not any(words <= set(plain_key(other).split()) for other in names):
                names = [o for o in names if not set(plain_key(o).split()) < words] + [name]
        key = names_key(names, plain_key if field_ in ORG_FIELDS else person_key)
        merged = dataclasses.replace(found[0], value=", ".join(names), key=key)
        out.claims = [merged if c is found[0] else c for c in out.claims if c is found[0] or c not in found]


def add_value(doc: Doc, out: Extraction, field_: str, raw: str, span: Span, sentence: Span) -> None:
    """One value read for a field, as a claim (lists are one claim: the set is what is voted on)."""
    raw = trim_stop(raw.strip())
    if field_ in LIST_FIELDS:
        org = field_ in ORG_FIELDS
        names = [n if org else _person(doc, out, n) for n in split_names(raw, companies=org)]
        key = names_key(names, plain_key if org else person_key)
        out.add(field_, ", ".join(names), key, span, sentence)
    elif field_ in PERSON_FIELDS or field_ == "country":
        # One person or several ("Trent Reznor and Atticus Ross", "Joi McMillon & Nat Sanders", one a line),
        # shown as a list in words ("A, B and C").
        names = split_names(raw)
        key = names_key(names, person_key if field_ != "country" else plain_key)
        if names:
            out.add(field_, _and(names), key, span, sentence)
    elif field_ in {"premiere_date", "release_date"}:
        dates(out, span, sentence, field_)
    elif field_ == "runtime":
        found = minutes(raw)
        if found:
            out.add(field_, f"{found[0]} minutes", str(found[0]), span, sentence)
    elif field_ == "language":
        first = split_names(raw)[:1]
        if first:
            out.add(field_, first[0], plain_key(first[0]), span, sentence)
    else:
        out.add(field_, raw, plain_key(raw), span, sentence)


def _and(names: list[str]) -> str:
    """'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# "produced by him and Emma Thomas" after "written and directed by Nolan": the director.
_OBJECT_PRONOUNS = frozenset({"him", "her"})


def _person(doc: Doc, out: Extraction, name: str) -> str:
    """'himself' in a writers list is the director; a lone surname is the person named in full elsewhere."""
    if name.lower() in SELF or name.lower() in _OBJECT_PRONOUNS:
        directors = out.values("director")
        return directors[0] if directors else name
    return full_name(doc.text, name)


def infobox(doc: Doc, out: Extraction) -> None:
    """Infobox rows; rows naming more people for a list ("Screenplay by", "Story by") add to one claim.
    Their claims are labelled: a value set against its label is stated on purpose (see `truth`)."""
    before = len(out.claims)
    lists: dict[str, list[Span]] = {}
    # and a list of facts further down the page, and front matter: the page's own labelled facts
    for key, span in [*doc.infobox, *doc.details, *doc.frontmatter.items()]:
        field_ = infobox_field(key)
        if field_ in LIST_FIELDS:
            lists.setdefault(field_, []).append(span)
        elif field_ is not None:
            add_value(doc, out, field_, span.text, span, span)
    for field_, spans in lists.items():
        names: list[str] = []
        for span in spans:
            names += [n for n in split_names(span.text, companies=field_ in ORG_FIELDS) if n not in names]
        first = spans[0]
        add_value(doc, out, field_, ", ".join(names), first, first)
    out.claims[before:] = [dataclasses.replace(c, labelled=True) for c in out.claims[before:]]


_WRITERS = rf"((?:{NAME}|{NAME_TOKEN}|himself|herself)(?:(?:,| and|, and| &) (?:{NAME}|{NAME_TOKEN}|himself|herself))*)"
_PEOPLE = rf"{NAME}(?:(?:, | and |, and | & ){NAME})*"
# A list of companies ends where the next clause starts ("..., and Paramount Pictures released it").
_ORGS = (
    rf"{ORG}(?:(?:, | and |, and ){ORG}(?![\w'’&/.-]|[ ][A-Z0-9&])"
    rf"(?! (?:released|distributed|acquired|bought|handled|picked|took)\b))*"
)
_IT = r"(?:[Ii]t|[Tt]he (?:film|movie|picture))"
_IT_OBJ = r"(?:it|the film|the movie)\b"
# A person, or a family of film-makers: "the Wachowskis", "the Coen brothers".
# A surname alone ("written and directed by Nolan") is read only where the document names the person in
# full elsewhere (see `prose`).
_MAKER = (
    rf"(?:{NAME}|[Tt]he {NAME_TOKEN}s\b|[Tt]he {NAME_TOKEN} (?:brothers|sisters|siblings)\b|{NAME_TOKEN}\b)"
)
_PROSE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("director", re.compile(rf"\bdirected by ({_MAKER})")),
    ("director", re.compile(rf"\b({NAME}),? (?:who )?(?:(?:wrote|produced) and )?directed {_IT}\b")),
    ("writers", re.compile(rf"\b({NAME}),? (?:who )?wrote and directed {_IT}\b")),
    (
        "distributor",
        re.compile(
            rf"\b({ORG}),? (?:which |who )?(?:also |later |then |first |originally )?released {_IT_OBJ}"
        ),
    ),
    (
        "writers",
        re.compile(
            rf"\b({NAME}) directed (?:it|the film|the movie) and wrote it with ({NAME}(?:(?:, | and |, and ){NAME})*)"
        ),
    ),
    ("writers", re.compile(rf"\b(?:screenplay|script) (?:was )?(?:written )?by {_WRITERS}")),
    ("writers", re.compile(rf"(?<!co-)\bwritten and directed by ({_MAKER})")),
    # "Jenkins wrote the screenplay from a story by Tarell Alvin McCraney" (a story credit is a writing
    # credit; "based on a story by" names a source's author, not a writer of the film)
    (
        "writers",
        re.compile(
            rf"\b((?:{NAME}|{NAME_TOKEN})) (?:co-)?wrote the (?:film's |movie's )?(?:screenplay|script)\b"
        ),
    ),
    ("writers", re.compile(rf"\b(?:from|with|on) an? (?:original )?story (?:written )?by {_WRITERS}")),
    ("cinematographer", re.compile(rf"\b({NAME}) (?:shot|photographed|lensed) {_IT}\b")),
    ("made_by", re.compile(rf"\b(?:made|financed|backed|developed) by ({_ORGS})")),
    # "with Bill Pope as director of photography", "producer Joel Silver"
    (
        "cinematographer",
        re.compile(rf"\bwith ({NAME}) as (?:the |its )?(?:director of photography|cinematographer)\b"),
    ),
    ("editor", re.compile(rf"\bwith ({NAME}) as (?:the |its )?editor\b")),
    ("composer", re.compile(rf"\bwith ({NAME}) as (?:the |its )?composer\b")),
    ("producers", re.compile(rf"(?<![Ee]xecutive )(?<![Ll]ine )\b[Pp]roducers? ({NAME})\b")),
    # a chain of the film's credits: "written and directed by Nolan and produced by him and Emma Thomas"
    (
        "producers",
        re.compile(
            rf"\b(?:directed|written)(?: by [^.;]{{1,60}}?)? and produced by ((?:him|her|{NAME})"
            rf"(?:(?:, | and |, and )(?:him|her|{NAME}))*)"
        ),
    ),
    (
        "companies",
        re.compile(
            rf"\bproduced by [^.;]{{1,80}}? (?:through|via|under) (?:their|his|her|its) (?:own )?"
            rf"(?:production )?(?:company|companies|banner) ({_ORGS})"
        ),
    ),
    # "with Legendary Pictures putting up much of the money": a backer is a production company
    (
        "made_by",
        re.compile(
            rf"\bwith ({_ORGS}) (?:putting up|providing|supplying|contributing) (?:(?:much|most|some|part|half) of )?"
            rf"the (?:money|financing|funding|budget)\b"
        ),
    ),
    ("editor", re.compile(rf"\b({NAME})'s (?:film )?editing\b")),
    ("cinematographer", re.compile(rf"\b({NAME})'s (?:cinematography|photography|camera ?work)\b")),
    ("editor", re.compile(rf"\b(?:cut|edited) by ({_PEOPLE})")),
    ("composer", re.compile(rf"\b(?:scored|composed) by ({_PEOPLE})")),
    ("companies", re.compile(rf"\bwith ({_ORGS}) as (?:the |its )?production compan(?:y|ies)\b")),
    ("companies", re.compile(rf"\b({_ORGS}) (?:were|was|are|is) (?:the |its )?production compan(?:y|ies)\b")),
    ("composer", re.compile(rf"\bscore (?:was |is )?(?:composed |written )?by (?:composer )?({_PEOPLE})")),
    (
        "producers",
        re.compile(rf"\b(?:[Ff]ilm|[Mm]ovie|It|it) (?:was|is) produced by ({_PEOPLE})(?=[.,;]| for )"),
    ),
    ("composer", re.compile(rf"\b(?:original )?music (?:was |is )(?:composed |written )?by ({NAME})")),
    (
        "composer",
        re.compile(
            rf"\b({NAME}) (?:composed|wrote|scored) the (?:film's |movie's |original )?(?:score|music)"
        ),
    ),
    ("composer", re.compile(rf"\bcomposer ({NAME})\b")),
    ("composer", re.compile(rf"\b({NAME})'s (?:original |orchestral |electronic )?score\b")),
    ("cinematographer", re.compile(rf"\b(?:cinematography|photographed|shot) (?:was )?by ({NAME})")),
    ("cinematographer", re.compile(rf"\bcinematographer ({NAME})")),
    ("editor", re.compile(rf"\bedited by ({_PEOPLE})")),
    ("composer", re.compile(rf"\b(?:the )?music (?:is|was) by ({NAME})")),
    ("cinematographer", re.compile(rf"\b(?:the )?cinematography (?:is |was )?by ({NAME})")),
    ("editor", re.compile(rf"\b(?:the )?editing (?:is |was )?by ({NAME})")),
    (
        "producers",
        re.compile(rf"\b(?:was|is|were) produced by ({NAME}(?:(?:, | and |, and ){NAME})*) for {ORG}"),
    ),
    (
        "companies",
        re.compile(rf"\b(?:was|is|were) produced by {NAME}(?:(?:, | and |, and ){NAME})* for ({ORG})"),
    ),
    ("distributor", re.compile(rf"\b({ORG}),? (?:which |who )?(?:also |later |then )?distributed {_IT}\b")),
    ("language", re.compile(r"\bis an? ([A-Z][a-z]+)-language (?:film|movie)\b")),
    ("editor", re.compile(rf"\beditor ({NAME})")),
    ("distributor", re.compile(rf"\breleased by ({ORG}) on\b")),
    # "A24 acquired its distribution rights"; "film rights" to a novel are the rights to adapt it.
    (
        "distributor",
        re.compile(
            rf"\b({ORG}) acquired (?:the |its )?(?!(?:film|screen|movie|adaptation|remake) rights)"
            rf"(?:[a-z]+ )?(?:distribution )?rights\b"
        ),
    ),
    ("distributor", re.compile(rf"\bdistribut(?:ed|ing|ion) by ({ORG})")),
    ("distributor", re.compile(rf"\bon (?:{DATE}),? by ({ORG})")),
    ("streaming", re.compile(rf"\b(?:watch|stream)\w*\b[^.:]{{0,60}}?\b(?:on|via) ({ORG})")),
    (
        "companies",
        re.compile(
            rf"\bproduction compan(?:y|ies)(?: were| was| are| is|:)? ({ORG}(?:(?:, | and |, and ){ORG})*)"
        ),
    ),
)
_RUNTIME = re.compile(
    r"\b(?:duration|running time|runtime|run time|runs|length|lasts|clocks in|long)\b"
    r"|\b(?:film|movie|it) (?:is|was) \d{2,3} minutes|\b(?:all|at) \d{2,3} minutes",
    re.IGNORECASE,
)
_TRAILER_DATE = re.compile(rf"({DATE})")
_BY_FIELD: dict[str, list[re.Pattern[str]]] = {}
for _field, _pattern in _PROSE:
    _BY_FIELD.setdefault(_field, []).append(_pattern)
# A sentence about another version may still name who released the film itself, saying so.
_ORIGINAL_DISTRIBUTOR = re.compile(
    rf"\b({ORG}),? (?:which|who) (?:(?:originally|first) released {_IT_OBJ}"
    rf"|released {_IT_OBJ} (?:in the first place|originally|first))"
)
_MADE_IN = re.compile(rf"\b(?:made|produced|shot|filmed) in (?:the )?({ORG})")


_YEAR = re.compile(r"\d{4}")


def prose(doc: Doc, out: Extraction) -> None:
    for sent, _section in prose_sentences(doc):
        text = sent.text
        said = Sentence(text)
        if said.has(_PROMO, PROMO_NEEDLES):
            for m in _TRAILER_DATE.finditer(text):
                iso = iso_date(m.group(1))
                if iso and re.search(r"\btrailer", text, re.IGNORECASE):
                    out.add("trailer", iso, iso, sub(sent, m, 1), sent)
            continue
        if said.has(_VERSION, VERSION_NEEDLES):
            original = _ORIGINAL_DISTRIBUTOR.search(text)  # "X, which released the film in the first place"
            if original:
                add_value(doc, out, "distributor", original.group(1), sub(sent, original, 1), sent)
            continue
        fields_here = fields_named(text)
        for field_, patterns in _BY_FIELD.items():
            if field_ not in fields_here:
                continue
            for m in (m for pattern in patterns for m in pattern.finditer(text)):
                if field_ == "writers" and m.lastindex == 2:  # "X directed it and wrote it with Y and Z"
                    names = f"{m.group(1)}, {m.group(2)}"
                    span = Span(sent.start + m.start(1), sent.start + m.end(2), names)
                    add_value(doc, out, field_, names, span, sent)
                elif field_ == "made_by":  # companies, where the list names any ("made by A24 and Pastel")
                    if any(company_like(n) for n in split_names(m.group(1), companies=True)):
                        add_value(doc, out, "companies", m.group(1), sub(sent, m, 1), sent)
                elif field_ in PERSON_FIELDS and re.fullmatch(NAME_TOKEN, m.group(1)):
                    named = full_name(doc.text, m.group(1))  # "Nolan": whom the document names in full
                    if named != m.group(1):
                        add_value(doc, out, field_, named, sub(sent, m, 1), sent)
                else:
                    add_value(doc, out, field_, m.group(1), sub(sent, m, 1), sent)
        if _YEAR.search(text):  # every date has its year
            prose_dates(out, sent)
        made = _MADE_IN.search(text) if any(n in text for n in MADE_IN_NEEDLES) else None
        if made and is_country(trim_stop(made.group(1))):
            add_value(doc, out, "country", trim_stop(made.group(1)), sub(sent, made, 1), sent)
        if said.has(_RUNTIME, RUNTIME_NEEDLES):
            found = minutes(text)
            if found:
                out.add("runtime", f"{found[0]} minutes", str(found[0]), sub(sent, found[1], 0), sent)
