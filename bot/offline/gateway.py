"""The offline Discord's gateway: HELLO, IDENTIFY (READY + GUILD_CREATE per shard), heartbeats, RESUME with
replay, INVALID_SESSION and RECONNECT, and DISPATCH of events to the shard that serves a guild."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.offline.faults import Faults
from bot.offline.model import INTENT_GUILDS, PRIVILEGED_INTENTS, FakeGuild, shard_for


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: dict[str, Any]
    created_at: float
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    ready_at: float | None = None
    invalidated: bool = False
    resumed: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def owns_guild(self, guild_id: int) -> bool:
        return shard_for(guild_id, self.shard_count) == self.shard_id

    def frame(self, event: str, data: Any) -> dict[str, Any]:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.frames.append(frame)
        return frame


class GatewayConnection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.opened_at = time.monotonic()
        self.session: GatewaySession | None = None

    async def send(self, frame: Mapping[str, Any]) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            return False
        return True

    def abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class Gateway(Faults):
    def identify_count(self, shard_id: int | None = None) -> int:
        return sum(1 for _, kind, d in self.gateway_log if kind == "IDENTIFY" and _shard_matches(d, shard_id))

    def resume_count(self) -> int:
        return sum(1 for _, kind, _d in self.gateway_log if kind == "RESUMED")

    def live_sessions(self) -> list[GatewaySession]:
        """The newest valid session of every shard."""
        newest: dict[int, GatewaySession] = {}
        for session in self.sessions:
            if not session.invalidated:
                newest[session.shard_id] = session
        return list(newest.values())

    def session_for(self, *, shard_id: int | None = None, guild_id: int | None = None) -> GatewaySession:
        for session in self.live_sessions():
            if (guild_id is not None and session.owns_guild(guild_id)) or (
                guild_id is None and session.shard_id == (shard_id or 0)
            ):
                return session
        raise LookupError(f"no live gateway session for shard {shard_id} / guild {guild_id}")

    async def wait_shards_ready(
        self,
        count: int = 1,
        *,
        shard_ids: Iterable[int] | None = None,
        since: float | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until `count` distinct shards (of shard_ids, if given) got READY and their GUILD_CREATEs."""
        wanted = None if shard_ids is None else set(shard_ids)

        def ready() -> bool:
            shards = {
                s.shard_id
                for s in self.sessions
                if s.ready_at is not None
                and (since is None or s.ready_at >= since)
                and (wanted is None or s.shard_id in wanted)
            }
            return len(shards) >= count

        await self.wait_until(ready, timeout, f"{count} shard(s) ready")

    def _log_gateway(self, kind: str, detail: dict[str, Any]) -> None:
        self.gateway_log.append((time.monotonic(), kind, detail))
        self._notify()

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request)
        self.connections.add(conn)
        self._log_gateway("CONNECT", {"path": request.path, "query": dict(request.query)})
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ['["gateway-loopback",{}]']}
            await conn.send({"op": 10, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._on_frame(conn, frame)
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._log_gateway("DISCONNECT", {"shard": _shard_of(conn), "close_code": ws.close_code})
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: Mapping[str, Any]) -> None:
        op, raw = frame.get("op"), frame.get("d")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            await self._resume(conn, data)
        elif op in (3, 4, 8):
            if conn.session is None:
                await conn.ws.close(code=4003, message=b"Not authenticated.")
                return
            self._log_gateway(
                {3: "PRESENCE_UPDATE", 4: "VOICE_STATE_UPDATE", 8: "REQUEST_GUILD_MEMBERS"}[op], data
            )
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: Mapping[str, Any]) -> None:
        shard_id, shard_count = data.get("shard") or [0, 1]
        detail = {k: v for k, v in data.items() if k != "token"}
        self._log_gateway("IDENTIFY", detail)
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        for old in self.sessions:
            if old.shard_id == shard_id and not old.invalidated:
                old.invalidated = True
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            identify=detail,
            created_at=time.monotonic(),
        )
        self.sessions.append(session)
        session.connection = conn
        conn.session = session
        guilds = [g for g in self.guilds.values() if session.owns_guild(g.id)]
        ready = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": self.application["flags"]},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["loopback"],
            "auth": {},
            "_trace": ['["gateway-loopback",{}]'],
        }
        async with session.lock:
            await conn.send(session.frame("READY", ready))
            if intents & INTENT_GUILDS:
                for guild in guilds:
                    await conn.send(session.frame("GUILD_CREATE", self.guild_create_payload(guild)))
            session.ready_at = time.monotonic()
        self._log_gateway("READY", {"shard": [shard_id, shard_count], "session_id": session.session_id})

    async def _resume(self, conn: GatewayConnection, data: Mapping[str, Any]) -> None:
        self._log_gateway("RESUME", {k: v for k, v in data.items() if k != "token"})
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or session.invalidated:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        previous = session.connection
        if previous is not None and previous is not conn:
            previous.session = None
            previous.abort()
        session.connection = conn
        conn.session = session
        seq = int(data.get("seq") or 0)
        async with session.lock:
            for frame in session.frames:
                if frame["s"] > seq:
                    await conn.send(frame)
            await conn.send(session.frame("RESUMED", {"_trace": ['["gateway-loopback",{}]']}))
        session.resumed += 1
        self._log_gateway(
            "RESUMED", {"shard": [session.shard_id, session.shard_count], "replayed_after": seq}
        )

    async def _send_dispatch(self, session: GatewaySession, event: str, data: Any) -> None:
        async with session.lock:
            frame = session.frame(event, data)
            conn = session.connection
            if conn is not None:
                await conn.send(frame)

    async def dispatch(
        self, event: str, data: Mapping[str, Any], *, guild_id: int | None = None, shard_id: int | None = None
    ) -> GatewaySession:
        """Send a DISPATCH to the session serving guild_id (or shard_id, default 0).

        If that session's connection is down the event is kept and replayed on RESUME, as Discord does.
        """
        session = self.session_for(shard_id=shard_id, guild_id=guild_id)
        await self._send_dispatch(session, event, dict(data))
        return session

    async def announce_guild(self, guild: FakeGuild) -> GatewaySession:
        """Send GUILD_CREATE for a guild added while the bot runs (the bot "joins" it)."""
        return await self.dispatch("GUILD_CREATE", self.guild_create_payload(guild), guild_id=guild.id)

    async def drop_connection(self, shard_id: int = 0, *, code: int | None = None) -> None:
        """Cut the shard's websocket: abruptly (TCP abort) by default, or with a close code."""
        conn = self.session_for(shard_id=shard_id).connection
        if conn is None:
            raise LookupError(f"shard {shard_id} has no open connection")
        if code is None:
            conn.abort()
        else:
            await conn.ws.close(code=code)

    async def invalidate_session(self, shard_id: int = 0, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION (op 9); a non-resumable one also forgets the session."""
        session = self.session_for(shard_id=shard_id)
        if not resumable:
            session.invalidated = True
        if session.connection is not None:
            await session.connection.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def request_reconnect(self, shard_id: int = 0) -> None:
        """Send RECONNECT (op 7): the client should close and RESUME."""
        conn = self.session_for(shard_id=shard_id).connection
        if conn is not None:
            await conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def _broadcast(
        self, event: str, data: Mapping[str, Any], guild_id: int | None, intent: int
    ) -> None:
        """Send an event to every live session with `intent` that serves the guild (all of them for None)."""
        for session in self.live_sessions():
            if session.intents & intent and (guild_id is None or session.owns_guild(guild_id)):
                await self._send_dispatch(session, event, dict(data))


def _shard_of(conn: GatewayConnection) -> list[int] | None:
    return None if conn.session is None else [conn.session.shard_id, conn.session.shard_count]


def _shard_matches(detail: Mapping[str, Any], shard_id: int | None) -> bool:
    return shard_id is None or (detail.get("shard") or [0, 1])[0] == shard_id
