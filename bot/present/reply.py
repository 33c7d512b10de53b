"""`Reply`: what a command sends, plus the embed builder that keeps every part within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import discord

from bot.present import limits
from bot.present.text import TAG, has_visible, plain_label, spoilers_balanced, truncate, unspoiled

COLOUR = 0x5B6EE1
NO_MENTIONS = discord.AllowedMentions.none()
PLACEHOLDER = "—"  # shown for a field name or value that would show nothing (Discord refuses blank ones)


class Field(NamedTuple):
    """An embed field: markdown-ready name and value; `inline` fields sit side by side."""

    name: str
    value: str
    inline: bool = False


class LimitError(ValueError):
    """A reply breaks one of Discord's limits or the spoiler rules."""


@dataclass
class Reply:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False

    @property
    def total_chars(self) -> int:
        """Characters counted against the per-message embed total."""
        return sum(len(embed) for embed in self.embeds)

    def problems(self) -> list[str]:
        """Every limit or spoiler rule this reply breaks (empty when it is sendable)."""
        found: list[str] = []

        def check(ok: bool, what: str) -> None:
            if not ok:
                found.append(what)

        content = self.content or ""
        check(has_visible(content) or bool(self.embeds), "nothing to send")
        check(len(content) <= limits.CONTENT, f"content is {len(content)} characters")
        check(spoilers_balanced(content), "content has unbalanced spoiler tags")
        check(len(self.embeds) <= limits.EMBEDS_PER_MESSAGE, f"{len(self.embeds)} embeds")
        check(self.total_chars <= limits.EMBED_TOTAL, f"embeds total {self.total_chars} characters")
        for n, embed in enumerate(self.embeds, 1):
            title = embed.title or ""
            description = embed.description or ""
            footer = embed.footer.text or ""
            author = embed.author.name or ""
            check(len(title) <= limits.EMBED_TITLE, f"embed {n}: title is {len(title)} characters")
            check(len(description) <= limits.EMBED_DESCRIPTION, f"embed {n}: description too long")
            check(spoilers_balanced(description), f"embed {n}: description has unbalanced spoiler tags")
            check(len(footer) <= limits.EMBED_FOOTER, f"embed {n}: footer too long")
            check(len(author) <= limits.EMBED_AUTHOR, f"embed {n}: author name too long")
            for where, text in (("title", title), ("footer", footer), ("author", author)):
                check(TAG not in text, f"embed {n}: spoiler tag in the {where}")
            check(len(embed.fields) <= limits.EMBED_FIELDS, f"embed {n}: {len(embed.fields)} fields")
            for f in embed.fields:
                name, value = f.name or "", f.value or ""
                check(len(name) <= limits.FIELD_NAME, f"embed {n}: field name length {len(name)}")
                check(len(value) <= limits.FIELD_VALUE, f"embed {n}: field value length {len(value)}")
                check(has_visible(name), f"embed {n}: a field name shows nothing ({name!r})")
                check(has_visible(value), f"embed {n}: a field value shows nothing ({value!r})")
                check(TAG not in name, f"embed {n}: spoiler tag in a field name")
                check(spoilers_balanced(value), f"embed {n}: field value has unbalanced spoiler tags")
        return found

    def validate(self) -> None:
        """Raise `LimitError` naming every broken limit; used by tests."""
        problems = self.problems()
        if problems:
            raise LimitError("; ".join(problems))

    def to_send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `interaction.response.send_message` / `followup.send`."""
        kwargs: dict[str, Any] = {
            "embeds": self.embeds,
            "ephemeral": self.ephemeral,
            "allowed_mentions": NO_MENTIONS,
        }
        if self.content is not None:
            kwargs["content"] = self.content
        return kwargs

    def to_edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `interaction.response.edit_message` (replaces content and embeds)."""
        return {"content": self.content, "embeds": self.embeds}


def _water_level(lengths: Sequence[int], budget: int) -> int:
    """The largest cap c with sum(min(length, c)) <= budget."""
    low, high = 0, max(lengths, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(n, mid) for n in lengths) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def _shown(text: str) -> str:
    return text if has_visible(text) else PLACEHOLDER


def make_embed(
    title: str,
    description: str = "",
    fields: Sequence[tuple[str, str] | Field] = (),
    footer: str = "",
    *,
    colour: int | discord.Colour = COLOUR,
) -> discord.Embed:
    """An embed within every limit, whatever it is given.

    `title`, `description`, field names and values are markdown-ready text (see `bot.present.text`).
    Spoiler spans are removed from the title and field names (they cannot hold tags); the footer is made
    plain. Parts are cut to their own limits, fields beyond 25 are summarised, and when the total passes
    6000 characters the longest parts are shortened evenly. A field name or value that would show nothing
    (empty, spaces, invisible characters: Discord refuses them) shows a dash; a title, description or footer
    that would show nothing is left out.
    """
    title = truncate(unspoiled(title), limits.EMBED_TITLE)
    title = title if has_visible(title) else ""
    footer = plain_label(footer, limits.EMBED_FOOTER)
    footer = footer if has_visible(footer) else ""
    items = [f if isinstance(f, Field) else Field(*f) for f in fields]
    if len(items) > limits.EMBED_FIELDS:
        extra = len(items) - limits.EMBED_FIELDS + 1
        items = [*items[: limits.EMBED_FIELDS - 1], Field("More", f"{extra} more not shown.")]
    names = [_shown(truncate(unspoiled(f.name).strip(), limits.FIELD_NAME)) for f in items]
    values = [_shown(truncate(f.value.strip(), limits.FIELD_VALUE)) for f in items]
    description = truncate(description.strip(), limits.EMBED_DESCRIPTION)
    parts = [description if has_visible(description) else "", *names, *values]
    # Room for a placeholder in every name and value, in case shortening leaves one showing nothing.
    budget = limits.EMBED_TOTAL - len(title) - len(footer) - 2 * len(PLACEHOLDER) * len(items)
    if sum(map(len, parts)) > budget:
        cap = _water_level([len(p) for p in parts], budget)
        parts = [truncate(p, cap) for p in parts]
    description, names, values = parts[0], parts[1 : len(items) + 1], parts[len(items) + 1 :]
    embed = discord.Embed(
        title=title or None, description=description if has_visible(description) else None, colour=colour
    )
    for name, value, item in zip(names, values, items, strict=True):
        embed.add_field(name=_shown(name), value=_shown(value), inline=item.inline)
    if footer:
        embed.set_footer(text=footer)
    return embed
