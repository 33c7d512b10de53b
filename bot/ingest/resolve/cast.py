"""The merged cast: every independent document's cast list aligned into credits, in billing order.

Two lines are one credit when they are the same kind of role (young or not), their character names are
compatible, and the actors share a surname or nearly the whole name. A near-copy's lines never add a
credit: each is matched to an independent credit by its character, and an actor name that differs there is
the copy's garble (kept for /sources only), never an "also credited as".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.ingest.extract import CreditClaim, Extraction
from bot.ingest.resolve.truth import Resolved
from bot.ingest.values import person_key, surname

# Spellings of one name ("Jon Bernthal" / "John Bernthal") score above this; different people below.
SAME_NAME_RATIO = 85

Group = list[tuple[str, CreditClaim]]


@dataclass
class MergedCredit:
    actor: Resolved
    character: str
    note: str
    note_spoiler: str
    documents: tuple[str, ...]
    adult_index: int | None = None
    credited_as: str | None = None
    claims: Group = field(default_factory=list)


# The ages a cast list gives one character at ("young Kevin", "teen Kevin", "adult Kevin"), by stage.
_STAGES = (
    ("young", r"young(?:er)?|little|child|kid|baby"),
    ("teen", r"teen(?:age)?|adolescent"),
    ("old", r"adult|older|old|elderly|grown-up"),
)
_AGE = re.compile(rf"(?i)({'|'.join(words for _, words in _STAGES)})\s+")


@functools.lru_cache(maxsize=4096)
def stage(character: str) -> tuple[str, str]:
    """('young', 'Kevin') for 'young Kevin'; ('', 'Lizzie') for 'Lizzie'."""
    m = _AGE.match(character)
    if not m:
        return "", character
    word = m.group(1).lower()
    name = next(name for name, words in _STAGES if re.fullmatch(words, word))
    return name, character[m.end() :]


def young(character: str) -> str | None:
    """The character a younger version is of ('Young Charlotte' -> 'Charlotte'); None for the rest."""
    kind, base = stage(character)
    return base if kind in {"young", "teen"} else None


@functools.lru_cache(maxsize=4096)  # a film's characters, compared pair by pair
def _char_tokens(character: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z][\w'-]*", character.lower()))


def same_character(a: str, b: str) -> bool:
    ta, tb = _char_tokens(a), _char_tokens(b)
    if not ta or not tb:
        return False
    return ta <= tb or tb <= ta or fuzz.ratio(a.lower(), b.lower()) >= SAME_NAME_RATIO


def _same_role(a: CreditClaim, b: CreditClaim) -> bool:
    (sa, ba), (sb, bb) = stage(a.character), stage(b.character)
    return sa == sb and same_character(ba, bb)


def same_credit(a: CreditClaim, b: CreditClaim) -> bool:
    """One role in two independent lists: the same role, and the same surname or nearly the same name."""
    if not _same_role(a, b):
        return False
    return (
        surname(a.actor) == surname(b.actor)
        or fuzz.ratio(a.actor.lower(), b.actor.lower()) >= SAME_NAME_RATIO
    )


def group_credits(
    extractions: list[Extraction], original: dict[str, str | None]
) -> tuple[list[Group], list[tuple[str, CreditClaim, str, CreditClaim]]]:
    """Align independent cast lists into credits (most complete list first); then match each copy's lines
    to those credits. Returns the groups, and the copies' garbled lines (copy, its line, the independent
    document and line it garbles)."""
    copies = {d for d, o in original.items() if o is not None}
    independent = [x for x in extractions if x.doc.name not in copies]
    ordered = sorted(independent, key=lambda x: (-len({c.actor for c in x.credits}), x.doc.name))
    groups: list[Group] = []
    for x in ordered:
        last = -1
        for c in x.credits:
            hit = next((i for i, g in enumerate(groups) if any(same_credit(c, o) for _, o in g)), None)
            if hit is None:
                groups.insert(last + 1, [(x.doc.name, c)])
                hit = last + 1
            else:
                groups[hit].append((x.doc.name, c))
            last = max(last, hit)
    garbles: list[tuple[str, CreditClaim, str, CreditClaim]] = []
    for x in sorted((x for x in extractions if x.doc.name in copies), key=lambda x: x.doc.name):
        for c in x.credits:
            group = next((g for g in groups if any(_same_role(c, o) for _, o in g)), None)
            if group is None:
                if not any(y.credits for y in independent):
                    groups.append([(x.doc.name, c)])
                continue
            their_doc, theirs = next(((d, o) for d, o in group if d == original.get(x.doc.name)), group[0])
            if person_key(c.actor) != person_key(theirs.actor):
                garbles.append((x.doc.name, c, their_doc, theirs))
            else:
                group.append((x.doc.name, c))
    return groups, garbles


def first_per_doc(group: Group) -> Group:
    seen: set[str] = set()
    out = []
    for doc, c in group:
        if doc not in seen:
            seen.add(doc)
            out.append((doc, c))
    return out


def merge_credits(
    groups: list[Group], facts: dict[str, Resolved], trust: dict[str, float], copies: set[str]
) -> list[MergedCredit]:
    merged: list[MergedCredit] = []
    for i, group in enumerate(groups):
        by_trust = sorted(group, key=lambda p: (p[0] in copies, -trust[p[0]], p[0]))
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
    for credit in merged:  # younger versions: "Young X" whose X is another credit's character
        base = young(credit.character)
        if base is None:
            continue
        grown = [j for j, other in enumerate(merged) if young(other.character) is None]
        adult = next(
            (
                j
                for j in sorted(grown, key=lambda j: stage(merged[j].character)[0] != "")
                if same_character(base, stage(merged[j].character)[1])
            ),
            None,
        )
        if adult is not None:
            credit.adult_index = adult
            age = _AGE.match(credit.character)
            word = age.group(1).capitalize() if age else "Young"
            credit.character = f"{word} {stage(merged[adult].character)[1]}"
    return merged
