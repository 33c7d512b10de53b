"""Grading the facts shown: /movie fields and their alternatives, cast, soundtrack, reception, documents."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bench.grading.answers import FILM_FIELDS, RECEPTION_KEYS, Answers
from bench.grading.match import (
    character_matches,
    dates_in,
    fold_name,
    fold_text,
    has_phrase,
    numbers_in,
    same_name,
    split_names,
)
from bench.grading.shown import Snapshot
from bench.grading.tally import Tally, show
from bot.storage.models import Alternative, Credit, SourceInfo

DIFFER = "sources differ:"
# Answers keys -> Overview.facts keys, where they differ.
_FACT_KEY = {"runtime_minutes": "runtime", "premiere_date": "premiere", "release_date": "release"}


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def _genre(text: str) -> str:
    return re.sub(r"\s+(?:film|movie)$", "", fold_name(text))


def value_of(kind: str, text: str) -> Any:
    """The value of `kind` read from shown text; None when the text holds none."""
    if kind in ("int", "year"):
        numbers = [n for n in numbers_in(text) if n.is_integer()]
        return int(numbers[0]) if numbers else None
    if kind == "float":
        numbers = numbers_in(text)
        return numbers[0] if numbers else None
    if kind == "date":
        found = dates_in(text)
        return found[0] if found else None
    if kind == "names":
        return frozenset(fold_name(n) for n in split_names(text)) or None
    if kind == "genre":
        return _genre(text) or None
    return fold_name(text) or None


def expected_of(kind: str, value: Any) -> Any:
    """An answers value in the form `value_of` gives."""
    if kind in ("int", "year"):
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if kind == "names":  # a string or a list of strings, split the way shown text is
        values = [value] if isinstance(value, str) else list(value)
        return frozenset(fold_name(n) for v in values for n in split_names(str(v)))
    if kind == "genre":
        return _genre(str(value))
    return fold_name(str(value))


def _main(value: str) -> str:
    """A shown fact value without its 'sources differ' line."""
    return value.split(DIFFER)[0].strip()


def _title(a: Answers, snap: Snapshot, t: Tally) -> None:
    shown_title = next((p.revealed() for p in snap.reply("/movie").parts if p.where == "title"), "")
    t.check(
        same_name(snap.film.title, a.title) and has_phrase(shown_title, a.title),
        f"title: expected {a.title!r}, shown {show(shown_title)}",
    )


def _year(a: Answers, snap: Snapshot, t: Tally) -> None:
    expected = int(a.film["year"])
    field = snap.reply("/movie").field("Year")
    shown = [snap.film.year] + ([value_of("year", _main(field))] if field else [])
    if all(y is None for y in shown):
        t.gone(f"year: expected {expected}, nothing shown")
    else:
        t.check(all(y in (None, expected) for y in shown), f"year: expected {expected}, shown {shown}")


def _film_facts(a: Answers, snap: Snapshot, t: Tally) -> None:
    _title(a, snap, t)
    movie = snap.reply("/movie")
    for key, expected in a.film.items():
        if key not in FILM_FIELDS:
            continue
        if key == "year":
            _year(a, snap, t)
            continue
        label, kind = FILM_FIELDS[key]
        field = movie.field(label)
        got = value_of(kind, _main(field)) if field else None
        if got is None:
            t.gone(f"{key}: expected {_fmt(expected)!r}, nothing shown")
        else:
            t.check(
                got == expected_of(kind, expected),
                f"{key}: expected {_fmt(expected)!r}, shown {show(_main(field or ''))}",
            )


def _shown_alternatives(snap: Snapshot, key: str) -> list[Alternative]:
    """Alternatives shown for a graded key: in its /movie or /reception fact, and in /sources' disputes."""
    alts: list[Alternative] = []
    if key in RECEPTION_KEYS:
        aggregator, _ = RECEPTION_KEYS[key]
        alts += [
            a
            for f in snap.reception.figures
            if aggregator in fold_text(f.aggregator)
            for a in f.fact.alternatives
        ]
        return alts
    fact = snap.overview.facts.get(_FACT_KEY.get(key, key))
    alts += list(fact.alternatives) if fact else []
    label = FILM_FIELDS[key][0] if key in FILM_FIELDS else key
    for disputed in snap.sources.disputed:
        if fold_name(disputed.field) == fold_name(label):
            alts += [a for a in disputed.alternatives if a not in alts]
    return alts


def _kind(key: str) -> str:
    if key in RECEPTION_KEYS:
        return "float" if key == "imdb" else "int"
    return FILM_FIELDS[key][1] if key in FILM_FIELDS else "name"


def _alternatives(a: Answers, snap: Snapshot, t: Tally) -> None:
    graded = ["title", *(k for k in a.film if k in FILM_FIELDS), *a.reception, *a.alternatives]
    for key in dict.fromkeys(graded):
        kind = _kind(key)
        wanted = [expected_of(kind, v) for v in a.alternatives.get(key, [])]
        main = a.title if key == "title" else a.film.get(key, a.reception.get(key))
        main_value = expected_of(kind, main) if main is not None else None
        shown = _shown_alternatives(snap, key)
        if key in RECEPTION_KEYS and RECEPTION_KEYS[key][1] == "count":
            # A count has no alternatives of its own: it is written beside the figure's ("73% of 85 reviews").
            counts = {n for alt in shown for n in numbers_in(alt.value)[1:]}
            for want in wanted:
                if want in counts:
                    t.ok()
                else:
                    t.gone(f"{key}: alternative {_fmt(want)} not shown as '{DIFFER}'")
            continue
        values = [value_of(kind, alt.value) for alt in shown]
        for want in wanted:
            if want in values:
                t.ok()
            else:
                t.gone(f"{key}: alternative {_fmt(want)} not shown as '{DIFFER}'")
        for alt, value in zip(shown, values, strict=True):
            if value not in wanted and value != main_value:
                t.bad(
                    f"{key}: {alt.value!r} ({', '.join(alt.documents)}) shown as an alternative, not a real one"
                )


def _cast(a: Answers, snap: Snapshot, t: Tally) -> None:
    credits = snap.credits
    listed = snap.reply("/cast").revealed()
    expected_actors = {fold_name(c.actor) for c in a.cast}
    for line in a.cast:
        role = f"{line.actor} as {line.character}" if line.character else line.actor
        mine = [c for c in credits if same_name(c.actor, line.actor)]
        hit = next(
            (c for c in mine if not line.character or character_matches(line.character, c.character)), None
        )
        if hit is not None:
            t.check(has_phrase(listed, hit.actor), f"cast: {role} is known but not listed in /cast")
        elif mine and not any(c.character.strip() for c in mine):
            t.gone(f"cast: {line.actor} shown without a character, expected {line.character!r}")
        elif mine:
            t.bad(f"cast: expected {role}, shown as {' / '.join(repr(c.character) for c in mine)}")
        else:
            stranger = next(
                (
                    c
                    for c in credits
                    if character_matches(line.character, c.character)
                    and fold_name(c.actor) not in expected_actors
                ),
                None,
            )
            if stranger is not None:
                t.bad(f"cast: expected {role}, shown {stranger.actor!r} as {stranger.character!r}")
            else:
                t.gone(f"cast: {role}")
    if a.cast_complete:
        _extra_cast(credits, expected_actors, a.never, t)


def _extra_cast(credits: list[Credit], expected_actors: set[str], never: tuple[str, ...], t: Tally) -> None:
    """Actors outside a complete cast, unless a `never` phrase names them (that check reports them)."""
    reported: set[str] = set()
    for c in credits:
        names = [(c.actor, f"listed as {c.character!r}")]
        names += [
            (alt.value, f"'also credited as' for {c.actor} ({', '.join(alt.documents)})")
            for alt in c.actor_alternatives
        ]
        for name, how in names:
            if any(has_phrase(name, phrase) for phrase in never):
                continue
            if fold_name(name) not in expected_actors and fold_name(name) not in reported:
                reported.add(fold_name(name))
                t.garble(f"cast: {name!r} {how}, not in the complete cast (garble or invention shown)")


def _soundtrack(a: Answers, snap: Snapshot, t: Tally) -> None:
    text = snap.reply("/soundtrack").revealed()
    for song in a.songs:
        hit = next((s for s in snap.soundtrack.songs if same_name(s.title, song.title)), None)
        if hit is None:
            t.gone(f"song: {song.title!r}")
            continue
        wrong = []
        if song.performer and not same_name(hit.performer, song.performer):
            wrong.append(f"performer {hit.performer!r}, expected {song.performer!r}")
        if song.writers is not None and {fold_name(w) for w in hit.writers} != {
            fold_name(w) for w in song.writers
        }:
            wrong.append(f"writers {list(hit.writers)}, expected {list(song.writers)}")
        if not has_phrase(text, song.title):
            wrong.append("not listed in /soundtrack")
        t.check(not wrong, f"song {song.title!r}: {'; '.join(wrong)}")
    for name in (*a.featured, *a.pieces):
        if has_phrase(text, name):
            t.ok()
        else:
            t.gone(f"music: {name!r} not named in /soundtrack")
    if "composer" in a.film:
        score = snap.soundtrack.composer
        if score is None:
            t.gone(f"soundtrack score: expected {a.film['composer']!r}")
        else:
            t.check(
                value_of("names", _main(score.value)) == expected_of("names", a.film["composer"]),
                f"soundtrack score: expected {a.film['composer']!r}, shown {show(score.value)}",
            )


def _reception(a: Answers, snap: Snapshot, t: Tally) -> None:
    reply = snap.reply("/reception")
    for key, expected in a.reception.items():
        aggregator, what = RECEPTION_KEYS[key]
        figure = next((f for f in snap.reception.figures if aggregator in fold_text(f.aggregator)), None)
        if figure is None:
            t.gone(f"{key}: expected {_fmt(expected)}, no {aggregator.title()} figure")
            continue
        got = value_of("float", figure.fact.value) if what == "value" else figure.count
        field = reply.field(figure.aggregator) or ""
        if got is None:
            t.gone(f"{key}: expected {_fmt(expected)}, shown {show(field)}")
            continue
        t.check(
            float(got) == expected and has_phrase(field, _fmt(float(got))),
            f"{key}: expected {_fmt(expected)}, shown {show(field)}",
        )


def _same_bytes(snap: Snapshot, copy: str, original: str, info: dict[str, SourceInfo]) -> bool:
    """Byte-identical documents: either may be shown as the copy of the other."""
    twin = info.get(original)
    same = snap.digests.get(copy) is not None and snap.digests.get(copy) == snap.digests.get(original)
    return same and twin is not None and twin.copy_of == copy


def _documents(a: Answers, snap: Snapshot, t: Tally) -> None:
    info = {d.document: d for d in snap.sources.documents}
    listing = snap.reply("/sources")
    for copy, original in a.copies.items():
        doc = info.get(copy)
        if doc is None:
            t.gone(f"copies: {copy} is not in /sources")
        elif doc.copy_of == original:
            shown = has_phrase(listing.field(copy) or "", original)
            t.check(shown, f"copies: /sources does not show {copy} as a copy of {original}")
        elif _same_bytes(snap, copy, original, info):
            shown = has_phrase(listing.field(original) or "", copy)
            t.check(shown, f"copies: /sources does not show {original} as a copy of {copy} (the same bytes)")
        elif doc.copy_of:
            t.bad(f"copies: {copy} shown as a near-copy of {doc.copy_of}, expected {original}")
        else:
            t.gone(f"copies: {copy} not marked as a near-copy of {original}")
    for name in a.independent:
        doc = info.get(name)
        if doc is None:
            t.gone(f"documents: {name} is not in /sources")
            continue
        twins = [
            o
            for o in a.independent
            if o != name and o in info and (info[o].witness == doc.witness or doc.copy_of == o)
        ]
        t.check(not twins, f"documents: {name} grouped as a copy with {', '.join(twins)}")
    warnings = [*snap.warnings, *(f"{d.document}: {w}" for d in snap.sources.documents for w in d.warnings)]
    for name in dict.fromkeys((*a.warned, *a.skipped)):
        if any(name in w for w in warnings):
            t.ok()
        else:
            t.gone(f"warnings: no warning names {name}")
    for name in a.skipped:
        used = [b.index + 1 for b in snap.plot.beats if b.provenance.document == name]
        used_facts = [f.field for f in snap.overview.facts.values() if name in f.documents]
        used_cast = [c.actor for c in snap.credits if name in c.documents]
        what = ([f"beats {used}"] if used else []) + ([f"facts {used_facts}"] if used_facts else [])
        what += [f"credits {used_cast}"] if used_cast else []
        searched = [
            r.command for r in snap.replies if r.command.startswith("/search") and r.field_named(name)
        ]
        what += [f"search hits in {searched[0]}"] if searched else []
        t.check(not what, f"skipped: {name} was used ({'; '.join(what)})")


def grade_facts(a: Answers, snap: Snapshot, t: Tally) -> None:
    _film_facts(a, snap, t)
    _alternatives(a, snap, t)
    _cast(a, snap, t)
    _soundtrack(a, snap, t)
    _reception(a, snap, t)
    _documents(a, snap, t)
