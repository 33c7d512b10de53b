"""Check recorded requests against Discord's OpenAPI description and its documented limits.

`OpenAPISpec` loads ``<repo>/../shared/discord-openapi/openapi.json`` once per process. The documented limits
(which need no spec file) live with the offline Discord, which refuses what Discord refuses:
`bot.offline.validation`.
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

from bot.offline.validation import limit_violations

if TYPE_CHECKING:
    from bot.offline.model import RecordedRequest
    from bot.offline.server import FakeDiscord

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "discord-openapi" / "openapi.json"
SPEC_URI = "urn:discord:openapi"

BOOLEAN_QUERY_VALUES = frozenset({"true", "false", "True", "False", "1", "0"})


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


def assert_conforms(fake: FakeDiscord) -> None:
    """Every request (and FakeDiscord's answer) matches Discord's OpenAPI description and limits."""
    assert not fake.handler_errors
    problems = problems_if_available(fake.requests())
    assert not problems, "\n".join(problems)
