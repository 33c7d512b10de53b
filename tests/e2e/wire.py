"""Reading what the bot sent over the wire: the texts it showed, spoilers readable outside tags, mentions that
could ping, answers the OpenAPI description refuses, and the parts of a message tests look at."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.offline.model import T_CALLBACK, RecordedRequest
from bot.offline.server import FakeDiscord
from bot.present.text import unspoiled
from tests.loopback.openapi import OpenAPISpec, problems_if_available, spec_available

MESSAGES = "/channels/{channel_id}/messages"
GLOBAL_COMMANDS = "/applications/{application_id}/commands"
# Plot points of the bundled film that must never be readable without revealing a spoiler.
SPOILERS = ("sex cult", "hacks off", "sewn shut", "conspired", "kill paloma")
# FakeDiscord answers that break the spec in ways that don't affect the bot (reported to its author): a
# component interaction's message lacks interaction_metadata.interacted_message_id (server.py _store_message),
# a modal submit's its triggering_interaction_metadata, and a unicode button emoji is echoed as
# {"id": null, ...} (as Discord does; the spec's response says string).
KNOWN_FAKE_RESPONSE_GAPS = (
    "interaction_metadata: 'interacted_message_id' is a required property",
    # a modal submit's message lacks the metadata of the interaction that opened the modal (not tracked)
    "interaction_metadata: 'triggering_interaction_metadata' is a required property",
    ".emoji.id: None is not of type 'string'",
)


# ---------------------------------------------------------------------------------------------------------
# Reading what went over the wire
# ---------------------------------------------------------------------------------------------------------


def strings(value: Any) -> Iterator[str]:
    """Every string leaf of a JSON value (content, embed parts, labels, choice names, event text, ...)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def shown_texts(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[str]:
    """What a reader sees of every string in a request body before revealing anything. Discord hides
    `||spoilers||` only where it renders markdown (content, embed descriptions, field values); in titles, field
    names, footers, authors, button labels, choice names and event text a tag hides nothing, so those count raw."""
    if isinstance(value, str):
        key = path[-1] if path else None
        parent = path[-3] if len(path) >= 3 else None
        rendered = key == "content" or (key, parent) in {("description", "embeds"), ("value", "fields")}
        yield unspoiled(value) if rendered else value
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from shown_texts(item, (*path, str(name)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from shown_texts(item, (*path, index))


def visible_spoilers(requests: Sequence[RecordedRequest]) -> list[str]:
    """Spoiler phrases a reader could see without revealing anything, per request and string."""
    found = []
    for req in requests:
        for text in shown_texts(req.json):
            seen = text.casefold()
            found += [f"{req.method} {req.path}: {p!r} in {text[:120]!r}" for p in SPOILERS if p in seen]
    return found


def hidden_spoilers(requests: Sequence[RecordedRequest]) -> set[str]:
    """Spoiler phrases that were sent, behind spoiler tags (proves the check above has something to catch)."""
    sent = " ".join(t for req in requests for t in strings(req.json)).casefold()
    return {p for p in SPOILERS if p in sent}


def message_body(req: RecordedRequest) -> Mapping[str, Any] | None:
    """The message part of a request that creates or edits a message, else None."""
    body = req.json if isinstance(req.json, Mapping) else None
    if body is None:
        return None
    if req.template == T_CALLBACK:
        return body.get("data") if body.get("type") in (4, 7) else None
    if req.template == GLOBAL_COMMANDS or req.template is None or "/scheduled-events" in req.template:
        return None
    return body if req.method in ("POST", "PATCH") else None


def mention_problems(requests: Sequence[RecordedRequest], allowed_roles: Sequence[int] = ()) -> list[str]:
    """Every message sent must say allowed_mentions (nothing parsed, no @everyone, no users); only the
    given roles may be named."""
    found = []
    for req in requests:
        body = message_body(req)
        if body is None:
            continue
        head = f"{req.method} {req.path}"
        mentions = body.get("allowed_mentions")
        creating = req.method == "POST" and not (req.template == T_CALLBACK and req.json.get("type") == 7)
        if mentions is None:
            if creating:
                found.append(f"{head}: no allowed_mentions (Discord's default pings everyone named)")
            continue
        if mentions.get("parse"):
            found.append(f"{head}: allowed_mentions.parse = {mentions['parse']}")
        if mentions.get("users") or mentions.get("replied_user"):
            found.append(f"{head}: allowed_mentions may ping users: {mentions}")
        roles = {int(r) for r in mentions.get("roles") or []}
        if roles - set(allowed_roles):
            found.append(f"{head}: allowed_mentions.roles = {sorted(roles)}")
    return found


def wire_problems(
    fake: FakeDiscord,
    *,
    allowed_roles: Sequence[int] = (),
    requests: Sequence[RecordedRequest] | None = None,
) -> list[str]:
    """Everything that must hold for every request of every test (or of `requests`): FakeDiscord had no bug,
    every request has a route, nothing visibly spoils, nothing can ping, and every request (and answer) matches
    Discord's OpenAPI."""
    requests = fake.requests() if requests is None else requests
    problems = [f"FakeDiscord handler error: {e}" for e in fake.handler_errors]
    problems += [f"unknown request {r.method} {r.path}" for r in requests if r.template is None]
    problems += visible_spoilers(requests)
    problems += mention_problems(requests, allowed_roles)
    problems += problems_if_available(requests, responses=False)
    problems += [p for p in response_problems(requests) if not any(k in p for k in KNOWN_FAKE_RESPONSE_GAPS)]
    return problems


def response_problems(requests: Sequence[RecordedRequest]) -> list[str]:
    """FakeDiscord's own answers against the spec (a wrong answer could hide a bot bug)."""
    if not spec_available():
        return []
    spec = OpenAPISpec.load()
    return [v for req in requests for v in spec.response_violations(req)]


def footer(message: Mapping[str, Any]) -> str:
    embeds = message.get("embeds") or []
    return ((embeds[0].get("footer") or {}).get("text") or "") if embeds else ""


def labels(message: Mapping[str, Any]) -> list[str]:
    """Button labels of a message, in order."""
    return [c.get("label", "") for row in message.get("components") or [] for c in row.get("components", [])]


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    return [
        c.get("custom_id", "") for row in message.get("components") or [] for c in row.get("components", [])
    ]


def night_id_of(text: str) -> int:
    found = re.search(r"`#(\d+)`", text)
    assert found, f"no night id in {text!r}"
    return int(found.group(1))


def timestamps(text: str) -> list[int]:
    return [int(t) for t in re.findall(r"<t:(\d+):[tTdDfFR]>", text)]
