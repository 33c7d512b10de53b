"""Grading the story and what every reply exposes: plot beats, premise, spoilers outside tags, garbles shown."""

from __future__ import annotations

import re

from bench.grading.answers import Answers
from bench.grading.match import has_all, has_phrase
from bench.grading.shown import Shown, Snapshot
from bench.grading.tally import Tally, show

# "- Starring: …", "Production Companies: …": an infobox line is a capitalised label and a colon.
_INFOBOX_LABEL = re.compile(r"(?:^|[\n.;]\s*|\s-\s)\s*[-*•]?\s*[A-Z][A-Za-z]+(?: [A-Za-z]+){0,2}:\s+\S")
_LIST_LINE = re.compile(r"(?m)^\s*(?:[-*•#]|\d+\.)\s")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def premise_problems(premise: str) -> list[str]:
    """Why a premise is not a spoiler-free opening situation told in sentences (empty when it is one)."""
    found = []
    if _LIST_LINE.search(premise) or len(_INFOBOX_LABEL.findall(premise)) >= 2:
        found.append("looks like infobox or list lines")
    if not _SENTENCE_END.search(premise.strip()):
        found.append("does not end as a sentence (a headline or a label?)")
    return found


def _events(a: Answers, snap: Snapshot, t: Tally) -> None:
    beats = [b.text for b in sorted(snap.plot.beats, key=lambda b: b.index)]
    premise = snap.plot.premise
    t.events_expected += len(a.events)
    last = -1  # the premise comes first (-1), then beats by index
    for event in a.events:
        where = ([-1] if premise and has_all(premise, event) else []) + [
            i for i, text in enumerate(beats) if has_all(text, event)
        ]
        if not where:
            t.problems.append(f"plot: event {list(event)} not told")
            continue
        t.events_told += 1
        later = [i for i in where if i >= last]
        if later:
            last = later[0]
        else:
            t.bad(f"plot: event {list(event)} told only before the event listed before it (story order)")


def _premise(a: Answers, snap: Snapshot, t: Tally) -> None:
    premise = snap.plot.premise.strip()
    if not (a.told or a.premise_mentions):
        return
    if not premise:
        t.gone("premise: none shown")
        return
    for word in a.premise_mentions:
        t.check(has_phrase(premise, word), f"premise: {word!r} not in {show(premise)}")
    for problem in premise_problems(premise):
        t.bad(f"premise: {problem}: {show(premise)}")
    opening = " ".join(premise.split()[:8])
    t.check(
        has_phrase(snap.reply("/movie").seen(), opening) and has_phrase(snap.reply("/plot").seen(), opening),
        f"premise: not shown in the clear in /movie and /plot: {show(premise)}",
    )


def grade_story(a: Answers, snap: Snapshot, t: Tally) -> None:
    plot = snap.plot
    beats = plot.beats
    if a.told is False:
        t.check(not beats, f"plot: no document narrates the story, but {len(beats)} beats are told")
    elif a.told:
        if beats:
            t.ok()
        else:
            t.gone("plot: no beats told")
    if a.told_by and beats:
        outside = sorted({b.provenance.document for b in beats} - set(a.told_by))
        t.check(not outside, f"plot: beats told from {outside}, expected only from {list(a.told_by)}")
    _events(a, snap, t)
    _premise(a, snap, t)
    for phrase in a.not_beats:
        told = [f"beat {b.index + 1}" for b in beats if has_phrase(b.text, phrase)]
        told += ["the premise"] if has_phrase(plot.premise, phrase) else []
        if told:
            t.bad(f"plot: {phrase!r} (a document's framing, not the story) told as {', '.join(told)}")


def _places(found: list[str], most: int = 4) -> str:
    shown = ", ".join(found[:most])
    return f"{shown} (+{len(found) - most} more)" if len(found) > most else shown


def _where(replies: list[Shown], phrase: str, *, hidden_counts: bool) -> list[str]:
    """Every reply showing `phrase` (revealed text when `hidden_counts`, else what is readable before
    revealing), with the first place in it."""
    found = []
    for reply in replies:
        for part in reply.parts:
            text = part.revealed(reply.echo) if hidden_counts else part.seen(reply.echo)
            if has_phrase(text, phrase):
                found.append(f"{reply.command} ({part.where})")
                break
    return found


def grade_exposure(a: Answers, snap: Snapshot, t: Tally) -> None:
    """Spoilers readable before revealing anything, anywhere; `never` phrases anywhere but /sources.

    Each phrase counts once (a leak or a garble); its problem line names the replies it showed in."""
    for reply in snap.replies:
        for problem in reply.limits:
            t.bad(f"limits: {reply.command}: {problem}")
    for phrase in a.spoilers:
        found = _where(snap.replies, phrase, hidden_counts=False)
        if found:
            t.leak(f"spoiler: {phrase!r} readable outside tags in {_places(found)}")
    speaking = [r for r in snap.replies if r.command != "/sources"]
    for phrase in a.never:
        found = _where(speaking, phrase, hidden_counts=True)
        if found:
            t.garble(f"never: {phrase!r} shown in {_places(found)}")
