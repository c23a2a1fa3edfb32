"""Prometheus metrics, one registry per app (so several apps in one process don't collide)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

M = TypeVar("M", Counter, Histogram)


class Children(Generic[M]):
    """A metric's labelled children, remembered: `labels()` validates and locks on every call,
    and the request path asks for about eight a request. Label values are bounded sets."""

    def __init__(self, metric: M) -> None:
        self.metric: M = metric
        self._children: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.metric.labels(*values)
        return child


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
        self.http_latency = Histogram(
            "social_http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
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
        self.latency = Children(self.http_latency)

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

    def observe_queues(self, stats: dict[str, Any]) -> None:
        self.stream_length.set(stats["length"])
        self.outbox_unsent.set(stats["outbox_unsent"])
        for name, group in stats["groups"].items():
            self.group_pending.labels(name).set(group["pending"])
            self.group_lag.labels(name).set(group["lag"] or 0)
            self.group_dead.labels(name).set(group["dead_letters"])

    def render(self) -> bytes:
        return generate_latest(self.registry)
