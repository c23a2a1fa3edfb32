"""A media app whose uploads all go through the `media` consumer group (nothing is small enough
to be processed in the request), and helpers to upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from social.media.storage import LocalStorage
from tests.conftest import MakeApp
from tests.helpers import User, make_user, register_app


@pytest.fixture
async def media_app(make_app: MakeApp) -> Starlette:
    app: Starlette = await make_app(media_inline_max_pixels=0, events_claim_idle_ms=100)
    return app


@pytest.fixture
async def media_client(media_app: Starlette) -> Any:
    transport = httpx.ASGITransport(app=media_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c


@pytest.fixture
async def alice(media_client: httpx.AsyncClient) -> User:
    return await make_user(media_client, await register_app(media_client), "alice")


def stored(app: Starlette) -> list[str]:
    """Every file under the media directory (temporary ones included)."""
    root = Path(app.state.ctx.settings.media_dir)
    return LocalStorage(root).files()


async def upload(
    client: httpx.AsyncClient,
    user: User,
    data: bytes,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
    version: int = 2,
    **fields: str,
) -> httpx.Response:
    return await client.post(
        f"/api/v{version}/media",
        headers=user.auth,
        files={"file": (name, data, content_type)},
        data=fields,
    )
