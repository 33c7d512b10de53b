"""The offline console: the real bot, every cog and the presentation code, against an in-process offline
Discord (`bot.offline`), with a clock of its own. `python -m bot console` (or `make run` without a token).

    session.py  Console: a line in, what a Discord user would see out (commands, buttons, `as`, `wait`)
    options.py  `name:value` text into an interaction's options (files from local paths, via the offline CDN)
    render.py   a message as text: spoilers marked, timestamps and mentions as Discord writes them out
    app.py      opening the console (bot, offline Discord, clock) and the read-eval-print loop
"""

from bot.console.app import open_console, run_console
from bot.console.session import Console

__all__ = ["Console", "open_console", "run_console"]
