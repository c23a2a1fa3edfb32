"""Where the mixed-load benchmark's CPU went, and how far the consumer groups fell behind."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import psutil
import redis
from sqlalchemy.engine import make_url

from bench.common import Backends
from social.platform.events.keys import EventKeys


class CpuMeter:
    """CPU seconds between two samples: of process groups, of the Redis server (its `INFO cpu`,
    the whole server), of the PostgreSQL backends serving the benchmark's database, and of the
    whole machine; `other` is the rest of the machine (other work on it)."""

    def __init__(self, groups: dict[str, list[int]], b: Backends) -> None:
        self.groups = groups
        self.redis_url = b.redis_url
        url = make_url(b.database_url)
        self.database = url.database if url.get_backend_name() == "postgresql" else None
        self.start: dict[str, float] = {}
        self.started_at = 0.0

    def _redis(self) -> float:
        client = redis.Redis.from_url(self.redis_url)
        try:
            info: Any = client.info("cpu")
        finally:
            client.close()
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def _database(self) -> float:
        total, name = 0.0, f" {self.database} "
        for proc in psutil.process_iter(["name", "cmdline"]):
            if proc.info["name"] == "postgres" and name in " ".join(proc.info["cmdline"] or []):
                with contextlib.suppress(psutil.Error):
                    t = proc.cpu_times()
                    total += t.user + t.system
        return total

    def _sample(self) -> dict[str, float]:
        out = {}
        for name, pids in self.groups.items():
            out[name] = 0.0
            for pid in pids:
                with contextlib.suppress(psutil.Error):
                    t = psutil.Process(pid).cpu_times()
                    out[name] += t.user + t.system
        out["Redis"] = self._redis()
        if self.database:
            out["PostgreSQL"] = self._database()
        machine = psutil.cpu_times()
        out["machine"] = (
            machine.user + machine.nice + machine.system + machine.irq + machine.softirq
        )
        return out

    def begin(self) -> None:
        self.start, self.started_at = self._sample(), time.monotonic()

    def end(self) -> dict[str, float]:
        """Percent of one core per group over the interval."""
        stop, wall = self._sample(), time.monotonic() - self.started_at
        used = {name: (stop[name] - self.start[name]) / wall * 100 for name in stop}
        used["other"] = used["machine"] - sum(v for k, v in used.items() if k != "machine")
        return used


def backlog(redis_url: str) -> dict[str, int]:
    """Per consumer group, the events not handled yet: never read (lag) or read, not acked."""
    client = redis.Redis.from_url(redis_url)
    try:
        groups: Any = client.xinfo_groups(EventKeys().stream)
    finally:
        client.close()
    return {g["name"].decode(): int(g.get("lag") or 0) + int(g["pending"]) for g in groups}
