"""Where the state lives: a SQLite file path or a PostgreSQL DSN (`STATE_DB`). Stdlib only, so settings can
parse it without importing the database layer. A DSN's password is never shown: use `mask` for logs and reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES: Final = ("postgresql", "postgres", "postgresql+asyncpg")


def is_dsn(value: Path | str) -> bool:
    return isinstance(value, str) and "://" in value


def parse_state_db(raw: str) -> Path | str:
    """A DSN (kept as text) or a file path. Raises ValueError for a URL the bot cannot use."""
    text = raw.strip()
    if "://" not in text:
        return Path(text)
    parts = urlsplit(text)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(
            f"STATE_DB must be a file path or a postgresql:// DSN, not a {parts.scheme or '?'}:// URL"
        )
    if not parts.path.strip("/"):
        raise ValueError("STATE_DB's DSN must name a database: postgresql://user@host:port/dbname")
    return text


def mask(location: Path | str) -> str:
    """The location as it may be logged: a DSN's password (in the netloc or a `password=` query) as ***."""
    if not is_dsn(location):
        return str(location)
    parts = urlsplit(str(location))
    netloc = parts.netloc
    if parts.password is not None:
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    query = "&".join(
        f"{key}=***" if key.lower() == "password" else f"{key}={value}"
        for key, _, value in (item.partition("=") for item in parts.query.split("&") if item)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
