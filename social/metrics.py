"""Prometheus metrics, one registry per app (so several apps in one process don't collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.cache_requests = Counter(
            "social_cache_requests",
            "Entity cache lookups",
            ["cache", "result"],
            registry=self.registry,
        )
        self.redis_errors = Counter(
            "social_redis_errors",
            "Redis failures absorbed (served without Redis)",
            ["where"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "social_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "social_http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
