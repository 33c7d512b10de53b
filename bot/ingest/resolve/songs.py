"""The merged song list: independent documents' songs aligned by performer and title; a near-copy's songs
matched to them, where a differing title is the copy's garble and its songwriter credits still count."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.ingest.extract import Extraction, SongClaim
from bot.ingest.resolve.truth import Resolved
from bot.ingest.values import plain_key

# One performer however spelled ("Chromatics" / "The Chromatics") scores above this.
SAME_PERFORMER_RATIO = 80
# Titles of one song in two lists share at least half their words (token set ratio 0-100), with a bonus
# for standing at the same place in both lists.
SAME_TITLE_SCORE = 50
SAME_PLACE_BONUS = 10

Group = list[tuple[str, SongClaim]]


@dataclass
class MergedSong:
    title: Resolved
    performer: str
    writers: tuple[str, ...]
    documents: tuple[str, ...]


def _best_group(s: SongClaim, pos: int, doc: str, groups: list[Group]) -> int | None:
    best, best_score = None, 0.0
    for i, g in enumerate(groups):
        if any(d == doc for d, _ in g):
            continue
        other = g[0][1]
        if fuzz.ratio(s.performer.lower(), other.performer.lower()) < SAME_PERFORMER_RATIO:
            continue
        score = fuzz.token_set_ratio(s.title.lower(), other.title.lower()) + (
            SAME_PLACE_BONUS if i == pos else 0
        )
        if score > best_score:
            best, best_score = i, score
    return best if best is not None and best_score >= SAME_TITLE_SCORE else None


def group_songs(
    extractions: list[Extraction], original: dict[str, str | None]
) -> tuple[list[Group], list[tuple[str, SongClaim, str, SongClaim]]]:
    groups: list[Group] = []
    copies = {d for d, o in original.items() if o is not None}
    independent = [x for x in extractions if x.doc.name not in copies]
    for x in sorted(independent, key=lambda x: (-len(x.songs), x.doc.name)):
        for pos, s in enumerate(x.songs):
            hit = _best_group(s, pos, x.doc.name, groups)
            if hit is None:
                groups.append([(x.doc.name, s)])
            else:
                groups[hit].append((x.doc.name, s))
    garbles: list[tuple[str, SongClaim, str, SongClaim]] = []
    anyone = any(x.songs for x in independent)
    for x in sorted((x for x in extractions if x.doc.name in copies), key=lambda x: x.doc.name):
        for pos, s in enumerate(x.songs):
            hit = _best_group(s, pos, x.doc.name, groups)
            if hit is None:
                if not anyone:
                    groups.append([(x.doc.name, s)])
                continue
            their_doc, theirs = next(
                ((d, o) for d, o in groups[hit] if d == original.get(x.doc.name)), groups[hit][0]
            )
            if plain_key(theirs.title) != plain_key(s.title):
                garbles.append((x.doc.name, s, their_doc, theirs))
            groups[hit].append((x.doc.name, s))  # its songwriter credits still count
    return groups, garbles


def merge_songs(
    groups: list[Group], facts: dict[str, Resolved], trust: dict[str, float], copies: set[str]
) -> list[MergedSong]:
    out = []
    for i, group in enumerate(groups):
        ranked = sorted(group, key=lambda p: (p[0] in copies, -trust[p[0]], p[0]))
        out.append(
            MergedSong(
                facts[f"song:{i}:title"],
                ranked[0][1].performer,
                next((s.writers for _, s in ranked if s.writers), ()),
                tuple(sorted({d for d, _ in group})),
            )
        )
    return out
