"""`RateLimitMiddleware`: applies policies to HTTP requests, one Redis round trip each."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratelimit.clientip import ClientIP
from ratelimit.decision import Decision, most_restrictive
from ratelimit.headers import TOO_MANY_REQUESTS_BODY, encoded_headers
from ratelimit.keyfuncs import KeyContext
from ratelimit.limiter import Limiter
from ratelimit.policy import Policy
from ratelimit.quota import Check

log = logging.getLogger(__name__)

RejectHook = Callable[[Scope, Decision], None]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimitMiddleware:
    """Checks every policy matching the request (method, path) in one round trip.

    Refused: 429 with `{"error": "Too many requests"}`, headers and `Retry-After`; the app
    is not called. Allowed: the app's response gets the headers of the most restrictive
    decision. Decisions are left in `scope["state"]["ratelimit"]` for the app.
    Place it inside the authentication middleware so `scope["user"]` is set.

    With `overlap_safe_methods`, a GET/HEAD/OPTIONS runs while its check is in flight and the
    decision gates the response when it starts: the check adds no latency, and a refused
    read is simply not sent (reads have no effects to undo). Other methods wait for the check.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: Limiter,
        policies: Sequence[Policy],
        client_ip: ClientIP | None = None,
        max_body_bytes: int = 64 * 1024,
        on_reject: RejectHook | None = None,
        overlap_safe_methods: bool = False,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.policies = list(policies)
        self.client_ip = client_ip or ClientIP()
        self.max_body_bytes = max_body_bytes
        self.on_reject = on_reject
        self.overlap_safe_methods = overlap_safe_methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        matching = [p for p in self.policies if p.matches(scope["method"], scope["path"])]
        if not matching:
            await self.app(scope, receive, send)
            return
        ctx = KeyContext(scope, receive, self.client_ip, self.max_body_bytes)
        checks = []
        for policy in matching:
            try:
                identity = await policy.key(ctx)
            except Exception:
                log.exception("rate limit key function of %r failed; policy skipped", policy.name)
                continue
            if identity is not None:
                checks.append(Check(policy.quota, identity, policy.cost))
        if self.overlap_safe_methods and scope["method"] in SAFE_METHODS:
            await self._overlapped(scope, ctx, send, checks)
            return
        decisions = await self.limiter.check_many(checks)
        scope.setdefault("state", {})["ratelimit"] = decisions
        # a fail-open decision knows nothing about the real usage: it gets no headers
        shown = most_restrictive(d for d in decisions if d.source != "fail_open")
        if shown is not None and not shown.allowed:
            if self.on_reject is not None:
                self.on_reject(scope, shown)
            await reject(shown, send)
            return
        if shown is None:
            await self.app(scope, ctx.replay, send)
            return
        extra = encoded_headers(shown)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, ctx.replay, send_with_headers)

    async def _overlapped(
        self, scope: Scope, ctx: KeyContext, send: Send, checks: list[Check]
    ) -> None:
        pending = asyncio.ensure_future(self.limiter.check_many(checks))
        refused = False

        async def gated_send(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                decisions = await pending
                scope.setdefault("state", {})["ratelimit"] = decisions
                shown = most_restrictive(d for d in decisions if d.source != "fail_open")
                if shown is not None and not shown.allowed:
                    refused = True
                    if self.on_reject is not None:
                        self.on_reject(scope, shown)
                    await reject(shown, send)
                    return
                if shown is not None:
                    extra = encoded_headers(shown)
                    message = {**message, "headers": [*message.get("headers", ()), *extra]}
            elif refused:
                return
            await send(message)

        try:
            await self.app(scope, ctx.replay, gated_send)
        finally:
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending


async def reject(decision: Decision, send: Send) -> None:
    """The 429 for a refused `decision`."""
    headers = encoded_headers(decision)
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(TOO_MANY_REQUESTS_BODY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": TOO_MANY_REQUESTS_BODY})
