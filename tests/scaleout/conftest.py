"""Real `social serve` / `social worker` processes on the test database and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from social.redis import AnyRedis
from tests.processes import Launcher, launching


@pytest.fixture
async def launcher(
    database_url: str, redis_url: str, redis: AnyRedis, tmp_path: Path
) -> AsyncIterator[Launcher]:
    """Starts processes on the session's database (emptied) and Redis (flushed by `redis`)."""
    async with launching(database_url, redis_url, tmp_path) as launcher:
        yield launcher
