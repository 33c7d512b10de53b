"""Near-copies: a document machine-rewritten from another is not a witness, and its word swaps are garbles.

Sentences are compared as word sequences. A sentence's counterpart in another document is the sentence
sharing the most words in the same order (Indel similarity of the word lists). Two documents are linked as
a rewrite when they share several counterparts *and* those counterparts differ by swapping words one for
one (synonyms, "premiere" -> "debut", "Mark" -> "Imprint"), which is what a spinner does; two documents
that quote the same source keep its words, and two independent ones share no sentences at all.

Which side of a link is the rewrite: the one whose swapped-in words are rarer across the film's documents
(a spinner's synonyms are the unusual words; it also swaps inconsistently, so the original's words still
occur elsewhere). A rewrite's original is the document it re-says most.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from rapidfuzz import process
from rapidfuzz.distance import Indel

from bot.ingest.extract import Claim, Extraction
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences, words

log = logging.getLogger(__name__)

# Sentences of fewer words (headings, cast lines, "The Perfection") match by chance and are not compared.
COPY_MIN_WORDS = 6
# A counterpart shares at least half of the two sentences' words in order. Sentences of two independent
# documents about one film share names and function words, but in another order: they score 0.1-0.4.
COUNTERPART_SIMILARITY = 0.5
# A rewrite re-says a passage, not a line: at least this many counterparts (one or two can be a quotation),
# making up at least this share of the rewritten document's sentences. Independent documents about one film
# find a counterpart for at most one sentence in ten by chance; a rewrite re-says a third or more.
COPY_MIN_SENTENCES = 3
COPY_MIN_SHARE = 0.2
# Share of the counterparts' words swapped one for one (in replacements of at most SWAP_MAX_WORDS words a
# side). A spinner swaps a fifth to a third of the words; two revisions of one text or a quotation swap
# almost none (they insert and delete phrases instead).
REWORD_SHARE = 0.10
SWAP_MAX_WORDS = 3
# Two documents each mostly the other's sentences word for word (a mirror, a duplicate) are one text too;
# a page quoting part of another, however much, is not a copy of it.
VERBATIM_SIMILARITY = 0.95
VERBATIM_SHARE = 0.5


@dataclass(frozen=True)
class Counterpart:
    mine: Span
    theirs: Span
    similarity: float


@dataclass
class Link:
    """What document `a` re-says of document `b`. The words swapped are only looked for (`_reword`) where the
    two documents share enough sentences to be a rewrite at all."""

    a: str
    b: str
    pairs: list[Counterpart]
    verbatim_share: float
    swapped: list[tuple[str, str]] = field(default_factory=list)  # (b's words, a's words) swapped one for one
    swap_share: float = 0.0
    reworded: bool = False  # whether `swapped` and `swap_share` were looked for
    units: list[tuple[Unit, Unit]] = field(default_factory=list, repr=False)  # (mine, theirs) per pair


@dataclass
class Copies:
    copy_of: dict[str, str | None]
    witness: dict[str, str]
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def is_copy(self, doc: str) -> bool:
        return self.copy_of.get(doc) is not None

    def swaps(self, copy: str) -> list[tuple[str, str]]:
        """(original words, rewritten words) a copy swapped, against its original."""
        original = self.copy_of.get(copy)
        link = self.links.get((copy, original)) if original else None
        return link.swapped if link else []


# A sentence to compare: where it is, its words, and its words as one character each (see `_coded`).
Unit = tuple[Span, tuple[str, ...], str]


def _units(doc: Doc) -> list[tuple[Span, tuple[str, ...]]]:
    out = []
    for s in sentences(doc.text, doc.body_start):
        w = tuple(words(s.text))
        if len(w) >= COPY_MIN_WORDS:
            out.append((s, w))
    return out


def _coded(docs: list[list[tuple[Span, tuple[str, ...]]]]) -> list[list[Unit]]:
    """Each sentence's words also spelt with one character per distinct word (from a private-use plane): the
    Indel similarity of two such strings is that of the word lists, and computed several times faster."""
    codes = _Codes()
    return [[(span, w, "".join(map(codes.__getitem__, w))) for span, w in units] for units in docs]


class _Codes(dict[str, str]):
    """Word -> its character, the next one for a word not seen before."""

    def __missing__(self, word: str) -> str:
        code = self[word] = chr(0xF0000 + len(self))
        return code


def _link(a: str, b: str, ua: list[Unit], ub: list[Unit]) -> Link:
    """Each sentence of `a` with its counterpart in `b`, where it has one."""
    pairs: list[Counterpart] = []
    pair_units: list[tuple[Unit, Unit]] = []
    verbatim = 0
    theirs = [coded for _, _, coded in ub]
    for unit in ua:
        found = process.extractOne(
            unit[2], theirs, scorer=Indel.normalized_similarity, score_cutoff=COUNTERPART_SIMILARITY
        )
        if found is None:
            continue
        best, score = ub[found[2]], found[1]
        pairs.append(Counterpart(unit[0], best[0], score))
        pair_units.append((unit, best))
        verbatim += score >= VERBATIM_SIMILARITY
    return Link(a, b, pairs, verbatim / len(ua) if ua else 0.0, units=pair_units)


def _reword(link: Link) -> Link:
    """The words `a` swapped one for one in its counterparts, and their share of its counterparts' words.
    The word lists are compared as their coded strings (`_coded`): the same opcodes, found faster. Once."""
    if link.reworded:
        return link
    swapped: list[tuple[str, str]] = []
    swapped_words = total_words = 0
    for (_, w, coded), (_, theirs, their_code) in link.units:
        total_words += len(w)
        if coded == their_code:
            continue
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, coded, their_code, autojunk=False).get_opcodes():
            if tag == "replace" and i2 - i1 <= SWAP_MAX_WORDS and j2 - j1 <= SWAP_MAX_WORDS:
                swapped_words += i2 - i1
                swapped.append((" ".join(theirs[j1:j2]), " ".join(w[i1:i2])))
    link.swapped = swapped
    link.swap_share = swapped_words / total_words if total_words else 0.0
    link.reworded = True
    return link


def _rarer_side(link: Link, counts: Counter[str]) -> int:
    """+1 when `a` swapped in the rarer words (so `a` is the rewrite), -1 when `b` did, 0 for a tie."""
    votes = 0
    for theirs, mine in link.swapped:
        a_freq = min((counts[w] for w in mine.split()), default=0)
        b_freq = min((counts[w] for w in theirs.split()), default=0)
        votes += (a_freq < b_freq) - (a_freq > b_freq)
    return (votes > 0) - (votes < 0)


def find_copies(docs: list[Doc]) -> Copies:
    names = sorted(d.name for d in docs)
    by_name = {d.name: d for d in docs}
    units = dict(zip(names, _coded([_units(by_name[n]) for n in names]), strict=True))
    counts: Counter[str] | None = None  # every word's count in the film's documents, when a rewrite needs it
    links: dict[tuple[str, str], Link] = {}  # both ways, between documents that share enough sentences
    rewrites: dict[str, list[tuple[int, str]]] = {}
    reasons: dict[str, str] = {}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ab = _link(a, b, units[a], units[b])
            if len(ab.pairs) < COPY_MIN_SENTENCES:  # the other way would not make up the difference
                log.debug("copy check %s ~ %s: %d shared sentences", a, b, len(ab.pairs))
                continue
            ba = _link(b, a, units[b], units[a])
            links[(a, b)], links[(b, a)] = ab, ba
            shared = min(len(ab.pairs), len(ba.pairs))
            if shared < COPY_MIN_SENTENCES:
                log.debug("copy check %s ~ %s: %d shared sentences", a, b, shared)
                continue
            # Either way swapping enough words makes a rewrite: the other way is looked at only if need be.
            reworded = _reword(ab).swap_share >= REWORD_SHARE or _reword(ba).swap_share >= REWORD_SHARE
            verbatim = min(ab.verbatim_share, ba.verbatim_share) >= VERBATIM_SHARE
            log.debug(
                "copy check %s ~ %s: %d shared sentences, %.0f%% of words swapped, %.0f%%/%.0f%% verbatim",
                a,
                b,
                shared,
                100 * max(ab.swap_share, ba.swap_share),
                100 * ab.verbatim_share,
                100 * ba.verbatim_share,
            )
            if not (reworded or verbatim):
                continue
            if reworded:
                if counts is None:
                    counts = Counter(w for d in docs for w in words(d.text))
                side = _rarer_side(ab, counts) or (1 if len(units[a]) >= len(units[b]) else -1)
            else:  # one text twice: nothing in the words says which came first; a saved copy's name is the
                # longer one ("page (1).txt", "page-mirror.txt")
                side = 1 if (len(a), a) > (len(b), b) else -1
            copy, original = (a, b) if side > 0 else (b, a)
            link = _reword(links[(copy, original)])
            if len(link.pairs) < COPY_MIN_SHARE * len(units[copy]):
                continue
            rewrites.setdefault(copy, []).append((len(link.pairs), original))
            how = f"{100 * link.swap_share:.0f}% of their words swapped" if reworded else "word for word"
            reasons.setdefault(copy, f"re-says {len(link.pairs)} sentences of {original}, {how}")
    copy_of: dict[str, str | None] = dict.fromkeys(names)
    for copy, found in rewrites.items():
        count, original = max(found)
        copy_of[copy] = original
        link = links[(copy, original)]
        how = (
            f"{100 * link.swap_share:.0f}% of their words swapped"
            if link.swap_share >= REWORD_SHARE
            else "word for word"
        )
        reasons[copy] = f"re-says {count} sentences of {original}, {how}"
    witness = {name: _root(name, copy_of) for name in names}
    for name in names:
        direct = copy_of[name]
        if direct is not None:
            original = witness[name] if witness[name] != name else direct
            copy_of[name] = original
            log.debug("%s is a near-copy of %s: %s", name, original, reasons[name])
            # a copy of a copy is compared with the original at the chain's end, whatever they share
            link = links.get((name, original)) or _link(name, original, units[name], units[original])
            links[(name, original)] = _reword(link)
    return Copies(copy_of, witness, links, reasons)


def _root(name: str, copy_of: dict[str, str | None]) -> str:
    """The original at the end of a chain of copies (a cycle, impossible by construction, stops)."""
    seen = {name}
    while (nxt := copy_of.get(name)) is not None and nxt not in seen:
        seen.add(nxt)
        name = nxt
    return name


def swapped_words(swaps: list[tuple[str, str]]) -> dict[str, str]:
    """Rewritten word -> original word, for words a copy swapped (lower case)."""
    out: dict[str, str] = {}
    for original, rewritten in swaps:
        o, r = original.split(), rewritten.split()
        if len(o) == len(r):
            for x, y in zip(o, r, strict=True):
                if x != y:
                    out.setdefault(y, x)
    return out


# Figures a copy may give from an older version of the facts. Where the copy re-says the sentence its
# original states one in, but garbles the words that name it ("Spoiled Tomatoes"), the copy's number is
# read at the place the original's stands.
CARRIED = frozenset(
    {"year", "runtime", "rotten_tomatoes", "rotten_tomatoes_count", "metacritic", "metacritic_count", "imdb"}
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+")


def carried_figures(copies: Copies, extractions: list[Extraction]) -> None:
    """Add to each copy the figures its original states in sentences the copy re-says, where the copy's
    own words no longer name them, with the number the copy has at that place (as the copy's claims)."""
    by_name = {x.doc.name: x for x in extractions}
    for copy, original in copies.copy_of.items():
        link = copies.links.get((copy, original)) if original else None
        if link is None or original not in by_name:
            continue
        mine = by_name[copy]
        have = {c.field for c in mine.claims}
        for pair in link.pairs:
            for claim in by_name[original].claims:
                if claim.field in CARRIED and claim.field not in have and claim.sentence == pair.theirs.text:
                    moved = _moved(claim, pair)
                    if moved is not None:
                        mine.claims.append(moved)
                        have.add(claim.field)
                        log.debug(
                            "%s: %s %s read where %s has %s",
                            copy,
                            claim.field,
                            moved.value,
                            original,
                            claim.value,
                        )


def _moved(claim: Claim, pair: Counterpart) -> Claim | None:
    """The claim with the copy's numbers where the original's stand (None when the copy has none there)."""
    theirs = list(_TOKEN.finditer(pair.theirs.text))
    mine = list(_TOKEN.finditer(pair.mine.text))
    at: dict[int, int] = {}
    matcher = SequenceMatcher(None, [t.group(0).lower() for t in theirs], [t.group(0).lower() for t in mine])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            at.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "replace":  # "76% based on 219 reviews" -> "75% in view of 204 audits": numbers in order
            a = [i for i in range(i1, i2) if theirs[i].group(0)[:1].isdigit()]
            b = [j for j in range(j1, j2) if mine[j].group(0)[:1].isdigit()]
            if len(a) == len(b):
                at.update(zip(a, b, strict=True))

    def number(value: str) -> tuple[str, re.Match[str]] | None:
        spots = [i for i, t in enumerate(theirs) if t.group(0) == value and i in at]
        if not spots:
            return None
        token = mine[at[spots[0]]]
        return (token.group(0), token) if token.group(0)[:1].isdigit() else None

    found = number(claim.key)
    if found is None or found[0] == claim.key:
        return None
    new, token = found
    extra = {}
    for k, v in claim.extra.items():
        head = re.match(r"\d+(?:[.,]\d+)*", v)
        moved = number(head.group(0)) if head else None
        extra[k] = moved[0] + v[head.end() :] if moved and head else v
    start = pair.mine.start + token.start()
    value = claim.value.replace(claim.key, new, 1)
    return Claim(claim.field, value, new, start, start + len(new), pair.mine.text, extra)
