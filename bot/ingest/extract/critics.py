"""Critics' quotes ("Dennis Harvey of Variety wrote ...") and the production and release timeline
("In October 2017, Allison Williams joined the cast.")."""

from __future__ import annotations

import re

from bot.ingest.extract.claims import Extraction, QuoteClaim, TimelineClaim, prose_sentences
from bot.ingest.shapes import Doc
from bot.ingest.values import MONTHS, NAME, ORG

_CRITIC_OF = re.compile(rf"^(?P<critic>{NAME}) of (?P<outlet>(?:The )?{ORG})\b")
_OUTLET_CRITIC = re.compile(rf"^(?:The )?(?P<outlet>{ORG})'s (?P<critic>{NAME})\b")
_GRADE = re.compile(r"\bgrade of ([A-F][+\-−]?)|\bscore of (\d+(?:\.\d+)?/\d+)")
_WHEN = re.compile(rf"^In (?:(?P<month>{'|'.join(MONTHS)}) )?(?P<year>(?:19|20)\d{{2}}),\s+(?P<rest>.+)$")


def quotes(doc: Doc, out: Extraction) -> None:
    for sent, section in prose_sentences(doc):
        if section not in {"reception", "lead", "other"} or any(
            name in sent.text for name in ("Rotten Tomatoes", "Metacritic")
        ):
            continue
        m = _CRITIC_OF.match(sent.text) or _OUTLET_CRITIC.match(sent.text)
        quoted = list(re.finditer(r'"([^"]{12,})"', sent.text))
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


def timeline(doc: Doc, out: Extraction) -> None:
    for sent, section in prose_sentences(doc):
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
