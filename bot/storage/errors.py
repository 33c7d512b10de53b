"""Errors the query layer raises; presentation turns them into helpful answers."""

from __future__ import annotations

from bot.storage.models import FilmRef


class LookupFailed(Exception):
    """Nothing matched what the user typed. `suggestions` are the closest names (may be empty)."""

    def __init__(self, kind: str, query: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(f"no {kind} matches {query!r}")
        self.kind = kind  # "film" | "credit" | ...
        self.query = query
        self.suggestions = suggestions


class FilmAmbiguous(Exception):
    """Several films exist and none was named."""

    def __init__(self, films: tuple[FilmRef, ...]) -> None:
        super().__init__("several films; name one")
        self.films = films


class KnowledgeUnavailable(Exception):
    """The knowledge database is missing or unreadable."""


class StateError(Exception):
    """The state database cannot be used as it is (e.g. written by a newer version of the bot)."""


class StateUnavailable(Exception):
    """The state database could not be reached (refused, dropped or timed-out connections) within the retry
    budget. Nothing was changed, or the change is safe to repeat; the caller may try again later."""
