"""Shapes by structure (bot.ingest.shapes): markup detection, HTML and Markdown rendering, plain-text
headings, and the shape decision, each threshold on both sides."""

from __future__ import annotations

import pytest

from bot.ingest.extract import extract
from bot.ingest.shapes import HTML_TAGS_PER_1000, Doc, layout, looks_like_html, parse
from bot.ingest.shapes.genre import INFOBOX_MIN_ROWS, PROSE_MIN_CHARS
from bot.ingest.shapes.html import MAX_NESTING, nesting
from bot.ingest.shapes.markdown import looks_like_markdown
from bot.ingest.shapes.plain import SECTION_NAME_MAX_WORDS, SUBHEAD_MAX_WORDS, TOC_MIN_ENTRIES
from bot.ingest.text import Unreadable, normalise

PROSE = (
    "Andrew Neiman is a young drummer at a conservatory in New York. He practises until his hands bleed and "
    "hopes to join the studio band. His teacher is demanding and unkind to every student in the room."
)


def doc(text: str, name: str = "doc.txt") -> Doc:
    return parse(name, normalise(text))


# ---------------------------------------------------------------- markup


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        ("<html><p>x</p></html>", True),
        ("  <!-- saved --><body><p>x</p></body>", True),
        ("Prose that quotes <b>one</b> tag.", False),
    ],
)
def test_html_is_recognised_by_its_document_element(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


def test_a_fragment_is_html_from_its_tag_density_both_sides() -> None:
    tags = int(HTML_TAGS_PER_1000)
    dense = "<div>" + "<p>a</p>" * tags + "x" * (1000 - 5 - 8 * tags)
    assert looks_like_html(dense)
    sparse = "<div>" + "<p>a</p>" * (tags - 2) + "x" * (1000 - 5 - 8 * (tags - 2))
    assert not looks_like_html(sparse)


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("# Title\n\nText.\n", True),
        ("| a | b |\n|---|---|\n| 1 | 2 |\n", True),
        ("- **Miles Teller** as Andrew\n", True),
        ("---\ntitle: x\n---\nBody\n", True),
        ("#1 film of the year\nPlain text.\n", False),
        ("= Title =\n\n==Plot==\n", False),
    ],
)
def test_markdown_is_recognised_by_its_own_structure(text: str, markdown: bool) -> None:
    assert looks_like_markdown(text) is markdown


PAGE = """<!DOCTYPE html><html><head><title>Whiplash (film) - CineWiki</title><style>p{}</style>
<script>var dataLayer = [];</script></head><body>
<header><nav><a href="/">Home</a></nav></header><div id="cookie-banner">We use cookies. Accept all</div>
<main><h1>Whiplash</h1>
<table class="infobox"><tr><th>Directed&nbsp;by</th><td>Damien Chazelle</td></tr>
<tr><th>Production<br>companies</th><td><ul><li>Bold Films</li><li>Blumhouse Productions</li></ul></td></tr>
<tr><th>Release dates</th><td><ul><li>January 16, 2014<span class="noprint"> (</span>Sundance<span class="noprint">)</span></li></ul></td></tr></table>
<p><b>Whiplash</b> is a 2014 American drama film.<sup class="reference">[1]</sup> Tom &amp; Jerry.</p>
<div class="toc"><h2>Contents</h2><ol><li>Plot</li></ol></div>
<h2>Plot<span class="mw-editsection">[edit]</span></h2><p>Andrew joins the band.</p>
<h2>Cast</h2><ul><li>Miles Teller as Andrew<ul><li>Charlie Ian as young Andrew</li></ul></li></ul>
<table><tr><th>Actor</th><th>Character</th></tr><tr><td>Paul Reiser</td><td>Jim Neiman</td></tr></table>
<table><tr><th>Title</th><th>Artist</th><th>Writers</th></tr><tr><td>Caravan</td><td>Duke Ellington</td><td>Juan Tizol</td></tr></table>
<aside class="trending"><ul><li>Glass Onion (2022)</li></ul></aside>
<p hidden>hidden text</p><p style="display: none">invisible</p></main>
<footer>Privacy policy</footer><script>console.log("page loaded")</script></body></html>"""


def test_html_page_keeps_the_article_and_drops_the_furniture() -> None:
    read = layout(PAGE)
    text = read.text
    for furniture in (
        "Home",
        "cookies",
        "dataLayer",
        "Glass Onion",
        "Privacy",
        "page loaded",
        "Contents",
        "[edit]",
        "[1]",
        "hidden text",
        "invisible",
    ):
        assert furniture not in text, furniture
    assert read.title is not None and read.title.text == "Whiplash"
    assert [h.text for h in read.headings] == ["Whiplash", "Plot", "Cast"]
    pairs = {key: span.text for key, span in read.pairs}
    assert pairs["directed by"] == "Damien Chazelle"
    assert pairs["production companies"] == "Bold Films, Blumhouse Productions"
    assert pairs["release dates"] == "January 16, 2014 (Sundance)"
    assert "Tom & Jerry." in text
    assert "- Miles Teller as Andrew\n  - Charlie Ian as young Andrew" in text
    assert "- Paul Reiser as Jim Neiman" in text
    assert '- "Caravan" by Duke Ellington (Juan Tizol)' in text
    for key, span in read.pairs:
        assert text[span.start : span.end] == span.text, key


@pytest.mark.parametrize("header", ["| Character | Actor |", "| Actor | Character |", "| Cast | Role |"])
def test_a_cast_table_with_its_columns_in_either_order(header: str) -> None:
    rows = ["| Louise Banks | Amy Adams |", "| Ian Donnelly | Jeremy Renner |"]
    if header.startswith(("| Actor", "| Cast")):
        rows = ["| Amy Adams | Louise Banks |", "| Jeremy Renner | Ian Donnelly |"]
    read = layout(f"# Arrival\n\n{header}\n| --- | --- |\n" + "\n".join(rows) + "\n")
    assert "- Amy Adams as Louise Banks" in read.text and read.pairs == []


def test_html_title_falls_back_to_the_pages_own_name() -> None:
    read = layout(
        "<html><head><title>Arrival (film) - Wiki</title></head><body><p>Arrival (film) is here.</p></body></html>"
    )
    assert read.title is not None and read.title.text == "Arrival (film)"


def nested(depth: int) -> str:
    inner = depth - 3  # html, body and p count too
    return "<html><body>" + "<div>" * inner + "<p>deep</p>" + "</div>" * inner + "</body></html>"


def test_deep_markup_is_read_up_to_its_limit_and_refused_beyond() -> None:
    assert nesting(nested(MAX_NESTING)) == MAX_NESTING
    assert layout(nested(MAX_NESTING)).text.strip() == "deep"  # read without recursion
    with pytest.raises(Unreadable, match="nested more than"):
        layout(nested(MAX_NESTING + 1))


MARKDOWN = """---
title: "The Grand Budapest Hotel"
rating: 4
---

# The Grand Budapest Hotel

| | |
|---|---|
| Directed by | Wes Anderson |

## Plot

Zero joins the **hotel** as a lobby boy.

## Cast

- **Ralph Fiennes** as M. Gustave
- **Tony Revolori** as Zero
"""


def test_markdown_headings_lists_tables_and_front_matter() -> None:
    read = layout(normalise(MARKDOWN))
    assert read.markup == "markdown"
    assert read.frontmatter["title"].text == "The Grand Budapest Hotel"
    assert read.text[read.frontmatter["rating"].start : read.frontmatter["rating"].end] == "4"
    assert [(h.level, h.text) for h in read.headings] == [
        (1, "The Grand Budapest Hotel"),
        (2, "Plot"),
        (2, "Cast"),
    ]
    assert ("directed by", "Wes Anderson") in [(k, s.text) for k, s in read.pairs]
    assert "- Ralph Fiennes as M. Gustave" in read.text and "**" not in read.text and "# " not in read.text


def test_an_encyclopedia_in_markdown_is_an_encyclopedia_with_its_title() -> None:
    d = doc(MARKDOWN.replace("rating: 4\n", ""), "article.md")
    assert d.shape == "encyclopedia" and d.title is not None and d.title.text == "The Grand Budapest Hotel"
    assert [s.name for s in d.sections] == ["lead", "plot", "cast"]


# ---------------------------------------------------------------- plain text


def test_wiki_headings_and_title() -> None:
    lead = "Whiplash is a 2014 American drama film."
    d = doc(f"= Whiplash =\n\n- Director: Damien Chazelle\n\n{lead}\n\n==Plot==\n{PROSE}\n\n== Cast ==\nx\n")
    assert d.shape == "encyclopedia" and d.markup == "wiki"
    assert d.title is not None and d.title.text == "Whiplash"
    assert [s.name for s in d.sections] == ["lead", "plot", "cast"]


def questions(n: int) -> str:
    asks = ["What is the plot?", "Who plays who in the cast?", "When is the release date?"]
    return "".join(f"{q}\n\n{PROSE}\n\n" for q in asks[:n])


def test_two_questions_standing_alone_make_a_fan_site_one_does_not() -> None:
    assert doc("Film page\n\n" + questions(2)).shape == "qa"
    assert doc("Film page\n\n" + questions(1) + PROSE + "\n").shape != "qa"


@pytest.mark.parametrize("mark", ["Q: ", "Q. ", "Question 1: ", "1. "])
def test_questions_marked_as_questions_need_no_blank_lines(mark: str) -> None:
    page = f"Film FAQ\n\n{mark}What is it about?\nA: {PROSE}\n{mark}Who is in the cast?\nA: Many people.\n"
    d = doc(page)
    assert d.shape == "qa" and [s.name for s in d.sections[1:]] == ["plot", "cast"]


def test_fan_site_cast_lines_with_any_spacing() -> None:
    for gap in (" ", "  ", "\u00a0 ", "\t"):
        text = "Film page\n\n" + questions(2) + "".join(f"Actor Number{i}{gap}as Role{i}\n" for i in range(3))
        assert len(extract(doc(text)).credits) == 3, repr(gap)


def toc(n: int) -> str:
    entries = ["Plot", "Cast", "Release", "Reception"][:n]
    body = "".join(f"{e}\n\n{PROSE}\n\n" for e in entries)
    return "Title\n\n" + "".join(f"  {i}. {e}\n" for i, e in enumerate(entries, 1)) + "\n" + body


def test_a_table_of_contents_of_three_entries_makes_a_rewrite_two_do_not() -> None:
    assert doc(toc(TOC_MIN_ENTRIES)).shape == "rewrite"
    assert doc(toc(TOC_MIN_ENTRIES - 1)).shape != "rewrite"


def test_numbered_headings_each_over_their_own_paragraph_are_no_table_of_contents() -> None:
    listicle = "".join(f"{i}. Fact number {i}\n{PROSE}\n\n" for i in range(1, 5))
    assert doc(f"Ten Things About Whiplash\n\n{listicle}").shape == "blog"


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("1 Story", "plot"),
        ("4 Original soundtrack", "soundtrack"),
        ("2.1 Cast", "cast"),
        ("II. Reception", "reception"),
    ],
)
def test_a_numbered_heading_is_read_by_its_words(heading: str, section: str) -> None:
    d = doc(f"Whiplash\n\n{PROSE}\n\n{heading}\n\n{PROSE}\n")
    assert [(s.name, s.heading) for s in d.sections[1:]] == [(section, heading)]


@pytest.mark.parametrize(
    ("heading", "section"),
    [("What is Heat about?", "plot"), ("About the director", "other"), ("What happens at the end?", "plot")],
)
def test_section_names_from_headings(heading: str, section: str) -> None:
    from bot.ingest.shapes import canonical_section

    assert canonical_section(heading) == section


def test_a_heading_that_names_a_section_may_have_its_text_right_under_it() -> None:
    name = " ".join(["Critical"] * (SECTION_NAME_MAX_WORDS - 1) + ["response"])
    longer = " ".join(["The"] * SECTION_NAME_MAX_WORDS + ["cast"])
    page = f"Title\n\n{PROSE}\n\nPlot[edit]\n{PROSE}\n\nCast\nA Person as Someone\n\n{name}\n{PROSE}\n\n{longer}\n{PROSE}\n"
    d = doc(page)
    assert [(s.name, s.heading) for s in d.sections[1:]] == [
        ("plot", "Plot"),
        ("cast", "Cast"),
        ("reception", name),
    ]  # a listicle's item title ("The cast trained for four months") is not a section


def test_blog_subheadings_are_short_lines_standing_alone() -> None:
    short = " ".join(["Word"] * SUBHEAD_MAX_WORDS)
    long = " ".join(["Word"] * (SUBHEAD_MAX_WORDS + 1))
    d = doc(f"Headline\n\n{PROSE}\n\n{short}\n\n{PROSE}\n\n{long}\n\n{PROSE}\n")
    assert [s.heading for s in d.sections[1:]] == [short]


def test_infobox_rows_both_sides() -> None:
    rows = "".join(f"- Key {'ABCDE'[i]}: value {i}\n" for i in range(INFOBOX_MIN_ROWS))
    assert len(doc(f"Title\n\n{rows}\n{PROSE}\n\n==Plot==\n{PROSE}\n").infobox) == INFOBOX_MIN_ROWS
    few = "".join(f"Key {'ABCDE'[i]}: value {i}\n" for i in range(INFOBOX_MIN_ROWS - 1))
    d = doc(f"Title\n\n{PROSE}\n\n{few}\n\nPlot\n\n{PROSE}\n")
    assert len(d.infobox) == INFOBOX_MIN_ROWS - 1  # kept as lead rows, but not enough to make an encyclopedia
    assert d.shape == "blog"


def test_infobox_copied_from_a_browser_lists_one_name_a_line_and_wraps_labels() -> None:
    page = (
        "Whiplash\n\nFrom the free encyclopedia\n\nDirected by\tDamien Chazelle\nProduced by\tJason Blum\n"
        "Helen Estabrook\nMusic by\tJustin Hurwitz\nProduction\ncompanies\tBold Films\nBlumhouse Productions\n"
        f"Running time\t107 minutes\n\n{PROSE}\n\nPlot\n\n{PROSE}\n"
    )
    d = doc(page)
    rows = {key: span.text for key, span in d.infobox}
    assert rows == {
        "directed by": "Damien Chazelle",
        "produced by": "Jason Blum\nHelen Estabrook",
        "music by": "Justin Hurwitz",
        "production companies": "Bold Films\nBlumhouse Productions",
        "running time": "107 minutes",
    }
    assert all(d.text[span.start : span.end] == span.text for _, span in d.infobox)
    assert d.shape == "encyclopedia"


@pytest.mark.parametrize(
    ("lines", "rows"),
    [
        (
            "Director: A Person\nWriter: B Person\nnote: not a row",
            {"director": "A Person", "writer": "B Person"},
        ),
        ("Director: A Person\n\nB Person", {"director": "A Person"}),  # a blank line ends the row
        ("Director: A Person\nThis line is a sentence of prose, not a name.", {"director": "A Person"}),
        ("Cast: A Person\n- B Person", {"cast": "A Person"}),  # a bulleted list is not the row's value
        ("Mad Max: Fury Road is a 2015 action film directed by George Miller.", {}),  # a sentence, not a row
        (
            "Distributed by: Warner Bros. (Australia and New Zealand)",
            {"distributed by": "Warner Bros. (Australia and New Zealand)"},
        ),
        # each label on a line of its own, its values below (an infobox copied from a browser)
        (
            "The Film\nTheatrical release poster\nDirected by\nA Person\nProduced by\nB Person\nC Person\n"
            "Based on\nA Novel\nby D Person\nRunning time\n120 minutes[1]",
            {
                "directed by": "A Person",
                "produced by": "B Person\nC Person",
                "based on": "A Novel\nby D Person",
                "running time": "120 minutes[1]",
            },
        ),
        ("Music\nThe score swells whenever the drums come in.", {}),  # a heading over prose: no row
        ("Directed by\n\nA Person", {}),  # a blank line between: no row
        ("A Person\nB Person\nC Person", {}),  # names are not labels
        (  # a label broken over two lines stays one label
            "Production\ncompanies: Bold Films\nBlumhouse",
            {"production companies": "Bold Films\nBlumhouse"},
        ),
    ],
)
def test_text_rows(lines: str, rows: dict[str, str]) -> None:
    from bot.ingest.shapes.infobox import text_rows

    assert {key: span.text for key, span in text_rows(lines, 0, len(lines))} == rows


def test_a_value_line_has_at_most_its_words() -> None:
    from bot.ingest.shapes.infobox import VALUE_LINE_MAX_WORDS, text_rows

    for n, kept in ((VALUE_LINE_MAX_WORDS, True), (VALUE_LINE_MAX_WORDS + 1, False)):
        lines = "Starring: A Person\n" + " ".join(["Word"] * n)
        assert ("\n" in text_rows(lines, 0, len(lines))[0][1].text) is kept


def test_prose_paragraph_length_both_sides() -> None:
    sentence = "Andrew plays the drums in a band. "
    long = (sentence * 10)[:PROSE_MIN_CHARS].rsplit(" ", 1)[0] + " and so on."
    while len(long) < PROSE_MIN_CHARS:
        long = "A " + long
    short = long[len(long) - PROSE_MIN_CHARS + 1 :]
    assert doc(f"Headline\n\n{long}\n\n{long}\n").shape == "blog"
    assert doc(f"Headline\n\n{short}\n\n{short}\n").shape == "unknown"


def test_headings_only_markdown_is_unknown() -> None:
    d = doc("# Alien\n\n## Plot\n\n## Cast\n\n## Reception\n", "notes.md")
    assert d.shape == "unknown" and d.why.startswith("headings (cast, plot, reception) with no prose")


# ---------------------------------------------------------------- round 3: sections and definitions

SUMMARY = (
    "In 1947 Andy Dufresne is convicted of murder. He befriends Red. He digs a tunnel out of the prison."
)


@pytest.mark.parametrize(
    ("headings", "plot"),
    [
        (["Summary", "Cast"], ["Summary"]),  # an encyclopedia's "Summary" is its plot summary
        (["Plot", "Summary"], ["Plot"]),  # beside a plot section, "Summary" is the text summing itself up
        (
            ["The setup (no spoilers past the first act)", "Verdict"],
            ["The setup (no spoilers past the first act)"],
        ),
    ],
)
def test_sections_that_tell_the_plot(headings: list[str], plot: list[str]) -> None:
    body = "\n\n".join(f"{h}\n\n{SUMMARY}" for h in headings)
    page = doc(f"The Shawshank Redemption\n\n{PROSE}\n\n{body}\n")
    assert [s.heading for s in page.sections if s.name == "plot"] == plot


@pytest.mark.parametrize(
    ("lead", "shape"),
    [
        # a definition in apposition ("X, American drama film, released in 1994"), under a dateline
        (
            "American film [1994]\n\nThe Shawshank Redemption, American drama film, released in 1994, is loved.",
            "encyclopedia",
        ),
        ("Last night, I finally watched the film with friends and we loved every minute.", "blog"),
    ],
)
def test_a_lead_that_defines_the_film_in_apposition(lead: str, shape: str) -> None:
    page = doc(
        f"The Shawshank Redemption\n\n{lead} {PROSE}\n\nSummary\n\n{SUMMARY} {SUMMARY}\n\nCast\n\n{PROSE}\n"
    )
    assert page.shape == shape
