"""`Limiter`: checks quotas in Redis, with a failure policy per quota and hooks for metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from redis.exceptions import NoScriptError

from ratelimit import keys
from ratelimit.decision import Decision, most_restrictive
from ratelimit.errors import StoreError
from ratelimit.memory import MemoryLimiter
from ratelimit.quota import Check, Quota
from ratelimit.store import RedisStore, Reply, ScriptCall, parse_replies
from ratelimit.strategies import STRATEGIES
from ratelimit.types import AnyRedis, DecisionHook, Source, StoreErrorHook

log = logging.getLogger(__name__)

KEYS_REMEMBERED = 10_000


class Limiter:
    """Checks never raise on a Redis failure: each quota fails open or falls back in process.

    After a failure Redis is left alone for `retry_after_failure_s`, so an outage costs one
    timeout, not one per request. With `coalesce` (the default), checks made in the same
    event-loop tick share one pipeline; a lone check is sent without waiting for others.
    """

    def __init__(
        self,
        redis: AnyRedis,
        *,
        prefix: str = "",
        timeout_s: float = 0.1,
        retry_after_failure_s: float = 1.0,
        fallback: MemoryLimiter | None = None,
        on_decision: DecisionHook | None = None,
        on_store_error: StoreErrorHook | None = None,
        coalesce: bool = True,
    ) -> None:
        self.store = RedisStore(redis, timeout_s=timeout_s, coalesce=coalesce)
        self.prefix = keys.check_prefix(prefix)
        self.retry_after_failure_s = retry_after_failure_s
        self.fallback = fallback if fallback is not None else MemoryLimiter()
        self.on_decision = on_decision
        self.on_store_error = on_store_error
        self._skip_redis_until = 0.0
        self._keys_of: dict[tuple[int, str], tuple[Quota, list[str]]] = {}
        self._commands_of: dict[int, tuple[Check, tuple[Any, ...]]] = {}

    async def load_scripts(self) -> None:
        """Optional warm-up at startup; raises `StoreError` if Redis is unreachable."""
        await self.store.load_scripts()

    async def hit(self, quota: Quota, identity: str, cost: int = 1) -> Decision:
        """Count `cost` units against every limit of `quota` if all of them allow it."""
        return (await self.check_many([Check(quota, identity, cost)]))[0]

    async def peek(self, quota: Quota, identity: str, cost: int = 1) -> Decision:
        """What `hit` would answer, without counting."""
        return (await self.check_many([Check(quota, identity, cost, peek=True)]))[0]

    async def check_many(self, checks: Sequence[Check]) -> list[Decision]:
        """All checks in one round trip (shared with this tick's other checks); each one
        atomic on its own identity's keys.

        Returns, per check, the most restrictive decision among its quota's limits.
        """
        if not checks:
            return []
        replies: list[Reply] | None = None
        if time.monotonic() >= self._skip_redis_until:
            try:
                replies = await self.store.run(self._calls(checks))
            except StoreError as exc:
                self._failed(exc)
        return self._decisions(checks, replies)

    def commands(self, checks: Sequence[Check]) -> list[tuple[Any, ...]] | None:
        """`check_many` as commands for a caller that sends them with its own, in one round
        trip of its choosing (no I/O here): pass their replies to `decide`. None while Redis
        is left alone after a failure: call `decide` with no replies."""
        if time.monotonic() < self._skip_redis_until:
            return None
        known = self._commands_of
        commands: list[tuple[Any, ...]] = []
        for check in checks:
            # by identity (a caller that keeps its checks asks for the same ones again), the
            # check kept beside its command so that a recycled id never matches
            entry = known.get(id(check))
            if entry is None or entry[0] is not check:
                if len(known) >= KEYS_REMEMBERED:
                    known.clear()
                strategy = STRATEGIES[check.quota.strategy]
                keys = self._keys(check)
                args = strategy.args(check)
                entry = known[id(check)] = (
                    check,
                    ("EVALSHA", strategy.sha, len(keys), *keys, *args),
                )
            commands.append(entry[1])
        return commands

    async def decide(
        self, checks: Sequence[Check], replies: Sequence[Any] | None
    ) -> list[Decision]:
        """What `check_many` answers, from the replies to `commands(checks)` (an error reply
        as an exception instance). A script the server lost (NOSCRIPT) ran nowhere, so its
        checks are made again with `check_many`; other errors are a store failure."""
        if replies is None:
            return self._decisions(checks, None)
        try:
            parsed = parse_replies(list(replies))
        except StoreError as exc:
            if any(isinstance(reply, NoScriptError) for reply in replies):
                return await self.check_many(checks)
            self._failed(exc)
            return self._decisions(checks, None)
        return self._decisions(checks, parsed)

    def _calls(self, checks: Sequence[Check]) -> list[ScriptCall]:
        return [
            ScriptCall(
                STRATEGIES[c.quota.strategy], self._keys(c), STRATEGIES[c.quota.strategy].args(c)
            )
            for c in checks
        ]

    def _failed(self, exc: StoreError) -> None:
        now = time.monotonic()
        if now >= self._skip_redis_until:  # the first of a batch that failed together
            self._report_error(exc)
        self._skip_redis_until = now + self.retry_after_failure_s

    def _decisions(self, checks: Sequence[Check], replies: list[Reply] | None) -> list[Decision]:
        decisions = []
        for i, check in enumerate(checks):
            if replies is not None:
                decision = _decide(check, replies[i], "redis")
            elif check.quota.on_store_error == "fallback":
                decision = _decide(check, self.fallback.check(self._keys(check), check), "fallback")
            else:
                decision = _fail_open(check)
            if not check.peek:
                self._report(decision)
            decisions.append(decision)
        return decisions

    def _keys(self, check: Check) -> list[str]:
        """The check's keys (remembered by its quota's identity and the caller's: the same
        identities come back request after request; forgotten all at once past
        `KEYS_REMEMBERED`)."""
        known = self._keys_of
        entry = known.get((id(check.quota), check.identity))
        if entry is None or entry[0] is not check.quota:
            if len(known) >= KEYS_REMEMBERED:
                known.clear()
            tag = STRATEGIES[check.quota.strategy].key_tag
            names = keys.limit_keys(self.prefix, check.quota, check.identity, tag)
            entry = known[(id(check.quota), check.identity)] = (check.quota, names)
        return entry[1]

    def _report(self, decision: Decision) -> None:
        if self.on_decision is not None:
            try:
                self.on_decision(decision)
            except Exception:
                log.exception("on_decision hook failed")

    def _report_error(self, exc: StoreError) -> None:
        log.warning("rate limit store unavailable: %s", exc)
        if self.on_store_error is not None:
            try:
                self.on_store_error(exc)
            except Exception:
                log.exception("on_store_error hook failed")


def _decide(check: Check, reply: Reply, source: Source) -> Decision:
    """The most restrictive of the check's limits, from its script's reply."""
    allowed = bool(reply[0])
    per_limit = [
        Decision(
            allowed=allowed,
            limit=limit.amount,
            remaining=reply[1 + 3 * i],
            reset_after_s=reply[2 + 3 * i] / 1000,
            retry_after_s=float("inf") if reply[3 + 3 * i] < 0 else reply[3 + 3 * i] / 1000,
            policy=check.quota.name,
            window_s=limit.window_s,
            source=source,
        )
        for i, limit in enumerate(check.quota.limits)
    ]
    decision = most_restrictive(per_limit)
    assert decision is not None
    return decision


def _fail_open(check: Check) -> Decision:
    limit = min(check.quota.limits, key=lambda limit: limit.amount)
    return Decision(
        allowed=True,
        limit=limit.amount,
        remaining=limit.amount,
        reset_after_s=0.0,
        retry_after_s=0.0,
        policy=check.quota.name,
        window_s=limit.window_s,
        source="fail_open",
    )
