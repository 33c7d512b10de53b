"""A fixture film's expected answers, read from its TOML file (format: see `bench.knowledge`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

# [film] keys the grader knows, with how each is compared: the /movie field label and the kind of value.
# "names" are sets of folded names, whether the value names one ("Netflix") or several ("A, B and C").
FILM_FIELDS: dict[str, tuple[str, str]] = {
    "year": ("Year", "year"),
    "genre": ("Genre", "genre"),
    "director": ("Director", "names"),
    "writers": ("Writers", "names"),
    "producers": ("Producers", "names"),
    "composer": ("Music", "names"),
    "cinematographer": ("Cinematography", "names"),
    "editor": ("Editing", "names"),
    "companies": ("Production companies", "names"),
    "distributor": ("Distributor", "names"),
    "runtime_minutes": ("Runtime", "int"),
    "country": ("Country", "names"),
    "language": ("Language", "names"),
    "premiere_date": ("Premiere", "date"),
    "release_date": ("Release", "date"),
}
# [reception] keys: aggregator (matched in the figure's name), and whether the key is the figure or its count.
RECEPTION_KEYS: dict[str, tuple[str, str]] = {
    "rotten_tomatoes": ("rotten tomatoes", "value"),
    "rotten_tomatoes_reviews": ("rotten tomatoes", "count"),
    "metacritic": ("metacritic", "value"),
    "metacritic_critics": ("metacritic", "count"),
    "imdb": ("imdb", "value"),
}
_SECTIONS = {
    "mix",
    "film",
    "cast",
    "cast_rules",
    "songs",
    "music",
    "reception",
    "alternatives",
    "plot",
    "documents",
}
_KNOWN = {
    "film": {"title", *FILM_FIELDS},
    "cast_rules": {"complete"},
    "music": {"featured", "pieces"},
    "reception": set(RECEPTION_KEYS),
    "alternatives": {*FILM_FIELDS, *RECEPTION_KEYS},
    "plot": {"told", "told_by", "premise_mentions", "events", "spoilers", "never", "not_beats"},
    "documents": {"copies", "independent", "skipped", "warned"},
}


@dataclass(frozen=True)
class CastLine:
    actor: str
    character: str


@dataclass(frozen=True)
class SongLine:
    title: str
    performer: str | None = None
    writers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Answers:
    path: Path
    mix: str
    title: str
    film: dict[str, Any]  # [film] without the title; dates as `datetime.date`
    cast: tuple[CastLine, ...] = ()
    cast_complete: bool = False
    songs: tuple[SongLine, ...] = ()
    featured: tuple[str, ...] = ()
    pieces: tuple[str, ...] = ()
    reception: dict[str, float] = field(default_factory=dict)
    alternatives: dict[str, list[Any]] = field(default_factory=dict)
    told: bool | None = None
    told_by: tuple[str, ...] = ()
    premise_mentions: tuple[str, ...] = ()
    events: tuple[tuple[str, ...], ...] = ()
    spoilers: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    not_beats: tuple[str, ...] = ()
    copies: dict[str, str] = field(default_factory=dict)
    independent: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    warned: tuple[str, ...] = ()
    unknown_keys: tuple[str, ...] = ()  # keys this grader does not know (reported, not graded)


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _unknown(data: dict[str, Any]) -> list[str]:
    found = [key for key in data if key not in _SECTIONS]
    for section, known in _KNOWN.items():
        value = data.get(section)
        if isinstance(value, dict):
            found += [f"{section}.{key}" for key in value if key not in known]
    return found


def load(path: Path) -> Answers:
    """Read and check an answers file; raises ValueError when it is not one."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    film = dict(data.get("film", {}))
    if "title" not in film:
        raise ValueError(f"{path}: [film] needs a title")
    title = str(film.pop("title"))
    for key in ("premiere_date", "release_date"):
        if key in film:
            film[key] = _date(film[key])
    alternatives = {k: list(v) for k, v in data.get("alternatives", {}).items()}
    for key in ("premiere_date", "release_date"):
        if key in alternatives:
            alternatives[key] = [_date(v) for v in alternatives[key]]
    plot = data.get("plot", {})
    music = data.get("music", {})
    documents = data.get("documents", {})
    return Answers(
        path=path,
        mix=str(data.get("mix", "")),
        title=title,
        film=film,
        cast=tuple(CastLine(str(c["actor"]), str(c.get("character", ""))) for c in data.get("cast", [])),
        cast_complete=bool(data.get("cast_rules", {}).get("complete", False)),
        songs=tuple(
            SongLine(
                str(s["title"]),
                str(s["performer"]) if s.get("performer") else None,
                _strings(s["writers"]) if "writers" in s else None,
            )
            for s in data.get("songs", [])
        ),
        featured=_strings(music.get("featured")),
        pieces=_strings(music.get("pieces")),
        reception={k: float(v) for k, v in data.get("reception", {}).items()},
        alternatives=alternatives,
        told=plot.get("told"),
        told_by=_strings(plot.get("told_by")),
        premise_mentions=_strings(plot.get("premise_mentions")),
        events=tuple(_strings(e) for e in plot.get("events", [])),
        spoilers=_strings(plot.get("spoilers")),
        never=_strings(plot.get("never")),
        not_beats=_strings(plot.get("not_beats")),
        copies={str(k): str(v) for k, v in documents.get("copies", {}).items()},
        independent=_strings(documents.get("independent")),
        skipped=_strings(documents.get("skipped")),
        warned=_strings(documents.get("warned")),
        unknown_keys=tuple(_unknown(data)),
    )
