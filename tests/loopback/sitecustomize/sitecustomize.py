"""Test-only: point discord.py at a loopback FakeDiscord when LOOPBACK_DISCORD is set.

Put this directory on PYTHONPATH of a bot subprocess. With LOOPBACK_DISCORD=http://127.0.0.1:PORT, REST goes
to PORT/api/v10 and the gateway (also after a non-resumable INVALID_SESSION) to ws://127.0.0.1:PORT/gateway.
Anything but a loopback URL stops the process before the bot can reach the real Discord. Without the
variable this module does nothing.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from urllib.parse import urlsplit

ENV = "LOOPBACK_DISCORD"


def _loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install(base_url: str) -> None:
    """Patch discord.py's REST base and default gateway to `base_url` (must be loopback http)."""
    parts = urlsplit(base_url)
    if (
        parts.scheme != "http"
        or not parts.hostname
        or not _loopback_host(parts.hostname)
        or parts.path not in ("", "/")
    ):
        raise SystemExit(f"{ENV}={base_url!r} refused: only http://127.0.0.1:PORT (loopback) is allowed")
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    root = base_url.rstrip("/")
    Route.BASE = f"{root}/api/v10"
    # DiscordWebSocket.DEFAULT_GATEWAY is a yarl.URL (from_client calls .with_query on it).
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://{parts.netloc}/gateway")


_url = os.environ.get(ENV)
if _url:
    try:
        install(_url)
    except SystemExit as exc:  # site.py would swallow other errors and let the bot reach discord.com
        sys.stderr.write(f"sitecustomize: {exc}\n")
        os._exit(78)
