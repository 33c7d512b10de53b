"""Which sentences of a document tell the story, and which only frame it.

A plot section's sentences narrate. Elsewhere (a blog, a review, a spun copy without headings), a paragraph
narrates when it has at least as many sentences about the film's characters as sentences about its actors
or the film itself. In both, a document's own framing is never narration: questions and teasers ("Will this be ...?"),
words about the text ("Here is a short review of ..."), calls to watch, the writer's own voice (I, we, you),
talk about the film as a film (its themes, performances, direction), and sentences naming actors.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable

from bot.ingest.extract.sieve import may_match
from bot.ingest.resolve.spoilers import has_cue
from bot.ingest.shapes import Doc
from bot.ingest.text import Span, iter_sentences, paragraphs, sentences, words
from bot.ingest.values import MONTHS

# Shorter "sentences" are headings, captions and list debris, not story.
STORY_MIN_CHARS = 30
# A question after a colon is reported by the narration when a full clause (this many words) leads to it;
# a short lead-in ("Jess: the seance scene?", "Here's the thing: will she survive?") is the writer asking.
REPORTED_QUESTION_MIN_WORDS = 8
# A name the story keeps using occurs this often (a passing mention of a festival or a critic does not).
RECURRING_NAME_MIN = 3
# The film world's own names, which a story does not use: awards, aggregators, services, formats.
FILM_WORLD = frozenset(
    """Oscar Oscars Academy Award Awards Golden Globe Globes BAFTA BAFTAs Emmy Emmys Razzie Best Picture Film
    Festival Rotten Tomatoes Metacritic IMDb CinemaScore Letterboxd Netflix Max Hulu Disney Prime Blu-ray DVD
    YouTube Apple Amazon Spotify TV""".split()
)
CALENDAR = frozenset(
    [*MONTHS, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Christmas"]
)
# A telling may pause for this many paragraphs of other writing (a note on the cast, a quotation) and go
# on; a narrating paragraph further away from the rest of the telling is not part of it.
STORY_GAP_PARAGRAPHS = 2
# Surnames in two words ("De Niro", "Van Dyke", "Del Toro").
_SURNAME_PARTICLES = frozenset("de del della di da van von der le la du".split())
# Sections that never narrate, even in a document without a plot section.
NOT_STORY = frozenset({"cast", "soundtrack", "reception", "release", "production", "trailer"})

_FRAMING = re.compile(
    r"^(?:here (?:is|are)|here's|below\b|in this (?:article|post|review|piece|video)|let's|read on|find out"
    r"|check out|also check|click|don't miss|stay tuned|spoilers?\b|warning\b|note:)"
    r"|\b(?:plot summary|short review|full review|everything we know|must[- ]watch|must[- ]see|you can watch"
    r"|watch (?:it|the film|the movie|now)|streaming (?:on|service)|available (?:on|to stream)"
    r"|to find out|what happens next|without (?:spoiling|giving (?:anything|too much) away)|spoiler (?:alert|warning)"
    r"|the rest (?:is|of the (?:film|movie|story))|you'll have to|find out (?:what|how|whether|if))\b",
    re.IGNORECASE,
)
# The writer's voice: "I", and the other pronouns in either case ("My roommate fell asleep"), but "US" is
# the country.
_VOICE = re.compile(
    r"\b(?:I|I'm|I've|I'd|[Mm]e|[Mm]y|[Ww]e|[Ww]e're|[Ww]e'll|[Oo]ur|us|[Yy]ou|[Yy]ou're|[Yy]ou'll|[Yy]our)\b"
)
# The film as the subject of a clause ("The movie explores", "After this, the movie takes a turn"), except
# where it tells the story ("The film opens on"); and the vocabulary of reviewing a film.
_FILM_TALK = re.compile(
    r"(?:^|[,;:] )(?:the|this) (?:film|movie|picture)\b(?:'s)?(?! (?:opens|begins|starts|ends|closes|follows|cuts)\b)"
    r"|\b(?:themes?|performances?|director|directing|cinematography|screenplay|audiences?|viewers?|critics?"
    r"|casting|filmmakers?|box office|portray\w*|chemistry|delivers|trailers?|teasers?|posters?"
    r"|(?:on|the|share the|shares the) screen|on[- ]screen|screen time)\b"
    # its making, release and reception: credits, money, figures, awards
    r"|\b(?:(?:written|directed|produced|co-written|edited|scored|shot) (?:and (?:directed|produced) )?by|premiered"
    r"|grossed|budget|opening weekend|nominat\w+|Oscars?|Academy Awards?|Golden Globes?|BAFTA|Best Picture"
    r"|Rotten Tomatoes|Metacritic|IMDb|CinemaScore|streaming|is an? (?:19|20)\d\d\b)"
    r"|\$\s?\d|\b\d+(?:\.\d+)?\s?%",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\([^)]*\)")
_QUOTED = re.compile(r'"[^"]*"')


# A film's sentences are asked about several times over (the story, the plot, the talk about it): the
# answers are remembered, as `words` and `sentences` are (text.py).
@functools.lru_cache(maxsize=8192)
def is_framing(text: str) -> bool:
    """The document speaking about itself, to its reader, or about the film as a film: never a story beat."""
    bare = _QUOTED.sub('""', text)  # dialogue may say "you" or "I"; the narration around it may not
    return (
        _asks(bare)
        or bool(_FRAMING.search(bare))
        or bool(_VOICE.search(bare))
        or bare.rstrip().endswith(("...", "…"))
    )


def _asks(text: str) -> bool:
    """A question to the reader ("Will she escape?"), unless the narration reports one after a colon ("a
    man called Morpheus can answer the question that haunts him: what is the Matrix?")."""
    if not text.rstrip().endswith("?"):
        return False
    head, colon, _ = text.rpartition(": ")
    return not (colon and "?" not in head and len(words(head)) >= REPORTED_QUESTION_MIN_WORDS)


def is_commentary(text: str, actors: Iterable[str]) -> bool:
    """About the film rather than in it: names an actor, in full or by surname ("Pacino and De Niro share
    the screen"), other than in a cast note in brackets ("Anton (Steven Weber)"); or talks of the film as a
    film, its making or its reception."""
    return _is_commentary(text, frozenset(actors))


@functools.lru_cache(maxsize=8192)
def _is_commentary(text: str, actors: frozenset[str]) -> bool:
    bare = _PAREN.sub("", _QUOTED.sub('""', text))
    if _FILM_TALK.search(bare):
        return True
    named = _actor_names(actors)
    return named is not None and named.search(bare) is not None


@functools.lru_cache(maxsize=64)
def _actor_names(actors: frozenset[str]) -> re.Pattern[str] | None:
    """The actors' names, in full or by the surname a review calls them by ("De Niro", "Pacino"), where
    that is a name of its own (three letters at least, capitalised)."""
    names: set[str] = set()
    for a in actors:
        words = a.split()
        names.add(a)
        tail = words[-1] if len(words) > 1 else ""
        if len(words) > 2 and words[-2][:1].isupper() and words[-2].lower() in _SURNAME_PARTICLES:
            tail = f"{words[-2]} {tail}"
        if len(tail) > 2 and tail[:1].isupper():
            names.add(tail)
    if not names:
        return None
    return re.compile(
        r"(?<![\w'-])(?:"
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )


@functools.lru_cache(maxsize=64)  # a film's documents, asked twice (character_words, recurring_names)
def _lower_case_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\b[a-z][a-z'-]+\b", text))


def character_words(characters: Iterable[str], docs: list[Doc], actors: Iterable[str]) -> frozenset[str]:
    """Capitalised words of character names that the documents never write in lower case ("Lizzie", not
    "Young" or "Party"), and that are not part of an actor's name."""
    lower = frozenset().union(*(_lower_case_words(d.text) for d in docs))
    actor_words = {w for a in actors for w in a.split()}
    return frozenset(
        w
        for c in characters
        for w in re.findall(r"[A-Z][\w'-]+", c)
        if w.lower() not in lower and not w.endswith("'s") and w not in actor_words and len(w) > 1
    )


def recurring_names(docs: list[Doc], known: Iterable[str]) -> frozenset[str]:
    """Names the story keeps using, where no cast list names the characters (a blog that tells the story
    and credits nobody): capitalised words that occur at least RECURRING_NAME_MIN times, that no document
    writes in lower case, and that are not the name of a person, company or place the facts name, nor the
    film world's own ("Oscar", "Netflix")."""
    lower = frozenset().union(*(_lower_case_words(d.text) for d in docs))
    known_words = {w for name in known for w in re.findall(r"[\w'-]+", name)} | FILM_WORLD
    counts = Counter(
        w.removesuffix("'s") for d in docs for w in re.findall(r"\b[A-Z][\w'-]+", d.text[d.body_start :])
    )
    return frozenset(
        w
        for w, n in counts.items()
        if n >= RECURRING_NAME_MIN
        and len(w) > 1
        and w.lower() not in lower
        and w not in known_words
        and w not in CALENDAR
    )


def _mentions(text: str, characters: frozenset[str]) -> bool:
    return any(w in characters for w in re.findall(r"[A-Z][\w'-]+", text))


def story_sentences(doc: Doc, characters: frozenset[str], actors: frozenset[str]) -> list[Span]:
    """The sentences in which the document tells the story, in order."""
    plot = doc.section_spans("plot")
    out: list[Span] = []
    if plot:
        for sec in plot:
            out += [
                s
                for s in sentences(doc.text, sec.start, sec.end)
                if _long_enough(s.text, characters) and not is_framing(s.text) and _sentence_like(s.text)
            ]
        return out
    runs: list[list[Span]] = [[]]  # narrating paragraphs, in runs that other writing interrupts
    gap = 0
    for sec in doc.sections:
        if sec.name in NOT_STORY:
            continue
        for para in paragraphs(doc.text, sec.start, sec.end):
            sents = [
                s
                for s in sentences(doc.text, para.start, para.end)
                if _long_enough(s.text, characters) and not _listed(doc.text, s.start) and not _titles(doc, s)
            ]
            if not sents:
                continue
            told = [s for s in sents if _tells(s.text, actors)]
            story = [s for s in told if _mentions(s.text, characters) and _sentence_like(s.text)]
            # Story sentences name characters; the rest of a telling (pronouns, "the two women") is neutral.
            # A paragraph narrates when it has at least as many story sentences as framing or commentary.
            if story and len(story) >= len(sents) - len(told):
                if gap > STORY_GAP_PARAGRAPHS:
                    runs.append([])
                runs[-1] += told
                gap = 0
            elif runs[-1]:
                gap += 1
    # The telling is the longest run: a paragraph that describes a scene far from it (the songs of a
    # soundtrack, a favourite moment in a list of them) is talk about the film.
    return max(runs, key=len)


def _long_enough(text: str, characters: frozenset[str]) -> bool:
    """Story sentences run long; a short one still is one when it names a character ("Amy is alive.")."""
    return len(text) >= STORY_MIN_CHARS or (_mentions(text, characters) and _sentence_like(text))


def _tells(text: str, actors: frozenset[str]) -> bool:
    """Neither framing nor commentary; or a framing or commenting lead-in before a colon, then story
    ("If you have not seen it: on the morning of ...", "About an hour in, the film pulls the rug: ...")."""
    if not is_framing(text) and not is_commentary(text, actors):
        return True
    _, colon, tail = text.partition(": ")
    return (
        bool(colon)
        and len(tail) >= STORY_MIN_CHARS
        and not is_framing(tail)
        and not is_commentary(tail, actors)
    )


# A sentence summing up the story: the film, or its story, as the subject of "follows", "tells the story of",
# "centres on", "is about" (within the sentence's first words: "Set in London, it follows ...").
_LOGLINE = re.compile(
    r"^(?:[^.;:]{0,60}?[,] )?(?:it|the (?:film|movie|picture|story)|this (?:film|movie))(?:'s story)?"
    r" (?:follows|tells (?:the (?:story|tale) of|of)|cent(?:re|er)s (?:on|around)|revolves around|chronicles"
    r"|is about|is the story of|concerns)\b",
    re.IGNORECASE,
)


def logline(doc: Doc, story: list[Span], characters: frozenset[str]) -> Span | None:
    """The document's one-sentence summary of the story, before its telling starts: a sentence whose subject
    is the film and whose verb sums it up, naming a character, neither framing nor revealing anything."""
    end = story[0].start if story else doc.opening_end()
    for s in sentences(doc.text, doc.body_start, end):
        if (
            _LOGLINE.search(s.text)
            and _mentions(s.text, characters)
            and not is_framing(s.text)
            and not has_cue(s.text)
        ):
            return s
    return None


_STOPS = re.compile(
    r"\b(?:no spoilers? (?:past|beyond|after)|(?:I will|I'll|let's) stop (?:there|here)|(?:won't|will not|not going to)"
    r" (?:spoil|give away|reveal)|you(?:'ll| will) have to (?:watch|see)|to find out)\b",
    re.IGNORECASE,
)
STOPS_NEEDLES = ("spoil", "stop ", "give away", "reveal", "have to ", "to find out")  # one is in every match


def stops(doc: Doc, story: list[Span]) -> bool:
    """The document tells only part of the story on purpose: it says so ("no spoilers past the halfway
    mark", "I will stop there"), or its telling ends on a teaser question."""
    if not story:
        return False
    if may_match(doc.text, STOPS_NEEDLES) and _STOPS.search(doc.text):
        return True
    section = doc.section_at(story[-1].start)
    after = list(
        itertools.islice(
            (s for s in iter_sentences(doc.text, story[-1].end) if doc.section_at(s.start) == section), 2
        )
    )
    return any(s.text.rstrip().endswith("?") for s in after)


_LIST_ITEM = re.compile(r"[ ]*(?:\d{1,2}[.)]|[-*•])[ ]")


def _titles(doc: Doc, s: Span) -> bool:
    """The sentence is the document's title or headline."""
    return doc.title is not None and doc.title.start < s.end and s.start < doc.title.end


def _listed(text: str, pos: int) -> bool:
    """The sentence is on a line of a list ("1. The cars!!", "- Furiosa."): an item, not a story's sentence."""
    return bool(_LIST_ITEM.match(text, text.rfind("\n", 0, pos) + 1))


def _sentence_like(text: str) -> bool:
    """A sentence, not an infobox line, list debris or a headline: it ends like one or runs long."""
    if text.lstrip().startswith(("-", "*", "•", "|")):
        return False
    return text.rstrip().endswith((".", "!", '"', "'", ")")) or len(words(text)) >= 12
