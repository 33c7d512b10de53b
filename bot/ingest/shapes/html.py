"""An HTML page (saved from a browser, or rendered from Markdown) as a `Layout`.

Parsed with selectolax (the Lexbor engine): a C parser that follows the HTML5 standard, so broken markup,
entities and deeply nested pages are read as a browser would read them. Page furniture is dropped
(scripts, styles, navigation, footers, forms, hidden and cookie/share/related boxes, edit links, citation
marks); what is left becomes lines: headings, paragraphs, list items ("- ", indented by depth), and table
rows. A two-cell row is a key/value pair ("- Directed by: Jordan Peele"); a table whose header names actors
and characters becomes "Actor as Character" lines, one whose header names songs becomes '"Title" by Artist'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.ingest.shapes.layout import Layout, Writer
from bot.ingest.text import Span, Unreadable, unify

DROP_TAGS = frozenset(
    "script style noscript template svg canvas nav footer form button iframe select textarea head".split()
)
DROP_ROLES = frozenset({"navigation", "contentinfo", "search", "banner"})
# Class or id words that mark page furniture on any site (readability-style boilerplate removal), and
# the citation and edit marks of encyclopedia pages.
FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:cookie|newsletter|share|sharing|social|related|comments?|sidebar|advert\w*|ads?|promo"
    r"|breadcrumbs?|menu|subscribe|banner|popup|modal|skip|toc|mw-editsection|editsection|reference"
    r"|nav|navbar|navigation|footer|masthead|topbar|toolbar|pagination)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HEADER = re.compile(r"(?:^|[\s_-])header(?:$|[\s_-])", re.IGNORECASE)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCKS = frozenset(
    "p div section article main header aside blockquote pre figure figcaption caption address details "
    "summary center ul ol dl table tbody thead tfoot body html".split()
)
CITATION = re.compile(r"\[(?:\d+|[a-z]|citation needed|edit|note \d+)\]", re.IGNORECASE)
_CAST_COLUMNS = (
    re.compile(r"actor|actress|cast|performer|played by|name", re.I),
    re.compile(r"role|character|as", re.I),
)
_ROLE_COLUMN = re.compile(r"\b(?:role|character|part)s?\b", re.I)
_SONG_COLUMNS = (
    re.compile(r"title|song|track", re.I),
    re.compile(r"artist|performer|performed|by|singer", re.I),
    re.compile(r"writer|written|composer|songwriter", re.I),
)


@dataclass
class _Table:
    header: list[str] = field(default_factory=list)
    rows: int = 0


class _Renderer:
    def __init__(self) -> None:
        self.out = Writer()
        self.buf: list[str] = []
        self.lists: list[str] = []  # open ul/ol
        self.tables: list[_Table] = []
        self.cells: list[str] | None = None
        self.term: str | None = None  # a <dt> waiting for its <dd>
        self.cell_depth = 0  # > 0 inside a table cell

    # ------------------------------------------------------------ the walk (no recursion: pages nest deep)

    def walk(self, root: LexborNode) -> None:
        stack: list[tuple[LexborNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            tag = node.tag or ""
            if tag == "-text":
                self.buf.append(node.text_content or "")
                continue
            if not entering:
                self.close(tag)
                continue
            if _skip(node):
                continue
            self.open(tag)
            stack.append((node, False))
            children = list(node.iter(include_text=True))
            stack.extend((child, True) for child in reversed(children))

    def open(self, tag: str) -> None:
        if self.cell_depth and tag not in {"td", "th"}:
            # Inside a table cell every block (a list, a paragraph, a nested table) is one more line of it.
            if tag == "br" or tag == "li" or tag in BLOCKS or tag == "tr":
                self.buf.append("\n")
            return
        if tag == "br":
            self.buf.append("\n")
        elif tag in HEADINGS or tag in BLOCKS or tag == "li" or tag in {"dt", "dd"}:
            self.flush()
            if tag in {"ul", "ol"}:
                self.lists.append(tag)
            elif tag == "table":
                self.tables.append(_Table())
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in {"td", "th"}:
            self.buf = []
            self.cell_depth += 1

    def close(self, tag: str) -> None:
        if self.cell_depth and tag not in {"td", "th"}:
            if tag == "li" or tag in BLOCKS:
                self.buf.append("\n")
            return
        if tag in HEADINGS:
            self.out.heading(HEADINGS[tag], self.take())
        elif tag == "li":
            self.flush()
        elif tag in {"ul", "ol"}:
            self.flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.out.blank()
        elif tag in {"td", "th"}:
            self.cell_depth = max(0, self.cell_depth - 1)
            if self.cell_depth == 0 and self.cells is not None:
                lines = (" ".join(x.split()) for x in self.take_raw().split("\n"))
                self.cells.append("\n".join(line for line in lines if line))
        elif tag == "tr":
            if self.cells is not None:
                self.row(self.cells)
            self.cells = None
        elif tag == "table":
            self.flush()
            if self.tables:
                self.tables.pop()
            self.out.blank()
        elif tag == "dt":
            self.term = self.take()
        elif tag == "dd":
            value = self.take()
            if self.term:
                self.out.pair(self.term, value)
            else:
                self.out.line(value)
            self.term = None
        elif tag in BLOCKS:
            self.flush()

    # ------------------------------------------------------------ emitting

    def take_raw(self) -> str:
        text = CITATION.sub("", unify("".join(self.buf)))
        self.buf = []
        return text

    def take(self) -> str:
        return " ".join(self.take_raw().split())

    def flush(self) -> None:
        raw = self.take_raw()
        lines = [" ".join(part.split()) for part in raw.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if self.lists:
            prefix = "  " * (len(self.lists) - 1) + "- "
            for line in lines:
                self.out.line(line, prefix)
            return
        self.out.blank()
        for line in lines:
            self.out.line(line)
        self.out.blank()

    def row(self, cells: list[str]) -> None:
        table = self.tables[-1] if self.tables else _Table()
        if not any(cells):
            return
        if table.rows == 0 and len(cells) >= 2 and self._is_header(cells):
            table.header = cells
            table.rows += 1
            return
        table.rows += 1
        # A key reads as one phrase ("Production<br>companies"); a value's lines are a list of values.
        cells = [c.replace("\n", ", ") for c in cells]
        line = _by_header(table.header, cells)
        if line is not None:
            self.out.line(line, "- ")
        elif len(cells) == 2 and cells[0] and cells[1]:
            self.out.pair(cells[0].replace(", ", " "), cells[1])
        else:
            self.out.line(" | ".join(c for c in cells if c))

    @staticmethod
    def _is_header(cells: list[str]) -> bool:
        """Column names: short words, naming actors or songs first, or characters and their actors in
        either order ("| Character | Actor |")."""
        if not all(c and len(c) <= 30 and not re.search(r"\d", c) for c in cells):
            return False
        if any(p.search(cells[0]) for p in (_CAST_COLUMNS[0], _SONG_COLUMNS[0])):
            return True
        return any(_ROLE_COLUMN.search(c) for c in cells) and any(_CAST_COLUMNS[0].search(c) for c in cells)


def _column(header: list[str], pattern: re.Pattern[str], taken: set[int]) -> int | None:
    for i, name in enumerate(header):
        if i not in taken and pattern.search(name):
            return i
    return None


def _by_header(header: list[str], cells: list[str]) -> str | None:
    """A cast row as 'Actor as Character', a song row as '"Title" by Artist (Writers)'."""
    if not header or len(cells) != len(header):
        return None
    actor = _column(header, _CAST_COLUMNS[0], set())
    role = _column(header, _CAST_COLUMNS[1], {actor} if actor is not None else set())
    title = _column(header, _SONG_COLUMNS[0], set())
    if title is not None:
        artist = _column(header, _SONG_COLUMNS[1], {title})
        writers = _column(header, _SONG_COLUMNS[2], {title} | ({artist} if artist is not None else set()))
        if artist is None or not cells[title] or not cells[artist]:
            return None
        credit = f" ({cells[writers]})" if writers is not None and cells[writers] else ""
        return f'"{cells[title].strip(chr(34))}" by {cells[artist]}{credit}'
    if actor is not None and role is not None and cells[actor] and cells[role]:
        return f"{cells[actor]} as {cells[role]}"
    return None


def _skip(node: LexborNode) -> bool:
    """Page furniture: never read."""
    tag = node.tag or ""
    if tag in DROP_TAGS:
        return True
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true" or attrs.get("role") in DROP_ROLES:
        return True
    if re.search(r"display:\s*none", attrs.get("style") or ""):
        return True
    marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if FURNITURE.search(marks) and "infobox" not in marks.lower():
        return True
    if tag == "header" or _HEADER.search(marks):  # a page header: the site's, unless it holds the title
        return node.css_first("h1") is None
    # An aside is content beside the article (trending links, related reading), unless it is the infobox.
    return tag == "aside" and node.css_first("table, dl") is None


# Real pages nest a few dozen elements deep. Parsing markup nested thousands deep takes time that grows with
# the square of the depth (a 5 MB page of nested tags would take minutes), so such a page is refused.
MAX_NESTING = 1000
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def nesting(html: str, limit: int = MAX_NESTING) -> int:
    """How deep the elements nest (counting up to just past `limit`)."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(3) or m.group(2).lower() in _VOID:
            continue
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def render(html: str) -> Layout:
    if nesting(html) > MAX_NESTING:
        raise Unreadable(f"markup nested more than {MAX_NESTING} elements deep")
    tree = LexborHTMLParser(html)
    page_title = tree.css_first("title")
    fallback = (page_title.text(deep=True) or "").strip() if page_title is not None else ""
    root = tree.body
    renderer = _Renderer()
    if root is not None:
        renderer.walk(root)
    out = renderer.out
    text = out.text()
    layout = Layout(text, "html", out.headings, out.pairs, out.title)
    if layout.title is None and fallback:
        _page_name(layout, fallback)
    return layout


def _page_name(layout: Layout, page_title: str) -> None:
    """A page without an h1: its <title> names it, the page's own name before the site's ("Get Out (film) -
    Wikipedia", "Spirited Away (Sen to Chihiro no Kamikakushi) :: The Ghibli Attic"). Where the first
    heading of the page is that name, it is the title, not a section."""
    name = re.split(r"\s+(?:[-|–—:·]|::|\|\|)\s+", page_title)[0].strip()
    for candidate in (name, re.sub(r"\s*\([^)]*\)$", "", name)):
        head = layout.headings[0] if layout.headings else None
        if head is not None and head.text.casefold() == candidate.casefold():
            layout.headings[0] = replace(head, level=1)
            layout.title = Span(head.start, head.end, head.text)
            return
        start = layout.text.find(candidate)
        if candidate and start >= 0:
            layout.title = Span(start, start + len(candidate), candidate)
            return
