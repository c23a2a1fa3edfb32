"""Fixtures for the trending library: a synthetic clock, engines on plain Redis and on a
one-node cluster, and helpers that post hashtag uses at chosen times."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import pytest
from redis.asyncio.connection import AbstractConnection

from trending import AnyRedis, TrendEngine, Use

T0 = 1_767_225_600.0
"""2026-01-01T00:00:00Z: a day start, and a bucket start for any bucket size dividing a day."""
HOUR_S = 3_600


class Clock:
    """The engine's time, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["redis", "cluster"])
def client(request: pytest.FixtureRequest) -> AnyRedis:
    """The session's plain Redis, then a cluster client, on an empty keyspace."""
    chosen: AnyRedis = request.getfixturevalue(
        "redis" if request.param == "redis" else "cluster_client"
    )
    return chosen


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


EngineFactory = Callable[..., TrendEngine]


@pytest.fixture
def make_engine(client: AnyRedis, clock: Clock) -> EngineFactory:
    def make(**options: Any) -> TrendEngine:
        return TrendEngine(client, clock=clock, **options)

    return make


@pytest.fixture
def engine(make_engine: EngineFactory) -> TrendEngine:
    """Default settings: 5-minute buckets, 1-hour recent window, 24-hour baseline,
    5 accounts minimum, 2-hour half-life."""
    return make_engine()


_status_ids = itertools.count(1)


def uses(tag: str, authors: Iterable[int], at: float) -> list[Use]:
    """One new status by each author, all at `at`."""
    return [Use(tag, author, next(_status_ids), at) for author in authors]


async def replay(engine: TrendEngine, clock: Clock, stream: Iterable[Use]) -> None:
    """Record uses in time order, the clock following them bucket by bucket (as a consumer
    reading the event stream live would)."""
    bucket_s = engine.settings.bucket_s
    ordered = sorted(stream, key=lambda use: use.at)
    for _, group in groupby(ordered, key=lambda use: use.at // bucket_s):
        batch = list(group)
        clock.now = max(clock.now, batch[-1].at)
        await engine.record_many(batch)
        await engine.settle()


def steady(tag: str, authors: range, hours: int, start: float = T0) -> list[Use]:
    """Each author uses `tag` once an hour, the authors spread evenly over the hour."""
    spacing = HOUR_S / len(authors)
    return [
        Use(tag, author, next(_status_ids), start + hour * HOUR_S + i * spacing)
        for hour in range(hours)
        for i, author in enumerate(authors)
    ]


@dataclass
class Traffic:
    """Commands sent to Redis, counted on the connections."""

    sends: int = 0


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    counted = Traffic()
    send = AbstractConnection.send_packed_command

    async def counting_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        counted.sends += 1
        await send(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    return counted
