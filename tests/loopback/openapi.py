"""Check recorded requests against Discord's OpenAPI description and its documented limits.

`limit_violations` needs no spec file (FakeDiscord also uses it to reject what Discord would reject);
`OpenAPISpec` loads ``<repo>/../shared/discord-openapi/openapi.json`` once per process.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import referencing
import referencing.jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

if TYPE_CHECKING:
    from .server import RecordedRequest

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "discord-openapi" / "openapi.json"
SPEC_URI = "urn:discord:openapi"

# Route templates (the spec's own names) whose bodies carry message content.
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
BOOLEAN_QUERY_VALUES = frozenset({"true", "false", "True", "False", "1", "0"})


# ---------------------------------------------------------------------------------------------
# Documented limits (no spec needed)
# ---------------------------------------------------------------------------------------------


def _too_long(where: str, value: Any, limit: int) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{where} is {len(value)} characters (max {limit})"]
    return []


def _too_many(where: str, value: Any, limit: int) -> list[str]:
    if isinstance(value, list) and len(value) > limit:
        return [f"{where} has {len(value)} entries (max {limit})"]
    return []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _embed_violations(embeds: Any) -> list[str]:
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
            out += _too_long(f"{at}.fields[{j}].name", fld.get("name"), 256)
            out += _too_long(f"{at}.fields[{j}].value", fld.get("value"), 1024)
            total += _length(fld.get("name")) + _length(fld.get("value"))
    if total > 6000:
        out.append(f"embeds total {total} characters (max 6000)")
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


def _component_violations(components: Any, flags: int) -> list[str]:
    out: list[str] = []
    if not isinstance(components, list):
        return out
    if not flags & COMPONENTS_V2_FLAG:
        out += _too_many("components (action rows)", components, 5)
        for i, row in enumerate(components):
            if isinstance(row, Mapping) and row.get("type") == 1:
                out += _too_many(f"components[{i}].components", row.get("components"), 5)
    all_components = list(_walk_components(components))
    if len(all_components) > 40:
        out.append(f"components: {len(all_components)} components in total (max 40)")
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


def message_violations(body: Any) -> list[str]:
    """Documented limits of a message body (create/edit/webhook/interaction message data)."""
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
        out.append("enforce_nonce without nonce")
    return out


def _callback_violations(body: Any) -> list[str]:
    if not isinstance(body, Mapping):
        return []
    kind, data = body.get("type"), body.get("data")
    if kind in (4, 7) and data is not None:
        return message_violations(data)
    if kind == 8:
        choices = (data or {}).get("choices")
        out = _too_many("data.choices", choices, 25)
        for i, choice in enumerate(choices or []):
            name = choice.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                out.append(f"data.choices[{i}].name must be 1-100 characters (got {name!r})")
            out += _too_long(f"data.choices[{i}].value", choice.get("value"), 100)
        return out
    if kind == 9 and isinstance(data, Mapping):
        out = _too_long("data.title", data.get("title"), 45)
        out += _too_long("data.custom_id", data.get("custom_id"), 100)
        comps = data.get("components")
        if not isinstance(comps, list) or not 1 <= len(comps) <= 5:
            out.append("data.components must have 1-5 entries")
        return out + _component_violations(comps, COMPONENTS_V2_FLAG)
    return []


def _option_violations(options: Any, where: str) -> list[str]:
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
) -> list[str]:
    out: list[str] = []
    name = item.get("name")
    if partial and name is None:
        pass
    elif not isinstance(name, str) or not COMMAND_NAME.match(name) or (chat_input and name != name.lower()):
        out.append(f"{at}.name {name!r} must be 1-32 lowercase letters, digits, - or _")
    desc = item.get("description")
    if partial and desc is None:
        pass
    elif chat_input and (not isinstance(desc, str) or not 1 <= len(desc) <= 100):
        out.append(f"{at}.description must be 1-100 characters (got {desc!r})")
    return out


def _command_chars(item: Mapping[str, Any]) -> int:
    total = len(item.get("name") or "") + len(item.get("description") or "")
    for opt in item.get("options") or []:
        total += _command_chars(opt)
        for choice in opt.get("choices") or []:
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    return total


def _command_violations(body: Any, *, partial: bool = False) -> list[str]:
    commands = body if isinstance(body, list) else [body]
    out: list[str] = []
    if isinstance(body, list):
        chat = [c for c in body if isinstance(c, Mapping) and c.get("type", 1) == 1]
        out += _too_many("chat input commands", chat, 100)
        seen: set[tuple[str, int]] = set()
        for cmd in body:
            key = (str(cmd.get("name")), int(cmd.get("type") or 1))
            if key in seen:
                out.append(f"duplicate command name {key[0]!r}")
            seen.add(key)
    for i, cmd in enumerate(commands):
        if not isinstance(cmd, Mapping):
            continue
        at = f"[{i}]" if isinstance(body, list) else "command"
        chat_input = cmd.get("type", 1) in (1, None)
        out += _name_and_description(cmd, at, chat_input=chat_input, partial=partial)
        out += _option_violations(cmd.get("options"), f"{at}.options")
        if _command_chars(cmd) > 4000:
            out.append(f"{at}: {_command_chars(cmd)} characters in total (max 4000)")
    return out


def _event_violations(method: str, body: Any) -> list[str]:
    if not isinstance(body, Mapping):
        return []
    out: list[str] = []
    name = body.get("name")
    if method == "POST" and not isinstance(name, str):
        out.append("name is required")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 100):
        out.append(f"name must be 1-100 characters (got {len(str(name))})")
    out += _too_long("description", body.get("description"), 1000)
    out += _too_long("entity_metadata.location", (body.get("entity_metadata") or {}).get("location"), 100)
    return out


def limit_violations(method: str, template: str | None, body: Any) -> list[str]:
    """Documented Discord limits the body of `method template` breaks (empty when fine)."""
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


# ---------------------------------------------------------------------------------------------
# The OpenAPI description
# ---------------------------------------------------------------------------------------------


def _lenient_one_of(
    validator: Any, one_of: list[Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """oneOf as anyOf: Discord's schemas rarely close objects, so several branches often match."""
    errors: list[ValidationError] = []
    for index, subschema in enumerate(one_of):
        found = list(validator.descend(instance, subschema, schema_path=index))
        if not found:
            return
        errors.extend(found)
    yield ValidationError(f"{instance!r} is not valid under any of the given schemas", context=errors)


LenientValidator = jsonschema.validators.extend(Draft202012Validator, {"oneOf": _lenient_one_of})


def _wrong_branch(error: ValidationError) -> bool:
    """True when an anyOf/oneOf branch failed only because it describes another kind of object."""
    if error.validator in ("enum", "const") and len(error.relative_path) == 1:
        return True  # a discriminator such as "type" or "entity_type" has another value
    return error.validator == "type" and not error.relative_path


def _deepest(error: ValidationError) -> ValidationError:
    """The most specific cause of an error (for anyOf/oneOf: within the branch meant for this object)."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        plausible = [errs for errs in branches.values() if not any(_wrong_branch(e) for e in errs)]
        branch = min(plausible or branches.values(), key=len)
        error = max(branch, key=lambda e: len(e.absolute_path))
    return error


def _describe(error: ValidationError) -> str:
    if len(error.message) <= 200:
        return error.message
    size = f" (length {len(error.instance)})" if isinstance(error.instance, str | list | dict) else ""
    return f"violates {error.validator}={error.validator_value!r}{size}"


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _tolerate_discord_py(spec: dict[str, Any]) -> dict[str, Any]:
    """Quirks Discord accepts that the spec does not describe (observed from discord.py 2.7)."""
    schemas = dict(spec["components"]["schemas"])
    # discord.py sends some snowflakes as JSON integers (allowed_mentions.users/roles, message_reference ids,
    # sticker_ids, ...); Discord accepts both, the spec only strings.
    schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    return {**spec, "components": {**spec["components"], "schemas": schemas}}


@dataclass(frozen=True)
class _PathTemplate:
    template: str
    pattern: re.Pattern[str]
    literal_segments: int


class OpenAPISpec:
    """Discord's OpenAPI description: match a request to an operation and validate it."""

    def __init__(self, data: dict[str, Any], *, tolerate_discord_py: bool = True) -> None:
        self.data = _tolerate_discord_py(data) if tolerate_discord_py else data
        resource = referencing.Resource.from_contents(
            self.data, default_specification=referencing.jsonschema.DRAFT202012
        )
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(SPEC_URI, resource)
        self._templates = [self._compile(t) for t in self.data["paths"]]
        self._validators: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> OpenAPISpec:
        return _load_cached(str(path))

    @staticmethod
    def _compile(template: str) -> _PathTemplate:
        segments = template.strip("/").split("/")
        regex = "/".join(
            f"(?P<{s[1:-1]}>[^/]+)" if s.startswith("{") and s.endswith("}") else re.escape(s)
            for s in segments
        )
        literal = sum(1 for s in segments if not s.startswith("{"))
        return _PathTemplate(template, re.compile(f"^/{regex}$"), literal)

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The spec template (and path parameters) of `method path`, None if undocumented."""
        best: tuple[int, str, dict[str, str]] | None = None
        for tpl in self._templates:
            found = tpl.pattern.match(path)
            if found is None or method.lower() not in self.data["paths"][tpl.template]:
                continue
            if best is None or tpl.literal_segments > best[0]:
                best = (tpl.literal_segments, tpl.template, found.groupdict())
        return None if best is None else (best[1], best[2])

    def _validator(self, pointer: str) -> Any:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = LenientValidator({"$ref": SPEC_URI + pointer}, registry=self._registry)
            self._validators[pointer] = validator
        return validator

    def _schema_errors(self, pointer: str, instance: Any, where: str) -> list[str]:
        errors = list(self._validator(pointer).iter_errors(instance))
        if not errors:
            return []
        out = []
        for error in errors[:5]:
            deepest = _deepest(error)
            out.append(f"{where}{deepest.json_path[1:]}: {_describe(deepest)}")
        return out

    def _param_errors(
        self, template: str, method: str, location: str, values: Mapping[str, str]
    ) -> list[str]:
        path_item = self.data["paths"][template]
        declared: dict[str, tuple[str, dict[str, Any]]] = {}
        for owner in (("paths", template), ("paths", template, method.lower())):
            node = path_item if len(owner) == 2 else path_item[method.lower()]
            for index, param in enumerate(node.get("parameters", [])):
                if param["in"] == location:
                    declared[param["name"]] = (_pointer(*owner, "parameters", str(index), "schema"), param)
        out = []
        for name, value in values.items():
            if name not in declared:
                out.append(f"undocumented {location} parameter {name!r}")
                continue
            pointer, param = declared[name]
            schema = param.get("schema", {})
            if schema.get("type") == "boolean":
                if value not in BOOLEAN_QUERY_VALUES:
                    out.append(f"{location} parameter {name}={value!r} is not a boolean")
                continue
            coerced: Any = (
                int(value) if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", value) else value
            )
            out += self._schema_errors(pointer, coerced, f"{location} parameter {name}")
        return out

    def violations(self, req: RecordedRequest) -> list[str]:
        """Human-readable problems with one recorded request (empty when it conforms)."""
        head = f"{req.method} {req.path}"
        matched = self.match(req.method, req.path)
        if matched is None:
            return [f"{head}: no such operation in Discord's OpenAPI description"]
        template, path_params = matched
        op = self.data["paths"][template][req.method.lower()]
        out = self._param_errors(template, req.method, "path", path_params)
        out += self._param_errors(template, req.method, "query", req.query)
        body_spec = op.get("requestBody")
        if req.json is None:
            if body_spec and body_spec.get("required") and req.method != "GET":
                out.append("missing required request body")
        elif body_spec is None:
            out.append("request body sent to an operation that takes none")
        else:
            content = body_spec["content"]
            media = "application/json" if "application/json" in content else next(iter(content))
            pointer = _pointer(
                "paths", template, req.method.lower(), "requestBody", "content", media, "schema"
            )
            out += self._schema_errors(pointer, req.json, "body")
        out += [f"limit: {v}" for v in limit_violations(req.method, template, req.json)]
        return [f"{head} ({template}): {v}" for v in out]

    def response_violations(self, req: RecordedRequest) -> list[str]:
        """Problems with the (successful) response FakeDiscord gave, against the operation's response schema."""
        matched = self.match(req.method, req.path)
        if matched is None or not 200 <= req.status < 300:
            return []
        template = matched[0]
        responses = self.data["paths"][template][req.method.lower()].get("responses", {})
        documented = responses.get(str(req.status))
        if documented is None:
            return [
                f"{req.method} {req.path}: status {req.status} is not documented (has {sorted(responses)})"
            ]
        if "application/json" not in documented.get("content", {}):
            return [] if req.response is None else [f"{req.method} {req.path}: body sent with {req.status}"]
        pointer = _pointer(
            "paths",
            template,
            req.method.lower(),
            "responses",
            str(req.status),
            "content",
            "application/json",
            "schema",
        )
        return [
            f"{req.method} {req.path}: {v}" for v in self._schema_errors(pointer, req.response, "response")
        ]

    def check(self, requests: Iterable[RecordedRequest]) -> list[str]:
        """All problems with these requests, in order."""
        return [v for req in requests for v in self.violations(req)]


@functools.lru_cache(maxsize=2)
def _load_cached(path: str) -> OpenAPISpec:
    log.debug("loading OpenAPI description from %s", path)
    with open(path, encoding="utf-8") as fh:
        return OpenAPISpec(json.load(fh))


def spec_available(path: Path = SPEC_PATH) -> bool:
    return path.is_file()


def require_spec(path: Path = SPEC_PATH) -> OpenAPISpec:
    """The spec, or pytest.skip with a clear message when the file is not there."""
    if not spec_available(path):
        import pytest

        pytest.skip(
            f"Discord OpenAPI description not found at {path} (expected <repo>/../shared/discord-openapi/)"
        )
    return OpenAPISpec.load(path)


def check_requests(requests: Iterable[RecordedRequest], path: Path = SPEC_PATH) -> list[str]:
    """Violations of these requests against the spec (skips the test when the spec is missing)."""
    return require_spec(path).check(requests)


def problems_if_available(requests: Iterable[RecordedRequest], *, responses: bool = True) -> list[str]:
    """Request (and response) violations; [] with a warning when the spec file is missing."""
    if not spec_available():
        import warnings

        warnings.warn(f"OpenAPI check skipped: {SPEC_PATH} not found", stacklevel=2)
        return []
    spec = OpenAPISpec.load()
    found = []
    for req in requests:
        found += spec.violations(req)
        if responses:
            found += spec.response_violations(req)
    return found
