"""Which of two names is the character and which the actor, where the writing does not say.

"Alex Hibbert (Little)" and "Lynn (Toni Collette)", "Chihiro Ogino / Sen – Rumi Hiiragi" and "Rumi Hiiragi –
Chihiro": pages write credits either way round. Three kinds of evidence, in order:

1. The shape of each name. A person's name is two to four capitalised words. A character's may be one word
   ("Haku"), carry a title ("Agent Smith", "Dr. Malcolm Crowe"), an article or an age ("the Oracle",
   "young Kevin"), or join two names ("Yubaba / Zeniba", "Yubaba and Zeniba").
2. For pairs whose shapes say nothing (two ordinary two-word names), the way the rest of the document runs:
   its other pairs, where their shapes did say.
3. Otherwise, mentions: a story talks about its characters by name again and again, and names an actor once
   or twice. The side whose words the document uses more often outside the credits is the character.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

# Titles and ranks that open a character's name, not an actor's.
HONORIFICS = frozenset(
    """mr mrs ms miss dr doctor agent detective officer inspector sergeant sgt captain capt lieutenant lt colonel
    col general major chief commander lord lady sir dame king queen prince princess duke duchess count countess
    baron uncle aunt auntie father mother sister brother grandma grandpa granny professor prof judge mayor
    president senator governor nurse coach reverend rev saint st young old little baby""".split()
)
# Words that say how old a character is at this point of the story ("young Kevin", "teen Kevin").
AGES = r"(?:young(?:er)?|little|teen(?:age)?|child|adult|older|old|elderly|baby)"
_PARTICLES = frozenset("de van von der da di del le la du dos das bin al".split())


def role_score(name: str) -> int:
    """How much a name looks like a character's rather than a person's (higher: more a character's)."""
    tokens = name.replace("/", " / ").split()
    if not tokens:
        return 0
    score = 0
    if "/" in tokens or any(t.lower() in {"and", "&"} for t in tokens):
        score += 2  # two names for one part ("Yubaba / Zeniba"), or one actor's two parts
    if len(tokens) > 1 and any(t[:1].islower() and t not in _PARTICLES and t.isalpha() for t in tokens):
        score += 2  # "the Oracle", "young Kevin" (but a stage name may start in lower case: "iOTA")
    if tokens[0].rstrip(".").lower() in HONORIFICS or tokens[0].lower() in {"the", "a", "an"}:
        score += 2
    if len(tokens) == 1:
        score += 1
    elif score == 0 and 2 <= len(tokens) <= 4:
        score -= 1  # "Rumi Hiiragi": a person's name
    return score


def mentions(text: str) -> Counter[str]:
    """How often each capitalised word occurs in a text."""
    return Counter(re.findall(r"\b[A-Z][\w'-]*", text))


def _mentioned(name: str, counts: Counter[str], own: Counter[str]) -> float:
    """How often the name's words occur elsewhere (beyond the credits themselves), per word."""
    tokens = [t for t in re.findall(r"\b[A-Z][\w'-]*", name) if t.lower() not in HONORIFICS]
    if not tokens:
        return 0.0
    return sum(max(0, counts[t] - own[t]) for t in tokens) / len(tokens)


def character_first(pairs: Sequence[tuple[str, str]], text: str, default: bool) -> list[bool]:
    """For each (first, second) pair of names, True when the first is the character. Pairs whose names'
    shapes decide are decided by them; the rest follow the document's decided pairs, then its mentions, then
    `default` (how the syntax is usually read)."""
    decided: list[bool | None] = []
    for first, second in pairs:
        a, b = role_score(first), role_score(second)
        decided.append(None if a == b else a > b)
    votes = [d for d in decided if d is not None]
    if votes and votes.count(True) != votes.count(False):
        majority: bool | None = votes.count(True) > votes.count(False)
    else:
        majority = None
    counts = mentions(text)
    own = mentions(" ".join(f"{a} {b}" for a, b in pairs))
    out = []
    for (first, second), d in zip(pairs, decided, strict=True):
        if d is None:
            d = majority
        if d is None:
            ma, mb = _mentioned(first, counts, own), _mentioned(second, counts, own)
            d = default if ma == mb else ma > mb
        out.append(d)
    return out


def columns_character_first(pairs: Sequence[tuple[str, str]], text: str, default: bool) -> bool:
    """For a list of pairs written one way throughout (a cast list), True when the first column holds the
    characters: by the columns' shapes in total, then by mentions, then `default`."""
    a = sum(role_score(first) for first, _ in pairs)
    b = sum(role_score(second) for _, second in pairs)
    if a != b:
        return a > b
    counts = mentions(text)
    own = mentions(" ".join(f"{x} {y}" for x, y in pairs))
    ma = sum(_mentioned(first, counts, own) for first, _ in pairs)
    mb = sum(_mentioned(second, counts, own) for _, second in pairs)
    return default if ma == mb else ma > mb
