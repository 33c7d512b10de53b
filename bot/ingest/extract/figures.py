"""Reception figures: Rotten Tomatoes, Metacritic, IMDb, the critics' consensus, a reviewer's own rating."""

from __future__ import annotations

import re

from bot.ingest.extract.claims import Extraction, prose_sentences, sub
from bot.ingest.extract.sieve import may_match
from bot.ingest.shapes import Doc
from bot.ingest.text import Span
from bot.ingest.values import plain_key

_IMDB = re.compile(r"\bIMDb\b", re.IGNORECASE)
_CONSENSUS = re.compile(r'\bconsensus \w+:? "([^"]{10,})"')


def figures(doc: Doc, out: Extraction) -> None:
    for sent, _section in prose_sentences(doc):
        text = sent.text
        if "Rotten Tomatoes" in text:
            _rotten_tomatoes(out, sent)
        if "Metacritic" in text or "Metascore" in text:
            _metacritic(out, sent)
        if may_match(text, ("imdb",)) and _IMDB.search(text):
            # "8.6/10", "8.6 out of 10", "an 8.6 on IMDb" (a rating with its decimal, right before the name)
            m = re.search(r"\b(\d(?:\.\d)?)(?:/| out of )10\b", text) or re.search(
                r"\b(\d\.\d) (?:on|at) IMDb\b", text, re.IGNORECASE
            )
            if m:
                out.add("imdb", f"{m.group(1)}/10", m.group(1), sub(sent, m, 1), sent)
        m = _CONSENSUS.search(text) if "consensus" in text else None
        if m:
            out.add("consensus", m.group(1), plain_key(m.group(1)), sub(sent, m, 1), sent)
    for key, span in doc.infobox:
        if key in {"rotten tomatoes", "metacritic", "imdb", "imdb rating"}:
            label = {"rotten tomatoes": "Rotten Tomatoes", "metacritic": "Metacritic"}.get(key, "IMDb")
            line = Span(span.start - len(label) - 2, span.end, f"{label}: {span.text}")
            _by_name(out, line, label)
    rating = doc.frontmatter.get("rating")
    if rating is not None:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?\s*", rating.text)
        if m:
            value = float(m.group(1))
            scale = m.group(2) or ("5" if value <= 5 else "10" if value <= 10 else "100")
            out.add("reviewer_rating", f"{m.group(1)}/{scale}", f"{m.group(1)}/{scale}", rating, rating)


def _by_name(out: Extraction, sent: Span, label: str) -> None:
    if label == "Rotten Tomatoes":
        _rotten_tomatoes(out, sent)
    elif label == "Metacritic":
        _metacritic(out, sent)
    else:
        m = re.search(r"\b(\d(?:\.\d)?)(?:/10)?\b", sent.text[len(label) :])
        if m:
            start = sent.start + len(label) + m.start(1)
            out.add(
                "imdb", f"{m.group(1)}/10", m.group(1), Span(start, start + len(m.group(1)), m.group(1)), sent
            )


def _rotten_tomatoes(out: Extraction, sent: Span) -> None:
    # "sits at 97% on Rotten Tomatoes", "holds a 91% rating on Rotten Tomatoes"
    before = re.search(r"\b(\d{1,3})\s?%(?: (?:approval )?(?:rating|score))? on Rotten Tomatoes", sent.text)
    if before:
        found: dict[str, str] = {}
        count = re.search(r"\bRotten Tomatoes (?:from|based on|of|with) (\d[\d,]*) reviews", sent.text)
        if count:
            found["count"] = count.group(1).replace(",", "")
        out.add(
            "rotten_tomatoes", f"{before.group(1)}%", before.group(1), sub(sent, before, 1), sent, **found
        )
        _count(out, sent, before.group(1), found)
        return
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
    span = Span(base + m.start(1), base + m.end(1), m.group(1))
    out.add("rotten_tomatoes", f"{m.group(1)}%", m.group(1), span, sent, **extra)
    _count(out, sent, m.group(1), extra)


def _count(out: Extraction, sent: Span, percent: str, extra: dict[str, str]) -> None:
    """The number of reviews behind a Rotten Tomatoes figure: voted on its own, so a copy's older count is
    an alternative even where the percentage agrees."""
    if "count" in extra:
        count = extra["count"]
        out.add("rotten_tomatoes_count", count, count, sent, sent, percent=percent, **extra)


def _metacritic(out: Extraction, sent: Span) -> None:
    text = sent.text
    m = (
        re.search(r"\b(\d{1,3}) out of 100\b", text)
        or re.search(r"\b(\d{1,3})/100\b", text)
        or re.search(r"\b(\d{1,3}) on Metacritic\b", text)
        or re.search(r"\bMetascore (?:of )?(\d{1,3})\b", text)  # "a Metascore of 82"
    )
    if not m:
        return
    out.add("metacritic", f"{m.group(1)}/100", m.group(1), sub(sent, m, 1), sent)
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
