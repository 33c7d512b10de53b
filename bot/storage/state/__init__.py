"""The bot's own state: meta, server settings, movie nights, RSVPs, jobs, and coordination between processes.

Separate from the knowledge database (re-ingesting never touches it). `STATE_DB` is a SQLite file (one
machine; the default) or a PostgreSQL DSN (several machines). Both run the same SQLAlchemy Core queries; the
few backend-specific statements are in `dialect.py` and `engine.py`. No SQL outside this package, no Discord
types inside it; rows are read by name.

Layout, one module per concern:
    engine.py       location -> engine: pool, SQLite pragmas, transactions, retries on lost connections
    dialect.py      the statements that differ by backend (ON CONFLICT inserts, server clock, id sequences)
    base.py         `metadata` (every table), column types (`Int`, `Epoch`), `Queries`, `UNSET`
    tables.py       the movie-night and coordination tables
    meta.py, guilds.py, nights.py, rsvps.py, jobs.py, presence.py   each concern's queries (a mixin)
    store.py        `StateStore`: all the mixins over one `Database`; `open` picks the backend and migrates
    versioning.py   Alembic: adopt pre-Alembic SQLite files, refuse newer ones, upgrade to every head
    migrations/     Alembic env and versions (package data)
    transfer.py     copy a SQLite state into PostgreSQL (`python -m bot.state migrate --to DSN`)

Adding a table (a feature such as a watchlist):
1. `bot/storage/state/watchlist.py`: its `Table`s on `base.metadata` (integer ids and snowflakes as `Int`,
   times as `Epoch`), its frozen dataclasses, and `class WatchlistQueries(Queries)` whose methods call
   `self.db.read(work)` / `self.db.write(work)` with a `work(conn)` / `work(conn, maybe_committed)` coroutine
   (Core statements; `dialect.insert(conn, table)` for upserts; read rows by name).
2. Add `WatchlistQueries` to `StateStore`'s bases in store.py.
3. `python -m bot.state revision --autogenerate -m "watchlist"` writes `migrations/versions/<id>.py` from
   the difference between the tables and a database at head. Review it; it runs on both backends (it uses
   batch operations, which SQLite needs to alter tables). Never edit a released revision: add one.
4. Test with the `store` fixture (tests/storage/conftest.py; `state_location` in tests/postgres.py): every
   test runs on SQLite and on PostgreSQL. `tests/storage/test_state_schema.py` fails while the tables and
   the migrations disagree.
A write must be safe to run twice when `maybe_committed` is True (its first COMMIT got no answer): a
conditional update, an upsert, or a check for a key it writes (see `nights.create_night`).
"""

from bot.shards import Shards
from bot.storage.errors import StateError, StateUnavailable
from bot.storage.state.base import UNSET
from bot.storage.state.engine import RetryPolicy
from bot.storage.state.guilds import DEFAULT_REMINDERS, DEFAULT_TIMEZONE, GuildSettings
from bot.storage.state.jobs import Job, JobKind, JobSpec, JobStatus, new_nonce
from bot.storage.state.nights import Night
from bot.storage.state.presence import Instance
from bot.storage.state.rsvps import ANSWERS, Answer, Rsvp, RsvpCounts
from bot.storage.state.store import StateStore

__all__ = [
    "ANSWERS",
    "DEFAULT_REMINDERS",
    "DEFAULT_TIMEZONE",
    "UNSET",
    "Answer",
    "GuildSettings",
    "Instance",
    "Job",
    "JobKind",
    "JobSpec",
    "JobStatus",
    "Night",
    "RetryPolicy",
    "Rsvp",
    "RsvpCounts",
    "Shards",
    "StateError",
    "StateStore",
    "StateUnavailable",
    "new_nonce",
]
