"""Run interaction payloads through a real discord.py client in-process, its HTTP answered by a FakeDiscord.

async with connected_client(fake, bot) as client:
    handle = await invoke(client, fake, slash_command(ctx, "cast"))
    assert handle.response_data["embeds"] ...
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.offline.model import LOADING
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord


@contextlib.asynccontextmanager
async def connected_client(
    fake: FakeDiscord, client: discord.Client | None = None, *, setup_hook: bool = False
) -> AsyncIterator[discord.Client]:
    """A discord.Client (yours or a new one) logged in over HTTP to `fake`, without a gateway connection.

    discord.py's Route.BASE/DEFAULT_GATEWAY point at `fake` while inside. The client's state knows the bot
    user, the application id and all of fake's guilds. With setup_hook=True the client's setup_hook() runs
    (e.g. to load cogs); the client is closed on exit.
    """
    with fake.patch_discord():
        if client is None:
            intents = discord.Intents.none()
            intents.guilds = True
            client = discord.Client(intents=intents)
        await client._async_setup_hook()
        data = await client.http.static_login(fake.token)
        state = client._connection
        state.user = discord.ClientUser(state=state, data=data)
        state.application_id = fake.application_id
        for guild in fake.guilds.values():
            state._add_guild_from_data(fake.guild_create_payload(guild))  # type: ignore[arg-type]
        try:
            if setup_hook:
                await client.setup_hook()
            yield client
        finally:
            await client.close()


def make_interaction(client: discord.Client, payload: Mapping[str, Any]) -> discord.Interaction[Any]:
    """The discord.Interaction discord.py would build from this INTERACTION_CREATE payload."""
    return discord.Interaction(data=dict(payload), state=client._connection)  # type: ignore[arg-type]


def _tree(client: discord.Client) -> app_commands.CommandTree[Any]:
    tree = client._connection._command_tree
    if tree is None:
        raise RuntimeError("this client has no app_commands.CommandTree")
    return tree


async def invoke(
    client: discord.Client,
    fake: FakeDiscord,
    payload: Mapping[str, Any],
    *,
    answer_within: float = 5.0,
) -> InteractionHandle:
    """Run a payload through client's handlers as discord.py would, and return the handle with what they sent.

    Commands/autocomplete run through the CommandTree (checks, transformers, error handler) and are awaited;
    component clicks and modals go to the view store and are given `answer_within` seconds to answer.
    """
    handle = fake.register_interaction(payload)
    interaction = make_interaction(client, handle.payload)
    handle.interaction = interaction
    handle.dispatched_at = handle.created_at
    kind = handle.payload["type"]
    state = client._connection
    if kind in (2, 4):
        tree = _tree(client)
        try:
            await tree._call(interaction)
        except app_commands.AppCommandError as exc:
            await tree._dispatch_error(interaction, exc)
    else:
        data = handle.payload["data"]
        if kind == 3:
            state._view_store.dispatch_view(data["component_type"], data["custom_id"], interaction)
        elif kind == 5:
            state._view_store.dispatch_modal(data["custom_id"], interaction, data["components"], {})
        client.dispatch("interaction", interaction)
        with contextlib.suppress(TimeoutError):
            await handle.wait(answer_within)
    return handle


def deliver(client: discord.Client, fake: FakeDiscord, payload: Mapping[str, Any]) -> InteractionHandle:
    """Hand a payload to the client exactly as its gateway would (INTERACTION_CREATE), without waiting."""
    handle = fake.register_interaction(payload)
    handle.dispatched_at = handle.created_at
    client._connection.parse_interaction_create(handle.payload)  # type: ignore[arg-type]
    return handle


def settled(handle: InteractionHandle) -> bool:
    """The interaction is answered, and a deferred answer has been filled in (edited or followed up)."""
    if handle.callback is None:
        return False
    if handle.response_type != 5:
        return True
    original = handle.original_message
    return bool(handle.followups) or (original is not None and not original["flags"] & LOADING)
