"""What a server may add to its library: the quotas, in one place (stated in the README)."""

from __future__ import annotations

from collections import deque
from typing import Final

from bot.storage.state.library import Quota

MAX_DOCUMENTS: Final = 10  # documents per add (a slash command's attachments, or a message's)
MAX_DOCUMENT_BYTES: Final = 2 * 1024 * 1024  # one document: a saved web page is well under this
MAX_TITLE: Final = 100  # characters of an optional title
QUOTA: Final = Quota(films=200, bytes=100 * 1024 * 1024)  # per server: films, and bytes of documents
ADDS_PER_MINUTE: Final = 3  # per server
DOWNLOAD_TIMEOUT_S: Final = 20.0  # all of one add's downloads together
EXTENSIONS: Final = (".txt", ".md", ".html", ".htm")


class AddRate:
    """At most `per_minute` adds per server in any minute (the server's shard lives in one process, so this
    process sees all of them)."""

    def __init__(self, per_minute: int = ADDS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._times: dict[int, deque[float]] = {}

    def take(self, guild_id: int, now: float) -> float:
        """Count an add now; 0 when it may go ahead, else the seconds until one may."""
        times = self._times.setdefault(guild_id, deque())
        while times and now - times[0] >= 60.0:
            times.popleft()
        if len(times) >= self.per_minute:
            return 60.0 - (now - times[0])
        times.append(now)
        return 0.0
