"""Resolve one film's claims into facts, in the order the evidence allows.

1. `copies`: which documents are machine-rewritten copies of which (a copy is never a witness).
2. `truth`: one value per field by reliability-weighted votes of independent documents; a copy's differing
   words are garbles (shown only in /sources), its differing numbers and dates alternatives.
3. `cast`, `songs`: lists aligned across documents; a copy's lines never add a credit or a song.
4. `narrative`, `plot`: which sentences tell the story; the told plot from the best narrative, continued
   from the next where it stops; other documents' disagreeing sentences left out and costing reliability.
5. `spoilers`: what spoils, by cue and by what only the later story mentions.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.ingest.extract import Claim, Extraction, QuoteClaim, TimelineClaim
from bot.ingest.resolve import narrative as story_text
from bot.ingest.resolve.cast import MergedCredit, first_per_doc, group_credits, merge_credits
from bot.ingest.resolve.copies import Copies, carried_figures, find_copies
from bot.ingest.resolve.plot import PlotBeat, Story, early, tell
from bot.ingest.resolve.songs import MergedSong, group_songs, merge_songs
from bot.ingest.resolve.spoilers import later_terms, spoils
from bot.ingest.resolve.talk import story_talk, unsearchable
from bot.ingest.resolve.truth import NUMERIC, Resolved, Standing, Truth, Vote, discover, first_votes
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences
from bot.ingest.values import person_key, plain_key
from bot.storage.models import Spoil

log = logging.getLogger(__name__)

# Facts that name people, companies or places: their words are not the story's characters.
NAMED = frozenset(
    {
        "title",
        "director",
        "writers",
        "producers",
        "composer",
        "cinematographer",
        "editor",
        "companies",
        "distributor",
        "premiere_venue",
        "release_region",
        "country",
        "language",
        "streaming",
        "featured",
    }
)
# The leading characters: the top of the billing (a prologue names none of them).
TOP_BILLED = 3
# Two tellings of one production event in the same month share most of their words (token set ratio).
SAME_EVENT = 60


@dataclass(frozen=True)
class Garble:
    """A near-copy's word substitution: never an alternative, shown only in /sources."""

    document: str  # the copy
    original: str  # the document whose words it garbles
    what: str  # what was garbled: "Theis (actor)", "Song title", "Genre"
    value: str  # the original's words
    garbled: str  # the copy's


@dataclass
class FilmResult:
    docs: list[Doc]
    copies: Copies
    truth: Truth
    credits: list[MergedCredit]
    songs: list[MergedSong]
    story: Story
    narrative: dict[str, list[Span]]
    unsearchable: set[
        tuple[str, int]
    ]  # (document, sentence start): left out, or talk the plot does not support
    spoiler_terms: frozenset[str]
    characters: frozenset[str]
    garbles: list[Garble]
    contradictions: dict[str, list[str]]
    quotes: list[tuple[str, QuoteClaim, Spoil]] = field(default_factory=list)
    timeline: list[tuple[str, TimelineClaim]] = field(default_factory=list)

    @property
    def facts(self) -> dict[str, Resolved]:
        return self.truth.facts

    @property
    def reliability(self) -> dict[str, float]:
        return self.truth.trust

    @property
    def copy_of(self) -> dict[str, str | None]:
        return self.copies.copy_of

    def is_spoiler(self, text: str, document: str | None = None) -> bool:
        # An encyclopedia keeps its story in its plot section; other writing lets it spill anywhere.
        loose = document is not None and not any(
            d.name == document and d.shape == "encyclopedia" for d in self.docs
        )
        return spoils(text, self.spoiler_terms, self.characters, loose)

    def reasons(self, doc: str) -> list[str]:
        """Why a document is as reliable as it is, in words for /sources."""
        s = self.truth.standing.get(doc, Standing())
        out = []
        if self.copies.is_copy(doc):
            out.append(f"near-copy: {self.copies.reasons.get(doc, '')}; never counted as a witness")
        if s.contested:
            out.append(f"agrees on {s.agreed} of {s.contested} facts that other sources also give")
        if s.narrated:
            out.append(f"{s.told} of {s.narrated} story sentences told as the plot source tells them")
        if s.garbles:
            out.append(f"garbles {s.garbles} names or titles of {self.copies.copy_of.get(doc)}")
        return out or ["nothing to compare with other sources"]


def _garble_label(field_: str) -> str:
    return field_.replace("_", " ").capitalize()


def _votes(
    extractions: list[Extraction], copies: Copies
) -> tuple[dict[str, list[Vote]], list[Garble], dict[str, list[str]]]:
    votes: dict[str, list[Vote]] = defaultdict(list)
    contradictions: dict[str, list[str]] = {}
    for x in extractions:
        found, contra = first_votes(x.doc.name, x.claims, copies.is_copy(x.doc.name))
        if contra:
            contradictions[x.doc.name] = contra
        for v in found:
            votes[v.claim.field].append(v)
    garbles: list[Garble] = []
    for name, field_votes in votes.items():
        kept = []
        for v in field_votes:
            if v.weightless and name not in NUMERIC:
                original = copies.copy_of[v.document]
                others = [o for o in field_votes if not o.weightless]
                other = next((o for o in others if o.document == original), others[0] if others else None)
                if other is not None and other.claim.key != v.claim.key:
                    garbles.append(
                        Garble(
                            v.document, other.document, _garble_label(name), other.claim.value, v.claim.value
                        )
                    )
                    continue
            kept.append(v)
        votes[name] = kept
    return votes, garbles, contradictions


def resolve(extractions: list[Extraction]) -> FilmResult:
    docs = [x.doc for x in extractions]
    names = [d.name for d in docs]
    copies = find_copies(docs)
    carried_figures(copies, extractions)
    copyset = {d for d in names if copies.is_copy(d)}
    votes, garbles, contradictions = _votes(extractions, copies)

    credit_groups, credit_garbles = group_credits(extractions, copies.copy_of)
    for i, group in enumerate(credit_groups):
        for doc, credit in first_per_doc(group):
            claim = Claim(
                "actor", credit.actor, person_key(credit.actor), credit.start, credit.end, credit.sentence
            )
            votes[f"credit:{i}:actor"].append(Vote(claim, doc, doc in copyset))
    for doc, mine, who, theirs in credit_garbles:
        garbles.append(Garble(doc, who, f"{theirs.character} (actor)", theirs.actor, mine.actor))

    song_groups, song_garbles = group_songs(extractions, copies.copy_of)
    for i, song_claims in enumerate(song_groups):
        independent = [(d, s) for d, s in song_claims if d not in copyset]
        for doc, song in independent or song_claims:
            claim = Claim("title", song.title, plain_key(song.title), song.start, song.end, song.sentence)
            votes[f"song:{i}:title"].append(Vote(claim, doc, doc in copyset))
    for doc, song, who, original in song_garbles:
        garbles.append(Garble(doc, who, "Song title", original.title, song.title))

    extra = {d: Standing(garbles=sum(1 for g in garbles if g.document == d)) for d in names}
    witness = copies.witness
    first = discover(votes, witness, names, extra)
    credits = merge_credits(credit_groups, first.facts, first.trust, copyset)
    actors = frozenset(c.actor.winner.claim.value for c in credits)
    characters = story_text.character_words([c.character for c in credits], docs, actors)
    known = [r.winner.claim.value for f, r in first.facts.items() if f in NAMED] + [
        s.performer for _, s in (p for g in song_groups for p in g)
    ]
    characters |= story_text.recurring_names([d for d in docs if d.name not in copyset], [*known, *actors])
    narrative = {d.name: story_text.story_sentences(d, characters, actors) for d in docs}
    top = " ".join(c.character for c in credits[:TOP_BILLED])
    lead = frozenset(re.findall(r"[\w'-]+", top)) & characters
    stopped = frozenset(d.name for d in docs if story_text.stops(d, narrative[d.name]))
    sectioned = frozenset(d.name for d in docs if d.section_spans("plot"))
    loglines = {
        d.name: line
        for d in docs
        if (line := story_text.logline(d, narrative[d.name], characters)) is not None
    }
    story = tell(narrative, first.trust, copyset, lead, stopped, sectioned, loglines)
    talk = story_talk(docs, story, narrative, characters, copyset, actors)
    for d in names:
        extra[d].told, extra[d].narrated = story.told.get(d, 0), story.narrated.get(d, 0)
    for d, said in talk.items():  # claims about the story in passing, compared with the plot like a telling's
        extra[d].told += len(said.claims) - len(said.unsupported_claims)
        extra[d].narrated += len(said.claims)
        if story.document is not None:
            extra[story.document].told += len(said.claims)
            extra[story.document].narrated += len(said.claims)
    truth = discover(votes, witness, names, extra)
    for d in names:
        log.debug("%s: reliability %.2f (%s)", d, truth.trust[d], truth.standing[d])

    credits = merge_credits(credit_groups, truth.facts, truth.trust, copyset)
    songs = merge_songs(song_groups, truth.facts, truth.trust, copyset)
    told_at = {(d, s.start) for d, spans in narrative.items() for s in spans}
    outside = [
        [s.text for s in sentences(d.text, d.body_start) if (d.name, s.start) not in told_at]
        for d in docs
        if d.name not in copyset
    ]
    # The opening, as the told plot and every independent telling has it (their sentences that the told
    # plot's opening supports).
    opening = [b.text for b in story.premise] + [b.text for b in story.beats if b.part == "beginning"]
    opening += [s.text for d, spans in narrative.items() if d not in copyset for s in early(spans, story)]
    terms = later_terms(opening, [b.text for b in story.beats if b.part != "beginning"], outside)
    hidden = unsearchable(docs, story, talk)
    result = FilmResult(
        docs,
        copies,
        truth,
        credits,
        songs,
        story,
        narrative,
        hidden,
        terms,
        characters,
        garbles,
        contradictions,
    )
    for merged in credits:
        merged.note, merged.note_spoiler = split_spoiler(merged.note, result)
    result.quotes = _quotes(extractions, result)
    result.timeline = _timeline(extractions, truth.trust, copyset)
    return result


def split_spoiler(note: str, result: FilmResult) -> tuple[str, str]:
    """'the head of the school who is secretly running a cult' -> ('the head of the school', 'who is ...')."""
    if not note or not result.is_spoiler(note):
        return note, ""
    for m in re.finditer(r",\s+|\s+(?=(?:who|which|whose|but|and)\b)", note):
        head, tail = note[: m.start()], note[m.end() :]
        if head and not result.is_spoiler(head) and result.is_spoiler(tail):
            return head.strip(), tail.strip()
    return "", note


def _quotes(extractions: list[Extraction], result: FilmResult) -> list[tuple[str, QuoteClaim, Spoil]]:
    trust = result.reliability
    out: list[tuple[str, QuoteClaim, Spoil]] = []
    for x in sorted(extractions, key=lambda x: (-trust[x.doc.name], x.doc.name)):
        if result.copies.is_copy(x.doc.name):
            continue
        for q in x.quotes:
            if not any(person_key(q.critic) == person_key(o.critic) for _, o, _ in out):
                out.append((x.doc.name, q, Spoil.MAJOR if result.is_spoiler(q.text) else Spoil.SAFE))
    return out


def _timeline(
    extractions: list[Extraction], trust: dict[str, float], copies: set[str]
) -> list[tuple[str, TimelineClaim]]:
    """Production and release events of independent documents (a copy's wording may be garbled); where
    several tell one event (same month, mostly the same words), the most reliable wording."""
    kept: list[tuple[str, TimelineClaim]] = []
    independent = [x for x in extractions if x.doc.name not in copies]
    for x in sorted(independent, key=lambda x: (-trust[x.doc.name], x.doc.name)):
        for t in x.timeline:
            if not any(
                o.sort_key == t.sort_key and fuzz.token_set_ratio(o.text, t.text) >= SAME_EVENT
                for _, o in kept
            ):
                kept.append((x.doc.name, t))
    return sorted(kept, key=lambda p: (p[1].sort_key, p[1].start))


__all__ = ["FilmResult", "Garble", "MergedCredit", "MergedSong", "PlotBeat", "Resolved", "Vote", "resolve"]
