"""Truth discovery: one value per field from reliability-weighted votes; reliability learned from agreement.

- Each document votes once per field (its first, most explicit claim), unless it contradicts itself there.
- A near-copy never votes: its claims weigh nothing. A number or date it gives differently stays listed as
  an alternative (it may be an older version of the facts); its differing words were taken out before.
- A document's reliability is (agreements + PRIOR) / (contested + 2 * PRIOR), counted over the fields other
  documents also speak to, and over the story sentences it narrates where the told plot narrates too. Votes
  weigh the log-odds of that reliability (as TruthFinder's trustworthiness score).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from bot.ingest.extract import Claim

# Beta prior: a document nobody can check starts at one half, and a few agreements or disagreements move it.
PRIOR = 1.0
# A value a document sets against its label (an infobox row) is stated on purpose; one read from prose may
# be said in passing, or of another film. Such a vote weighs a quarter more: between two single witnesses of
# equal standing the labelled value wins, but two independent witnesses still outvote one labelled row.
LABELLED_WEIGHT = 1.25
# Iterations of vote -> reliability -> vote; values settle in a few rounds (stops early when unchanged).
ROUNDS = 10
# Fields whose numbers or dates a copy may give from an older version of the facts: alternatives, not garbles.
NUMERIC = frozenset(
    {
        "year",
        "runtime",
        "premiere_date",
        "release_date",
        "trailer",
        "rotten_tomatoes",
        "rotten_tomatoes_count",
        "metacritic",
        "metacritic_count",
        "imdb",
    }
)
UNVOTED = frozenset({"reviewer_rating"})  # a reviewer's own rating is theirs, not a fact to vote on
# Fields with one true value: a document giving two of them contradicts itself and does not vote there.
SINGLE = frozenset({"year", "runtime", "rotten_tomatoes", "metacritic", "imdb", "director", "release_date"})


@dataclass(frozen=True)
class Vote:
    claim: Claim
    document: str
    weightless: bool = False  # a near-copy's claim: listed, never counted


@dataclass
class Resolved:
    """One field's outcome."""

    field: str
    winner: Vote
    tied: bool  # as strong as another value: nobody can be said to agree or disagree
    supporters: tuple[str, ...]
    alternatives: tuple[tuple[Claim, tuple[str, ...]], ...]  # (the best claim of a losing value, documents)


@dataclass
class Standing:
    """Why a document is as reliable as it is."""

    agreed: int = 0
    contested: int = 0
    told: int = 0  # story sentences that the told plot also narrates
    narrated: int = 0  # story sentences where the told plot narrates the same stretch
    garbles: int = 0

    def reliability(self) -> float:
        agree = self.agreed + self.told
        total = self.contested + self.narrated + self.garbles
        return (agree + PRIOR) / (total + 2 * PRIOR)


@dataclass
class Truth:
    facts: dict[str, Resolved]
    trust: dict[str, float]
    standing: dict[str, Standing] = field(default_factory=dict)


def weight(trust: float) -> float:
    """A source's vote: the log-odds of being right, as TruthFinder's trustworthiness score."""
    trust = min(max(trust, 0.01), 0.99)
    return -math.log(1 - trust)


def first_votes(document: str, claims: list[Claim], weightless: bool) -> tuple[list[Vote], list[str]]:
    """One vote per field: the document's first claim, unless its claims for a single-valued field
    disagree (then none, and the field is named in the returned contradictions)."""
    by_field: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.field not in UNVOTED:
            by_field[c.field].append(c)
    votes, contradictions = [], []
    for name, found in by_field.items():
        if name in SINGLE and len({c.key for c in found}) > 1:
            contradictions.append(f"{name}: {' / '.join(dict.fromkeys(c.value for c in found))}")
            continue
        votes.append(Vote(found[0], document, weightless))
    return votes, contradictions


# Fields whose value is a set (names, or a genre's words): a value that is part of another ("Wes Anderson"
# beside "Wes Anderson, Hugo Guinness"; "drama" beside "psychological drama") says less, not otherwise.
SETS = frozenset(
    {
        "writers",
        "producers",
        "companies",
        "distributor",
        "featured",
        "director",
        "composer",
        "cinematographer",
        "editor",
        "country",
    }
)
WORD_SETS = frozenset({"genre"})


def _items(name: str, key: str) -> frozenset[str]:
    if name in SETS:
        return frozenset(key.split("|"))
    if name in WORD_SETS:
        return frozenset(key.split())
    return frozenset()


def absorb(votes: dict[str, list[Vote]]) -> dict[str, list[Vote]]:
    """A vote for part of another vote's set supports the whole set (the most complete value it is part of)."""
    out: dict[str, list[Vote]] = {}
    for name, field_votes in votes.items():
        keys = {v.claim.key: _items(name, v.claim.key) for v in field_votes}
        moved = []
        for v in field_votes:
            mine = keys[v.claim.key]
            wider = [k for k, items in keys.items() if mine and mine < items]
            if wider:
                key = max(wider, key=lambda k: (len(keys[k]), k))
                v = replace(v, claim=replace(v.claim, key=key, extra={**v.claim.extra, "part": "1"}))
            moved.append(v)
        out[name] = moved
    return out


def discover(
    votes: dict[str, list[Vote]],
    witness: dict[str, str],
    documents: list[str],
    extra: dict[str, Standing] | None = None,
) -> Truth:
    """Pick one value per field by reliability-weighted votes of independent witnesses; learn reliability.

    `extra` carries what is known about each document beyond votes (narration, garbles)."""
    fields = {name: _Field.of(name, field_votes) for name, field_votes in absorb(votes).items()}
    # Where nobody can agree or disagree: one witness, one value.
    alone = {
        name
        for name, f in fields.items()
        if len({witness[v.document] for v in f.votes if not v.weightless}) < 2 and len(f.by_key) < 2
    }
    trust = dict.fromkeys(documents, 0.5)
    ranks: dict[str, tuple[tuple[float, ...], list[str], bool]] = {}  # by the voters' reliability
    standing: dict[str, Standing] = {}
    used = trust
    for _ in range(ROUNDS):
        used = trust
        weights = {d: weight(t) for d, t in trust.items()}
        standing = {d: _copy_standing(extra, d) for d in documents}
        for name, f in fields.items():
            voters = tuple(trust[v.document] for v in f.votes)
            last = ranks.get(name)
            if last is None or last[0] != voters:  # a ranking changes only with its voters' reliability
                last = ranks[name] = (voters, *f.rank(witness, trust, weights))
            _, ranked, tied = last
            if name in alone or tied:
                continue
            for v in f.votes:
                standing[v.document].contested += 1
                standing[v.document].agreed += v.claim.key == ranked[0]
        new = {d: standing[d].reliability() for d in documents}
        if new == trust:
            break
        trust = new
    resolved = {name: f.resolved(ranks[name][1], ranks[name][2], used) for name, f in fields.items()}
    return Truth(resolved, trust, standing)


def _copy_standing(extra: dict[str, Standing] | None, doc: str) -> Standing:
    base = (extra or {}).get(doc)
    return Standing(0, 0, base.told, base.narrated, base.garbles) if base else Standing()


@dataclass
class _Field:
    """One field's votes, grouped by value (what does not depend on reliability, made once)."""

    name: str
    votes: list[Vote]
    by_key: dict[str, list[Vote]]
    detail: dict[str, int]  # the most explicit claim of each value ("70% of 98 reviews" over "71/100")

    @classmethod
    def of(cls, name: str, votes: list[Vote]) -> _Field:
        by_key: dict[str, list[Vote]] = defaultdict(list)
        detail: dict[str, int] = {}
        for v in votes:
            key = v.claim.key
            by_key[key].append(v)
            detail[key] = max(detail.get(key, 0), len(v.claim.extra))
        return cls(name, votes, dict(by_key), detail)

    def rank(
        self, witness: dict[str, str], trust: dict[str, float], weights: dict[str, float]
    ) -> tuple[list[str], bool]:
        """The values, strongest first, and whether the first two are as strong as each other."""
        if len(self.by_key) == 1:  # one value: nothing to weigh
            return list(self.by_key), False
        strengths = {key: self._strength(key, witness, trust, weights) for key in self.by_key}
        # Between equally strong values, the more explicit claim.
        ranked = sorted(self.by_key, key=lambda k: (strengths[k], self.detail[k], k), reverse=True)
        return ranked, len(ranked) > 1 and strengths[ranked[1]] == strengths[ranked[0]]

    def _strength(
        self, key: str, witness: dict[str, str], trust: dict[str, float], weights: dict[str, float]
    ) -> tuple[float, float]:
        best_per_witness: dict[str, float] = {}
        top = 0.0
        for v in self.by_key[key]:
            if v.weightless:
                continue
            given = weights[v.document] * (LABELLED_WEIGHT if v.claim.labelled else 1.0)
            w = witness[v.document]
            if given > best_per_witness.get(w, 0.0):
                best_per_witness[w] = given
            top = max(top, trust[v.document])
        return (round(sum(best_per_witness.values()), 9), round(top, 9))

    def resolved(self, ranked: list[str], tied: bool, trust: dict[str, float]) -> Resolved:
        by_key = self.by_key
        win = ranked[0]
        # The winning value as its most explicit independent claim gives it ("99% of 469 reviews" over
        # "99/100").
        winner = max(
            by_key[win],
            key=lambda v: (
                not v.weightless,
                "part" not in v.claim.extra,
                len(v.claim.extra),
                trust[v.document],
                len(v.claim.value),
                v.document,
            ),
        )
        return Resolved(
            self.name,
            winner,
            tied,
            tuple(sorted({v.document for v in by_key[win] if not v.weightless} or {winner.document})),
            tuple(
                (
                    max(by_key[k], key=lambda v: trust[v.document]).claim,
                    tuple(sorted({v.document for v in by_key[k]})),
                )
                for k in ranked[1:]
            ),
        )
