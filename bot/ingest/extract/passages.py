"""Searchable passages: each section's paragraphs, long ones cut at sentence ends."""

from __future__ import annotations

from bot.ingest.shapes import Doc, Section
from bot.ingest.text import Span, paragraphs, sentences

PASSAGE_MAX_CHARS = 700  # a passage fits an embed field (1024) with room for its heading
PASSAGE_MIN_CHARS = 25  # shorter paragraphs are headings, bylines or furniture, not worth a hit


def passages(doc: Doc, limit: int = PASSAGE_MAX_CHARS) -> list[tuple[str, Span]]:
    out: list[tuple[str, Span]] = []
    sections = doc.sections or [Section("other", "", doc.body_start, len(doc.text))]
    for section in sections:
        for para in paragraphs(doc.text, section.start, section.end):
            if len(para.text) < PASSAGE_MIN_CHARS:
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
