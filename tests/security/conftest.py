"""The world the security suites act in: alice, bob and boss on a fresh app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import MakeApp
from tests.security.world import World, build_world
from tests.trends.helpers import https_client


@pytest.fixture
async def world(make_app: MakeApp) -> AsyncIterator[World]:
    # The scenarios sign alice in many times: no session of hers may be evicted by the cap.
    app = await make_app(max_sessions_per_user=1000)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as api,
        https_client(app) as browser,
    ):
        yield await build_world(app, api, browser)
