"""Results that several consumer groups of one process work out for the same event, kept a while
so a later group takes an earlier one's (a new status's readers: the `timelines` and the
`streaming` groups both need them, moments or, when one group is behind, seconds apart)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MEMO_WEIGHT = 200_000
"""What the memo holds at most, in its results' weights (an audience weighs its readers: about
8 MB of them)."""
MEMO_TTL_S = 30.0


class Memo:
    """Results of at most `max_weight` in all, each for `ttl_s` after it was put; the oldest go
    first. Only completed results are kept: a group that comes while another is still working
    something out works it out too. In-process: another worker process works out its own."""

    def __init__(self, max_weight: int = MEMO_WEIGHT, ttl_s: float = MEMO_TTL_S) -> None:
        self.max_weight = max_weight
        self.ttl_s = ttl_s
        self.weight = 0
        self._entries: OrderedDict[Hashable, tuple[float, int, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._drop(key)
            return None
        return entry[2]

    def put(self, key: Hashable, value: Any, weight: int = 1) -> None:
        if weight > self.max_weight:
            return
        self._drop(key)
        self._entries[key] = (time.monotonic() + self.ttl_s, weight, value)
        self.weight += weight
        while self.weight > self.max_weight:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.weight -= entry[1]
