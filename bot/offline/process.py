"""Run a bot as a real subprocess pointed at a FakeDiscord; watch it, stop it, measure its peak RSS.

The subprocess finds the FakeDiscord through a `sitecustomize.py` on its PYTHONPATH (the caller's: tests and
benchmarks each keep theirs) that calls `bot.offline.redirect.activate_from_env`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from bot.offline.redirect import CLOCK_ENV, ENV
from bot.offline.server import FakeDiscord

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Never inherited from the developer's shell: the subprocess must only know about the loopback Discord.
SCRUBBED_ENV = ("DISCORD_TOKEN", ENV, CLOCK_ENV, "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME")


def loopback_env(
    fake: FakeDiscord,
    sitecustomize: Path,
    *,
    token: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for a bot subprocess talking to `fake` (the sitecustomize dir + repo root on PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(
        {ENV: fake.base_url},
        PYTHONPATH=os.pathsep.join([str(sitecustomize), str(REPO_ROOT)]),
        DISCORD_TOKEN=fake.token if token is None else token,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def read_peak_rss_kib(pid: int) -> int | None:
    """VmHWM (peak resident set) of a live process in KiB, None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


class BotProcess:
    """A Python module (``-m``) or script run as a bot against a FakeDiscord.

    ``async with BotProcess(fake, SITECUSTOMIZE, module="bench.floor_bot") as bot: await bot.wait_ready()``

    `sitecustomize` is the directory holding the caller's sitecustomize.py (the loopback switch).
    """

    def __init__(
        self,
        fake: FakeDiscord,
        sitecustomize: Path,
        *,
        module: str | None = None,
        script: Path | str | None = None,
        args: Sequence[str] = (),
        token: str | None = None,
        env: Mapping[str, str] | None = None,
        log_path: Path | str | None = None,
        cwd: Path | str = REPO_ROOT,
        python: str = sys.executable,
    ) -> None:
        if (module is None) == (script is None):
            raise ValueError("give exactly one of module= or script=")
        self.fake = fake
        target = ["-m", module] if module is not None else [str(script)]
        self.argv = [python, *target, *args]
        self.env = loopback_env(fake, sitecustomize, token=token, extra=env)
        self.cwd = Path(cwd)
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="loopback-bot-", suffix=".log")
            os.close(handle)
            log_path = name
        self.log_path = Path(log_path)
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at: float | None = None
        self.peak_rss_kib: int | None = None
        self._sampler: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("not started")
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.returncode

    def output(self) -> str:
        """Everything the process wrote to stdout/stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def _open_log(self) -> BinaryIO:
        return open(self.log_path, "ab")

    async def start(self) -> None:
        with self._open_log() as out:
            self.started_at = time.monotonic()
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        log.info("started %s (pid %d), output in %s", " ".join(self.argv[1:]), self.proc.pid, self.log_path)
        self._sampler = asyncio.create_task(self._sample_rss())

    def sample_rss(self) -> int | None:
        """Read VmHWM now and keep the maximum seen; returns that maximum."""
        if self.proc is not None and self.proc.returncode is None:
            value = read_peak_rss_kib(self.proc.pid)
            if value is not None:
                self.peak_rss_kib = max(self.peak_rss_kib or 0, value)
        return self.peak_rss_kib

    async def _sample_rss(self) -> None:
        while self.proc is not None and self.proc.returncode is None:
            self.sample_rss()
            await asyncio.sleep(0.05)

    async def wait_ready(
        self,
        shards: int = 1,
        *,
        shard_ids: Sequence[int] | None = None,
        timeout: float = 20.0,  # noqa: ASYNC109 - a test helper's bound
    ) -> None:
        """Wait until FakeDiscord has sent READY (and GUILD_CREATEs) for `shards` shards since this start."""
        since = self.started_at

        def died() -> bool:
            return self.proc is not None and self.proc.returncode is not None

        waiter = asyncio.create_task(
            self.fake.wait_shards_ready(shards, shard_ids=shard_ids, since=since, timeout=timeout)
        )
        try:
            while not waiter.done():
                if died():
                    raise RuntimeError(f"bot exited with {self.returncode} before ready:\n{self.tail()}")
                await asyncio.wait({waiter}, timeout=0.05)
            try:
                waiter.result()
            except TimeoutError as exc:
                raise TimeoutError(f"{exc}; bot output:\n{self.tail()}") from None
        finally:
            waiter.cancel()

    async def wait_exit(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109 - a test helper's bound
        """Wait for the process to end on its own; its exit code."""
        if self.proc is None:
            raise RuntimeError("not started")
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"bot still running after {timeout}s:\n{self.tail()}") from None
        await self._stop_sampler()
        return code

    async def _signal(self, sig: int) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.sample_rss()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    async def kill(self) -> int:
        """SIGKILL (the whole process group) and reap; the exit code (-9)."""
        if self.proc is None:
            raise RuntimeError("not started")
        await self._signal(signal.SIGKILL)
        code = await self.proc.wait()
        await self._stop_sampler()
        return code

    async def terminate(self, grace: float = 5.0) -> int:
        """SIGTERM, then SIGKILL after `grace` seconds; the exit code."""
        if self.proc is None:
            raise RuntimeError("not started")
        await self._signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            log.warning("pid %d ignored SIGTERM for %.1fs, killing it", self.proc.pid, grace)
            return await self.kill()
        await self._stop_sampler()
        return code

    async def _stop_sampler(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
            self._sampler = None

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None and self.proc.returncode is None:
            await self.terminate()
        await self._stop_sampler()
