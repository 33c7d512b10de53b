"""The told plot: one document's narrative, continued from another only where the first stops.

1. The plot source is the independent document whose narrative is most trustworthy and most complete
   (reliability times the number of story sentences). A single trustworthy narrative is told as it is.
2. Where another narrative re-tells the source's last stretch and then goes on (a fan site's first half
   beside a blog's whole story), the story continues from it after that point, and says so.
3. Sentences of any other document are never merged in. Where they narrate a stretch the told plot covers
   and the told plot does not support them, they are left out (and cost their document reliability).
4. The premise is the told plot's opening, up to PREMISE_SENTENCES sentences, before anything that spoils.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.ingest.resolve.spoilers import has_cue, reveals
from bot.ingest.text import Span, content_stems, overlap
from bot.storage.models import Spoil

log = logging.getLogger(__name__)

# A retelling of one event names most of the same people, places and objects: a sentence is supported when
# at least half of its content words occur in two consecutive sentences of the other narrative.
SUPPORT_THRESHOLD = 0.5
# ... and at least two of them: one shared name ("Amy is alive." beside any sentence about Amy) is chance.
SUPPORT_MIN_WORDS = 2
# A narrative is a plot when it tells at least this many sentences; a single sentence is at most a premise.
PLOT_MIN_SENTENCES = 2
# Another narrative continues the told one only if it re-tells the told one's final stretch (its last
# quarter of sentences) and then tells at least CONTINUE_MIN_SENTENCES more.
TAIL_SHARE = 0.25
CONTINUE_MIN_SENTENCES = 2
# The premise: the opening situation, one or two sentences.
PREMISE_SENTENCES = 2
# A prologue is an opening about nobody in the top billing, until the story jumps ahead in time.
_TIME_SKIP = re.compile(
    r"^(?:some ?time|(?:\w+ )?(?:years?|months?|weeks?|days?|decades?)) later\b", re.IGNORECASE
)
# Reliabilities closer than this are a tie (one agreement more or less among a dozen facts moves a
# reliability by about this much): between tied narratives, the more complete one is the plot source.
TRUST_MARGIN = 0.05
PARTS = ("beginning", "middle", "end")


@dataclass
class PlotBeat:
    text: str
    document: str
    start: int
    end: int
    spoil: Spoil
    part: str


@dataclass
class Story:
    premise: list[PlotBeat] = field(default_factory=list)
    beats: list[PlotBeat] = field(default_factory=list)
    document: str | None = None
    continued_from: str | None = None
    left_out: list[tuple[str, Span]] = field(default_factory=list)
    stems: Stems = field(default_factory=list)  # the told plot's content words, sentence by sentence
    told: dict[str, int] = field(default_factory=dict)  # per document: story sentences the plot supports
    narrated: dict[str, int] = field(default_factory=dict)  # ... of those where the plot narrates too


Stems = list[frozenset[str]]


def _best(stems: frozenset[str], windows: Stems) -> tuple[float, int]:
    """The best (overlap, position) of a sentence among another narrative's two-sentence windows."""
    best = (0.0, -1)
    for i, window in enumerate(windows):
        score = overlap(stems, window)
        if score > best[0]:
            best = (score, i)
    return best


def _supported(own: Stems, other: Stems) -> list[int | None]:
    """For each sentence, the position in `other` that supports it (None when unsupported)."""
    windows = [other[i] | (other[i + 1] if i + 1 < len(other) else frozenset()) for i in range(len(other))]
    out: list[int | None] = []
    for stems in own:
        score, pos = _best(stems, windows)
        shared = score * len(stems)
        out.append(pos if score >= SUPPORT_THRESHOLD and shared >= SUPPORT_MIN_WORDS else None)
    return out


def _continuation(told: Stems, other: Stems, stopped: bool) -> int | None:
    """Where `other` goes on past the end of the told narrative: the index of its first sentence beyond.

    It re-tells the told narrative's final stretch, then goes on; or, where the told narrative stops on
    purpose (a teaser, "no spoilers past the halfway mark"), it agrees with it somewhere and then tells
    more that the told narrative does not."""
    support = _supported(other, told)
    matched = [(k, pos) for k, pos in enumerate(support) if pos is not None]
    tail = len(told) - max(1, round(TAIL_SHARE * len(told)))
    at_tail = [k for k, pos in matched if pos + 1 >= tail]  # the pair windows reach one sentence further
    if at_tail and len(matched) >= 2:
        last = max(at_tail)
    elif stopped and matched:
        last = max(k for k, _ in matched)
    else:
        return None
    if len(other) - (last + 1) < CONTINUE_MIN_SENTENCES:
        return None
    return last + 1


def tell(
    narrative: dict[str, list[Span]],
    trust: dict[str, float],
    copies: set[str],
    lead: frozenset[str] = frozenset(),
    stopped: frozenset[str] = frozenset(),
    sectioned: frozenset[str] = frozenset(),
    loglines: dict[str, Span] | None = None,
) -> Story:
    """Choose the plot source, continue it where it stops, and score every other narrative against it.
    `lead` holds the words of the top-billed characters' names (to tell a prologue from the story);
    `stopped` the documents that tell only part of the story on purpose; `sectioned` those that tell it in a
    section of its own (a deliberate telling, preferred to one a review tells in passing); `loglines` each
    document's one-sentence summary of the story ("It follows one boy, Chiron, ..."), which opens the
    premise where the plot source has one."""
    stems = {name: [content_stems(s.text) for s in spans] for name, spans in narrative.items()}
    candidates = [n for n, spans in narrative.items() if n not in copies and len(spans) >= PLOT_MIN_SENTENCES]
    story = Story()
    if not candidates:
        single = [n for n, spans in narrative.items() if n not in copies and spans]
        if single:  # one sentence of story is still the opening situation
            name = max(single, key=lambda n: (trust[n], n))
            story.premise = _premise(narrative[name], name, lead)
            story.document = name
        return story
    best = max(trust[n] for n in candidates)
    ranked = sorted(
        candidates,
        key=lambda n: (trust[n] >= best - TRUST_MARGIN, n in sectioned, _words(narrative[n]), trust[n], n),
        reverse=True,
    )
    source = ranked[0]
    log.debug(
        "plot source: %s (%d story sentences, reliability %.2f); candidates %s",
        source,
        len(narrative[source]),
        trust[source],
        [(n, len(narrative[n]), round(trust[n], 2)) for n in ranked],
    )
    told: list[tuple[str, Span]] = [(source, s) for s in narrative[source]]
    told_stems = list(stems[source])
    for other in ranked[1:]:
        start = _continuation(told_stems, stems[other], source in stopped)
        if start is not None:
            log.debug(
                "plot continues from %s at its sentence %d: %s", other, start, narrative[other][start].text
            )
            told += [(other, s) for s in narrative[other][start:]]
            told_stems += stems[other][start:]
            story.continued_from = other
            break
    fuller = [
        n
        for n in ranked[1:]
        if trust[n] >= best - TRUST_MARGIN
        and n not in stopped
        and _words(narrative[n]) > _words(narrative[source])
    ]
    if source in stopped and story.continued_from is None and fuller:
        # A telling that stops on purpose and that nothing continues is a teaser: a fuller telling of
        # the whole story, as trustworthy, is the plot.
        source = fuller[0]
        log.debug("plot source: %s instead (the first telling stops and nothing continues it)", source)
        told, told_stems = [(source, s) for s in narrative[source]], list(stems[source])
    story.document = source
    premise = _premise([s for d, s in told if d == source], source, lead)
    summary = (loglines or {}).get(source)
    story.premise = premise
    if summary is not None:
        summary_beat = PlotBeat(summary.text, source, summary.start, summary.end, Spoil.SAFE, "beginning")
        story.premise = [summary_beat, *premise[: PREMISE_SENTENCES - 1]]
        premise = story.premise[1:]
    # The premise opens the story: its sentences are not told again, unless a prologue comes before them.
    opening = {(d, s.start) for d, s in told[: len(premise)]}
    in_premise = {(source, b.start) for b in premise}
    rest = [(d, s) for d, s in told if not (in_premise == opening and (d, s.start) in in_premise)]
    for i, (doc, s) in enumerate(rest):
        part = PARTS[min(2, i * 3 // max(1, len(rest)))]
        spoil = (
            Spoil.ENDING
            if part == "end"
            else Spoil.MAJOR
            if part == "middle" or has_cue(s.text)
            else Spoil.MILD
        )
        story.beats.append(PlotBeat(s.text, doc, s.start, s.end, spoil, part))
    _judge(story, narrative, stems, told, told_stems, copies)
    story.stems = told_stems
    return story


def early(sentences: list[Span], story: Story) -> list[Span]:
    """Of a telling's sentences, those the told plot supports within its first third."""
    opening = (len(story.premise) + len(story.beats)) // 3 + 1
    support = _supported([content_stems(s.text) for s in sentences], story.stems)
    return [s for s, pos in zip(sentences, support, strict=True) if pos is not None and pos < opening]


def unsupported(sentences: list[Span], story: Story) -> list[Span]:
    """Of sentences that talk about the story (outside any telling of it: a forum post's aside, a blog's
    commentary), those the told plot does not support: possible inventions, never shown as search hits."""
    if not story.stems:
        return []
    support = _supported([content_stems(s.text) for s in sentences], story.stems)
    return [s for s, pos in zip(sentences, support, strict=True) if pos is None]


def _words(spans: list[Span]) -> int:
    """How much of the story a narrative tells: its words (a sparse summary of the whole story tells less
    than a detailed first half)."""
    return sum(len(s.text.split()) for s in spans)


def _premise(spans: list[Span], document: str, lead: frozenset[str]) -> list[PlotBeat]:
    """The opening situation: the story's first sentences (after a prologue, if it has one), up to
    PREMISE_SENTENCES within its first third, stopping before a reveal. A death that opens the story is
    its situation, not a spoiler."""
    start = _prologue(spans[: max(1, len(spans) // 2)], lead)  # a prologue is shorter than half the story
    opening = spans[: start + max(1, len(spans) // 3)]
    out: list[PlotBeat] = []
    for s in opening[start : start + PREMISE_SENTENCES]:
        if reveals(s.text):
            break
        out.append(PlotBeat(s.text, document, s.start, s.end, Spoil.SAFE, "beginning"))
    return out


def _prologue(opening: list[Span], lead: frozenset[str]) -> int:
    """Where the story proper starts: after opening sentences that name none of the leading characters,
    at a jump ahead in time ("Some time later, Chris ..."); 0 when the story has no prologue."""
    for i, s in enumerate(opening):
        if lead & set(re.findall(r"[\w'-]+", s.text)):
            return i if i and _TIME_SKIP.match(s.text) else 0
    return 0


def _judge(
    story: Story,
    narrative: dict[str, list[Span]],
    stems: dict[str, Stems],
    told: list[tuple[str, Span]],
    told_stems: Stems,
    copies: set[str],
) -> None:
    """How each other narrative stands against the told plot, sentence by sentence where the plot narrates
    the same stretch: a supported sentence is an agreement, for it and for the telling that supports it; an
    unsupported one counts against it (and for the plot source, as a fact's losing vote counts for the
    winner) and is left out. A telling's own sentences are the reference, not evidence: a document earns
    nothing for being the plot source, only for what other documents' tellings confirm."""
    told_at = {(d, s.start) for d, s in told}
    tellers = [d for d, _ in told]
    counts = {name: [0, 0] for name in narrative}  # told the same way, compared

    def count(name: str, agreed: bool) -> None:
        counts[name][0] += agreed
        counts[name][1] += 1

    for name, spans in narrative.items():
        if name in copies:
            continue
        mine = [k for k, s in enumerate(spans) if (name, s.start) not in told_at]
        if not mine:
            continue
        support = _supported([stems[name][k] for k in mine], told_stems)
        beyond = _beyond(support, len(told_stems))
        for j, k in enumerate(mine[:beyond]):
            pos = support[j]
            count(name, pos is not None)
            count(tellers[pos] if pos is not None else story.document or name, True)
            if pos is None:
                log.debug("left out from %s (the plot tells this stretch otherwise): %s", name, spans[k].text)
                story.left_out.append((name, spans[k]))
        log.debug(
            "%s narrates %d sentences: %d told the same way by the plot, %d left out",
            name,
            len(spans),
            counts[name][0],
            counts[name][1] - counts[name][0],
        )
    for name, (agreed, compared) in counts.items():
        if compared:
            story.told[name], story.narrated[name] = agreed, compared


def _beyond(support: list[int | None], told_len: int) -> int:
    """Sentences from here on tell what comes after the told plot ends (not comparable with it)."""
    matched = [(k, pos) for k, pos in enumerate(support) if pos is not None]
    if not matched:
        return len(support)
    last, pos = matched[-1]
    tail = told_len - max(1, round(TAIL_SHARE * told_len))
    return last + 1 if pos + 1 >= tail else len(support)
