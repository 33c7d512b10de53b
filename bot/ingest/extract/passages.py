"""Searchable passages: each section's paragraphs, long ones cut at sentence ends."""

from __future__ import annotations

from bot.ingest.shapes import Doc, Section
from bot.ingest.text import Span, paragraphs, sentences

PASSAGE_MAX_CHARS = 700  # a passage fits an embed field (1024) with room for its heading
PASSAGE_MIN_CHARS = 25  # shorter paragraphs are headings, bylines or furniture, not worth a hit


def passages(
    doc: Doc, limit: int = PASSAGE_MAX_CHARS, leave_out: frozenset[int] = frozenset()
) -> list[tuple[str, Span]]:
    """Each section's paragraphs as passages; sentences starting at `leave_out` offsets are cut out (a
    passage never runs across one)."""
    out: list[tuple[str, Span]] = []
    sections = doc.sections or [Section("other", "", doc.body_start, len(doc.text))]
    for section in sections:
        for para in paragraphs(doc.text, section.start, section.end):
            if len(para.text) < PASSAGE_MIN_CHARS:
                continue
            chunk: list[Span] = []
            for sent in sentences(doc.text, para.start, para.end):
                if sent.start in leave_out or (chunk and sent.end - chunk[0].start > limit):
                    if chunk:
                        out.append((section.name, _join(doc, chunk)))
                    chunk = []
                if sent.start not in leave_out:
                    chunk.append(sent)
            if chunk:
                out.append((section.name, _join(doc, chunk)))
    return [(name, span) for name, span in out if len(span.text) >= PASSAGE_MIN_CHARS]


def _join(doc: Doc, chunk: list[Span]) -> Span:
    return Span(chunk[0].start, chunk[-1].end, doc.text[chunk[0].start : chunk[-1].end])
