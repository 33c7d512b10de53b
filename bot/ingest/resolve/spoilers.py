"""What spoils, recognised without any one film's words.

- General cues of a reveal, in any inflection: twists, reveals, secrets, deaths, killings, endings.
- Where a sentence sits in the story: the told plot's second and last thirds spoil; its premise does not.
- What only the later story mentions: content words found in the spoiling beats and nowhere in the
  opening (the premise, the opening beats, and the first third of every other document's telling). Text elsewhere (a search passage, a cast note, a critic's quote) that
  uses one of them talks about the later story, so it is hidden too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from bot.ingest.extract.sieve import may_match
from bot.ingest.text import content_stems

# A reveal: what the story hid until then.
REVEALS = re.compile(
    r"\b(?:twist(?:s|ed|ing)?|reveal(?:s|ed|ing)?|revelations?|secretly|turns? out|turned out"
    # someone's secret, not the secrets a thief steals or a town keeps in general
    r"|(?:his|her|their|its|the|a) (?:\w+ )?secret\b(?!s)"
    r"|conspir(?:e|es|ed|ing|acy|ators?)|flashbacks?|betray(?:s|ed|al|ing)?|in fact|actually|all along)\b",
    re.IGNORECASE,
)
# A fate or an ending: spoils, except in the opening situation (a murder mystery opens on a death).
FATES = re.compile(
    r"\b(?:die(?:s|d)?|dying|dead|deaths?|kill(?:s|ed|ing|er|ers)?|murder(?:s|ed|ing|er|ers|ous)?|suicide"
    r"|took (?:his|her|their) own life|(?:the|its|an?) ending|ends with|final (?:scene|act|shot|moments?)"
    r"|climax|in the end)\b",
    re.IGNORECASE,
)
# Words so common in any story's telling that their place in the story says nothing.
COMMON = frozenset(content_stems("film movie story later finally then eventually soon after before during"))


# Words every match of REVEALS, and of FATES, contains (lower-cased): a sentence without any is not searched.
REVEAL_NEEDLES = (
    "twist", "reveal", "revelation", "secret", "turn", "conspir", "flashback", "betray", "in fact", "actually",
    "all along",
)  # fmt: skip
FATE_NEEDLES = (
    "die", "dying", "dead", "death", "kill", "murder", "suicide", "own life", "ending", "ends with", "final ",
    "climax", "in the end",
)  # fmt: skip


# Asked of a film's sentences several times over (story, plot, rows): remembered, as `words` is (text.py).
@functools.lru_cache(maxsize=8192)
def has_cue(text: str) -> bool:
    return reveals(text) or (may_match(text, FATE_NEEDLES) and FATES.search(text) is not None)


@functools.lru_cache(maxsize=8192)
def reveals(text: str) -> bool:
    return may_match(text, REVEAL_NEEDLES) and REVEALS.search(text) is not None


def later_terms(
    opening: Iterable[str], spoiling: Iterable[str], outside: Iterable[Iterable[str]]
) -> frozenset[str]:
    """Content words only the spoiling part of the story uses. `outside` holds each independent document's
    sentences that are not story: a word that two of them use (a festival's name, a company) is how people
    talk about the film, not the later story."""
    early = frozenset().union(*(content_stems(t) for t in opening))
    late = frozenset().union(*(content_stems(t) for t in spoiling))
    seen: dict[str, int] = {}
    for texts in outside:
        for stem in frozenset().union(*(content_stems(t) for t in texts)):
            seen[stem] = seen.get(stem, 0) + 1
    general = {stem for stem, n in seen.items() if n >= 2}
    return late - early - COMMON - general


# Two words only the later story uses mark a passage about it; one does when the passage names a character
# (a review's "after Andrew is expelled"), since alone it may be an everyday word ("time", "home").
LATER_TERMS_ALONE = 2


@functools.lru_cache(maxsize=8192)
def spoils(
    text: str, terms: frozenset[str], characters: frozenset[str] = frozenset(), loose: bool = False
) -> bool:
    """A reveal cue, or words only the later story uses. In `loose` writing (a blog, a review, a fan site,
    whose story spills out of its plot section) one such word is enough."""
    if has_cue(text):
        return True
    found = len(content_stems(text) & terms)
    if found >= (1 if loose else LATER_TERMS_ALONE):
        return True
    return found >= 1 and any(w in characters for w in re.findall(r"[A-Z][\w'-]+", text))
