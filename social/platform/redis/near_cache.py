"""Values kept in process memory, coherent with Redis by its client-side caching.

The shared connection (`multiplex.py`) turns on `CLIENT TRACKING ... BCAST` for a few key
prefixes (cached statuses and accounts, access tokens, favourites sets), and Redis then tells
it of every write to a key under them: the entry is dropped here as soon as the message
arrives. When the connection is lost, messages may be missed until the next one tracks, so
everything is dropped.

A read that fills the cache races with writes: the reply may arrive, and then an invalidation
of a write that followed it, before the reader runs again. So a reader `begin`s its keys before
writing its command, and `end` stores only the values of keys no invalidation has named since.
Entries also expire after `ttl_s` (a bound in case a message is ever lost) and the oldest is
evicted beyond `max_entries`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from social.platform.metrics import Metrics

log = logging.getLogger(__name__)

HIT, MISS = ("hit",), ("miss",)


class NearCache:
    def __init__(
        self, prefixes: Sequence[str], *, max_entries: int, ttl_s: float, metrics: Metrics
    ) -> None:
        self.prefixes = tuple(prefixes)
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._entries: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._pending: dict[str, int] = {}  # keys being read, by how many readers
        self._spoiled: set[str] = set()  # pending keys written since their read began
        self._tally = metrics.near_cache
        self.enabled = True
        metrics.near_cache_entries.set_function(lambda: len(self._entries))

    def refused(self, error: Exception) -> None:
        """Redis will not track (before 6.0, or an ACL without `CLIENT`): nothing is kept."""
        log.warning("Redis refused client-side caching, the near cache is off: %s", error)
        self.enabled = False
        self.invalidate(None)

    def get(self, key: str) -> Any | None:
        return self.get_many((key,))[0]

    def get_many(self, keys: Sequence[str]) -> list[Any | None]:
        """`get` for each of `keys` (one clock reading for all). Reads do not reorder: past
        `max_entries` the oldest written goes first, and no entry outlives `ttl_s` anyway."""
        now = time.monotonic()
        get = self._entries.get
        # comprehensions, not a loop: a home page asks about forty keys; an expired entry is
        # simply not answered, and goes when it is written again or evicted
        return [e[0] if e is not None and now < e[1] else None for e in map(get, keys)]

    def begin(self, keys: Iterable[str]) -> None:
        """Before the read of `keys` is written: invalidations from now on spoil its values."""
        pending = self._pending
        for key in keys:
            pending[key] = pending.get(key, 0) + 1

    def end(
        self, keys: Iterable[str], values: Mapping[str, Any], ttl_s: float | None = None
    ) -> None:
        """After the read: keep `values` (of some of `keys`, under the tracked prefixes) unless
        invalidated since `begin`; every key of `keys` is released, so call this also when the
        read failed."""
        deadline = time.monotonic() + (self.ttl_s if ttl_s is None else min(ttl_s, self.ttl_s))
        pending, spoiled, entries, tracked = (
            self._pending,
            self._spoiled,
            self._entries,
            self.prefixes,
        )
        for key in keys:
            value = values.get(key)
            # a key Redis does not tell of writes to is never kept: it would go stale
            if (
                value is not None
                and key not in spoiled
                and self.enabled
                and key.startswith(tracked)
            ):
                entries[key] = (value, deadline)
                entries.move_to_end(key)
            left = pending.get(key, 1) - 1
            if left > 0:
                pending[key] = left
            else:
                pending.pop(key, None)
                spoiled.discard(key)
        while len(entries) > self.max_entries:
            entries.popitem(last=False)

    def count(self, hits: int, misses: int) -> None:
        if hits:
            self._tally.add(HIT, hits)
        if misses:
            self._tally.add(MISS, misses)

    def invalidate(self, keys: Sequence[bytes] | None) -> None:
        """What Redis says was written (None: everything, e.g. `FLUSHDB` or a lost link)."""
        if keys is None:
            self._entries.clear()
            self._spoiled.update(self._pending)
            self._tally.add(("flush",))
            return
        entries, pending = self._entries, self._pending
        for raw in keys:
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            entries.pop(key, None)
            if key in pending:
                self._spoiled.add(key)
        self._tally.add(("invalidated",), len(keys))
