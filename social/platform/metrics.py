"""Prometheus metrics, one registry per app (so several apps in one process don't collide)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector


class Tally(Collector):
    """A counter kept as plain numbers and read when Prometheus scrapes: for counts bumped
    several times a request, where a `Counter` child's lock and calls cost more than the
    work they count. Its samples are a counter's (`<name>_total`, by label)."""

    def __init__(
        self, name: str, documentation: str, labels: Sequence[str], registry: CollectorRegistry
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = list(labels)
        self.counts: dict[tuple[str, ...], float] = {}
        registry.register(self)

    def add(self, labels: tuple[str, ...], amount: float = 1) -> None:
        counts = self.counts
        counts[labels] = counts.get(labels, 0) + amount

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for labels, value in sorted(self.counts.items()):
            family.add_metric(list(labels), value)
        yield family


class Timings(Collector):
    """A histogram kept as plain numbers per label set and read when Prometheus scrapes (its
    samples are a histogram's: `_bucket` by `le`, `_sum`, `_count`): every request observes
    one, where a `Histogram` child's lock and calls cost more than the rest of the metrics."""

    def __init__(
        self,
        name: str,
        documentation: str,
        label: str,
        buckets: Sequence[float],
        registry: CollectorRegistry,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.label = label
        self.bounds = list(buckets)
        self.series: dict[str, Timing] = {}
        registry.register(self)

    def __call__(self, value: str) -> Timing:
        found = self.series.get(value)
        if found is None:
            found = self.series[value] = Timing(self.bounds)
        return found

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=[self.label])
        for value, timing in sorted(self.series.items()):
            cumulative, buckets = 0, []
            for bound, count in zip([*self.bounds, math.inf], timing.counts, strict=True):
                cumulative += count
                buckets.append(("+Inf" if bound == math.inf else repr(float(bound)), cumulative))
            family.add_metric([value], buckets, timing.total)
        yield family


class Timing:
    """One label set's counts: `counts[i]` observations at most `bounds[i]` (and above
    `bounds[i - 1]`), the last for those above every bound."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: list[float]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.cache_requests = Tally(
            "social_cache_requests", "Entity cache lookups", ["cache", "result"], self.registry
        )
        self.redis_errors = Counter(
            "social_redis_errors",
            "Redis failures absorbed (served without Redis)",
            ["where"],
            registry=self.registry,
        )
        self.ratelimit_decisions = Tally(
            "social_ratelimit_decisions",
            "Rate limit decisions by policy, outcome and source (redis, fallback, fail_open)",
            ["policy", "allowed", "source"],
            self.registry,
        )
        self.http_requests = Tally(
            "social_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            self.registry,
        )
        self.latency = Timings(
            "social_http_request_duration_seconds",
            "HTTP request latency",
            "route",
            (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            self.registry,
        )
        self.near_cache = Tally(
            "social_near_cache",
            "In-process cache (kept coherent by Redis tracking): hits, misses, keys invalidated,"
            " flushes",
            ["result"],
            self.registry,
        )
        self.near_cache_entries = Gauge(
            "social_near_cache_entries", "Entries in the in-process cache", registry=self.registry
        )

        self.stream_length = Gauge(
            "social_events_stream_length", "Entries in the event stream", registry=self.registry
        )
        self.outbox_unsent = Gauge(
            "social_outbox_unsent", "Outbox rows not yet relayed to Redis", registry=self.registry
        )
        self.group_pending = Gauge(
            "social_events_pending",
            "Entries delivered to a consumer group but not acknowledged",
            ["group"],
            registry=self.registry,
        )
        self.group_lag = Gauge(
            "social_events_lag",
            "Entries not yet delivered to a consumer group",
            ["group"],
            registry=self.registry,
        )
        self.group_dead = Gauge(
            "social_events_dead_letters",
            "Entries a consumer group gave up on",
            ["group"],
            registry=self.registry,
        )

        self.scheduler_jobs = Gauge(
            "social_scheduler_jobs",
            "Scheduled jobs per kind: pending (all queued), due (overdue, not running), dead",
            ["kind", "state"],
            registry=self.registry,
        )

    def observe_scheduler(self, stats: dict[str, Any]) -> None:
        for kind, counts in stats["kinds"].items():
            for state in ("pending", "due", "dead"):
                self.scheduler_jobs.labels(kind, state).set(counts[state])

    def observe_queues(self, stats: dict[str, Any]) -> None:
        self.stream_length.set(stats["length"])
        self.outbox_unsent.set(stats["outbox_unsent"])
        for name, group in stats["groups"].items():
            self.group_pending.labels(name).set(group["pending"])
            self.group_lag.labels(name).set(group["lag"] or 0)
            self.group_dead.labels(name).set(group["dead_letters"])

    def render(self) -> bytes:
        return generate_latest(self.registry)
