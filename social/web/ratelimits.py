"""The app's rate limits (Mastodon's documented policies on the `ratelimit` library), and the
gate each request passes.

A read (GET, HEAD, OPTIONS) runs while its check is under way and the decision gates the
response when it starts: refused, the handler's answer is replaced by the 429 (reads have no
effects to undo). On the shared connection the check costs no round trip of its own: its
commands ride on the first command the handler sends (`social.platform.redis.riders`), or go
alone when the response starts if the handler sent none. A write waits for its decision first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextvars import Token
from typing import Protocol

from starlette.types import Message, Receive, Scope, Send

from ratelimit import (
    Check,
    ClientIP,
    Decision,
    KeyContext,
    Limiter,
    Policy,
    StoreError,
    mastodon_policies,
    most_restrictive,
)
from ratelimit.headers import encoded_headers
from ratelimit.middleware import reject
from social.platform.context import AppContext
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.riders import RIDING, Riders

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POLICIES_REMEMBERED = 10_000


class RateLimits:
    """The limiter and the policies; `shared` is the connection the checks of reads ride on
    (None: a Cluster, or no multiplexing; the check then runs beside the handler)."""

    def __init__(
        self,
        limiter: Limiter,
        policies: Sequence[Policy],
        client_ip: ClientIP,
        *,
        max_body_bytes: int,
        shared: MultiplexedRedis | None,
    ) -> None:
        self.limiter = limiter
        self.policies = list(policies)
        self.client_ip = client_ip
        self.max_body_bytes = max_body_bytes
        self.shared = shared
        self._matching: dict[tuple[str, str], list[Policy]] = {}
        self._checks: dict[tuple[str, str], Check] = {}

    def matching(self, method: str, path: str) -> list[Policy]:
        """The policies of a request (remembered by method and path: a client asks the same
        few paths again and again)."""
        known = self._matching
        found = known.get((method, path))
        if found is None:
            if len(known) >= POLICIES_REMEMBERED:
                known.clear()
            found = known[(method, path)] = [p for p in self.policies if p.matches(method, path)]
        return found

    def _check(self, policy: Policy, identity: str) -> Check:
        """The check of `identity` against `policy` (remembered: the same accounts come back)."""
        known = self._checks
        found = known.get((policy.name, identity))
        if found is None:
            if len(known) >= POLICIES_REMEMBERED:
                known.clear()
            found = known[(policy.name, identity)] = Check(policy.quota, identity, policy.cost)
        return found

    async def gate(self, scope: Scope, receive: Receive) -> Gate | None:
        """The request's gate, or None when no policy counts it."""
        policies = self.matching(scope["method"], scope["path"])
        if not policies:
            return None
        keys = KeyContext(scope, receive, self.client_ip, self.max_body_bytes)
        checks = []
        for policy in policies:
            identity = await policy.key(keys)
            if identity is not None:
                checks.append(self._check(policy, identity))
        gate = Gate(self.limiter, checks, keys.replay)
        if not checks:
            return gate
        if scope["method"] not in SAFE_METHODS:
            await gate.decide_now()
        elif self.shared is not None:
            gate.ride(self.shared)
        else:
            gate.overlap()
        return gate


class Out(Protocol):
    """Where a gated response goes: the front's record of the exchange (the server's `send`,
    the status, whether the response started), kept here too so the response passes one
    wrapper."""

    send: Send
    status: int
    started: bool

    async def track(self, message: Message) -> None: ...


class Gate:
    """One request's checks and, once known, their decision."""

    __slots__ = (
        "_dropped",
        "_out",
        "_riders",
        "_riding",
        "_shared",
        "_shown",
        "_task",
        "_undecided",
        "checks",
        "limiter",
        "receive",
        "refused",
    )

    def __init__(self, limiter: Limiter, checks: list[Check], receive: Receive) -> None:
        self.limiter = limiter
        self.checks = checks
        self.receive = receive
        """The request's body, with what a key function read of it replayed first."""
        self.refused: Decision | None = None
        self._shown: Decision | None = None
        self._undecided = False
        self._riders: Riders | None = None
        self._shared: MultiplexedRedis | None = None
        self._riding: Token[Riders | None] | None = None
        self._task: asyncio.Future[list[Decision]] | None = None
        self._out: Out | None = None
        self._dropped = False

    async def decide_now(self) -> None:
        self._settle(await self.limiter.check_many(self.checks))

    def ride(self, shared: MultiplexedRedis) -> None:
        """The checks ride on the request's next command on `shared`."""
        self._undecided = True
        commands = self.limiter.commands(self.checks)
        if commands is None:  # Redis is left alone after a failure: the checks fail open
            return
        self._riders, self._shared = Riders(list(commands)), shared
        self._riding = RIDING.set(self._riders)

    def overlap(self) -> None:
        """The checks go in a task of their own, beside the handler."""
        self._undecided = True
        self._task = asyncio.ensure_future(self.limiter.check_many(self.checks))

    def wrap(self, out: Out) -> Send:
        """A `send` passing messages to `out`: the decision's headers on the response, a
        refused read's response replaced by the 429."""
        self._out = out
        return self._gated

    async def _gated(self, message: Message) -> None:
        out = self._out
        assert out is not None
        if message["type"] == "http.response.start":
            if self._undecided:
                self._undecided = False
                self._settle(await self._decisions())
            if self.refused is not None:
                self._dropped = True
                await reject(self.refused, out.track)
                return
            if self._shown is not None:
                extra = encoded_headers(self._shown)
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            out.status, out.started = message["status"], True  # as `out.track` would
        elif self._dropped:
            return
        await out.send(message)

    async def _decisions(self) -> list[Decision]:
        if self._task is not None:
            return await self._task
        if self._riders is None:
            return await self.limiter.decide(self.checks, None)
        assert self._shared is not None
        replies = await self._riders.replies(self._shared.send_raw)
        return await self.limiter.decide(self.checks, replies)

    def close(self) -> None:
        """After the response (or a failure): the request's riders are off the connection,
        and a check still under way is cancelled."""
        if self._riding is not None:
            RIDING.reset(self._riding)
            self._riding = None
        if self._riders is not None:
            # not left yet (the response never started): a task this request started, whose
            # context still names them, must not carry them later
            self._riders.board()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()

    def _settle(self, decisions: Sequence[Decision]) -> None:
        # a fail-open decision knows nothing about the real usage: it gets no headers
        shown = most_restrictive(d for d in decisions if d.source != "fail_open")
        self._shown = shown
        if shown is not None and not shown.allowed:
            self.refused = shown


def rate_limits(ctx: AppContext) -> RateLimits:
    settings = ctx.settings
    metrics = ctx.metrics

    def count(decision: Decision) -> None:
        allowed = "true" if decision.allowed else "false"
        metrics.ratelimit_decisions.add((decision.policy, allowed, decision.source))

    def store_failed(_exc: StoreError) -> None:
        metrics.redis_errors.labels("ratelimit").inc()

    limiter = Limiter(
        ctx.redis,
        prefix=settings.redis_prefix,
        timeout_s=settings.redis_timeout_s,
        on_decision=count,
        on_store_error=store_failed,
    )
    return RateLimits(
        limiter,
        mastodon_policies(scale=settings.ratelimit_scale),
        ClientIP(trusted_proxies=settings.proxies),
        max_body_bytes=settings.max_body_bytes,
        shared=ctx.redis if isinstance(ctx.redis, MultiplexedRedis) else None,
    )
