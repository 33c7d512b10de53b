"""Pages with Previous/Next buttons that keep working: after a restart, and for as long as the message exists.

A page button's custom_id says which pages and which page it turns to (`page:<kind>:<index>:<role>:<key>`,
e.g. ``page:cast:2:next:the-perfection``). A click renders that page again from its source (a `PageSource` a
cog registers under `kind`, e.g. the cast of the film `key`), so nothing is kept in memory and any click on
any page message is answered. A key too long for a custom_id is kept in memory under a digest; after a
restart such pages, like pages whose source is gone (a film removed), answer kindly that they have expired
and which command shows them again. Only the person who ran the command can turn the pages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import discord

from bot.present import limits
from bot.present.reply import NO_MENTIONS, Reply

NOT_YOURS = "Only the person who ran the command can turn these pages. Run it yourself to browse."
PATTERN = r"page:(?P<kind>[a-z]{1,16}):(?P<index>[0-9]{1,5}):(?P<role>prev|at|next):(?P<key>.*)"
_DIGEST = "#"  # a key reference that starts with this is a digest of a key kept in memory

PageSource = Callable[[discord.Interaction[Any], str], Awaitable[Sequence[Reply] | None]]
"""The pages for `key`, rendered again (None, or no pages, when they can no longer be shown)."""


def expired(command: str) -> str:
    return f"These pages have expired. Run {command} again to see them."


@dataclass
class _Registry:
    sources: dict[str, tuple[PageSource, str]] = field(default_factory=dict)
    long_keys: dict[str, str] = field(default_factory=dict)


_REGISTRIES: WeakKeyDictionary[discord.Client, _Registry] = WeakKeyDictionary()


def _registry(client: discord.Client) -> _Registry:
    found = _REGISTRIES.get(client)
    if found is None:
        found = _REGISTRIES[client] = _Registry()
    return found


def register(client: discord.Client, kind: str, source: PageSource, command: str) -> None:
    """Make pages of `kind` turnable on this client; `command` is what shows them again (e.g. "/cast")."""
    if not re.fullmatch(r"[a-z]{1,16}", kind):
        raise ValueError(f"a page kind is 1-16 lowercase letters, not {kind!r}")
    _registry(client).sources[kind] = (source, command)


def unregister(client: discord.Client, kind: str) -> None:
    _registry(client).sources.pop(kind, None)


def custom_id(kind: str, index: int, role: str, key_ref: str) -> str:
    return f"page:{kind}:{index}:{role}:{key_ref}"


def _key_ref(client: discord.Client, kind: str, key: str) -> str:
    """The key as it goes into custom_ids: itself, or a digest (kept in memory) when it would not fit."""
    if len(custom_id(kind, 99999, "next", key)) <= limits.CUSTOM_ID and not key.startswith(_DIGEST):
        return key
    digest = _DIGEST + hashlib.sha256(key.encode()).hexdigest()[:20]
    _registry(client).long_keys[digest] = key
    return digest


def _key(client: discord.Client, key_ref: str) -> str | None:
    if key_ref.startswith(_DIGEST):
        return _registry(client).long_keys.get(key_ref)
    return key_ref


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=PATTERN):
    """◀ Previous, the position, or Next ▶: turns to page `index` of the pages `kind`/`key_ref`."""

    def __init__(
        self, kind: str, key_ref: str, index: int, role: str, *, label: str = "…", disabled: bool = False
    ):
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id(kind, index, role, key_ref),
                disabled=disabled,
            )
        )
        self.kind = kind
        self.key_ref = key_ref
        self.index = index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["kind"], match["key"], int(match["index"]), match["role"])

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        message = interaction.message
        metadata = message.interaction_metadata if message is not None else None
        if metadata is None or metadata.user.id == interaction.user.id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await turn(interaction, self.kind, self.key_ref, self.index)


def page_view(client: discord.Client, kind: str, key: str, index: int, count: int) -> discord.ui.View:
    """◀ Previous · i/n · Next ▶ for page `index` of `count` (persistent: no timeout)."""
    ref = _key_ref(client, kind, key)
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, ref, max(index - 1, 0), "prev", label="◀ Previous", disabled=index == 0))
    view.add_item(PageButton(kind, ref, index, "at", label=f"{index + 1}/{count}", disabled=True))
    view.add_item(
        PageButton(kind, ref, min(index + 1, count - 1), "next", label="Next ▶", disabled=index >= count - 1)
    )
    return view


async def turn(interaction: discord.Interaction[Any], kind: str, key_ref: str, index: int) -> None:
    """Show page `index` of these pages on the clicked message, or say kindly that they have expired."""
    client = interaction.client
    source, command = _registry(client).sources.get(kind, (None, "the command"))
    key = _key(client, key_ref)
    pages = await source(interaction, key) if source is not None and key is not None else None
    if not pages:
        await interaction.response.send_message(
            expired(command), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    index = min(max(index, 0), len(pages) - 1)
    view = page_view(client, kind, key or "", index, len(pages)) if len(pages) > 1 else None
    await interaction.response.edit_message(**pages[index].to_edit_kwargs(), view=view)


async def send_pages(
    interaction: discord.Interaction[Any],
    pages: Sequence[Reply],
    kind: str,
    key: str,
    *,
    private: bool = False,
) -> None:
    """Answer with the first page, and page buttons when there are more (`kind`/`key` render them again)."""
    if not pages:
        raise ValueError("nothing to send")
    kwargs = pages[0].to_send_kwargs()
    kwargs["ephemeral"] = private or pages[0].ephemeral
    if len(pages) > 1:
        kwargs["view"] = page_view(interaction.client, kind, key, 0, len(pages))
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
