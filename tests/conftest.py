"""Shared fixtures: a real Redis (REDIS_URL, or an embedded Valkey) with a clean keyspace per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from social.redis import AnyRedis, EmbeddedRedis, client_from_url, flush_all


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`REDIS_URL` when set, else one embedded server for the whole test session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(str(tmp_path_factory.mktemp("valkey")), persist=False)
    yield server.start()
    server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[AnyRedis]:
    """A client on an empty keyspace."""
    client = client_from_url(redis_url)
    await flush_all(client)
    yield client
    await client.aclose()
