"""What the film is: its title, its year and its genre, as a document names them.

The title the markup marks (an encyclopedia's `= T =`, a page's h1 or <title>), a headline shaped
"Title (2018)", the subject of a sentence defining the film ("Moonlight is a 2016 coming-of-age drama ..."),
or the film named by its maker ("Hayao Miyazaki's 2001 animated fantasy film").
"""

from __future__ import annotations

import itertools
import re

from bot.ingest.extract.claims import Extraction, prose_sentences, sub
from bot.ingest.shapes import Doc
from bot.ingest.text import Span
from bot.ingest.values import NAME, plain_key, slug_pattern

_TITLE_YEAR = re.compile(r"^(?P<name>.+?)\s*\((?P<year>(?:18|19|20)\d{2})(?: film)?\)\s*$")
_DISAMBIGUATION = re.compile(r"\s*\((?:(?:18|19|20)\d{2} )?(?:film|movie)\)\s*$", re.IGNORECASE)
# A genre is a few words ("American supernatural psychological thriller"); more is a description.
GENRE_MAX_WORDS = 5
# A genre never ends on a word that needs another after it: "a kind of movie", "the sort of film that".
_NOT_GENRE_ENDS = frozenset(
    {"of", "a", "an", "the", "to", "for", "that", "this", "such", "very", "more", "most"}
)
# The nouns a genre ends on, where no "film" follows ("a 2016 coming-of-age drama written by ...").
GENRE_NOUNS = (
    r"drama|comedy|comedy-drama|dramedy|thriller|horror|fantasy|musical|western|romance|documentary|mystery"
    r"|adventure|animation|satire|noir|melodrama|epic|biopic|action|tragedy|fiction|slasher|fairy tale|fable"
    r"|mockumentary|anthology|spy film|war film|road movie|crime film|heist film|disaster film"
)
_GENRE = (
    rf"(?P<genre>[a-z](?:[a-z -]|(?<=-)[A-Z]){{2,80}}?) (?:film|movie|picture)\b"
    rf"|(?P<bare>[a-z][a-z -]{{0,60}}?\b(?:{GENRE_NOUNS}))(?= (?:written|directed|produced|starring|by|from|about"
    rf"|that|which|set|based|co-written|adapted|made|released|with|in|of)\b|[,.;:])"
)
# "<Title> is a 2018 American psychological thriller film", at the start of a sentence. The subject is no
# pronoun, and not an expletive or a determiner standing alone ("There is a kind of movie that ..."): those name
# nothing. A title may begin with such a word ("No Country for Old Men is ..."), so only the word alone is left out.
_PRONOUN = r"It|This|That|He|She|They|The (?:film|movie)"
_ALONE = r"There|Here|What|Which|Such|One|Each|Every|Any|Some|All|No|Nothing|Everything|Something|Anything"
_DEFINES = re.compile(
    rf'^(?P<q>"?)(?!(?:{_PRONOUN})\b)(?!(?:{_ALONE}) is\b)(?P<title>[A-Z0-9][^"\n]{{0,80}}?)(?P=q)(?: \([^)]*\))? is an? (?:(?P<year>(?:19|20)\d{{2}}) )?'
    rf"(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)* )?(?:{_GENRE})"
)
# "<Title>, Hayao Miyazaki's 2001 animated fantasy film": the film named by its maker's possessive.
_MAKERS = re.compile(
    rf"\b{NAME}'s (?P<year>(?:19|20)\d{{2}}) (?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)* )?(?:{_GENRE})"
)


def title_and_year(doc: Doc, out: Extraction, film: str = "") -> None:
    """The title a document gives its subject: the title the markup marks (an encyclopedia's `= T =`, a
    page's h1 or <title>), a headline shaped "Title (2018)", or the subject of a sentence defining the
    film. A blog's headline ("Why X is the best film of the decade") is not a title. Where the film's folder
    name is spelled in a headline ("Review: La La Land (2016)"), that spelling is the title."""
    span = doc.title
    named = slug_pattern(film) if film else None
    if span is not None and named is not None:
        inner = named.search(span.text)
        after = span.text[inner.end() :] if inner else ""
        if inner and re.fullmatch(r"\s*(?:\((?:18|19|20)\d{2}(?: film)?\))?\s*", after):
            span = Span(span.start + inner.start(), span.end, span.text[inner.start() :])
    if span is not None:
        text = span.text.strip()
        shaped = _TITLE_YEAR.match(text)
        structural = doc.titled and doc.shape == "encyclopedia"
        if shaped:
            name = Span(span.start, span.start + len(shaped.group("name")), shaped.group("name"))
            out.add("title", name.text, plain_key(name.text), name, span)
            year_span = Span(
                span.start + shaped.start("year"), span.start + shaped.end("year"), shaped.group("year")
            )
            out.add("year", year_span.text, year_span.text, year_span, span)
        elif structural and len(text) <= 120 and not text.endswith("."):
            name_text = _DISAMBIGUATION.sub("", text)
            out.add(
                "title",
                name_text,
                plain_key(name_text),
                Span(span.start, span.start + len(name_text), name_text),
            )
    for key in (
        "film",
        "movie",
    ):  # a review's front matter names the film it is about (its "title" is the post's)
        if key in doc.frontmatter:
            named_film = doc.frontmatter[key]
            out.add("title", named_film.text, plain_key(named_film.text), named_film, named_film)
    end = doc.opening_end()
    opening = [s for s, _ in itertools.takewhile(lambda found: found[0].start < end, prose_sentences(doc))]
    defining = [(s, m) for s in opening if (m := _DEFINES.match(s.text))][:1]
    for sent, m in defining or [(s, m) for s in opening if (m := _MAKERS.search(s.text))][:1]:
        if "title" in m.groupdict():
            name = sub(sent, m, "title")
            out.add("title", name.text, plain_key(name.text), name, sent)
        year = m if m.group("year") else re.search(r"\breleased in (?P<year>(?:19|20)\d{2})\b", sent.text)
        if year:
            out.add("year", year.group("year"), year.group("year"), sub(sent, year, "year"), sent)
        group = "genre" if m.group("genre") else "bare"
        genre = m.group(group).strip()
        if (
            genre
            and len(genre.split()) <= GENRE_MAX_WORDS
            and genre.split()[-1].lower() not in _NOT_GENRE_ENDS
        ):
            out.add("genre", genre, plain_key(genre), sub(sent, m, group), sent)
    if named is not None:  # "I finally watched Mad Max: Fury Road (2016)": the film, named with its year
        for m in re.finditer(
            rf"(?P<title>{named.pattern}) \((?P<year>(?:18|19|20)\d{{2}})\)", doc.text, re.IGNORECASE
        ):
            out.add(
                "title", m.group("title"), plain_key(m.group("title")), Span(m.start(1), m.end(1), m.group(1))
            )
            out.add("year", m.group("year"), m.group("year"), Span(m.start(2), m.end(2), m.group(2)))
            break


def year_from_dates(out: Extraction) -> None:
    """A document that gives no year but dates the film's first showing gives its year."""
    if out.values("year"):
        return
    dated = [c for c in out.claims if c.field in {"premiere_date", "release_date"}]
    if dated:
        first = min(dated, key=lambda c: c.key)
        year = first.key[:4]
        out.add("year", year, year, Span(first.start, first.start + len(first.value), first.value))
