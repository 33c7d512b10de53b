"""What /film add, list and remove say: pure functions, data in, `Reply` out (always ephemeral: only the
member who asked needs it). File names and titles come from users and are escaped like document text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.present import limits
from bot.present.reply import Reply, make_embed
from bot.present.text import chunk, clean, truncate
from bot.storage.fields import show
from bot.storage.knowledge.records import FilmRecord
from bot.storage.models import FilmRef
from bot.storage.state.library import LibraryFilm, Quota, Usage

Problem = tuple[str, str]  # (file name as the user gave it, why it was left out)

_NAME_CAP = 80
_MB = 1024 * 1024


def _film(title: str, year: int | None) -> str:
    shown = clean(title) or "Untitled film"
    return f"{shown} ({year})" if year else shown


def _ts(when: datetime) -> str:
    return f"<t:{int(when.timestamp())}:d>"


def _size(n: int) -> str:
    if n <= 0:
        return "0 KB"
    if n >= _MB and n % _MB == 0:
        return f"{n // _MB} MB"
    return f"{n / _MB:.1f} MB" if n >= _MB / 10 else f"{max(1, round(n / 1024))} KB"


def _problems(problems: Sequence[Problem]) -> str:
    lines = [
        f"• **{truncate(clean(name), _NAME_CAP)}** {truncate(clean(why), 300)}" for name, why in problems
    ]
    return truncate("\n".join(lines), limits.FIELD_VALUE)


def _say(text: str, problems: Sequence[Problem] = ()) -> Reply:
    fields = [("Documents", _problems(problems))] if problems else []
    return Reply(None, [make_embed("Film library", text, fields)], ephemeral=True)


# ---------------------------------------------------------------- refusals before anything is read


def not_allowed(role_id: int | None) -> Reply:
    who = "members with **Manage Server**"
    if role_id is not None:
        who += f" or the <@&{role_id}> role"
    return _say(f"Only {who} can add or remove films here. Nothing was changed.")


def slow_down(per_minute: int, retry_after: float) -> Reply:
    return _say(
        f"This server can add at most {per_minute} films a minute. "
        f"Please try again in {max(1, round(retry_after))} seconds. Nothing was added."
    )


def no_documents() -> Reply:
    return _say("Attach at least one document (.txt, .md, .html or .htm) about the film. Nothing was added.")


def too_many_documents(given: int, most: int) -> Reply:
    return _say(f"That is {given} documents; one add takes at most {most}. Nothing was added.")


def bad_title(problem: str) -> Reply:
    return _say(f"The title {problem}. Nothing was added.")


def download_failed(why: str) -> Reply:
    return _say(f"I couldn't download the documents: {clean(why)}. Nothing was added; please try again.")


def busy() -> Reply:
    return _say("Another film is being added in this server right now. Please try again in a moment.")


# ---------------------------------------------------------------- the outcome of an add

REFUSALS = {
    "nothing_usable": "I couldn't use any of these documents. Nothing was added.",
    "no_title": (
        "The documents don't say which film they are about. Add them again with the `title` option. "
        "Nothing was added."
    ),
    "nothing_new": "These documents are already in the film. Nothing was added.",
    "twice": "The same document is attached twice. Attach each document once. Nothing was added.",
    "too_many_films": "This server's library is full ({films} films). Remove a film first. Nothing was added.",
    "too_many_bytes": "This server's documents would pass its {size} quota. Remove a film first. Nothing was added.",
    "changed": "The film changed while you were deciding. Please run the command again. Nothing was added.",
}


def refused(reason: str, problems: Sequence[Problem], quota: Quota, film: FilmRef | None = None) -> Reply:
    if reason == "shared" and film is not None:
        text = (
            f"{_film(film.title, film.year)} is already in the shared library, which every server sees. "
            "Nothing was added."
        )
    else:
        text = REFUSALS[reason].format(films=quota.films, size=_size(quota.bytes))
    return _say(text, problems)


def learned(film: FilmRecord, problems: Sequence[Problem], *, merged: bool, new_documents: int) -> Reply:
    """What the bot learned from the documents: title, year, director, credits, plot beats, disputed facts,
    and a warning per document it could not use."""
    verb = "Merged into" if merged else "Added to"
    description = (
        f"{verb} this server's library from {new_documents} new document{'s' if new_documents != 1 else ''}. "
        "Members of this server can now ask about it."
    )
    director = film.fact("director")
    disputed = [clean(f.label) for f in film.facts if f.alternatives]
    fields = [
        ("Year", str(film.year) if film.year else "not found"),
        (
            "Director",
            clean(show("director", director.text, director.number, director.date, director.items))
            if director
            else "not found",
        ),
        ("Cast", f"{len(film.credits)} credits"),
        ("Plot", f"{len(film.beats)} beats told (every one behind a spoiler tag)"),
        ("Documents", f"{len(film.documents)} used"),
    ]
    if disputed:
        fields.append(("Sources differ on", truncate(", ".join(disputed), limits.FIELD_VALUE)))
    if problems:
        fields.append(("Left out", _problems(problems)))
    title = f"{_film(film.title, film.year)}"
    return Reply(
        None, [make_embed(title, description, fields, footer="/film list shows the library")], ephemeral=True
    )


def confirm_merge(existing: LibraryFilm, film: FilmRecord, new_documents: int) -> Reply:
    text = (
        f"This server already has {_film(existing.title, existing.year)} with {len(existing.documents)} "
        f"document{'s' if len(existing.documents) != 1 else ''}. Add {new_documents} more to it? "
        "Its answers will then come from all of them."
    )
    return Reply(None, [make_embed("Merge into a film you have?", text)], ephemeral=True)


def confirm_remove(film: FilmRef, documents: int) -> Reply:
    text = (
        f"Remove {_film(film.title, film.year)} and its {documents} document{'s' if documents != 1 else ''} from "
        "this server's library? Members will no longer be able to ask about it. Movie nights already scheduled "
        "keep their text."
    )
    return Reply(None, [make_embed("Remove a film?", text)], ephemeral=True)


def removed(film: FilmRef) -> Reply:
    return _say(f"Removed {_film(film.title, film.year)} from this server's library.")


def cancelled() -> Reply:
    return _say("Cancelled. Nothing was changed.")


def expired() -> Reply:
    return _say("That question has expired. Nothing was changed; please run the command again.")


def not_own(film: FilmRef) -> Reply:
    if film.shared:
        return _say(
            f"{_film(film.title, film.year)} is in the shared library, which the bot's operator looks after. "
            "Only films this server added can be removed."
        )
    return _say("That film isn't in this server's library.")


def role_set(role_id: int | None) -> Reply:
    if role_id is None:
        return _say("Only members with **Manage Server** can now add and remove films.")
    return _say(f"Members with the <@&{role_id}> role can now add and remove films, as can Manage Server.")


# ---------------------------------------------------------------- /film list


def listing(shared: Sequence[FilmRef], own: Sequence[LibraryFilm], usage: Usage, quota: Quota) -> list[Reply]:
    """The server's library: its own films first (who added them, when, how many documents), then the shared
    ones; paged."""
    segments: list[tuple[str, bool]] = []
    if own:
        segments.append(("**This server's films**\n", False))
        for f in own:
            adders = sorted({d.added_by for d in f.documents} | {f.added_by})
            by = ", ".join(f"<@{u}>" for u in adders[:3]) + (
                f" +{len(adders) - 3}" if len(adders) > 3 else ""
            )
            line = (
                f"• **{_film(f.title, f.year)}**: {len(f.documents)} document{'s' if len(f.documents) != 1 else ''}, "
                f"{_size(f.size)}; added by {by} on {_ts(f.added_at)}"
            )
            if f.updated_at != f.added_at:
                line += f", last {_ts(f.updated_at)}"
            segments.append((line + "\n", False))
    else:
        segments.append(("This server hasn't added any films yet: `/film add`.\n", False))
    segments.append((f"\n**Shared films** ({len(shared)}, for every server)\n", False))
    segments += [(f"• {_film(r.title, r.year)}\n", False) for r in shared]
    if not shared:
        segments.append(("None.\n", False))
    footer = f"This server: {usage.films}/{quota.films} films, {_size(usage.bytes)} of {_size(quota.bytes)}"
    pages = chunk(segments, limits.EMBED_DESCRIPTION - 200)
    return [
        Reply(
            None,
            [make_embed("Film library", text, footer=f"{footer} · page {n}/{len(pages)}")],
            ephemeral=True,
        )
        for n, text in enumerate(pages, 1)
    ]
