"""Small documents for the extractor tests: a page parsed as the bot parses it, a blog post padded to read as
prose, and the values an extraction claims for a field."""

from __future__ import annotations

from bot.ingest.extract import Extraction, extract
from bot.ingest.shapes import Doc, parse
from bot.ingest.text import normalise

ALIEN = "Alien is a 1979 science fiction horror film directed by Ridley Scott."
LEAD = "Whiplash is a 2014 American psychological drama film written and directed by Damien Chazelle."


def doc(text: str, name: str = "page.txt") -> Doc:
    return parse(name, normalise(text))


def blog(*paragraphs: str, film: str = "whiplash") -> Extraction:
    """A blog post: a headline, then the paragraphs (padded so the page reads as prose)."""
    filler = "It is a film worth seeing twice. Everybody in the room agreed about that afterwards."
    body = "\n\n".join(f"{p} {filler}" for p in paragraphs)
    return extract(doc(f"My thoughts\n\n{body}\n\n{filler} {filler}\n"), film)


def values(x: Extraction, field: str) -> list[str]:
    return x.values(field)
