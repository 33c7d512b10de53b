"""A throwaway PostgreSQL server, for the tests and the benchmarks (the offline stand-in for a real one).

`ThrowawayPostgres` runs Debian's (or any) `initdb`/`pg_ctl` on a temporary data directory, a free loopback
port and a unix socket inside that directory, with trust authentication for the `postgres` role. The server
refuses to run as root, so under root (CI) every server program runs as the `postgres` user (`runuser`).
`PG_TEST_DSN=postgresql://user@host:port/db` uses an existing server instead: callers then create and drop
their own databases on it, and cannot restart it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENV_DSN = "PG_TEST_DSN"
ENV_REQUIRED = "STATE_PG_REQUIRED"  # set by .ci/run: a missing PostgreSQL fails the run instead of skipping
MISSING = (
    "PostgreSQL tests skipped: no PostgreSQL server programs found "
    "(install them, e.g. `apt-get install postgresql`, or set PG_TEST_DSN=postgresql://user@host:port/db)"
)
# Tests want speed, not durability; the benchmark matches SQLite's WAL + synchronous=NORMAL instead.
TEST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
BENCH_SETTINGS = ("synchronous_commit=off",)


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


class ThrowawayPostgres:
    """A private PostgreSQL server: `start()`, `dsn(db)`, `restart()`, `stop()` (and the data dir removed)."""

    def __init__(self, bindir: Path, *, settings: Sequence[str] = TEST_SETTINGS) -> None:
        self.bindir = bindir
        self.settings = tuple(settings)
        self.root = Path(tempfile.mkdtemp(prefix="state-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        self.running = False

    # -- running the server programs ---------------------------------------------------------------------

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        if not self.data.exists():
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"
            )
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        options = [
            f"-p {self.port}",
            f"-k {self.root}",
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=200",
        ]
        options += [f"-c {setting}" for setting in self.settings]
        try:
            self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", " ".join(options), "-w", "start"
            )
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{self.log_tail()}") from None
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
            self.running = False

    def restart(self, mode: str = "fast") -> None:
        """Stop (dropping every connection) and start again on the same port and data."""
        self.stop(mode)
        self._pg_ctl_start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


class PostgresServer:
    """What the tests use: DSNs for fresh databases, on a throwaway server or the one in PG_TEST_DSN."""

    def __init__(self, admin_dsn: str, throwaway: ThrowawayPostgres | None) -> None:
        self.admin_dsn = admin_dsn
        self.throwaway = throwaway

    @property
    def can_restart(self) -> bool:
        return self.throwaway is not None

    def restart(self) -> None:
        if self.throwaway is None:
            raise RuntimeError("PG_TEST_DSN's server is not ours to restart")
        self.throwaway.restart()

    async def create_database(self, prefix: str = "state") -> str:
        name = f"{prefix}_{secrets.token_hex(6)}"
        admin = await asyncpg.connect(self.admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return with_database(self.admin_dsn, name)

    async def drop_database(self, dsn: str) -> None:
        name = urlsplit(dsn).path.lstrip("/")
        admin = await asyncpg.connect(self.admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.contextmanager
def postgres_server(settings: Sequence[str] = TEST_SETTINGS) -> Iterator[PostgresServer | None]:
    """PG_TEST_DSN's server, else a throwaway one (removed at the end), else None when none can be had."""
    external = os.environ.get(ENV_DSN, "").strip()
    if external:
        yield PostgresServer(external, None)
        return
    bindir = find_bindir()
    if bindir is None:
        yield None
        return
    server = ThrowawayPostgres(bindir, settings=settings)
    try:
        server.start()
        yield PostgresServer(server.dsn(), server)
    finally:
        server.destroy()
