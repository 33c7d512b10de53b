"""The remaining named thresholds, each on both sides of its value."""

from __future__ import annotations

from rapidfuzz.distance import Indel

from bot.ingest.extract import CreditClaim
from bot.ingest.resolve import copies as copying
from bot.ingest.resolve.cast import SAME_NAME_RATIO, same_credit
from bot.ingest.resolve.narrative import STORY_GAP_PARAGRAPHS, STORY_MIN_CHARS, story_sentences
from bot.ingest.resolve.plot import PLOT_MIN_SENTENCES, SUPPORT_THRESHOLD, tell
from bot.ingest.shapes import parse
from bot.ingest.text import ENGLISH_MIN_SHARE, STOPWORDS, Span, english_share, normalise, words


def test_english_share_both_sides() -> None:
    english = "The film is about a man who goes to the sea with his dog and then he comes back home again. "
    assert (english_share(english * 6) or 0) >= ENGLISH_MIN_SHARE
    german = "Der Film handelt von einem Mann, der mit seinem Hund ans Meer fährt und wieder zurückkommt. "
    share = english_share(german * 6)
    assert share is not None and share < ENGLISH_MIN_SHARE
    assert english_share(german) is None  # too little prose to tell


def test_counterpart_similarity_both_sides() -> None:
    a = tuple(words("Andrew practises until his hands bleed and breaks up with his girlfriend"))
    spun = tuple(words("Andrew practises until his hands drain and separates from his sweetheart"))
    other = tuple(words("Critics praised the performances and the editing of the final concert"))
    assert Indel.normalized_similarity(a, spun) >= copying.COUNTERPART_SIMILARITY
    assert Indel.normalized_similarity(a, other) < copying.COUNTERPART_SIMILARITY


def test_reword_share_both_sides() -> None:
    def link(mine: list[str], theirs: list[str]) -> copying.Link:
        units = copying._coded(
            [[(Span(0, len(s), s), tuple(words(s))) for s in texts] for texts in (mine, theirs)]
        )
        return copying._reword(copying._link("a", "b", units[0], units[1]))

    base = ["one two three four five six seven eight nine ten"] * 3
    swapped = ["one two three four five six seven eight nine zebra"]  # 1 word in 10 swapped
    assert link(swapped * 3, base).swap_share >= copying.REWORD_SHARE
    same = ["one two three four five six seven eight nine ten eleven"]  # a word added, none swapped
    assert link(same * 3, base).swap_share < copying.REWORD_SHARE


def credit(actor: str, character: str) -> CreditClaim:
    return CreditClaim(actor, character, "", None, None, 0, 1, "")


def test_same_name_ratio_both_sides() -> None:
    assert same_credit(credit("Jon Bernthal", "Frank"), credit("John Bernthall", "Frank"))  # surname differs
    assert same_credit(credit("Kevin Smith", "Frank"), credit("Kevin Smyth", "Frank"))
    assert not same_credit(credit("Kevin Smith", "Frank"), credit("Mark Jones", "Frank"))
    assert SAME_NAME_RATIO == 85


def sp(*texts: str) -> list[Span]:
    out, pos = [], 0
    for t in texts:
        out.append(Span(pos, pos + len(t), t))
        pos += len(t) + 1
    return out


def test_support_threshold_both_sides() -> None:
    told = sp("Lizzie falls ill on a bus in rural China and cuts off her hand.", "Anton expels Lizzie.")
    half = sp("Lizzie dances at a wedding in Paris with strangers.")  # 1 of 5 words: no
    most = sp("On a bus in China Lizzie falls ill and cuts her hand.")
    assert SUPPORT_THRESHOLD == 0.5
    story = tell(
        {"w.txt": told, "a.txt": half, "b.txt": most}, {"w.txt": 0.9, "a.txt": 0.5, "b.txt": 0.5}, set()
    )
    assert [d for d, _ in story.left_out] == ["a.txt"]


def test_a_plot_needs_two_sentences_one_is_a_premise() -> None:
    both = sp(
        "Andrew joins the studio band at the conservatory in New York.", "Fletcher throws a chair at Andrew."
    )
    one = both[:1]
    story = tell({"r.txt": one}, {"r.txt": 0.5}, set())
    assert PLOT_MIN_SENTENCES == 2 and story.beats == [] and [b.text for b in story.premise] == [one[0].text]
    two = tell({"r.txt": both}, {"r.txt": 0.5}, set())
    assert two.document == "r.txt" and len(two.premise) + len(two.beats) == 2


def test_story_sentences_short_ones_count_when_they_name_a_character() -> None:
    short = "He sighs and walks out."
    assert len(short) < STORY_MIN_CHARS
    doc = parse("p.txt", normalise(f"= F =\n\nF is a 2014 film.\n\n==Plot==\nAmy is alive.\n{short}\n"))
    told = [s.text for s in story_sentences(doc, frozenset({"Amy"}), frozenset())]
    assert told == ["Amy is alive."]
    assert "amy" not in STOPWORDS


def test_a_telling_may_pause_for_a_few_paragraphs_and_go_on() -> None:
    story = "Amy meets Nick at a party in New York and they marry two years later in the city."
    other = "Critics praised the performances and the score when the film came out that autumn."
    far = "Nick drives to the bar his sister Margo runs and waits there for Amy all morning."

    def told(gap: int) -> list[str]:
        paragraphs = [story, story, *[other] * gap, far]
        d = parse("b.txt", normalise("Headline\n\n" + "\n\n".join(paragraphs) + "\n"))
        return [s.text for s in story_sentences(d, frozenset({"Amy", "Nick", "Margo"}), frozenset())]

    assert far in told(STORY_GAP_PARAGRAPHS)
    assert far not in told(STORY_GAP_PARAGRAPHS + 1)  # far from the telling: talk about a scene
