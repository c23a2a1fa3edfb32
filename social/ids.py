"""64-bit time-ordered ids: milliseconds since the Unix epoch << 16 | a per-process sequence.

Like Mastodon's snowflakes, they sort by creation time and serve as paging cursors. Within a
process they strictly increase. Each millisecond's sequence starts at a random offset in the lower
half of its range, so two processes minting in the same millisecond rarely meet.
"""

from __future__ import annotations

import secrets
import threading
import time

SEQUENCE_BITS = 16
_SEQUENCE_MAX = (1 << SEQUENCE_BITS) - 1


class IdGenerator:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0

    def next_id(self) -> int:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._sequence = secrets.randbelow(1 << (SEQUENCE_BITS - 1))
            else:
                self._sequence += 1
                if self._sequence > _SEQUENCE_MAX:
                    # This millisecond is spent: borrow the next one.
                    self._last_ms += 1
                    self._sequence = secrets.randbelow(1 << (SEQUENCE_BITS - 1))
            return (self._last_ms << SEQUENCE_BITS) | self._sequence


_generator = IdGenerator()
next_id = _generator.next_id


def id_at(timestamp_s: float) -> int:
    """The smallest id minted at `timestamp_s` (for time-based cursors)."""
    return int(timestamp_s * 1000) << SEQUENCE_BITS
