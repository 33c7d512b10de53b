"""Benchmarks only: point a bot subprocess at the offline Discord (see bot.offline.redirect). Inert without
LOOPBACK_DISCORD; put this directory on the subprocess's PYTHONPATH (BotProcess does)."""

from bot.offline.redirect import activate_from_env

activate_from_env()
