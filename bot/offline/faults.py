"""Injected failures: make the next requests of a route fail like Discord does (5xx, 403, 429 with headers),
before or after the request took effect."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from bot.offline.model import Reply
from bot.offline.world import World


@dataclass
class Fault:
    method: str
    template: str
    remaining: int
    status: int
    body: Any
    retry_after: float | None
    is_global: bool
    after_handling: bool


class Faults(World):
    def fail_next(
        self,
        method: str,
        template: str,
        *,
        times: int = 1,
        status: int = 500,
        body: Any = None,
        retry_after: float | None = None,
        is_global: bool = False,
        after_handling: bool = False,
    ) -> None:
        """Make the next `times` requests matching (method, template) fail.

        status=429 answers like Discord's rate limiter (retry_after seconds, default 0.1); any other status
        answers with `body` (default: Discord's generic body for that status, e.g. 403 Missing Access).
        after_handling=True first performs the request (e.g. creates the message), then fails: a
        response lost after the server committed, which a retry without enforce_nonce duplicates.
        """
        if status == 429 and retry_after is None:
            retry_after = 0.1
        self._faults.append(
            Fault(method, template, times, status, body, retry_after, is_global, after_handling)
        )

    def _take_fault(self, method: str, template: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.template == template:
                fault.remaining -= 1
                return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.status == 429:
            retry_after = fault.retry_after or 0.1
            reset = time.time() + retry_after
            headers = {
                "Retry-After": str(math.ceil(retry_after)),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{reset:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket(fault.template),
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": fault.is_global,
            }
            return Reply(429, body, headers)
        default = {
            500: {"message": "500: Internal Server Error", "code": 0},
            502: {"message": "502: Bad Gateway", "code": 0},
            403: {"message": "Missing Access", "code": 50001},
            404: {"message": "404: Not Found", "code": 0},
        }.get(fault.status, {"message": f"{fault.status}: Error", "code": 0})
        return Reply(fault.status, fault.body if fault.body is not None else default)


def bucket(template: str) -> str:
    """A stable X-RateLimit-Bucket for a route template."""
    return hashlib.sha1(template.encode()).hexdigest()[:32]
