"""One pure function per film command: models in, `Reply` (or pages of them) out.

Everything from documents or users goes through `clean` (visible) or `spoiler` (hidden) here, and every
reply is built by `make_embed`, so limits and spoiler rules hold whatever the data looks like.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.present import limits
from bot.present.reply import Reply, make_embed
from bot.present.text import Segment, chunk, clean, escape, spoiler, truncate
from bot.storage.errors import FilmAmbiguous, LookupFailed
from bot.storage.models import (
    FIELDS,
    Alternative,
    Credit,
    Fact,
    Figure,
    FilmRef,
    Overview,
    Plot,
    Reception,
    SearchHit,
    Soundtrack,
    Sources,
    Spoil,
)

PARTS = ("beginning", "middle", "end")
MAX_HITS = 10
_LABELS = dict(FIELDS)
_DESCRIPTION_CAP = 1500  # description beside a list of fields
_ENTRY_CAP = 600  # one item (song, quote, hit, document) in a list
_QUERY_CAP = 200  # an echoed user query
_NAME_CAP = 100  # one name in a list of suggestions
_MORE_RESERVE = 60  # room kept for a "… more not shown" note


# ---------------------------------------------------------------- small pieces


def _film(film: FilmRef) -> str:
    title = clean(film.title) or "Untitled film"
    return f"{title} ({film.year})" if film.year else title


def _hide_if(text: str, spoil: Spoil) -> str:
    """Raw text, hidden when it spoils."""
    return spoiler(text) if spoil > Spoil.SAFE else clean(text)


def _docs(documents: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(clean(d) for d in documents[:most])
    extra = len(documents) - most
    return f"{shown} +{extra} more" if extra > 0 else shown


def _differ(alternatives: Sequence[Alternative], spoil: Spoil) -> str:
    """'sources differ: X (doc1), Y (doc2)', values hidden when the fact spoils."""
    if not alternatives:
        return ""
    others = ", ".join(f"{_hide_if(a.value, spoil)} ({_docs(a.documents)})" for a in alternatives)
    return f"*sources differ:* {others}"


def _fact(fact: Fact, *, bold: bool = False) -> str:
    """A fact's value (bold when safe and asked for) and, on a new line, what other sources say."""
    value = _hide_if(fact.value, fact.spoil)
    if bold and fact.spoil == Spoil.SAFE:
        value = _bold(value)
    return "\n".join(p for p in (value, _differ(fact.alternatives, fact.spoil)) if p)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _bold(text: str) -> str:
    """Markdown-ready text in bold; nothing for nothing (an empty "****" would show)."""
    return f"**{text}**" if text.strip() else ""


def _listing(entries: Sequence[str], limit: int, noun: str) -> str:
    """Whole entries, one per line, while they fit in `limit`; then '…and N more <noun>s.'"""
    out: list[str] = []
    used = 0
    for n, entry in enumerate(entries):
        entry = truncate(entry, min(_ENTRY_CAP, limit - _MORE_RESERVE))
        if used + len(entry) + 1 > limit - _MORE_RESERVE:
            out.append(f"…and {_plural(len(entries) - n, 'more ' + noun)}.")
            break
        out.append(entry)
        used += len(entry) + 1
    return "\n".join(out)


def _fields_reply(
    title: str,
    description: str,
    fields: Sequence[tuple[str, str]],
    *,
    noun: str,
    value_cap: int = limits.FIELD_VALUE,
    footer: str = "",
) -> Reply:
    """One embed with as many whole fields as fit, then a note of how many were left out."""
    title = truncate(title, limits.EMBED_TITLE)
    description = truncate(description, _DESCRIPTION_CAP)
    budget = limits.EMBED_TOTAL - len(title) - len(description) - len(footer) - _MORE_RESERVE
    kept: list[tuple[str, str]] = []
    for name, value in fields:
        name, value = truncate(name, limits.FIELD_NAME), truncate(value, value_cap)
        if len(kept) == limits.EMBED_FIELDS - 1 or len(name) + len(value) > budget:
            break
        kept.append((name, value))
        budget -= len(name) + len(value)
    if len(kept) < len(fields):
        kept.append(("More", f"{_plural(len(fields) - len(kept), noun)} not shown."))
    return Reply(None, [make_embed(title, description, kept, footer)])


def _paged(title: str, texts: Sequence[str], empty: str) -> list[Reply]:
    """One embed per description text, 'Page i/n' in the footer."""
    texts = list(texts) or [empty]
    return [
        Reply(None, [make_embed(title, text, footer=f"Page {n}/{len(texts)}")])
        for n, text in enumerate(texts, 1)
    ]


# ---------------------------------------------------------------- overview


def overview(o: Overview) -> Reply:
    """Title and year, the premise, every known fact in `FIELDS` order, top-billed cast, where to watch."""
    fields = [(label, _fact(o.facts[key])) for key, label in FIELDS if key in o.facts]
    if o.top_cast:
        cast = ", ".join(
            f"{clean(c.actor)} ({clean(c.character)})" if c.character else clean(c.actor) for c in o.top_cast
        )
        fields.append(("Starring", cast))
    if o.where_to_watch:
        fields.append(("Where to watch", ", ".join(clean(w) for w in o.where_to_watch)))
    if o.timeline:
        entries = sorted(o.timeline, key=lambda t: t.sort_key)
        lines = [": ".join(p for p in (_bold(clean(t.when)), clean(t.text)) if p) for t in entries]
        fields.append(("Timeline", "\n".join(lines)))
    return Reply(None, [make_embed(_film(o.film), clean(o.premise), fields)])


# ---------------------------------------------------------------- cast


def _notes(c: Credit) -> str:
    return " ".join(p for p in (clean(c.note), spoiler(c.note_spoiler)) if p)


def _role(c: Credit) -> str:
    text = _bold(clean(c.actor)) or "(unnamed)"
    if c.character:
        text += f" as {clean(c.character)}"
    if c.credited_as:
        text += f" (credited as {clean(c.credited_as)})"
    return text


def _also(c: Credit) -> str:
    if not c.actor_alternatives:
        return ""
    names = ", ".join(f"{clean(a.value)} in {_docs(a.documents)}" for a in c.actor_alternatives)
    return f"*also credited as* {names}"


def _credit_entry(c: Credit) -> str:
    lines = [f"**{c.billing}.** {_role(c)}", _notes(c), _also(c)]
    for young in c.younger:
        lines.append(f"↳ younger: {_role(young)}")
        lines += [f"  {part}" for part in (_notes(young), _also(young)) if part]
    return "\n".join(line for line in lines if line.strip())


def _top_level(credits: Sequence[Credit]) -> list[Credit]:
    """Credits in billing order, without younger versions already listed under their adult role."""
    nested = {(y.actor, y.character) for c in credits for y in c.younger}
    ordered = sorted(credits, key=lambda c: c.billing)
    return [c for c in ordered if c.adult_of is None or (c.actor, c.character) not in nested]


def cast_pages(film: FilmRef, credits: list[Credit], per_page: int = 10) -> list[Reply]:
    """The whole cast in billing order, `per_page` roles a page (a long page is split further)."""
    entries = _top_level(credits)
    per_page = max(1, per_page)
    title = f"Cast: {_film(film)}"
    groups = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
    pages: list[str] = []
    for group in groups:
        segments = [(_credit_entry(c) + "\n", False) for c in group]
        pages += chunk(segments, limits.EMBED_DESCRIPTION)
    return _paged(title, pages, "No cast is known for this film.")


def credit_matches(film: FilmRef, query: str, credits: list[Credit]) -> Reply:
    """The credits matching a cast search, each in detail (notes, younger versions, sources)."""
    asked = f"“{truncate(clean(query), _QUERY_CAP)}”"
    title = f"Cast: {_film(film)}"
    if not credits:
        return Reply(None, [make_embed(title, f"No one in the cast matches {asked}.")])
    fields = []
    for c in sorted(credits, key=lambda c: c.billing):
        name = f"{c.billing}. {clean(c.actor)}" + (f": {clean(c.character)}" if c.character else "")
        lines = [_notes(c)]
        if c.credited_as:
            lines.append(f"Credited as {clean(c.credited_as)}")
        if c.adult_of:
            lines.append(f"Younger version of {clean(c.adult_of)}")
        lines += [f"Younger: {_role(y)} {_notes(y)}".strip() for y in c.younger]
        lines += [_also(c), f"Sources: {_docs(c.documents)}" if c.documents else ""]
        fields.append((name, "\n".join(line for line in lines if line) or "No further details."))
    return _fields_reply(title, f"Matches for {asked}", fields, noun="credit")


# ---------------------------------------------------------------- plot


def plot(p: Plot, part: str | None = None) -> list[Reply]:
    """The premise in the clear, then each beat numbered and hidden on its own, paged as needed.

    `part` ("beginning", "middle" or "end") keeps only that part's beats.
    """
    if part is not None and part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    told = [b for b in p.beats if (part is None or b.part == part) and spoiler(b.text)]
    beats = sorted(told, key=lambda b: b.index)
    title = f"Plot: {_film(p.film)}" + (f" ({part})" if part else "")
    segments: list[Segment] = []
    if p.premise:
        segments.append((f"**Premise**\n{clean(p.premise)}\n\n", False))
    about = []
    if p.document:
        about.append(f"The plot as told in {clean(p.document)}.")
    if p.document and p.continued_from:
        about.append(f"Where it stops, the story goes on as told in {clean(p.continued_from)}.")
    if p.rejected:
        n = len(p.rejected)
        were = "was" if n == 1 else "were"
        about.append(
            f"{_plural(n, 'sentence')} of other sources that this telling does not support {were} left out."
        )
    if beats:
        about.append("Each step is hidden: reveal them one at a time.")
    if about:
        segments.append((f"*{' '.join(about)}*\n\n", False))
    current = None
    for beat in beats:
        heading = ""
        if part is None and beat.part != current:
            current = beat.part
            heading = f"{_bold(clean(beat.part.capitalize()))}\n"  # kept on the page of its first beat
        segments.append((f"{heading}**{beat.index + 1}.** {spoiler(beat.text)}\n", False))
    if not beats:
        where = f"the {part}" if part else "this film"
        segments.append((f"No plot events are known for {where}.", False))
    return _paged(title, chunk(segments, limits.EMBED_DESCRIPTION), "No plot is known for this film.")


# ---------------------------------------------------------------- soundtrack


def soundtrack(s: Soundtrack) -> Reply:
    """Score composer, featured pre-existing music, and songs with performer, songwriters and title disputes."""
    fields = []
    if s.composer:
        fields.append(("Score", _fact(s.composer)))
    if s.featured:
        fields.append(("Featured music", ", ".join(clean(c) for c in s.featured)))
    songs = []
    for song in s.songs:
        line = _bold(f"“{clean(song.title)}”")
        if song.performer:
            line += f" by {clean(song.performer)}"
        if song.writers:
            line += f" (written by {', '.join(clean(w) for w in song.writers)})"
        differ = _differ(song.title_alternatives, Spoil.SAFE)
        songs.append(f"{line}; {differ}" if differ else line)
    description = _listing(songs, limits.EMBED_DESCRIPTION - 1024, "song") or "No songs are known."
    fields = [(name, truncate(value, limits.FIELD_VALUE)) for name, value in fields]
    return Reply(None, [make_embed(f"Soundtrack: {_film(s.film)}", description, fields)])


# ---------------------------------------------------------------- reception


def _figure(f: Figure) -> str:
    """'**70%** of 98 reviews · average 6.58/10 · verdict', then any disputed values."""
    value, _, differ = _fact(f.fact, bold=True).partition("\n")
    if f.count is not None:
        value += f" of {f.count} {clean(f.count_label)}".rstrip()
    extras = [f"average {clean(f.average)}" if f.average else "", clean(f.verdict or "")]
    value += "".join(f" · {e}" for e in extras if e)
    return f"{value}\n{differ}" if differ else value


def reception(r: Reception) -> Reply:
    """Aggregator figures (with disputes), the consensus, critics' quotes and reviewers' own ratings."""
    fields = [(clean(f.aggregator), _figure(f)) for f in r.figures]
    if r.reviewer_ratings:
        ratings = [f"{clean(f.aggregator)}: {_figure(f)}" for f in r.reviewer_ratings]
        fields.append(("Reviewers' own ratings", _listing(ratings, limits.FIELD_VALUE, "rating")))
    for q in r.quotes:
        name = ", ".join(clean(x) for x in (q.critic, q.outlet) if x) or "Critic"
        if q.grade:
            name += f" ({clean(q.grade)})"
        fields.append((name, _hide_if(f"“{q.text}”", q.spoil)))
    description = f"**Consensus:** {_fact(r.consensus)}" if r.consensus else ""
    if not fields and not description:
        description = "No reception details are known."
    return _fields_reply(
        f"Reception: {_film(r.film)}", description, fields, noun="item", value_cap=_ENTRY_CAP
    )


# ---------------------------------------------------------------- search


def search(query: str, hits: list[SearchHit]) -> Reply:
    """The best passages for a query, with document and section; spoiling passages hidden."""
    asked = f"“{truncate(clean(query), _QUERY_CAP)}”"
    if not hits:
        return Reply(None, [make_embed("Search", f"Nothing in the documents matches {asked}.")])
    several = len({h.film.slug for h in hits}) > 1
    fields = []
    for hit in hits[:MAX_HITS]:
        name = f"{clean(hit.document)}, {clean(hit.section)}" if hit.section else clean(hit.document)
        if several:
            name = f"{_film(hit.film)}: {name}"
        fields.append((name, _hide_if(hit.snippet, hit.spoil)))
    description = f"Best passages for {asked}"
    if len(hits) > MAX_HITS:
        description += f" ({MAX_HITS} of {len(hits)})"
    return _fields_reply("Search", description, fields, noun="passage", value_cap=_ENTRY_CAP)


# ---------------------------------------------------------------- sources


def _percent(share: float) -> str:
    if share != share:  # NaN
        return "unknown"
    return f"{round(min(max(share, 0.0), 1.0) * 100)}%"


def sources(s: Sources) -> Reply:
    """Each document (shape, reliability, near-copies, contributions) and the facts the sources dispute."""
    fields = []
    for doc in s.documents:
        shape = (
            f"{clean(doc.shape)} ({clean(doc.markup)})"
            if doc.markup not in ("", "plain")
            else clean(doc.shape)
        )
        lines = [f"{shape} · reliability {_percent(doc.reliability)}"]
        if doc.copy_of:
            lines.append(f"near-copy of {clean(doc.copy_of)}")
        lines += [f"· {clean(r)}" for r in doc.reasons]
        won = [f"{clean(kind)} {n}" for kind, n in sorted(doc.contributed.items()) if n and kind != "garbles"]
        if won:
            lines.append(f"contributed: {', '.join(won)}")
        garbled = [g for g in s.garbles if g.document == doc.document]
        if garbled:
            shown = "; ".join(
                f"“{clean(g.garbled)}” for “{clean(g.value)}” ({clean(g.what)})" for g in garbled
            )
            lines.append(f"garbles: {shown}")
        lines += [f"⚠ {clean(w)}" for w in doc.warnings]
        fields.append((clean(doc.document), "\n".join(lines)))
    for fact in s.disputed:
        label = _LABELS.get(fact.field, fact.field)
        value = f"{_hide_if(fact.value, fact.spoil)} ({_docs(fact.documents)})"
        fields.append((f"Disputed: {clean(label)}", f"{value}\n{_differ(fact.alternatives, fact.spoil)}"))
    description = "" if fields else "No sources are known for this film."
    return _fields_reply(f"Sources: {_film(s.film)}", description, fields, noun="item", value_cap=_ENTRY_CAP)


# ---------------------------------------------------------------- lookups and help

_KINDS = {"film": "film", "credit": "cast member"}


def not_found(err: LookupFailed) -> str:
    """'No film matches “x”. Did you mean …?' with the closest names."""
    kind = _KINDS.get(err.kind, clean(err.kind))
    text = f"I couldn't find a {kind} matching “{truncate(clean(err.query), _QUERY_CAP)}”."
    if err.suggestions:
        names = ", ".join(_bold(truncate(clean(s), _NAME_CAP)) or "“”" for s in err.suggestions[:10])
        text += f" Did you mean {names}?"
    return truncate(text, limits.CONTENT)


def ambiguous(err: FilmAmbiguous) -> str:
    """'Which film?' with the films on offer."""
    names = [_bold(truncate(_film(f), _NAME_CAP)) for f in err.films[:10]]
    text = "Which film do you mean? Please name one"
    if names:
        text += ": " + ", ".join(names)
        if len(err.films) > len(names):
            text += f" and {len(err.films) - len(names)} more"
    return truncate(text + ".", limits.CONTENT)


def help_reply(commands: list[tuple[str, str]]) -> Reply:
    """The command list: '/name: what it does', one per line."""
    lines = [f"**/{escape(name)}**: {clean(about)}" for name, about in commands]
    description = _listing(lines, limits.EMBED_DESCRIPTION, "command") or "No commands are available."
    footer = "Plot details are always hidden behind spoiler tags."
    return Reply(None, [make_embed("Film club commands", description, footer=footer)], ephemeral=True)
