"""Pure extractors: one parsed document in, claims with provenance out.

One module per kind of fact: `identity` (title, year, genre), `facts` (crew, companies, runtime), `dates` (premiere, release), `figures` (reception numbers), `music`
(songs, featured music), `cast` (credits), `critics` (quotes, timeline); `passages` cuts text for search.
Patterns are about how documents about films are written, never about one film. Values are parsed by
`bot.ingest.values`.
"""

from __future__ import annotations

from bot.ingest.extract import cast, critics, dates, facts, figures, identity, music
from bot.ingest.extract.claims import Claim, CreditClaim, Extraction, QuoteClaim, SongClaim, TimelineClaim
from bot.ingest.extract.passages import passages
from bot.ingest.shapes import Doc


def extract(doc: Doc, film: str = "") -> Extraction:
    """Every claim a document makes. `film` is the film's folder name, a hint to how its title is spelled."""
    out = Extraction(doc)
    identity.title_and_year(doc, out, film)
    facts.infobox(doc, out)
    facts.prose(doc, out)
    facts.union_lists(out)
    dates.lone_release_dates(out)
    identity.year_from_dates(out)
    figures.figures(doc, out)
    music.featured(doc, out)
    music.songs(doc, out)
    music.same_titles(out)
    music.referred_writers(doc, out)
    cast.credits(doc, out)
    critics.quotes(doc, out)
    critics.timeline(doc, out)
    return out


__all__ = [
    "Claim",
    "CreditClaim",
    "Extraction",
    "QuoteClaim",
    "SongClaim",
    "TimelineClaim",
    "extract",
    "passages",
]
