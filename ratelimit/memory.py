"""In-process exact sliding log: the fallback for auth limits while Redis is unreachable."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

from ratelimit.quota import Check


class MemoryLimiter:
    """Exact per process, bounded: at most `max_keys` logs (least recently hit evicted),
    each holding at most its limit's amount of timestamps. Replies like the Lua scripts.
    """

    def __init__(self, *, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.max_keys = max_keys
        self.clock = clock
        self._logs: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._logs)

    def check(self, keys: Sequence[str], check: Check) -> list[int]:
        now, cost = self.clock(), check.cost
        limits = check.quota.limits
        logs = [self._logs.get(key) or deque[float]() for key in keys]
        for log, limit in zip(logs, limits, strict=True):
            while log and log[0] <= now - limit.window_s:
                log.popleft()
        allowed = all(
            len(log) + cost <= limit.amount for log, limit in zip(logs, limits, strict=True)
        )
        reply = [int(allowed)]
        for key, log, limit in zip(keys, logs, limits, strict=True):
            retry = 0
            if cost > limit.amount:
                retry = -1
            elif len(log) + cost > limit.amount:
                retry = _ms(log[len(log) + cost - limit.amount - 1] + limit.window_s - now)
            if allowed and not check.peek:
                log.extend([now] * cost)
                self._logs[key] = log
                self._logs.move_to_end(key)
            reset = _ms(log[-1] + limit.window_s - now) if log else 0
            reply += [max(0, limit.amount - len(log)), reset, retry]
        while len(self._logs) > self.max_keys:
            self._logs.popitem(last=False)
        return reply


def _ms(seconds: float) -> int:
    return max(0, math.ceil(seconds * 1000))
