"""The offline Discord's REST plumbing: routing by Discord's route templates, body parsing (JSON and
multipart), authorization, fault injection, recording, and Discord's rate-limit headers on every answer.

Routes are contributed by the resource mixins in `bot.offline.routes` through `_route_table`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.offline.faults import bucket
from bot.offline.gateway import Gateway
from bot.offline.model import (
    API_PREFIX,
    T_CALLBACK,
    TOKEN_ROUTES,
    DiscordError,
    RecordedRequest,
    Reply,
)

if TYPE_CHECKING:
    from bot.offline.routes.interactions import InteractionHandle

log = logging.getLogger(__name__)

Handler = Callable[["Ctx"], Awaitable[Reply]]
RouteSpec = tuple[str, str, Handler]


@dataclass
class Ctx:
    method: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[dict[str, Any]]
    record: RecordedRequest

    def id(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordError(400, 50035, "Invalid Form Body", {name: "Value is not snowflake."}) from None


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    handler: Handler


def compile_template(template: str) -> tuple[re.Pattern[str], int]:
    segments = template.strip("/").split("/")
    regex = "/".join(
        f"(?P<{s[1:-1]}>[^/]+)" if s.startswith("{") and s.endswith("}") else re.escape(s) for s in segments
    )
    return re.compile(f"^/{regex}$"), sum(1 for s in segments if not s.startswith("{"))


class Rest(Gateway):
    def _route_table(self) -> list[RouteSpec]:
        """(method, template, handler) of every route; resource mixins extend it."""
        return [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
        ]

    def _add_routes(self) -> None:
        self._routes = []
        for method, template, handler in self._route_table():
            pattern, literal = compile_template(template)
            self._routes.append(Route(method, template, pattern, literal, handler))

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known): the best route for method+path; path_known if any method matches."""
        best: tuple[Route, dict[str, str]] | None = None
        path_known = False
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            path_known = True
            if route.method == method and (best is None or route.literal_segments > best[0].literal_segments):
                best = (route, found.groupdict())
        if best is None:
            return None, {}, path_known
        return best[0], best[1], path_known

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]], str | None]:
        if not request.body_exists:
            return None, [], None
        if request.content_type == "multipart/form-data":
            payload: dict[str, Any] = {}
            files: list[dict[str, Any]] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    try:
                        payload.update(json.loads(await part.text()))
                    except ValueError:
                        return payload, files, "The request body contains invalid JSON."
                elif part.filename:
                    data = await part.read()
                    files.append(
                        {
                            "name": part.name,
                            "filename": part.filename,
                            "size": len(data),
                            "content_type": part.headers.get("Content-Type"),
                            "data": data,
                        }
                    )
                else:
                    payload[part.name or ""] = await part.text()
            return payload, files, None
        raw = await request.read()
        if not raw:
            return None, [], None
        try:
            return json.loads(raw), [], None
        except ValueError:
            return raw.decode("utf-8", "replace"), [], "The request body contains invalid JSON."

    async def _not_api(self, request: web.Request) -> web.StreamResponse:
        return self._response(Reply(404, {"message": "404: Not Found", "code": 0}), None)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method
        body, files, body_error = await self._read_body(request)
        route, params, path_known = self._match(method, path)
        template = route.template if route else None
        record = RecordedRequest(
            method=method,
            path=path,
            template=template,
            params=params,
            query=dict(request.query),
            json=body,
            time=time.monotonic(),
            files=files,
            authorized=request.headers.get("Authorization") == f"Bot {self.token}",
        )
        self._requests.append(record)
        handle = self._interaction_of(record)
        if handle is not None:
            handle.requests.append(record)
        try:
            reply = await self._handle(route, record, files, path_known, body_error)
        except DiscordError as exc:
            reply = Reply(exc.status, exc.body)
        except Exception as exc:
            log.exception("FakeDiscord handler crashed on %s %s", method, path)
            self.handler_errors.append(f"{method} {path}: {exc!r}")
            reply = Reply(500, {"message": "500: Internal Server Error", "code": 0})
        encoded = None if reply.body is None else json.dumps(reply.body).encode()
        record.status = reply.status
        record.response = None if encoded is None else json.loads(encoded)  # a snapshot, not the live object
        self._notify()
        return self._response(reply, template, encoded)

    def _interaction_of(self, record: RecordedRequest) -> InteractionHandle | None:
        if record.template == T_CALLBACK:
            found = self._interaction_tokens.get(record.params["interaction_token"])
            return found if found is not None and str(found.id) == record.params["interaction_id"] else None
        if record.template in TOKEN_ROUTES:
            return self._interaction_tokens.get(record.params["webhook_token"])
        return None

    async def _handle(
        self,
        route: Route | None,
        record: RecordedRequest,
        files: list[dict[str, Any]],
        path_known: bool,
        body_error: str | None,
    ) -> Reply:
        if (route is None or route.template not in TOKEN_ROUTES) and not record.authorized:
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        fault = self._take_fault(record.method, record.template)
        if fault is not None:
            record.fault = True
            if not (fault.after_handling and route is not None):
                return self._fault_reply(fault)
        if route is None:
            log.warning("FakeDiscord: unknown route %s %s", record.method, record.path)
            if path_known:
                return Reply(405, {"message": "405: Method Not Allowed", "code": 0})
            return Reply(404, {"message": "404: Not Found", "code": 0})
        if body_error is not None:
            raise DiscordError(400, 50109, body_error)
        ctx = Ctx(record.method, record.params, record.query, record.json, files, record)
        reply = await route.handler(ctx)
        return reply if fault is None else self._fault_reply(fault)

    @staticmethod
    def _response(reply: Reply, template: str | None, encoded: bytes | None = None) -> web.Response:
        headers = {"Via": "1.1 google"}
        if template is not None and reply.status != 429:
            headers.update(
                {
                    "X-RateLimit-Limit": "50",
                    "X-RateLimit-Remaining": "49",
                    "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                    "X-RateLimit-Reset-After": "1.000",
                    "X-RateLimit-Bucket": bucket(template),
                }
            )
        headers.update(reply.headers)
        if reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        headers["Content-Type"] = "application/json"  # exactly this: discord.py only parses JSON then
        body = encoded if encoded is not None else json.dumps(reply.body).encode()
        return web.Response(status=reply.status, body=body, headers=headers)

    # ---------------------------------------------------------------------------- REST: identity, gateway

    async def _get_me(self, ctx: Ctx) -> Reply:
        return Reply(
            200, {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}
        )

    async def _get_application(self, ctx: Ctx) -> Reply:
        return Reply(200, self.application)

    async def _get_gateway(self, ctx: Ctx) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: Ctx) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return Reply(200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})
