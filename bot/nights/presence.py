"""Which scheduler instances are alive, so that only the claims of dead ones are re-driven.

Each scheduler registers its instance (host, pid, shards) in the state database and beats every `beat_every`
seconds of real time. Another instance is alive while its last beat is younger than `dead_after` by the
database's clock, with one shortcut on the same host: an instance whose pid no longer runs, or is our own pid
under another name (a previous life of this process, e.g. in a restarted container), is dead at once. So a
process restarted after a SIGKILL re-drives its predecessor's claims straight away, while a second process
started with the same shard ids leaves a live process's claims alone: the database decides, not the
configuration. Claims by instances that never registered (or deregistered on a clean stop) are dead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass

from bot.shards import Shards
from bot.storage.state import Instance, StateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Liveness:
    beat_every: float = 5.0  # seconds between heartbeats
    dead_after: float = 30.0  # an instance silent this long is dead


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class Presence:
    """This scheduler's row in `instances`, kept fresh, and the view of the others."""

    def __init__(
        self,
        store: StateStore,
        name: str,
        shards: Shards | None,
        liveness: Liveness | None = None,
        *,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.shards = shards
        self.liveness = liveness or Liveness()
        self.host = host or socket.gethostname()
        self.pid = pid or os.getpid()
        self._task: asyncio.Task[None] | None = None

    async def register(self) -> None:
        await self.store.register_instance(
            self.name, host=self.host, pid=self.pid, shards=str(self.shards) if self.shards else "all"
        )

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._beat(), name="scheduler-heartbeat")

    async def stop(self) -> None:
        """Stop beating and deregister (best effort: an unreachable database forgets us by silence)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        try:
            await self.store.forget_instance(self.name)
        except Exception:  # unreachable or closing: silence says the same after `dead_after`
            log.warning("could not deregister scheduler %s; it will be taken for dead when silent", self.name)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.liveness.beat_every)
            try:
                if not await self.store.heartbeat(self.name):
                    await self.register()  # our row was removed (e.g. taken for dead): come back
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is down: the engine logs it; keep beating
                log.debug("heartbeat of %s failed: %s", self.name, error)

    def alive(self, instance: Instance) -> bool:
        if instance.host == self.host and (instance.pid == self.pid or not pid_running(instance.pid)):
            return False  # on this host: a previous life of this process, or a process that is gone
        return instance.silent_for < self.liveness.dead_after

    async def others_alive(self) -> set[str]:
        """Names of the other instances that are alive (their claims must be left alone)."""
        return {i.name for i in await self.store.instances() if i.name != self.name and self.alive(i)}
