"""A message as the console shows it: what a Discord user would see, as text.

Spoilers are marked ⟦spoiler: …⟧; `<t:…>` timestamps are written out in the server's timezone (relative ones
against the console's clock); mentions become @names and #channels; markdown escapes and bold are removed;
embeds, polls, attachments and buttons are drawn in a few characters each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.offline.model import EPHEMERAL
from bot.present.text import split_spoilers

_TIMESTAMP = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
_MENTION = re.compile(r"<(@&|@!?|#)(\d{1,20})>")
_ESCAPED = re.compile(r"\\([\\*_~`|\[\]<>#\-+.()!])|\*\*")
_ZERO_WIDTH = "\u200b"


@dataclass
class Names:
    """How to show ids and times: members, roles and channels by name, times in `zone`, relative to `now`."""

    now: datetime
    zone: str = "UTC"
    users: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)


def _relative(when: datetime, now: datetime) -> str:
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if size >= length:
            n = round(size / length)
            amount = f"{n} {unit}" + ("s" if n != 1 else "")
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    return (
        "now" if size < 1 else (f"in {round(size)} seconds" if seconds > 0 else f"{round(size)} seconds ago")
    )


def timestamp(seconds: int, style: str, names: Names) -> str:
    """A `<t:seconds:style>` as Discord writes it out (English), in the server's timezone."""
    try:
        when = datetime.fromtimestamp(seconds, ZoneInfo(names.zone))
    except (OverflowError, OSError, ValueError):
        return f"<t:{seconds}>"
    if style == "R":
        return _relative(when, names.now)
    formats = {
        "t": "%H:%M",
        "T": "%H:%M:%S",
        "d": "%d/%m/%Y",
        "D": "%-d %B %Y",
        "f": "%-d %B %Y %H:%M",
        "F": "%A %-d %B %Y %H:%M",
    }
    return when.strftime(formats.get(style, formats["f"]))


def moment(when: datetime, names: Names) -> str:
    """The console's own way to say a time: 'Friday 28 November 2026 20:00 (UTC)'."""
    return f"{timestamp(int(when.timestamp()), 'F', names)} ({names.zone})"


def text(raw: str, names: Names) -> str:
    """Markdown as a reader sees it: spoilers marked, timestamps and mentions resolved, escapes dropped."""

    def mention(match: re.Match[str]) -> str:
        kind, number = match[1], int(match[2])
        if kind == "#":
            return "#" + names.channels.get(number, "unknown-channel")
        if kind == "@&":
            return "@" + names.roles.get(number, "unknown-role")
        return "@" + names.users.get(number, "someone")

    def resolve(part: str) -> str:
        shown = _TIMESTAMP.sub(lambda m: timestamp(int(m[1]), m[2] or "f", names), part)
        shown = _MENTION.sub(mention, shown)
        return _ESCAPED.sub(lambda m: m[1] or "", shown).replace(_ZERO_WIDTH, "")

    parts = [f"⟦spoiler: {resolve(p)}⟧" if hidden else resolve(p) for p, hidden in split_spoilers(raw)]
    return re.sub(r"^-# ", "", "".join(parts), flags=re.MULTILINE)


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        c for row in message.get("components") or [] for c in row.get("components", []) if c.get("type") == 2
    ]


def message(data: Mapping[str, Any], names: Names) -> str:
    """One message: content, embeds, poll, attachments and buttons (one line per row)."""
    lines: list[str] = ["(only you can see this)"] if int(data.get("flags") or 0) & EPHEMERAL else []
    if data.get("content"):
        lines.append(text(data["content"], names))
    for embed in data.get("embeds") or []:
        lines.append("┌ " + text(embed.get("title") or "", names))
        if embed.get("description"):
            lines += ["│ " + line for line in text(embed["description"], names).splitlines()]
        for f in embed.get("fields") or []:
            lines.append(f"│ ▸ {text(f.get('name') or '', names)}")
            lines += ["│   " + line for line in text(f.get("value") or "", names).splitlines()]
        if (embed.get("footer") or {}).get("text"):
            lines.append("└ " + embed["footer"]["text"])
    poll = data.get("poll")
    if isinstance(poll, Mapping):
        lines.append("📊 " + ((poll.get("question") or {}).get("text") or ""))
        for n, answer in enumerate(poll.get("answers") or [], 1):
            lines.append(f"   {n}. {(answer.get('poll_media') or {}).get('text') or ''}")
    for attachment in data.get("attachments") or []:
        lines.append(f"📎 {attachment.get('filename', 'file')} ({attachment.get('size', 0):,} bytes)")
    lines += [shown for row in data.get("components") or [] if (shown := _buttons_row(row))]
    return "\n".join(lines)


def same_text(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a message's words are unchanged (only its buttons may differ)."""
    return (before.get("content"), before.get("embeds")) == (after.get("content"), after.get("embeds"))


def update(data: Mapping[str, Any]) -> str:
    """A message whose buttons changed, shown as its new buttons."""
    rows = [_buttons_row(row) for row in data.get("components") or []]
    return "↻ the message now shows: " + "\n  ".join(row for row in rows if row)


def _buttons_row(row: Mapping[str, Any]) -> str:
    return "  ".join(
        f"[{b.get('label', '')}{' (disabled)' if b.get('disabled') else ''}]"
        for b in row.get("components", [])
        if b.get("type") == 2
    )


def choices(found: list[dict[str, Any]]) -> str:
    if not found:
        return "(no choices)"
    return "Choices:\n" + "\n".join(f"  • {c['name']}" for c in found)


def post_header(channel: str, author: str, when: datetime, names: Names) -> str:
    return f"── #{channel} · {author} · {timestamp(int(when.timestamp()), 'f', names)} " + "─" * 8


def elapsed(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"
