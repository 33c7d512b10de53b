"""Talk about the story outside any telling of it: a blog's aside on a character, a forum post's summary, a
comment on a scene. Sentences that name the characters, outside a document's telling and outside sections
that never narrate (cast, soundtrack, reception, ...).

Where the told plot supports such a sentence, it agrees with the story; where it does not, it may be an
invention (said in passing, or as commentary): it counts against its document's reliability, as a
narrative's unsupported sentence does, and it is never a search hit; nor is any other sentence of that
document that uses the words only its unsupported sentences use ("the séance scene???" in a comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.resolve.narrative import NOT_STORY, is_commentary, is_framing
from bot.ingest.resolve.plot import Story, unsupported
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, content_stems, sentences


@dataclass
class Talk:
    """One document's talk about the story: all of it, and what the told plot does not support; and of
    those, the claims about the story (not the writer's opinion, nor talk about the film as a film), which
    are what its reliability is judged on."""

    sentences: list[Span] = field(default_factory=list)
    unsupported: list[Span] = field(default_factory=list)
    claims: list[Span] = field(default_factory=list)
    unsupported_claims: list[Span] = field(default_factory=list)


def story_talk(
    docs: list[Doc],
    story: Story,
    narrative: dict[str, list[Span]],
    characters: frozenset[str],
    copies: set[str],
    actors: frozenset[str] = frozenset(),
) -> dict[str, Talk]:
    """Each document's talk about the story (not the tellings of the plot, nor copies)."""
    tellers = {story.document, story.continued_from}
    out: dict[str, Talk] = {}
    for d in docs:
        if d.name in tellers or d.name in copies:
            continue
        told = {s.start for s in narrative.get(d.name, [])}
        talk = [
            s
            for s in sentences(d.text, d.body_start)
            if s.start not in told
            and d.section_at(s.start) not in NOT_STORY
            and any(w in characters for w in re.findall(r"[A-Z][\w'-]+", s.text))
        ]
        invented = unsupported(talk, story)
        claims = [s for s in talk if not is_framing(s.text) and not is_commentary(s.text, actors)]
        out[d.name] = Talk(talk, invented, claims, [s for s in claims if s in invented])
    return out


def unsearchable(docs: list[Doc], story: Story, talk: dict[str, Talk]) -> set[tuple[str, int]]:
    """Sentences never offered as search hits: those left out of the plot, and any other sentence of a
    document that is not the plot source which talks about the characters in a way the plot does not
    support (a possible invention, even when said as commentary)."""
    out = {(d, s.start) for d, s in story.left_out}
    stems = {d.name: content_stems(d.text) for d in docs}
    plot = frozenset().union(*(content_stems(b.text) for b in story.beats))
    for d in docs:
        if d.name not in talk:
            continue
        invented = talk[d.name].unsupported + [s for doc, s in story.left_out if doc == d.name]
        out |= {(d.name, s.start) for s in invented}
        # Words only the document's unsupported sentences use (no other document, not the plot): any other
        # sentence using them talks about the same invention ("the séance scene???" in a comment).
        elsewhere = frozenset().union(*(stems[o.name] for o in docs if o.name != d.name), plot)
        own = frozenset().union(*(content_stems(s.text) for s in invented)) - elsewhere
        out |= {(d.name, s.start) for s in sentences(d.text, d.body_start) if content_stems(s.text) & own}
    return out
