"""Watchlist answers: the paged list, replies to add/remove, autocomplete labels. Pure.

Titles are members' text: escaped wherever markdown renders, plain in labels; member ids are written as
`<@id>` only in replies sent with no mentions allowed. Only the premise of a linked film is shown, so nothing
here spoils.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bot.nights.watchlist import MEMBER_CAP, SERVER_CAP, TITLE_MAX
from bot.present import limits
from bot.present.nights import stamp
from bot.present.reply import Reply, make_embed
from bot.present.text import escape, plain_label, truncate
from bot.storage.models import Overview
from bot.storage.state.watchlist import AddOutcome, Removed, WatchEntry

PAGE: Final = 10  # entries per page
PREMISE: Final = 140  # characters of a linked film's premise in the list


def entry_name(entry: WatchEntry) -> str:
    """Raw 'Title (Year)'."""
    return f"{entry.title} ({entry.year})" if entry.year else entry.title


def entry_choice(entry: WatchEntry) -> str:
    mark = " · watched" if entry.watched else f" · {entry.supporters} 👍"
    return plain_label(entry_name(entry), limits.CHOICE_NAME - len(mark)) + mark


def _line(number: int, entry: WatchEntry, premise: str | None) -> str:
    head = f"`{number}.` **{escape(entry_name(entry))}**"
    if entry.watched and entry.watched_at is not None:
        head = f"`{number}.` ✅ ~~{escape(entry_name(entry))}~~ watched {stamp(entry.watched_at, 'D')}"
    votes = "supporter" if entry.supporters == 1 else "supporters"
    details = [
        f"👍 {entry.supporters} {votes}",
        f"suggested by <@{entry.suggested_by}> {stamp(entry.suggested_at, 'R')}",
    ]
    details.append("📚 in the library" if entry.film else "not in the library yet")
    lines = [head, "   " + " · ".join(details)]
    if premise and not entry.watched:
        lines.append("   -# " + truncate(escape(" ".join(premise.split())), PREMISE))
    return "\n".join(lines)


def watchlist_pages(
    entries: Sequence[WatchEntry], premises: Mapping[int, str], *, server: str
) -> list[Reply]:
    """The whole list, `PAGE` entries a page: open entries (most supported first), then watched ones."""
    open_count = sum(1 for e in entries if not e.watched)
    footer = (
        f"{open_count} to watch, {len(entries) - open_count} watched · "
        f"at most {MEMBER_CAP} open suggestions per member, {SERVER_CAP} per server"
    )
    title = f"🎞️ Watchlist · {server}"
    if not entries:
        text = "Nothing on the watchlist yet. Suggest a film with `/watchlist add`."
        return [Reply(embeds=[make_embed(title, text, footer=footer)], ephemeral=True)]
    pages = []
    for start in range(0, len(entries), PAGE):
        chunk = entries[start : start + PAGE]
        body = "\n".join(_line(start + i, e, premises.get(e.id)) for i, e in enumerate(chunk, 1))
        pages.append(Reply(embeds=[make_embed(title, body, footer=footer)], ephemeral=True))
    return pages


def _premise(overview: Overview | None) -> str:
    if overview is None or not overview.premise.strip():
        return ""
    return "\n> " + truncate(escape(" ".join(overview.premise.split())), 400)


def added(outcome: AddOutcome, overview: Overview | None) -> str:
    entry = outcome.entry
    assert entry is not None
    name = f"**{escape(entry_name(entry))}**"
    library = " It's in the library: try `/movie` for details." if entry.film else ""
    before = ""
    if outcome.watched_before is not None and outcome.watched_before.watched_at is not None:
        before = f" (the club watched it before, {stamp(outcome.watched_before.watched_at, 'D')})"
    if outcome.result == "added":
        text = (
            f"Added {name} to the watchlist{before}.{library} "
            f"You have {outcome.open_count} of {MEMBER_CAP} open suggestions."
        )
    elif outcome.result == "supported":
        text = f"{name} was already on the watchlist: you're now one of its {entry.supporters} supporters.{library}"
    else:
        text = f"You already support {name} ({entry.supporters} supporters)."
    return truncate(text + _premise(overview), limits.CONTENT)


def member_cap(open_count: int) -> str:
    return (
        f"You already have {open_count} open suggestions, the most a member can have ({MEMBER_CAP}). "
        "Remove one with `/watchlist remove`, or wait until the club has watched one. Nothing was added."
    )


def server_cap() -> str:
    return (
        f"The watchlist is full ({SERVER_CAP} films to watch). An organiser can remove some with "
        "`/watchlist remove`. Nothing was added."
    )


def title_error(message: str) -> str:
    return f"⚠️ {escape(message)} Nothing was added."


def removed(result: Removed, entry: WatchEntry | None, entry_id: int) -> str:
    if result == "not_found" or entry is None:
        return f"There's no watchlist entry `{entry_id}` in this server. Pick one from the list as you type."
    name = f"**{escape(entry_name(entry))}**"
    if result == "removed":
        return f"Removed {name} from the watchlist."
    if result == "unsupported":
        return f"You no longer support {name}."
    return (
        f"Only whoever suggested {name} or an organiser (Manage Events) can remove it, "
        "and you don't support it."
    )


TITLE_HELP: Final = f"The film's title, e.g. 'Arrival (2016)' (at most {TITLE_MAX} characters)"
