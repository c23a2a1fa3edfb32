"""Tunables of the relay and the consumer groups; defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventSettings:
    stream_maxlen: int = 100_000
    """Approximate cap of the event stream (`XADD MAXLEN ~`)."""
    dead_letter_maxlen: int = 10_000
    relay_batch: int = 500
    relay_sweep_s: float = 1.0
    """The relay looks for leftovers this often even when nobody wakes it."""
    relay_lock_ttl_ms: int = 5_000
    outbox_retention_s: int = 86_400
    """Sent outbox rows older than this are deleted."""
    outbox_prune_interval_s: float = 60.0
    consumer_batch: int = 100
    block_ms: int = 1_000
    max_deliveries: int = 5
    claim_idle_ms: int = 10_000
    """An entry pending this long is taken over; failed entries wait twice as long per retry."""
