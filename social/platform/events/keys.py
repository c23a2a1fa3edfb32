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


@dataclass(frozen=True)
class SchedulerKeys:
    """The scheduler's keys, all under one hash tag (its scripts touch several at once)."""

    prefix: str = "social:"

    @property
    def _base(self) -> str:
        return f"{self.prefix}sched:{{jobs}}"

    @property
    def built(self) -> str:
        """String: present once the queues were rebuilt from the database (gone after a flush
        or a restart without persistence: the next pass rebuilds them)."""
        return f"{self._base}:built"

    def due(self, kind: str) -> str:
        """Sorted set: the jobs of `kind` by key, scored by when they are due (epoch ms); a
        claimed job's score is the end of its lease."""
        return f"{self._base}:due:{kind}"

    def attempts(self, kind: str) -> str:
        """Hash: per job key, how many times it was claimed since it was last scheduled."""
        return f"{self._base}:attempts:{kind}"

    def dead(self, kind: str) -> str:
        """Hash: per job key that ran out of attempts, its last error (JSON)."""
        return f"{self._base}:dead:{kind}"
