"""The paginator driven through real discord.py objects: a real View, real Buttons, real Interactions.

Only the HTTP edge is replaced: `FakeAdapter` stands in for discord.py's webhook adapter and records the
interaction responses discord.py would have sent to Discord.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord.webhook.async_ import async_context

from bot.present import limits
from bot.present.film import cast_pages
from bot.present.paging import NOT_YOURS, Paginator
from bot.present.reply import Reply, make_embed
from bot.storage.models import Credit, FilmRef

OWNER = 111111111111111111
STRANGER = 222222222222222222
EPHEMERAL = 1 << 6


class FakeAdapter:
    """Records what discord.py would POST as interaction callbacks."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []

    async def create_interaction_response(
        self, interaction_id: int, token: str, **kwargs: Any
    ) -> dict[str, Any]:
        self.responses.append(kwargs["params"].payload)
        return {"interaction": {"id": str(interaction_id), "type": 3}}


@pytest.fixture
def adapter() -> Iterator[FakeAdapter]:
    fake = FakeAdapter()
    token = async_context.set(fake)  # type: ignore[arg-type]
    yield fake
    async_context.reset(token)


def click(custom_id: str, user_id: int) -> discord.Interaction:
    """A real component interaction, as discord.py builds it from the gateway payload."""
    state = MagicMock()
    state.allowed_mentions = None
    state._get_client.return_value.user = None
    payload: Any = {
        "id": "900000000000000001",
        "application_id": "900000000000000002",
        "type": 3,
        "token": "token",
        "version": 1,
        "attachment_size_limit": 8_000_000,
        "data": {"custom_id": custom_id, "component_type": 2},
        "user": {"id": str(user_id), "username": "member", "discriminator": "0", "avatar": None},
    }
    return discord.Interaction(data=payload, state=state)


def pages(n: int) -> list[Reply]:
    return [Reply(None, [make_embed(f"Page {i}", f"Text of page {i}")]) for i in range(1, n + 1)]


def buttons(view: discord.ui.View) -> list[dict[str, Any]]:
    (row,) = view.to_components()
    return list(row["components"])


async def press(view: Paginator, label: str, user_id: int) -> discord.Interaction:
    """Dispatch a click the way discord.py's view store does (interaction_check, then the callback)."""
    item = next(i for i in view.children if isinstance(i, discord.ui.Button) and i.label == label)
    assert item.custom_id is not None
    interaction = click(item.custom_id, user_id)

    async def raise_error(interaction: discord.Interaction, error: Exception, item: Any) -> None:
        raise error

    view.on_error = raise_error  # type: ignore[method-assign]
    await view._scheduled_task(item, interaction)
    return interaction


async def test_components_and_limits() -> None:
    view = Paginator(pages(3), OWNER)
    parts = buttons(view)
    assert [b["label"] for b in parts] == ["◀ Previous", "1/3", "Next ▶"]
    assert [b.get("disabled", False) for b in parts] == [True, True, False]
    ids = [b["custom_id"] for b in parts]
    assert len(set(ids)) == 3 and all(len(i) <= limits.CUSTOM_ID for i in ids)
    assert all(len(b["label"]) <= limits.BUTTON_LABEL for b in parts)


async def test_owner_turns_pages(adapter: FakeAdapter) -> None:
    replies = pages(3)
    view = Paginator(replies, OWNER)
    await press(view, "Next ▶", OWNER)
    (sent,) = adapter.responses
    assert sent["type"] == discord.InteractionResponseType.message_update.value
    assert sent["data"]["embeds"] == [replies[1].embeds[0].to_dict()]
    labels = [b["label"] for b in sent["data"]["components"][0]["components"]]
    assert labels == ["◀ Previous", "2/3", "Next ▶"]
    await press(view, "Next ▶", OWNER)
    last = adapter.responses[-1]["data"]["components"][0]["components"]
    assert [b.get("disabled", False) for b in last] == [False, True, True]
    await press(view, "◀ Previous", OWNER)
    assert view.index == 1 and adapter.responses[-1]["data"]["embeds"][0]["title"] == "Page 2"


async def test_others_get_an_ephemeral_hint(adapter: FakeAdapter) -> None:
    view = Paginator(pages(2), OWNER)
    await press(view, "Next ▶", STRANGER)
    (sent,) = adapter.responses
    assert sent["type"] == discord.InteractionResponseType.channel_message.value
    assert sent["data"]["content"] == NOT_YOURS
    assert sent["data"]["flags"] & EPHEMERAL
    assert view.index == 0


async def test_timeout_disables_buttons() -> None:
    view = Paginator(pages(2), OWNER, timeout=0.01)
    message = MagicMock()
    message.edit = AsyncMock()
    view.message = message
    await view.on_timeout()
    assert all(b.get("disabled") for b in buttons(view))
    message.edit.assert_awaited_once_with(view=view)


async def test_timeout_survives_a_deleted_message() -> None:
    view = Paginator(pages(2), OWNER)
    message = MagicMock()
    message.edit = AsyncMock(side_effect=discord.NotFound(MagicMock(status=404), "gone"))
    view.message = message
    await view.on_timeout()  # no exception


async def test_send_attaches_buttons_only_when_paged() -> None:
    for count, has_view in ((1, False), (2, True)):
        view = Paginator(pages(count), OWNER)
        interaction = MagicMock()
        interaction.response.is_done.return_value = False
        interaction.response.send_message = AsyncMock()
        interaction.original_response = AsyncMock(return_value="message")
        await view.send(interaction)
        kwargs = interaction.response.send_message.await_args.kwargs
        assert ("view" in kwargs) is has_view
        assert kwargs["allowed_mentions"].everyone is False
        assert view.message == "message"


async def test_cast_pages_through_the_paginator(adapter: FakeAdapter) -> None:
    film = FilmRef("the-perfection", "The Perfection", 2018)
    credits = [Credit(n, f"Actor {n}", f"Role {n}", "", "", ()) for n in range(1, 26)]
    replies = cast_pages(film, credits, per_page=10)
    view = Paginator(replies, OWNER)
    assert buttons(view)[1]["label"] == "1/3"
    await press(view, "Next ▶", OWNER)
    assert "Actor 11" in adapter.responses[0]["data"]["embeds"][0]["description"]


def test_needs_a_page() -> None:
    with pytest.raises(ValueError):
        Paginator([], OWNER)
