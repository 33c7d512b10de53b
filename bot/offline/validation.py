"""What the real Discord refuses, so the offline Discord refuses it too (400, code 50035 Invalid Form Body).

Documented limits (lengths, counts, the 6000-character embed total) and the rules Discord applies on top of
its OpenAPI description: an embed field's name and value are required and may not be blank, a message may
not be empty or whitespace only, an autocomplete choice needs a non-blank name. Each problem is a
`Violation` with the path Discord would report it under, so `invalid_form` builds Discord's nested error body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Route templates (the OpenAPI description's own names) whose bodies carry message content.
MESSAGE_TEMPLATES = frozenset(
    {
        ("POST", "/channels/{channel_id}/messages"),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
    }
)
CALLBACK_TEMPLATE = "/interactions/{interaction_id}/{interaction_token}/callback"
COMMAND_TEMPLATES = frozenset(
    {
        "/applications/{application_id}/commands",
        "/applications/{application_id}/commands/{command_id}",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
    }
)
EVENT_TEMPLATES = frozenset(
    {
        "/guilds/{guild_id}/scheduled-events",
        "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
    }
)
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
COMPONENTS_V2_FLAG = 1 << 15

TOO_LONG = "BASE_TYPE_MAX_LENGTH"
REQUIRED = "BASE_TYPE_REQUIRED"
BAD_LENGTH = "BASE_TYPE_BAD_LENGTH"
BAD_VALUE = "BASE_TYPE_BAD_VALUE"
EMBED_SIZE = "MAX_EMBED_SIZE_EXCEEDED"


@dataclass(frozen=True)
class Violation:
    """One refused part of a body: where (``embeds[0].fields[2].value``), what, and Discord's error code."""

    where: str
    detail: str
    code: str = BAD_LENGTH

    def __str__(self) -> str:
        return f"{self.where} {self.detail}" if self.where else self.detail

    @property
    def path(self) -> list[str]:
        """The keys of Discord's nested error object: ``embeds[0].value`` -> ["embeds", "0", "value"]."""
        return [part for part in re.split(r"[.\[\]]+", self.where) if part]


def error_body(violations: Sequence[Violation]) -> dict[str, Any]:
    """Discord's `errors` object: nested by path, `_errors` lists at the leaves."""
    errors: dict[str, Any] = {}
    for violation in violations:
        node = errors
        for key in violation.path:
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": violation.code, "message": violation.detail})
    return errors


def _too_long(where: str, value: Any, limit: int) -> list[Violation]:
    if isinstance(value, str) and len(value) > limit:
        return [Violation(where, f"is {len(value)} characters (max {limit})", TOO_LONG)]
    return []


def _too_many(where: str, value: Any, limit: int) -> list[Violation]:
    if isinstance(value, list) and len(value) > limit:
        return [Violation(where, f"has {len(value)} entries (max {limit})", TOO_LONG)]
    return []


def _blank(where: str, value: Any) -> list[Violation]:
    """Discord strips surrounding whitespace, then requires something (a zero-width space counts)."""
    if not isinstance(value, str) or not value.strip():
        return [Violation(where, f"is required and may not be blank (got {value!r})", REQUIRED)]
    return []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _embed_violations(embeds: Any) -> list[Violation]:
    if not isinstance(embeds, list):
        return []
    out = _too_many("embeds", embeds, 10)
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, Mapping):
            continue
        at = f"embeds[{i}]"
        for key, limit in (("title", 256), ("description", 4096)):
            out += _too_long(f"{at}.{key}", embed.get(key), limit)
            total += _length(embed.get(key))
        footer, author = _mapping(embed.get("footer")), _mapping(embed.get("author"))
        out += _too_long(f"{at}.footer.text", footer.get("text"), 2048)
        out += _too_long(f"{at}.author.name", author.get("name"), 256)
        total += _length(footer.get("text")) + _length(author.get("name"))
        fields = _items(embed.get("fields"))
        out += _too_many(f"{at}.fields", fields, 25)
        for j, fld in enumerate(f for f in fields if isinstance(f, Mapping)):
            out += _blank(f"{at}.fields[{j}].name", fld.get("name"))
            out += _blank(f"{at}.fields[{j}].value", fld.get("value"))
            out += _too_long(f"{at}.fields[{j}].name", fld.get("name"), 256)
            out += _too_long(f"{at}.fields[{j}].value", fld.get("value"), 1024)
            total += _length(fld.get("name")) + _length(fld.get("value"))
    if total > 6000:
        out.append(Violation("embeds", f"total {total} characters (max 6000)", EMBED_SIZE))
    return out


def _walk_components(components: Any, where: str = "components") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if not isinstance(components, list):
        return
    for i, comp in enumerate(components):
        if not isinstance(comp, Mapping):
            continue
        at = f"{where}[{i}]"
        yield at, comp
        yield from _walk_components(comp.get("components"), f"{at}.components")
        accessory = comp.get("accessory")
        if isinstance(accessory, Mapping):
            yield f"{at}.accessory", accessory
        if isinstance(comp.get("component"), Mapping):  # label component (modals)
            yield f"{at}.component", comp["component"]


def _component_violations(components: Any, flags: int) -> list[Violation]:
    out: list[Violation] = []
    if not isinstance(components, list):
        return out
    if not flags & COMPONENTS_V2_FLAG:
        out += _too_many("components (action rows)", components, 5)
        for i, row in enumerate(components):
            if isinstance(row, Mapping) and row.get("type") == 1:
                out += _too_many(f"components[{i}].components", row.get("components"), 5)
    all_components = list(_walk_components(components))
    if len(all_components) > 40:
        out.append(Violation("components", f"{len(all_components)} components in total (max 40)"))
    for at, comp in all_components:
        out += _too_long(f"{at}.custom_id", comp.get("custom_id"), 100)
        if comp.get("type") == 2:
            out += _too_long(f"{at}.label", comp.get("label"), 80)
        if comp.get("type") in (3, 5, 6, 7, 8):
            out += _too_long(f"{at}.placeholder", comp.get("placeholder"), 150)
            out += _too_many(f"{at}.options", comp.get("options"), 25)
            for j, opt in enumerate(comp.get("options") or []):
                for key in ("label", "value", "description"):
                    out += _too_long(f"{at}.options[{j}].{key}", opt.get(key), 100)
        if comp.get("type") == 4:
            out += _too_long(f"{at}.label", comp.get("label"), 45)
            out += _too_long(f"{at}.value", comp.get("value"), 4000)
    return out


def message_violations(body: Any) -> list[Violation]:
    """What Discord refuses in a message body (create/edit/webhook/interaction message data)."""
    if not isinstance(body, Mapping):
        return []
    flags = body.get("flags") or 0
    out = _too_long("content", body.get("content"), 2000)
    out += _embed_violations(body.get("embeds"))
    out += _component_violations(body.get("components"), flags if isinstance(flags, int) else 0)
    out += _too_many("attachments", body.get("attachments"), 10)
    nonce = body.get("nonce")
    out += _too_long("nonce", nonce, 25)
    if body.get("enforce_nonce") and nonce is None:
        out.append(Violation("enforce_nonce", "without nonce", BAD_VALUE))
    return out


def is_empty_message(body: Mapping[str, Any], files: Sequence[Any] = ()) -> bool:
    """Nothing to show: no content (or whitespace only), embeds, components, stickers, poll or files."""
    content = body.get("content")
    has_content = isinstance(content, str) and bool(content.strip())
    others = ("embeds", "components", "sticker_ids", "poll")
    return not has_content and not any(body.get(k) for k in others) and not files


def _callback_violations(body: Any) -> list[Violation]:
    if not isinstance(body, Mapping):
        return []
    kind, data = body.get("type"), body.get("data")
    if kind in (4, 7) and data is not None:
        return [Violation(f"data.{v.where}", v.detail, v.code) for v in message_violations(data)]
    if kind == 8:
        choices = (data or {}).get("choices")
        out = _too_many("data.choices", choices, 25)
        for i, choice in enumerate(choices or []):
            name = choice.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100 or not name.strip():
                out.append(Violation(f"data.choices[{i}].name", f"must be 1-100 characters (got {name!r})"))
            out += _too_long(f"data.choices[{i}].value", choice.get("value"), 100)
        return out
    if kind == 9 and isinstance(data, Mapping):
        out = _too_long("data.title", data.get("title"), 45)
        out += _too_long("data.custom_id", data.get("custom_id"), 100)
        comps = data.get("components")
        if not isinstance(comps, list) or not 1 <= len(comps) <= 5:
            out.append(Violation("data.components", "must have 1-5 entries"))
        return out + _component_violations(comps, COMPONENTS_V2_FLAG)
    return []


def _option_violations(options: Any, where: str) -> list[Violation]:
    out = _too_many(where, options, 25)
    for i, opt in enumerate(options or []):
        at = f"{where}[{i}]"
        out += _name_and_description(opt, at)
        choices = opt.get("choices")
        out += _too_many(f"{at}.choices", choices, 25)
        for j, choice in enumerate(choices or []):
            out += _too_long(f"{at}.choices[{j}].name", choice.get("name"), 100)
            out += _too_long(f"{at}.choices[{j}].value", choice.get("value"), 100)
        if opt.get("options"):
            out += _option_violations(opt["options"], f"{at}.options")
    return out


def _name_and_description(
    item: Mapping[str, Any], at: str, *, chat_input: bool = True, partial: bool = False
) -> list[Violation]:
    out: list[Violation] = []
    name = item.get("name")
    if partial and name is None:
        pass
    elif not isinstance(name, str) or not COMMAND_NAME.match(name) or (chat_input and name != name.lower()):
        out.append(Violation(f"{at}.name", f"{name!r} must be 1-32 lowercase letters, digits, - or _"))
    desc = item.get("description")
    if partial and desc is None:
        pass
    elif chat_input and (not isinstance(desc, str) or not 1 <= len(desc) <= 100):
        out.append(Violation(f"{at}.description", f"must be 1-100 characters (got {desc!r})"))
    return out


def _command_chars(item: Mapping[str, Any]) -> int:
    total = len(item.get("name") or "") + len(item.get("description") or "")
    for opt in item.get("options") or []:
        total += _command_chars(opt)
        for choice in opt.get("choices") or []:
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    return total


def _command_violations(body: Any, *, partial: bool = False) -> list[Violation]:
    commands = body if isinstance(body, list) else [body]
    out: list[Violation] = []
    if isinstance(body, list):
        chat = [c for c in body if isinstance(c, Mapping) and c.get("type", 1) == 1]
        out += _too_many("chat input commands", chat, 100)
        seen: set[tuple[str, int]] = set()
        for cmd in body:
            key = (str(cmd.get("name")), int(cmd.get("type") or 1))
            if key in seen:
                out.append(Violation("", f"duplicate command name {key[0]!r}", BAD_VALUE))
            seen.add(key)
    for i, cmd in enumerate(commands):
        if not isinstance(cmd, Mapping):
            continue
        at = f"[{i}]" if isinstance(body, list) else "command"
        chat_input = cmd.get("type", 1) in (1, None)
        out += _name_and_description(cmd, at, chat_input=chat_input, partial=partial)
        out += _option_violations(cmd.get("options"), f"{at}.options")
        if _command_chars(cmd) > 4000:
            out.append(Violation(at, f"{_command_chars(cmd)} characters in total (max 4000)"))
    return out


def _event_violations(method: str, body: Any) -> list[Violation]:
    if not isinstance(body, Mapping):
        return []
    out: list[Violation] = []
    name = body.get("name")
    if method == "POST" and not isinstance(name, str):
        out.append(Violation("name", "is required", REQUIRED))
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 100):
        out.append(Violation("name", f"must be 1-100 characters (got {len(str(name))})"))
    out += _too_long("description", body.get("description"), 1000)
    out += _too_long("entity_metadata.location", (body.get("entity_metadata") or {}).get("location"), 100)
    return out


def violations(method: str, template: str | None, body: Any) -> list[Violation]:
    """What Discord refuses in the body of `method template` (empty when it would be accepted)."""
    if body is None or template is None:
        return []
    if (method, template) in MESSAGE_TEMPLATES:
        return message_violations(body)
    if method == "POST" and template == CALLBACK_TEMPLATE:
        return _callback_violations(body)
    if method in ("PUT", "POST", "PATCH") and template in COMMAND_TEMPLATES:
        return _command_violations(body, partial=method == "PATCH")
    if method in ("POST", "PATCH") and template in EVENT_TEMPLATES:
        return _event_violations(method, body)
    return []


def limit_violations(method: str, template: str | None, body: Any) -> list[str]:
    """`violations` as readable lines (for reports and the OpenAPI checker)."""
    return [str(v) for v in violations(method, template, body)]
