"""The offline Discord's raw protocol (REST answers, the gateway handshake) and the OpenAPI checker itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.floor_bot import PONG
from bot.offline.model import FakeGuild, RecordedRequest
from bot.offline.server import FakeDiscord

from .openapi import OpenAPISpec, require_spec

PONG_CALLBACK = {"type": 4, "data": {"content": PONG, "tts": False}}
MESSAGES = "/channels/{channel_id}/messages"


# ------------------------------------------------------------------ raw protocol and the checker


async def test_rest_answers_like_discord(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bot wrong"}) as resp:
            assert resp.status == 401
            assert await resp.json() == {"message": "401: Unauthorized", "code": 0}
        auth = {"Authorization": f"Bot {fake.token}"}
        async with http.get(f"{fake.api_base}/gateway/bot", headers=auth) as resp:
            assert resp.headers["Content-Type"] == "application/json"
            body = await resp.json()
            assert (body["url"], body["shards"]) == (fake.gateway_url, 1)
        async with http.get(f"{fake.api_base}/guilds/1/bans", headers=auth) as resp:
            assert resp.status == 404
            assert (await resp.json())["message"] == "404: Not Found"
    assert [r.path for r in fake.unknown_requests()] == ["/guilds/1/bans"]


async def test_gateway_hello_heartbeat_identify(fake: FakeDiscord, guild: FakeGuild) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json(timeout=2)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
        await ws.send_json({"op": 1, "d": None})
        assert (await ws.receive_json(timeout=2))["op"] == 11
        await ws.send_json(
            {"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}, "shard": [0, 1]}}
        )
        ready = await ws.receive_json(timeout=2)
        assert (ready["t"], ready["s"], ready["d"]["shard"]) == ("READY", 1, [0, 1])
        assert ready["d"]["guilds"] == [{"id": str(guild.id), "unavailable": True}]
        assert ready["d"]["resume_gateway_url"] == fake.resume_gateway_url
        create = await ws.receive_json(timeout=2)
        assert (create["t"], create["s"], create["d"]["id"]) == ("GUILD_CREATE", 2, str(guild.id))


def _request(method: str, path: str, body: Any, query: dict[str, str] | None = None) -> RecordedRequest:
    return RecordedRequest(method, path, None, {}, query or {}, body, 0.0)


def test_openapi_checker_reports_violations(openapi_spec: OpenAPISpec) -> None:
    field = {"name": "n", "value": "v"}
    long_embed = {
        "title": "t" * 257,
        "description": "d" * 4096,
        "fields": [field] * 26,
        "footer": {"text": "f" * 2049},
    }
    row = {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "c" * 101, "label": "l" * 81}]}
    cases = {
        "content is 2001 characters (max 2000)": _request(
            "POST", "/channels/1/messages", {"content": "x" * 2001}
        ),
        "embeds[0].title is 257 characters (max 256)": _request(
            "POST", "/channels/1/messages", {"embeds": [long_embed]}
        ),
        "embeds[0].fields has 26 entries (max 25)": _request(
            "POST", "/channels/1/messages", {"embeds": [long_embed]}
        ),
        "embeds total": _request("POST", "/channels/1/messages", {"embeds": [long_embed]}),
        "embeds has 11 entries (max 10)": _request("POST", "/channels/1/messages", {"embeds": [{}] * 11}),
        ".custom_id is 101 characters (max 100)": _request("POST", "/webhooks/1/tok", {"components": [row]}),
        ".label is 81 characters (max 80)": _request(
            "PATCH", "/webhooks/1/tok/messages/@original", {"components": [row]}
        ),
        "data.choices has 26 entries (max 25)": _request(
            "POST",
            "/interactions/1/tok/callback",
            {"type": 8, "data": {"choices": [{"name": "a", "value": "b"}] * 26}},
        ),
        "data.choices[0].name must be 1-100 characters": _request(
            "POST",
            "/interactions/1/tok/callback",
            {"type": 8, "data": {"choices": [{"name": "a" * 101, "value": "b"}]}},
        ),
        "name must be 1-100 characters": _request(
            "PATCH", "/guilds/1/scheduled-events/2", {"name": "n" * 101}
        ),
        "description is 1001 characters (max 1000)": _request(
            "PATCH", "/guilds/1/scheduled-events/2", {"description": "d" * 1001}
        ),
        "body.embeds[0].title: 5 is not of type": _request(
            "POST", "/channels/1/messages", {"embeds": [{"title": 5}]}
        ),
        "path parameter channel_id": _request("GET", "/channels/general/messages", None),
        "query parameter limit: 500 is greater than the maximum of 100": _request(
            "GET", "/channels/1/messages", None, {"limit": "500"}
        ),
        "no such operation": _request("POST", "/channels/1/popcorn", {}),
    }
    for expected, request in cases.items():
        found = openapi_spec.violations(request)
        assert any(expected in v for v in found), f"{expected!r} not in {found}"

    fine = _request("POST", "/interactions/1/tok/callback", PONG_CALLBACK, {"with_response": "1"})
    assert openapi_spec.violations(fine) == []


def test_missing_spec_skips_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="OpenAPI description not found"):
        require_spec(tmp_path / "openapi.json")
