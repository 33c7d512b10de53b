"""What to tell the user when a command fails, and whether the failure was expected."""

from __future__ import annotations

import math

from discord import app_commands
from discord.ext import commands

from bot.present import limits
from bot.present.film import ambiguous, not_found
from bot.present.text import clean, truncate
from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed, StateUnavailable

GENERIC = "Sorry, something went wrong on my side. It has been logged; please try again later."
UNAVAILABLE = (
    "The film knowledge base isn't available right now. An admin needs to build it from the documents."
)
STATE_UNAVAILABLE = (
    "I can't reach my database right now, so I can't do that. Film questions still work; "
    "please try this again in a minute."
)

_OPTION_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes or no",
    "user": "a member",
    "channel": "a channel",
    "role": "a role",
    "mentionable": "a member or role",
    "attachment": "a file",
}
_QUERY_ERRORS = (LookupFailed, FilmAmbiguous, KnowledgeUnavailable)


def blank_option(option: str, example: str, hint: str = "") -> str:
    """The answer to an option that shows nothing (only spaces or invisible characters)."""
    text = f"`{option}` has nothing in it I can read (only spaces or invisible characters). Try `{example}`."
    return f"{text} {hint}".strip()


def _unwrap(error: BaseException) -> BaseException:
    """The exception a command really raised, out of discord.py's wrappers."""
    for _ in range(10):  # wrappers never nest deeper; the bound guards against cycles
        if isinstance(error, (app_commands.CommandInvokeError, commands.CommandInvokeError)):
            error = error.original
        elif isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, _QUERY_ERRORS):
            error = error.__cause__
        else:
            break
    return error


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 1:
        return "a moment"
    whole = math.ceil(seconds)
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _permissions(names: list[str]) -> str:
    words = [name.replace("_", " ").replace("guild", "server").title() for name in names] or ["required"]
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{joined} permission{'s' if len(words) > 1 else ''}"


def _transformer(error: app_commands.TransformerError) -> str:
    wanted = _OPTION_TYPES.get(error.type.name, "the expected kind of value")
    shown = truncate(clean(str(error.value)), 200)
    return f"I couldn't read “{shown}” as {wanted}. Please check it and try again."


def _message(error: BaseException) -> tuple[str, bool]:
    if isinstance(error, LookupFailed):
        return not_found(error), True
    if isinstance(error, FilmAmbiguous):
        return ambiguous(error), True
    if isinstance(error, KnowledgeUnavailable):
        return UNAVAILABLE, True
    if isinstance(error, StateUnavailable):
        return STATE_UNAVAILABLE, True
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {_duration(error.retry_after)}.", True
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permissions(error.missing_permissions)} to use this command.", True
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need the {_permissions(error.missing_permissions)} here to do that.", True
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server.", True
    if isinstance(error, (app_commands.MissingRole, app_commands.MissingAnyRole)):
        return "You don't have the role this command needs.", True
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", True
    if isinstance(error, app_commands.TransformerError):
        return _transformer(error), True
    return GENERIC, False


def error_message(error: Exception) -> tuple[str, bool]:
    """The user-facing message for a failed command, and whether the failure was expected.

    Expected failures (cooldowns, permissions, checks, unreadable options, the query layer's lookup
    errors) get a specific, escaped message. Anything else gets a generic apology and False, so the
    caller logs the traceback; the text of unknown exceptions is never shown.
    """
    message, expected = _message(_unwrap(error))
    return truncate(message, limits.CONTENT), expected
