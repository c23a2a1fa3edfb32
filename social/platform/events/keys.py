"""Every Redis key of the event pipeline, built in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKeys:
    """Each key is touched alone (no script or transaction spans two), so no hash tags needed."""

    prefix: str = "social:"

    @property
    def stream(self) -> str:
        return f"{self.prefix}events"

    def dead_letters(self, group: str) -> str:
        return f"{self.prefix}events:dead:{group}"

    @property
    def relay_lock(self) -> str:
        return f"{self.prefix}events:relay-lock"

    @property
    def relay_wake(self) -> str:
        """Pub/sub channel: a process without a relay committed events (wake the relays)."""
        return f"{self.prefix}events:relay-wake"
