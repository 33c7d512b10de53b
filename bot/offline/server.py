"""FakeDiscord: an offline Discord (REST v10 + gateway) on 127.0.0.1 that an unmodified discord.py bot logs into.

The tests, the benchmarks and the offline console all drive it. It is put together from layers, one module
each: the state model (`model`, `world`), what Discord refuses (`validation`), injected faults (`faults`), the
gateway (`gateway`), REST plumbing (`rest`) and one module per REST resource (`routes`).

Route templates use the names of Discord's OpenAPI description, e.g. ``/channels/{channel_id}/messages``,
``/interactions/{interaction_id}/{interaction_token}/callback``,
``/webhooks/{webhook_id}/{webhook_token}/messages/@original``,
``/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from types import TracebackType

from aiohttp import web

from bot.offline.model import API_PREFIX, GATEWAY_PATH, RESUME_GATEWAY_PATH
from bot.offline.routes.commands import Commands
from bot.offline.routes.guilds import Guilds
from bot.offline.routes.interactions import Interactions
from bot.offline.routes.polls import Polls

log = logging.getLogger(__name__)


class FakeDiscord(Interactions, Polls, Guilds, Commands):
    """An offline Discord. Use ``async with FakeDiscord() as fake:`` or start()/stop().

    The constructor's options are described on `bot.offline.world.World`.
    """

    async def start(self) -> None:
        self._add_routes()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_get(RESUME_GATEWAY_PATH, self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/{tail:.*}", self._not_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.debug("FakeDiscord listening on %s", self.base_url)

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        """An uploaded file, at the URL its attachment carries (the bot downloads it as from Discord's CDN).
        `cdn_faults` make a download fail with a status, or stall until the server stops."""
        key = request.match_info["attachment_id"]
        found = self.attachments.get(int(key)) if key.isdigit() else None
        if found is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(int(key))
        asked = time.monotonic()
        self._notify()
        fault = self.cdn_faults.get(int(key))
        if fault == "stall":
            await asyncio.Event().wait()  # cancelled when the server stops or the client goes away
        if isinstance(fault, int):
            return web.Response(status=fault, text="CDN fault")
        content_type, data = found
        self.download_times[int(key)] = (asked, time.monotonic())
        return web.Response(body=data, headers={"Content-Type": content_type})

    async def stop(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 1.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point this process's discord.py (Route.BASE, DEFAULT_GATEWAY) at this FakeDiscord, then restore."""
        import yarl
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
