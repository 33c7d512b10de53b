"""The switch that points a real `python -m bot` process at an offline Discord: test and benchmark tooling only.

Nothing in the bot reads these variables. A `sitecustomize.py` that the tests and the benchmarks put on the
bot subprocess's PYTHONPATH (tests/loopback/sitecustomize, bench/sitecustomize) calls `activate_from_env()`:

* ``LOOPBACK_DISCORD=http://127.0.0.1:PORT``: REST goes to PORT/api/v10 and the gateway (also after a
  non-resumable INVALID_SESSION) to ws://127.0.0.1:PORT/gateway. Anything but a loopback URL stops the process
  before the bot can reach the real Discord.
* ``LOOPBACK_CLOCK=<file>``: the bot's clock is that file's time (`bot.offline.clock.FileClock`).
"""

from __future__ import annotations

import ipaddress
import os
import sys
from urllib.parse import urlsplit

ENV = "LOOPBACK_DISCORD"
CLOCK_ENV = "LOOPBACK_CLOCK"
REFUSED_EXIT = 78  # EX_CONFIG


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


def install_clock(path: str) -> None:
    """Make the bot's default clock (`bot.clock.SystemClock`) read the virtual clock file at `path`."""
    import bot.clock
    from bot.offline.clock import FileClock

    class LoopbackClock(FileClock):
        def __init__(self) -> None:
            super().__init__(path)

    setattr(bot.clock, "SystemClock", LoopbackClock)  # noqa: B010 - replaced before bot.client imports it


def activate_from_env() -> None:
    """Install what the environment asks for; refuse (exit 78) rather than let the bot reach Discord."""
    url = os.environ.get(ENV)
    if not url:
        return
    try:
        install(url)
    except SystemExit as exc:  # site.py would swallow other errors and let the bot reach discord.com
        sys.stderr.write(f"sitecustomize: {exc}\n")
        os._exit(REFUSED_EXIT)
    clock = os.environ.get(CLOCK_ENV)
    if clock:
        install_clock(clock)
