"""64-bit time-ordered ids: milliseconds since the Unix epoch << 16 | node << 10 | sequence.

Like Mastodon's snowflakes, they sort by creation time and serve as paging cursors. Within a
process they strictly increase. Processes mint apart by their node (6 bits): each server or
worker process claims one from a Redis counter when it starts (`claim_node`), so up to 64
processes running at once never mint the same id; before that, or without Redis, the node is
random. (A random sequence alone met about once in 32,768 same-millisecond pairs: a 500.)
A process mints up to 1,024 ids a millisecond, then borrows the next millisecond.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)

NODE_BITS = 6
SEQUENCE_BITS = 10
TIME_SHIFT = NODE_BITS + SEQUENCE_BITS
_SEQUENCE_MAX = (1 << SEQUENCE_BITS) - 1
NODES = 1 << NODE_BITS


class IdGenerator:
    def __init__(self, node: int | None = None) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0
        self.node = secrets.randbelow(NODES) if node is None else node % NODES

    def next_id(self) -> int:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._sequence = 0
            else:
                self._sequence += 1
                if self._sequence > _SEQUENCE_MAX:
                    # This millisecond is spent: borrow the next one.
                    self._last_ms += 1
                    self._sequence = 0
            return (self._last_ms << TIME_SHIFT) | (self.node << SEQUENCE_BITS) | self._sequence


_generator = IdGenerator()
next_id = _generator.next_id


async def claim_node(redis: AnyRedis, key: str) -> int:
    """Take this process's node from the counter at `key` (the next one, round the 64); on a
    Redis failure keep the random one and say so."""
    try:
        _generator.node = (int(await redis.incr(key)) - 1) % NODES
    except Exception as exc:
        log.warning("ids: no node from Redis (%r); keeping random node %d", exc, _generator.node)
    return _generator.node


def id_at(timestamp_s: float) -> int:
    """The smallest id minted at `timestamp_s` (for time-based cursors)."""
    return int(timestamp_s * 1000) << TIME_SHIFT
