"""The story's resolver rules (bot.ingest.resolve: narrative, plot, talk, spoilers), on small inputs: the told
plot, its source and continuation, the premise, framing and spoilers. Each named threshold is tested on both
sides."""

from __future__ import annotations

import pytest

from bot.ingest.resolve.narrative import (
    RECURRING_NAME_MIN,
    REPORTED_QUESTION_MIN_WORDS,
    is_commentary,
    is_framing,
    logline,
    recurring_names,
    story_sentences,
)
from bot.ingest.resolve.plot import (
    CONTINUE_MIN_SENTENCES,
    SUPPORT_MIN_WORDS,
    TRUST_MARGIN,
    tell,
)
from bot.ingest.resolve.spoilers import LATER_TERMS_ALONE, has_cue, later_terms, reveals, spoils
from bot.ingest.resolve.talk import story_talk, unsearchable
from bot.ingest.shapes import parse
from bot.ingest.text import Span, normalise, sentences

# ---------------------------------------------------------------- the told plot


def spans(*texts: str) -> list[Span]:
    out, pos = [], 0
    for t in texts:
        out.append(Span(pos, pos + len(t), t))
        pos += len(t) + 1
    return out


WIKI = spans(
    "Charlotte leaves the academy in Boston to care for her dying mother.",
    "Years later Charlotte meets Lizzie in Shanghai and they spend a night together.",
    "Lizzie falls ill on a bus in rural China and cuts off her own hand.",
    "Lizzie returns to the academy and Anton expels her without pity.",
    "Lizzie kidnaps Charlotte and brings her back to the academy chapel.",
    "Charlotte and Lizzie poison the teachers and punish Anton together.",
)


def test_a_single_trustworthy_narrative_is_told() -> None:
    story = tell({"wiki.txt": WIKI}, {"wiki.txt": 0.5}, set())
    assert story.document == "wiki.txt" and story.continued_from is None
    assert [b.text for b in story.premise] == [WIKI[0].text, WIKI[1].text]
    assert [b.text for b in story.beats] == [s.text for s in WIKI[2:]]
    assert [b.part for b in story.beats] == ["beginning", "beginning", "middle", "end"]


def test_a_less_trustworthy_telling_is_never_merged_and_its_inventions_are_left_out() -> None:
    blog = spans(
        "Charlotte leaves the academy in Boston to care for her dying mother.",
        "Charlotte and Lizzie fall sick with food poisoning in a strange village.",
    )
    story = tell({"wiki.txt": WIKI, "blog.txt": blog}, {"wiki.txt": 0.9, "blog.txt": 0.5}, set())
    told = " ".join(b.text for b in story.premise + story.beats)
    assert "food poisoning" not in told
    assert [s.text for _, s in story.left_out] == [blog[1].text]
    assert story.told["blog.txt"] == 1 and story.narrated["blog.txt"] == 2
    # the plot source earns what the comparisons confirm (as a fact's winner does), not its own telling
    assert story.told["wiki.txt"] == 2 and story.narrated["wiki.txt"] == 2


def test_list_items_and_the_headline_are_not_the_story() -> None:
    d = parse(
        "blog.txt",
        normalise(
            "Furiosa Drives The War Rig Through The Storm\n\n"
            "Things I loved:\n1. Furiosa and her truck in the storm, every minute of it.\n2. Nux chasing Max. Just Nux.\n\n"
            "Furiosa drives the war rig into the storm with Max chained to the front of a car.\n"
        ),
    )
    told = [s.text for s in story_sentences(d, frozenset({"Furiosa", "Max", "Nux"}), frozenset())]
    assert told == ["Furiosa drives the war rig into the storm with Max chained to the front of a car."]


def test_being_the_plot_source_earns_nothing_by_itself() -> None:
    story = tell({"wiki.txt": WIKI}, {"wiki.txt": 0.5}, set())
    assert story.told == {} and story.narrated == {}


def test_talk_about_the_story_the_plot_does_not_support_is_an_invention() -> None:
    wiki = parse(
        "wiki.txt",
        normalise("= Film =\n\nFilm is a 2015 film.\n\n==Plot==\n" + " ".join(s.text for s in WIKI) + "\n"),
    )
    blog = parse(
        "blog.txt",
        normalise(
            "My thoughts\n\nI loved it. Charlotte leaves the academy in Boston to care for her dying mother, "
            "which broke my heart. Lizzie keeps a blue heeler dog in a desert village, as I remember it.\n"
        ),
    )
    characters = frozenset({"Charlotte", "Lizzie", "Anton"})
    narrative = {d.name: story_sentences(d, characters, frozenset()) for d in (wiki, blog)}
    story = tell(narrative, {"wiki.txt": 0.5, "blog.txt": 0.5}, set())
    talk = story_talk([wiki, blog], story, narrative, characters, set())
    assert [s.text for s in talk["blog.txt"].unsupported] == [
        "Lizzie keeps a blue heeler dog in a desert village, as I remember it."
    ]
    assert (
        len(talk["blog.txt"].sentences) == 2 and "wiki.txt" not in talk
    )  # the teller's own words are the plot
    hidden = unsearchable([wiki, blog], story, talk)
    assert any(doc == "blog.txt" and blog.text[start:].startswith("Lizzie keeps") for doc, start in hidden)


def test_between_reliabilities_closer_than_the_margin_the_fuller_telling_wins() -> None:
    short = WIKI[:3]
    near = {"short.txt": 0.9, "long.txt": 0.9 - TRUST_MARGIN * 0.9}
    assert tell({"short.txt": short, "long.txt": WIKI}, near, set()).document == "long.txt"
    far = {"short.txt": 0.9, "long.txt": 0.9 - TRUST_MARGIN * 1.1}
    assert tell({"short.txt": short, "long.txt": WIKI}, far, set()).document == "short.txt"


def test_a_telling_that_stops_on_purpose_goes_on_from_the_next() -> None:
    first_half = WIKI[:3]
    rest = spans(
        "Lizzie falls ill on a bus in rural China and cuts off her own hand.",
        *(s.text for s in WIKI[3:]),
    )
    trust = {"fan.txt": 0.9, "blog.txt": 0.6}
    story = tell({"fan.txt": first_half, "blog.txt": rest}, trust, set(), stopped=frozenset({"fan.txt"}))
    assert story.document == "fan.txt" and story.continued_from == "blog.txt"
    assert [b.document for b in story.beats][-3:] == ["blog.txt"] * 3
    # It goes on only with enough to tell: fewer sentences beyond than CONTINUE_MIN_SENTENCES is no story.
    short = spans(WIKI[2].text, *(s.text for s in WIKI[3 : 3 + CONTINUE_MIN_SENTENCES - 1]))
    none = tell({"fan.txt": first_half, "blog.txt": short}, trust, set(), stopped=frozenset({"fan.txt"}))
    assert none.continued_from is None


def test_support_needs_two_shared_words() -> None:
    assert SUPPORT_MIN_WORDS == 2
    alive = spans("Amy is alive.", "Amy wakes in a motel far from Missouri and counts her cash.")
    source = spans(
        "Amy disappears from the house on the morning of the anniversary.",
        "Nick follows the clues of the treasure hunt that Amy leaves him.",
        "Nick is questioned by the police about the blood in the kitchen.",
    )
    story = tell({"fan.txt": source, "review.txt": alive}, {"fan.txt": 0.9, "review.txt": 0.6}, set())
    assert [s.text for _, s in story.left_out] == [alive[0].text, alive[1].text]


def test_a_prologue_comes_before_the_premise() -> None:
    telling = spans(
        "Late at night a young man named Andre is walking down a quiet street.",
        "A masked figure chokes him and drags him into the trunk of a car.",
        "Some time later, Chris agrees to visit the parents of his girlfriend Rose.",
        "On the drive upstate their car hits a deer and a police officer arrives.",
        "At the house Rose's parents welcome Chris a little too warmly.",
        "Chris wakes up strapped to a chair in the basement.",
    )
    story = tell({"wiki.txt": telling}, {"wiki.txt": 0.5}, set(), lead=frozenset({"Chris", "Rose"}))
    assert story.premise[0].text.startswith("Some time later, Chris")
    assert story.beats[0].text.startswith("Late at night")  # the prologue is told, first


def test_a_teaser_nothing_continues_gives_way_to_a_fuller_telling() -> None:
    teaser = spans(
        "Neil McCauley runs a crew of professional thieves in Los Angeles.",
        "Lieutenant Vincent Hanna of the LAPD takes the case and closes in.",
    )
    whole = spans(
        "Neil tells Hanna over coffee that he will walk away from anything in thirty seconds flat.",
        "Later the crew robs a bank downtown and a shootout breaks out in the streets.",
        "In the end Hanna chases Neil across the airport fields and shoots him.",
    )
    trust = {"faq.txt": 0.6, "review.md": 0.6}
    stopped = tell(
        {"faq.txt": teaser, "review.md": whole},
        trust,
        set(),
        stopped=frozenset({"faq.txt"}),
        sectioned=frozenset({"faq.txt"}),
    )
    assert stopped.document == "review.md"
    kept = tell({"faq.txt": teaser, "review.md": whole}, trust, set(), sectioned=frozenset({"faq.txt"}))
    assert kept.document == "faq.txt"  # a deliberate telling that does not stop stays the plot source


def test_a_summary_of_the_story_opens_the_premise() -> None:
    telling = spans(
        "Chiron is a small, silent kid everyone calls Little.",
        "Juan, a local drug dealer, finds Little hiding in a boarded-up apartment.",
        "Juan teaches Little to swim in the ocean.",
        "Years later Chiron is arrested after a fight at school.",
    )
    summary = Span(500, 560, "It follows one boy, Chiron, across three chapters of his life in Miami.")
    story = tell({"blog.txt": telling}, {"blog.txt": 0.5}, set(), loglines={"blog.txt": summary})
    assert [b.text for b in story.premise] == [summary.text, telling[0].text]
    assert story.beats[0].text == telling[1].text  # the opening's second sentence is told, not lost
    other = tell({"blog.txt": telling}, {"blog.txt": 0.5}, set(), loglines={"fan.txt": summary})
    assert [b.text for b in other.premise] == [telling[0].text]  # only the plot source's summary opens it


@pytest.mark.parametrize(
    ("sentence", "summary"),
    [
        ("It follows one boy, Chiron, across three chapters of his life.", True),
        ("Set in London, it follows two rival magicians, Angier and Borden.", True),
        ("The film tells the story of Chiron growing up in Miami.", True),
        ("It follows Chiron, who is killed in the end.", False),  # a summary that spoils is none
        ("I think it follows Chiron too closely.", False),  # the writer's voice
        ("It follows a boy across three chapters.", False),  # names no character
    ],
)
def test_logline(sentence: str, summary: bool) -> None:
    d = parse(
        "blog.txt", normalise(f"Headline\n\n{sentence} Then more is said.\n\nChiron runs home at night.\n")
    )
    story = [s for s in sentences(d.text) if s.text.startswith("Chiron runs")]
    found = logline(d, story, frozenset({"Chiron", "Angier", "Borden"}))
    assert (found is not None and found.text == sentence) is summary


def test_names_a_story_keeps_using_are_its_characters() -> None:
    d = parse(
        "blog.txt",
        normalise(
            "Headline\n\nChiron runs. Chiron hides. Juan finds Chiron. Juan swims. Juan waits. Kevin talks. "
            "It won an Oscar, an Oscar, an Oscar. Jenkins wrote it, Jenkins, Jenkins. In March, March, March.\n"
        ),
    )
    assert recurring_names([d], ["Barry Jenkins"]) == {"Chiron", "Juan"}  # Kevin: twice is not enough
    assert RECURRING_NAME_MIN == 3


@pytest.mark.parametrize(
    ("opening", "premise"),
    [
        ("Harlan Thrombey is found dead the morning after his birthday party.", 2),  # a death opens the story
        ("It is revealed that Harlan was poisoned by his nurse.", 0),  # a reveal never is a premise
    ],
)
def test_the_premise_stops_only_at_a_reveal(opening: str, premise: int) -> None:
    telling = spans(opening, "Detective Blanc is hired to look into it.", *(s.text for s in WIKI))
    assert len(tell({"w.txt": telling}, {"w.txt": 0.5}, set()).premise) == premise


# ---------------------------------------------------------------- framing and spoilers


@pytest.mark.parametrize(
    ("sentence", "framing"),
    [
        ('Here is a short review of "The Perfection" movie plot summary.', True),
        ("What has she left behind, and how long can the Kims keep their secret?", True),
        ("You can watch The Perfection online streaming on Netflix.", True),
        ("I was more worried about the dog than about Max lol.", True),
        ("My roommate fell asleep in the middle.", True),  # the writer's voice in either case
        ("You Won't BELIEVE What Happens In Mad Max.", True),
        ("He hit US theaters in May.", False),  # "US" is a country
        ("The rest is history...", True),
        ('Lizzie says "I love you" and leaves the room.', False),  # dialogue may speak to "you"
        ("Charlotte offers her a meat cleaver.", False),
        # a question the narration reports after a full clause is story; a short lead-in is the writer asking
        (
            "A woman named Trinity tells him a man can answer the question that haunts him: what is the Matrix?",
            False,
        ),
        ("Jess: the seance scene?", True),
        ("Here is the big question of the night: will she survive?", True),  # framing words anyway
        (f"{' '.join(['Word'] * (REPORTED_QUESTION_MIN_WORDS - 1))}: what is the Matrix?", True),
        (f"{' '.join(['Word'] * REPORTED_QUESTION_MIN_WORDS)}: what is the Matrix?", False),
    ],
)
def test_framing_is_never_a_beat(sentence: str, framing: bool) -> None:
    assert is_framing(sentence) is framing


@pytest.mark.parametrize(
    ("sentence", "commentary"),
    [
        ("After this, the movie takes a shocking turn and the audience is left questioning.", True),
        ("Browning delivers a powerful performance.", True),
        ("The film opens on a gridlocked freeway in Los Angeles.", False),
        ("Mia Dolan (Emma Stone) is an aspiring actress stuck in traffic.", False),
        ("When the film burns in the projector they drive to the observatory.", False),
        ("Moonlight is a 2016 coming-of-age drama written and directed by Barry Jenkins.", True),
        ("It premiered at the Telluride Film Festival and won Best Picture at the Oscars.", True),
        ("It cost about $1.5 million and made 98% on a review site.", True),
        ("Black goes to see Paula in rehab, where she is sober now.", False),
        ("The coffee scene is the first time Pacino and De Niro share the screen.", True),  # surnames
        ("Neil McCauley (Robert De Niro) tells Hanna he will walk away.", False),  # a cast note in brackets
    ],
)
def test_commentary(sentence: str, commentary: bool) -> None:
    assert is_commentary(sentence, frozenset({"Emma Stone", "Robert De Niro", "Al Pacino"})) is commentary


@pytest.mark.parametrize(
    ("text", "cue", "reveal"),
    [
        ("It is revealed that the two conspired together.", True, True),
        ("The twists keep coming.", True, True),
        ("Harlan is found dead in his study.", True, False),
        ("Charlotte travels to Shanghai.", False, False),
        # someone's secret is a reveal; the secrets a thief steals are the opening situation
        ("Norton learns her secret.", True, True),
        ("He meets them secretly.", True, True),
        ("Cobb is a thief who steals the secrets people keep in their dreams.", False, False),
    ],
)
def test_cues_in_any_inflection(text: str, cue: bool, reveal: bool) -> None:
    assert has_cue(text) is cue and reveals(text) is reveal


def test_words_only_the_later_story_uses() -> None:
    opening = ["Andrew joins the studio band at the conservatory."]
    later = [
        "Andrew is expelled after he attacks Fletcher on stage.",
        "Fletcher is fired after a lawyer calls.",
    ]
    outside = [["The film premiered on stage at Sundance."], ["A stage adaptation was announced."]]
    terms = later_terms(opening, later, outside)
    assert {"expel", "attac", "fired"} <= terms
    assert "andre" not in terms and "stage" not in terms  # in the opening; used by two documents outside
    assert spoils("The film premiered the year before.", terms) is False
    one = "Critics called the attacks brutal."
    assert LATER_TERMS_ALONE == 2 and spoils(one, terms) is False  # one such word alone is everyday language
    assert spoils(one, terms, loose=True) is True  # ... but not in writing whose story spills everywhere
    assert spoils("Andrew gets expelled.", terms, frozenset({"Andrew"})) is True  # about a character
    assert spoils("Expelled and fired, what a year.", terms) is True  # two of them


def test_sentences_helper_keeps_offsets() -> None:
    text = "One sentence here. Another one there."
    assert [text[s.start : s.end] for s in sentences(text)] == ["One sentence here.", "Another one there."]


def test_a_trailer_sentence_is_not_the_story() -> None:
    assert is_commentary("The trailer shows Andrew bleeding over his drum kit.", frozenset())
