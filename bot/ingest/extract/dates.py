"""When the film was shown: its premiere and its release, from labelled rows and from prose.

A dated showing at an event (a festival, a theatre) is a premiere, one in a country a release ("January 16,
2014 (Sundance Film Festival) October 10, 2014 (United States)"); prose says "premiered at ... on ...",
"released the film on ...", "opened in theaters in the United States on ...".
"""

from __future__ import annotations

import dataclasses
import logging
import re

from bot.ingest.extract.claims import Extraction, sub
from bot.ingest.text import Span
from bot.ingest.values import DATE, ORG, is_country, iso_date, plain_key

log = logging.getLogger(__name__)

_PLACED_DATE = re.compile(rf"({DATE})(?:\s*\(([^)]{{2,60}})\))?")
_RELEASE = re.compile(
    rf"\b(?:released|opened|came out|hit|arrived|reached)(?: it| the film| the movie)?,? (?:theatrically )?"
    rf"(?:in (?:the )?[A-Z][\w ]+? |in [a-zA-Z ]*?(?:cinemas|theaters|theatres) "
    rf"|[a-zA-Z ]*?(?:cinemas|theaters|theatres|screens) ){{0,2}}"
    rf"(?:by {ORG} )?(?:theatrically )?on ({DATE})"
)
_PREMIERE = re.compile(
    rf"\b(?:premiere|debut)d? (?:as [\w ]{{1,40}}? )?(?:at|in|of) (?:the )?({ORG})(?: in {ORG})? on ({DATE})"
)
_PREMIERE_ON = re.compile(rf"\bpremiered on ({DATE}),? at (?:the )?({ORG})")


def dates(out: Extraction, span: Span, sentence: Span, lone: str = "premiere_date") -> None:
    """'January 16, 2014 (Sundance Film Festival) October 10, 2014 (United States)': the earliest showing
    at an event is the premiere, the earliest in a country the release. Dates without a place: the first
    is the film's first showing (its premiere), a later one its release; a single one is what its label
    calls it (`lone`: "Release date: June 20, 1975" is a release, "Premiere: ..." a premiere)."""
    found = [(iso_date(m.group(1)), m) for m in _PLACED_DATE.finditer(span.text)]
    dated = sorted(((iso, m) for iso, m in found if iso), key=lambda pair: pair[0])
    if not dated:
        return
    # A showing in a country is a release there; one at anything else (a festival, a theatre) a premiere.
    events = [(iso, m) for iso, m in dated if m.group(2) and not is_country(m.group(2))]
    regions = [(iso, m) for iso, m in dated if m.group(2) and is_country(m.group(2))]
    if not events and not regions and len(dated) == 1 and lone == "release_date":
        iso, m = dated[0]
        out.add("release_date", iso or "", iso or "", sub(span, m, 1), sentence, lone="1")
        return
    if not events and not regions:
        events, regions = dated[:1], dated[1:][-1:]
    for field_, place, shown in (
        ("premiere_date", "premiere_venue", events),
        ("release_date", "release_region", regions),
    ):
        if shown:
            iso, m = shown[0]
            out.add(field_, iso or "", iso or "", sub(span, m, 1), sentence)
            if m.group(2):
                out.add(place, m.group(2), plain_key(m.group(2)), sub(span, m, 2), sentence)


def lone_release_dates(out: Extraction) -> None:
    """A single date against a release label is the release, unless the document's own prose says the film
    premiered that day and never that it was released then ("Released: 2018-09-20" above "had its world
    premiere at Fantastic Fest on September 20, 2018"): then it is the premiere."""
    said = {(c.field, c.key) for c in out.claims if not c.labelled}
    for i, c in enumerate(out.claims):
        if (
            c.field == "release_date"
            and c.extra.get("lone")
            and ("premiere_date", c.key) in said
            and ("release_date", c.key) not in said
        ):
            log.debug("%s: the release-labelled date %s is the premiere its prose dates", out.doc.name, c.key)
            out.claims[i] = dataclasses.replace(c, field="premiere_date")


def prose_dates(out: Extraction, sent: Span) -> None:
    """Release and premiere dates said in a sentence."""
    text = sent.text
    for m in _RELEASE.finditer(text):
        iso = iso_date(m.group(1))
        if iso:
            out.add("release_date", iso, iso, sub(sent, m, 1), sent)
    for m, date_group, venue_group in [(m, 2, 1) for m in _PREMIERE.finditer(text)] + [
        (m, 1, 2) for m in _PREMIERE_ON.finditer(text)
    ]:
        iso = iso_date(m.group(date_group))
        if iso:
            out.add("premiere_date", iso, iso, sub(sent, m, date_group), sent)
            venue = m.group(venue_group)
            out.add("premiere_venue", venue, plain_key(venue), sub(sent, m, venue_group), sent)
    placed = [m for m in _PLACED_DATE.finditer(text) if m.group(2) and iso_date(m.group(1))]
    if len(placed) >= 2:  # "on <date> (Festival) and on <date> (Country)"
        dates(out, sent, sent)
