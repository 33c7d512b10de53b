"""Resolve one film's claims into facts: witnesses, truth discovery, merged cast and songs, the told plot.

- Near-copies of one text (e.g. a machine-rewritten article) form one witness: they vote once.
- Each document's reliability is learned from how often it agrees with the winning values; votes are
  weighted by reliability (in the spirit of TruthFinder). Never averaging, never file order.
- A plot sentence is told only when another document narrates the same event.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.ingest.extract import (
    Claim,
    CreditClaim,
    Extraction,
    QuoteClaim,
    SongClaim,
    TimelineClaim,
    person_key,
)
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, content_stems, overlap, paragraphs, sentences
from bot.storage.models import Spoil

COPY_THRESHOLD = 0.45  # harmonic mean of the share of sentences each document shares with the other
SUPPORT_THRESHOLD = 0.5  # share of a plot sentence's content words another document narrates nearby
GAP_ANCHOR = 0.34  # how well a supported sentence must match a document to anchor a stretch of it
GAP_THRESHOLD = 0.25  # share of words a sentence in such a stretch must find there
PRIOR = 1.0  # Beta prior for reliability: (agreements + PRIOR) / (contested + 2 * PRIOR)

UNVOTED = frozenset({"reviewer_rating"})  # a reviewer's own rating is theirs, not a fact to vote on

SPOILER_CUES = re.compile(
    r"\b(?:secretly|revealed?|reveals|turns out|twist|conspired?|flashbacks?|"
    r"dies|died|killed|kills|murder\w*|the ending)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Vote:
    claim: Claim
    document: str


@dataclass
class Resolved:
    """One field's outcome."""

    field: str
    winner: Vote
    supporters: tuple[str, ...]
    alternatives: tuple[tuple[Claim, tuple[str, ...]], ...]  # (the best claim of a losing value, documents)


@dataclass
class MergedCredit:
    actor: Resolved
    character: str
    note: str
    note_spoiler: str
    documents: tuple[str, ...]
    adult_index: int | None = None
    credited_as: str | None = None
    claims: list[tuple[str, CreditClaim]] = field(default_factory=list)


@dataclass
class MergedSong:
    title: Resolved
    performer: str
    writers: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass
class PlotBeat:
    text: str
    document: str
    start: int
    end: int
    spoil: Spoil
    part: str


@dataclass
class FilmResult:
    docs: list[Doc]
    witness: dict[str, str]
    copy_of: dict[str, str | None]
    reliability: dict[str, float]
    facts: dict[str, Resolved]
    credits: list[MergedCredit]
    songs: list[MergedSong]
    quotes: list[tuple[str, QuoteClaim, Spoil]]
    timeline: list[tuple[str, TimelineClaim]]
    premise: list[PlotBeat]
    beats: list[PlotBeat]
    plot_document: str | None
    rejected: list[tuple[str, Span]]
    narrative: dict[str, list[Span]]  # plot-telling sentences per document
    spoiler_terms: frozenset[str]

    def is_spoiler(self, text: str) -> bool:
        """A reveal cue, or two words that only the spoiling part of the story uses."""
        return bool(SPOILER_CUES.search(text)) or len(content_stems(text) & self.spoiler_terms) >= 2


# ---------------------------------------------------------------- witnesses


def witnesses(docs: list[Doc]) -> tuple[dict[str, str], dict[str, float]]:
    """Group near-copies: documents whose sentences largely re-say each other's. Returns doc -> witness id."""
    texts = {d.name: [s.text for s in sentences(d.text) if len(s.text) >= 40] for d in docs}
    parent = {d.name: d.name for d in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    scores: dict[str, float] = defaultdict(float)
    names = sorted(texts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            score = _copy_score(texts[a], texts[b])
            scores[a] = max(scores[a], score)
            scores[b] = max(scores[b], score)
            if score >= COPY_THRESHOLD:
                parent[max(find(a), find(b))] = min(find(a), find(b))
    return {name: find(name) for name in names}, scores


def _copy_score(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    ab = sum(1 for s in a if (m := process.extractOne(s, b, scorer=fuzz.ratio)) and m[1] >= 60) / len(a)
    ba = sum(1 for s in b if (m := process.extractOne(s, a, scorer=fuzz.ratio)) and m[1] >= 60) / len(b)
    return 0.0 if ab + ba == 0 else 2 * ab * ba / (ab + ba)


# ---------------------------------------------------------------- truth discovery


def _weight(trust: float) -> float:
    """A source's vote: the log-odds of being right, as TruthFinder's trustworthiness score."""
    trust = min(max(trust, 0.01), 0.99)
    return -math.log(1 - trust)


def discover(
    votes: dict[str, list[Vote]], witness: dict[str, str], documents: list[str], rounds: int = 10
) -> tuple[dict[str, Resolved], dict[str, float]]:
    """Pick one value per field by reliability-weighted votes of independent witnesses; learn reliability."""
    trust = dict.fromkeys(documents, 0.5)
    resolved: dict[str, Resolved] = {}
    for _ in range(rounds):
        resolved = {name: _pick(name, field_votes, witness, trust) for name, field_votes in votes.items()}
        agree: dict[str, int] = defaultdict(int)
        contested: dict[str, int] = defaultdict(int)
        for name, field_votes in votes.items():
            groups = {witness[v.document] for v in field_votes}
            if len(groups) < 2 and len({v.claim.key for v in field_votes}) < 2:
                continue
            winner = resolved[name].winner.claim.key
            for v in field_votes:
                contested[v.document] += 1
                agree[v.document] += v.claim.key == winner
        new = {d: (agree[d] + PRIOR) / (contested[d] + 2 * PRIOR) for d in documents}
        if new == trust:
            break
        trust = new
    return resolved, trust


def _pick(name: str, field_votes: list[Vote], witness: dict[str, str], trust: dict[str, float]) -> Resolved:
    by_key: dict[str, list[Vote]] = defaultdict(list)
    for v in field_votes:
        by_key[v.claim.key].append(v)

    def score(key: str) -> tuple[float, float, int, str]:
        best_per_witness: dict[str, float] = {}
        for v in by_key[key]:
            w = witness[v.document]
            best_per_witness[w] = max(best_per_witness.get(w, 0.0), _weight(trust[v.document]))
        top = max(trust[v.document] for v in by_key[key])
        return (round(sum(best_per_witness.values()), 9), top, len(by_key[key]), key)

    ranked = sorted(by_key, key=score, reverse=True)
    win = ranked[0]
    winner = max(by_key[win], key=lambda v: (trust[v.document], len(v.claim.value), v.document))
    return Resolved(
        name,
        winner,
        tuple(sorted({v.document for v in by_key[win]})),
        tuple(
            (
                max(by_key[k], key=lambda v: trust[v.document]).claim,
                tuple(sorted({v.document for v in by_key[k]})),
            )
            for k in ranked[1:]
        ),
    )


# ---------------------------------------------------------------- the film


def resolve(extractions: list[Extraction]) -> FilmResult:
    docs = [x.doc for x in extractions]
    names = [d.name for d in docs]
    witness, _ = witnesses(docs)
    votes: dict[str, list[Vote]] = defaultdict(list)
    for x in extractions:
        seen: set[str] = set()
        for c in x.claims:
            if (
                c.field not in seen and c.field not in UNVOTED
            ):  # one vote per document per field: its most explicit (first) claim
                seen.add(c.field)
                votes[c.field].append(Vote(c, x.doc.name))
    credit_groups = _group_credits(extractions)
    for i, group in enumerate(credit_groups):
        for doc, credit in _first_per_doc(group):
            claim = Claim(
                "actor", credit.actor, person_key(credit.actor), credit.start, credit.end, credit.sentence
            )
            votes[f"credit:{i}:actor"].append(Vote(claim, doc))
    song_groups = _group_songs(extractions)
    for i, song_claims in enumerate(song_groups):
        for doc, song in song_claims:
            key = " ".join(re.findall(r"\w+", song.title.lower()))
            claim = Claim("title", song.title, key, song.start, song.end, song.sentence)
            votes[f"song:{i}:title"].append(Vote(claim, doc))

    facts, trust = discover(votes, witness, names)
    copy_of = _copies(witness, trust)
    credits = _merge_credits(credit_groups, facts, trust)
    songs = [
        MergedSong(
            facts[f"song:{i}:title"],
            max(group, key=lambda p: trust[p[0]])[1].performer,
            next((s.writers for _, s in sorted(group, key=lambda p: -trust[p[0]]) if s.writers), ()),
            tuple(sorted({d for d, _ in group})),
        )
        for i, group in enumerate(song_groups)
    ]
    narrative = _narrative(docs, credits)
    beats, premise, chosen, rejected = _plot(docs, narrative, trust)
    # A near-copy's unsupported sentences are its own garbling of the original, not events of its own.
    rejected = [(doc, span) for doc, span in rejected if copy_of[doc] is None]
    spoiler_terms = _spoiler_terms(premise, beats, docs, narrative)
    result = FilmResult(
        docs,
        witness,
        copy_of,
        trust,
        facts,
        credits,
        songs,
        [],
        _timeline(extractions, trust),
        premise,
        beats,
        chosen,
        rejected,
        narrative,
        spoiler_terms,
    )
    for merged in credits:
        merged.note, merged.note_spoiler = split_spoiler(merged.note, result)
    result.quotes = [
        (x.doc.name, q, Spoil.MAJOR if result.is_spoiler(q.text) else Spoil.SAFE)
        for x in sorted(extractions, key=lambda x: -trust[x.doc.name])
        for q in x.quotes
    ]
    result.quotes = _dedupe_quotes(result.quotes)
    return result


def _copies(witness: dict[str, str], trust: dict[str, float]) -> dict[str, str | None]:
    members: dict[str, list[str]] = defaultdict(list)
    for doc, w in witness.items():
        members[w].append(doc)
    out: dict[str, str | None] = {}
    for group in members.values():
        original = max(group, key=lambda d: (trust[d], d))
        for doc in group:
            out[doc] = None if doc == original else original
    return out


# ---------------------------------------------------------------- cast


def _young(character: str) -> str | None:
    m = re.match(r"(?i)young(?:er)?\s+", character)
    return character[m.end() :] if m else None


def _char_tokens(character: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z][\w'-]*", character.lower()))


def _same_character(a: str, b: str) -> bool:
    ta, tb = _char_tokens(a), _char_tokens(b)
    if not ta or not tb:
        return False
    return ta <= tb or tb <= ta or fuzz.ratio(a.lower(), b.lower()) >= 85


def _same_credit(a: CreditClaim, b: CreditClaim) -> bool:
    """One role in two lists: the same kind (young or not), compatible character names, and the same
    surname or a near-identical actor name (a spun copy may mangle a first name, never both)."""
    if bool(_young(a.character)) != bool(_young(b.character)):
        return False
    if not _same_character(a.character, b.character):
        return False
    surname = person_key(a.actor).split(" ")[-1] == person_key(b.actor).split(" ")[-1]
    return surname or fuzz.ratio(a.actor.lower(), b.actor.lower()) >= 85


def _group_credits(extractions: list[Extraction]) -> list[list[tuple[str, CreditClaim]]]:
    """Align every document's cast list into credits, ordered by a merge of the lists (most complete first)."""
    ordered = sorted(extractions, key=lambda x: (-len({c.actor for c in x.credits}), x.doc.name))
    groups: list[list[tuple[str, CreditClaim]]] = []
    for x in ordered:
        last = -1
        for c in x.credits:
            hit = next((i for i, g in enumerate(groups) if any(_same_credit(c, o) for _, o in g)), None)
            if hit is None:
                groups.insert(last + 1, [(x.doc.name, c)])
                hit = last + 1
            else:
                groups[hit].append((x.doc.name, c))
            last = max(last, hit)
    return groups


def _first_per_doc(group: list[tuple[str, CreditClaim]]) -> list[tuple[str, CreditClaim]]:
    seen: set[str] = set()
    out = []
    for doc, c in group:
        if doc not in seen:
            seen.add(doc)
            out.append((doc, c))
    return out


def _merge_credits(
    groups: list[list[tuple[str, CreditClaim]]], facts: dict[str, Resolved], trust: dict[str, float]
) -> list[MergedCredit]:
    merged: list[MergedCredit] = []
    for i, group in enumerate(groups):
        by_trust = sorted(group, key=lambda p: (-trust[p[0]], p[0]))
        # The fullest name any source gives: the most words, then the most trusted source.
        character = max(by_trust, key=lambda p: len(_char_tokens(p[1].character)))[1].character
        note = next((c.note for _, c in by_trust if c.note), "")
        credited_as = next((c.credited_as for _, c in by_trust if c.credited_as), None)
        merged.append(
            MergedCredit(
                facts[f"credit:{i}:actor"],
                character,
                note,
                "",
                tuple(sorted({d for d, _ in group})),
                credited_as=credited_as,
                claims=group,
            )
        )
    # Younger versions: "Young X" whose X is another credit's character.
    for credit in merged:
        base = _young(credit.character)
        if base is None:
            continue
        adult = next(
            (
                j
                for j, other in enumerate(merged)
                if _young(other.character) is None and _same_character(base, other.character)
            ),
            None,
        )
        if adult is not None:
            credit.adult_index = adult
            credit.character = "Young " + merged[adult].character
    return merged


# ---------------------------------------------------------------- songs


def _group_songs(extractions: list[Extraction]) -> list[list[tuple[str, SongClaim]]]:
    groups: list[list[tuple[str, SongClaim]]] = []
    for x in sorted(extractions, key=lambda x: (-len(x.songs), x.doc.name)):
        for pos, s in enumerate(x.songs):
            best, best_score = None, 0.0
            for i, g in enumerate(groups):
                if any(d == x.doc.name for d, _ in g):
                    continue
                other = g[0][1]
                if fuzz.ratio(s.performer.lower(), other.performer.lower()) < 80:
                    continue
                score = fuzz.token_set_ratio(s.title.lower(), other.title.lower()) + (10 if i == pos else 0)
                if score > best_score:
                    best, best_score = i, score
            if best is not None and best_score >= 50:
                groups[best].append((x.doc.name, s))
            else:
                groups.append([(x.doc.name, s)])
    return groups


# ---------------------------------------------------------------- plot


def _character_words(credits: list[MergedCredit], docs: list[Doc]) -> frozenset[str]:
    lower = {w for d in docs for w in re.findall(r"\b[a-z][a-z'-]+\b", d.text)}
    names = {
        w
        for c in credits
        if len(c.documents) >= 2
        for w in re.findall(r"[A-Z][\w'-]+", c.character)
        if w.lower() not in lower and not w.endswith("'s")
    }
    return frozenset(names)


def _narrative(docs: list[Doc], credits: list[MergedCredit]) -> dict[str, list[Span]]:
    """The sentences in which each document tells the story."""
    characters = _character_words(credits, docs)
    actors = {c.actor.winner.claim.value for c in credits}
    out: dict[str, list[Span]] = {}
    for d in docs:
        spans: list[Span] = []
        for sec in d.sections:
            if sec.name == "plot":
                spans += [s for s in sentences(d.text, sec.start, sec.end) if len(s.text) > 30]
                continue
            for para in paragraphs(d.text, sec.start, sec.end):
                sents = [s for s in sentences(d.text, para.start, para.end) if len(s.text) > 30]
                if not sents:
                    continue
                about = sum(
                    1 for s in sents if any(re.search(rf"\b{re.escape(c)}\b", s.text) for c in characters)
                )
                cast = sum(1 for s in sents if any(a in s.text for a in actors))
                if about >= 1 and cast * 2 < len(sents) and len(para.text) > 120:
                    spans += sents
        out[d.name] = spans
    return out


def _best_in(
    stems: frozenset[str], other: list[frozenset[str]], lo: int = 0, hi: int | None = None
) -> tuple[float, int]:
    """The best (overlap, position) of a sentence among another document's 2-sentence windows in [lo, hi)."""
    best = (0.0, -1)
    for i in range(lo, min(len(other), len(other) if hi is None else hi)):
        score = overlap(stems, other[i] | (other[i + 1] if i + 1 < len(other) else frozenset()))
        if score > best[0]:
            best = (score, i)
    return best


def _support(own: list[frozenset[str]], others: dict[str, list[frozenset[str]]]) -> list[bool]:
    """Which sentences another document narrates too.

    A sentence is supported when another document's nearby sentences share most of its words. A run of
    weaker sentences between two supported ones is supported when one other document, in the stretch
    between its places for those two, shares a quarter of each one's words: it tells the same events in
    other words (a spun copy does that).
    """
    per_doc = {name: [_best_in(st, other) for st in own] for name, other in sorted(others.items())}
    flags = [any(m[k][0] >= SUPPORT_THRESHOLD for m in per_doc.values()) for k in range(len(own))]
    i = 0
    while i < len(flags):
        if flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and not flags[j]:
            j += 1
        if i > 0 and j < len(flags):
            for name, matches in per_doc.items():
                before, p = matches[i - 1]
                after, q = _best_in(own[j], others[name], p, p + (j - i) + 4)
                if min(before, after) < GAP_ANCHOR:
                    continue
                gap = frozenset().union(*others[name][p : q + 2])
                for k in range(i, j):
                    flags[k] = flags[k] or (len(own[k]) >= 3 and overlap(own[k], gap) >= GAP_THRESHOLD)
        i = j
    return flags


def _plot(
    docs: list[Doc], narrative: dict[str, list[Span]], trust: dict[str, float]
) -> tuple[list[PlotBeat], list[PlotBeat], str | None, list[tuple[str, Span]]]:
    stems = {name: [content_stems(s.text) for s in spans] for name, spans in narrative.items()}
    support = {
        name: _support(stems[name], {o: st for o, st in stems.items() if o != name and st})
        for name in narrative
    }
    rejected = [
        (name, s)
        for name, spans in narrative.items()
        for s, ok in zip(spans, support[name], strict=False)
        if not ok
    ]
    candidates = [n for n in narrative if sum(support[n]) >= 2]
    if not candidates:
        return [], [], None, rejected
    chosen = max(candidates, key=lambda n: (sum(support[n]) * trust[n], trust[n], n))
    told = [s for s, ok in zip(narrative[chosen], support[chosen], strict=False) if ok]
    premise: list[PlotBeat] = []
    for s in told[:2]:
        if SPOILER_CUES.search(s.text) or len(premise) != told.index(s):
            break
        premise.append(PlotBeat(s.text, chosen, s.start, s.end, Spoil.SAFE, "beginning"))
    rest = told[len(premise) :]
    beats = []
    for i, s in enumerate(rest):
        part = ("beginning", "middle", "end")[min(2, i * 3 // max(1, len(rest)))]
        spoil = (
            Spoil.ENDING
            if part == "end"
            else Spoil.MAJOR
            if SPOILER_CUES.search(s.text) or part == "middle"
            else Spoil.MILD
        )
        beats.append(PlotBeat(s.text, chosen, s.start, s.end, spoil, part))
    return beats, premise, chosen, rejected


def _spoiler_terms(
    premise: list[PlotBeat], beats: list[PlotBeat], docs: list[Doc], narrative: dict[str, list[Span]]
) -> frozenset[str]:
    """Words that only the spoiling part of the story uses: their presence elsewhere marks a spoiler."""
    spoiling = frozenset().union(*(content_stems(b.text) for b in beats if b.spoil >= Spoil.MAJOR))
    safe = frozenset().union(
        *(content_stems(b.text) for b in premise + [b for b in beats if b.spoil < Spoil.MAJOR])
    )
    told = {(d, s.start) for d, spans in narrative.items() for s in spans}
    outside: set[str] = set()
    for d in docs:
        for sec in d.sections:
            if sec.name in {"plot", "cast", "reception"}:
                continue
            for s in sentences(d.text, sec.start, sec.end):
                if (d.name, s.start) not in told:
                    outside |= content_stems(s.text)
    return spoiling - safe - outside


def split_spoiler(note: str, result: FilmResult) -> tuple[str, str]:
    """'the head of the school who is secretly running a cult' -> ('the head of the school', 'who is ...')."""
    if not note or not result.is_spoiler(note):
        return note, ""
    for m in re.finditer(r",\s+|\s+(?=(?:who|which|whose|but|and)\b)", note):
        head, tail = note[: m.start()], note[m.end() :]
        if head and not result.is_spoiler(head):
            if result.is_spoiler(tail):
                return head.strip(), tail.strip()
    return "", note


def _timeline(extractions: list[Extraction], trust: dict[str, float]) -> list[tuple[str, TimelineClaim]]:
    """Production and release events; where several documents tell one, the most reliable wording."""
    kept: list[tuple[str, TimelineClaim]] = []
    for x in sorted(extractions, key=lambda x: (-trust[x.doc.name], x.doc.name)):
        for t in x.timeline:
            if not any(
                o.sort_key == t.sort_key and fuzz.token_set_ratio(o.text, t.text) >= 60 for _, o in kept
            ):
                kept.append((x.doc.name, t))
    return sorted(kept, key=lambda p: (p[1].sort_key, p[1].start))


def _dedupe_quotes(quotes: list[tuple[str, QuoteClaim, Spoil]]) -> list[tuple[str, QuoteClaim, Spoil]]:
    out: list[tuple[str, QuoteClaim, Spoil]] = []
    for item in quotes:
        if not any(person_key(item[1].critic) == person_key(o[1].critic) for o in out):
            out.append(item)
    return out
