"""The club's history (/history) and statistics (/stats): pure, within Discord's limits.

Film titles come from the state (copied when the night was recorded), so they are escaped like any text.
Members are shown as mentions, which the sender never lets ping (allowed_mentions none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bot.club.scores import CriticsScore, club_percent
from bot.club.stats import ClubStats, Disagreement
from bot.present import limits
from bot.present.nights import film_name
from bot.present.ratings import average, number
from bot.present.reply import Reply, make_embed
from bot.present.text import Segment, chunk, escape, truncate
from bot.storage.models import FilmRef
from bot.storage.state import Screening, Verdict

PER_PAGE: Final = 8
HISTORY_TITLE: Final = "What the club watched"
STATS_TITLE: Final = "Film club statistics"
NOTHING_YET: Final = "No movie night has happened here yet. Plan one with `/movienight schedule`."


def _film(film: FilmRef) -> str:
    return escape(film_name(film)) or "Untitled film"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def duration(minutes: int) -> str:
    """125 -> '2 h 5 min'."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours:,} h {rest} min" if rest else f"{hours:,} h"


def critics(score: CriticsScore | None) -> str:
    if score is None:
        return "no critics' score known"
    return f"{escape(score.source)} {escape(score.shown)}"


# -- /history -------------------------------------------------------------------------------------------------


def history_entry(screening: Screening, verdict: Verdict, score: CriticsScore | None) -> str:
    when = f"<t:{int(screening.starts_at.timestamp())}:D>"
    going = _plural(screening.attendance, "member") + " going"
    club = average(verdict) if verdict.count else "not rated yet"
    return f"**{_film(screening.film)}** · {when}\n👥 {going} · ⭐ Club: {club} · 🎟️ Critics: {critics(score)}"


def history_pages(
    screenings: Sequence[Screening],
    verdicts: Mapping[str, Verdict],
    scores: Mapping[str, CriticsScore | None],
) -> list[Reply]:
    """Newest first, `PER_PAGE` nights a page: date, attendance, the club's score and the critics'."""
    if not screenings:
        return [Reply(None, [make_embed(HISTORY_TITLE, NOTHING_YET)])]
    total = f"{_plural(len(screenings), 'movie night')}"
    groups = [screenings[i : i + PER_PAGE] for i in range(0, len(screenings), PER_PAGE)]
    texts: list[str] = []
    for group in groups:
        segments: list[Segment] = [
            (history_entry(s, verdicts.get(s.film.slug, Verdict()), scores.get(s.film.slug)) + "\n\n", False)
            for s in group
        ]
        texts += chunk(segments, limits.EMBED_DESCRIPTION)
    return [
        Reply(None, [make_embed(HISTORY_TITLE, text, footer=f"Page {n}/{len(texts)} · {total}")])
        for n, text in enumerate(texts, 1)
    ]


# -- /stats ---------------------------------------------------------------------------------------------------


def _rated_lines(films: Sequence[tuple[FilmRef, Verdict]]) -> str:
    return "\n".join(f"{average(verdict)}: **{_film(film)}**" for film, verdict in films)


def _disagreement(d: Disagreement) -> str:
    club = d.verdict.average or 0.0
    direction = "more" if d.points > 0 else "less"
    gap = abs(d.points)
    if round(gap) == 0:
        return f"**{_film(d.film)}**: the club and the critics agree ({club_percent(club):.0f}/100)."
    return (
        f"**{_film(d.film)}**: the club gave {number(club)}/5 ({club_percent(club):.0f}/100); "
        f"the critics, {critics(d.critics)} ({d.critics.percent:.0f}/100). "
        f"The club liked it {gap:.0f} points {direction}."
    )


def _people(ranked: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{escape(name)} ({_plural(n, 'night')})" for name, n in ranked)


def stats_reply(stats: ClubStats) -> Reply:
    """Films and hours watched, highest and lowest rated, the biggest disagreement with the critics, the
    most-watched director and most-seen actors, and the most regular members."""
    if not stats.nights and not stats.rated:
        return Reply(None, [make_embed(STATS_TITLE, NOTHING_YET)])
    watched = (
        f"**{_plural(stats.nights, 'movie night')}**, {_plural(stats.films, 'film')}, "
        f"**{duration(stats.minutes)}** of film"
    )
    if stats.unknown_runtime:
        watched += f" (runtime unknown for {_plural(stats.unknown_runtime, 'night')})"
    fields: list[tuple[str, str]] = [("Watched", watched)]
    if stats.highest:
        fields.append(("Highest rated", _rated_lines(stats.highest)))
    if stats.lowest:
        fields.append(("Lowest rated", _rated_lines(stats.lowest)))
    if stats.disagreement is not None:
        fields.append(("Biggest disagreement with the critics", _disagreement(stats.disagreement)))
    if stats.directors:
        fields.append(("Most-watched director", _people(stats.directors)))
    if stats.actors:
        fields.append(("Most-seen actors", _people(stats.actors)))
    if stats.regulars:
        lines = [f"<@{member}>: {_plural(n, 'night')}" for member, n in stats.regulars]
        fields.append(("Most regular members", "\n".join(lines)))
    notes = []
    if not stats.rated:
        notes.append("Nobody has rated a film yet: rate one with `/rate` or the stars after a film.")
    if stats.facts_missing:
        names = ", ".join(_film(f) for f in stats.facts_missing[:5])
        notes.append(f"Not in the library any more (no directors or cast counted): {names}.")
    description = truncate(" ".join(notes), 1000)
    return Reply(None, [make_embed(STATS_TITLE, description, fields)])
