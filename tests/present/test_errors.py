from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from hypothesis import given
from hypothesis import strategies as st

from bot.present import limits
from bot.present.errors import GENERIC, UNAVAILABLE, error_message
from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.models import FilmRef
from tests.present.strategies import (
    FILM,
    PROFILE,
    any_text,
)


async def _callback(interaction: discord.Interaction) -> None:
    return None


COMMAND: app_commands.Command[Any, ..., None] = app_commands.Command(
    name="cast", description="Who plays whom", callback=_callback
)


def invoked(error: Exception) -> app_commands.CommandInvokeError:
    """How discord.py hands a command's own exception to the error handler."""
    return app_commands.CommandInvokeError(COMMAND, error)


def transformer_error(value: object, cause: Exception | None = None) -> app_commands.TransformerError:
    error = app_commands.TransformerError(
        value, discord.AppCommandOptionType.integer, app_commands.Transformer()
    )
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "expected_text"),
    [
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30.0), 12.3), "try again in 13 seconds"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 600.0), 125.0), "try again in 2 min 5 s"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 1.0), 0.2), "try again in a moment"),
        (app_commands.MissingPermissions(["manage_events"]), "You need the Manage Events permission"),
        (
            app_commands.BotMissingPermissions(["send_messages", "embed_links"]),
            "I need the Send Messages and Embed Links permissions",
        ),
        (app_commands.NoPrivateMessage(), "only works in a server"),
        (app_commands.MissingRole(123), "role"),
        (app_commands.CheckFailure("internal detail"), "You can't use this command here."),
        (transformer_error("twelve"), "I couldn't read “twelve” as a whole number"),
        (KnowledgeUnavailable("db missing at /secret/path"), UNAVAILABLE),
    ],
)
def test_expected_errors(error: Exception, expected_text: str) -> None:
    message, expected = error_message(error)
    assert expected is True
    assert expected_text in message
    assert "internal detail" not in message and "/secret/path" not in message


def test_query_errors_are_unwrapped() -> None:
    message, expected = error_message(invoked(LookupFailed("film", "Perfektion", ("The Perfection",))))
    assert expected
    assert message == "I couldn't find a film matching “Perfektion”. Did you mean **The Perfection**?"
    other = FilmRef("the-room", "The Room", 2003)
    message, expected = error_message(invoked(FilmAmbiguous((FILM, other))))
    assert expected and "**The Perfection (2018)**, **The Room (2003)**" in message
    message, expected = error_message(transformer_error("Perfektion", LookupFailed("film", "Perfektion")))
    assert expected and message.startswith("I couldn't find a film matching “Perfektion”")
    message, expected = error_message(commands.CommandInvokeError(KnowledgeUnavailable()))
    assert expected and message == UNAVAILABLE


def test_unexpected_errors_get_a_generic_apology() -> None:
    for error in (RuntimeError("token=abc123"), invoked(KeyError("secret")), ValueError()):
        message, expected = error_message(error)
        assert (message, expected) == (GENERIC, False)


def test_user_text_in_messages_is_escaped() -> None:
    message, _ = error_message(transformer_error("@everyone ||x|| **y**"))
    assert "@everyone" not in message and "||" not in message and "\\*\\*y\\*\\*" in message


@PROFILE
@given(any_text, st.lists(any_text, max_size=20))
def test_messages_fit_and_never_leak(text: str, names: list[str]) -> None:
    message, expected = error_message(invoked(RuntimeError(text)))
    assert (message, expected) == (GENERIC, False)
    for error in (LookupFailed("film", text, tuple(names)), transformer_error(text)):
        message, expected = error_message(invoked(error))
        assert expected and len(message) <= limits.CONTENT
        assert "@everyone" not in message and "@here" not in message
