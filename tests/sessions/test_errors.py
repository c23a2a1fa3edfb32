"""Redis failures surface as SessionStoreError; a lost script cache is recovered from."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from sessions import AnyRedis, SessionStore, SessionStoreError, new_csrf_token

WELL_FORMED = "A" * 43


@pytest.fixture
async def dead_store() -> AsyncIterator[SessionStore]:
    client = Redis(
        host="127.0.0.1",
        port=1,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        retry=Retry(NoBackoff(), retries=0),
    )
    yield SessionStore(client)
    await client.aclose()


async def test_every_operation_raises_session_store_error_when_redis_is_down(
    dead_store: SessionStore,
) -> None:
    operations = [
        dead_store.create("42"),
        dead_store.resolve(WELL_FORMED),
        dead_store.update(WELL_FORMED, {"csrf": new_csrf_token()}),
        dead_store.rotate(WELL_FORMED),
        dead_store.revoke(WELL_FORMED),
        dead_store.revoke_id("42", "id"),
        dead_store.revoke_all("42"),
        dead_store.list("42"),
    ]
    for operation in operations:
        with pytest.raises(SessionStoreError) as caught:
            await operation
        assert isinstance(caught.value.__cause__, RedisConnectionError)


async def test_a_redis_error_reply_is_wrapped(client: AnyRedis, store: SessionStore) -> None:
    await client.set(store.keys.session(hashlib.sha256(WELL_FORMED.encode()).hexdigest()), "x")
    with pytest.raises(SessionStoreError, match="WRONGTYPE"):
        await store.resolve(WELL_FORMED)


async def test_scripts_are_reloaded_after_the_server_forgets_them(
    client: AnyRedis, store: SessionStore
) -> None:
    issued = await store.create("42")
    await client.script_flush()
    assert await store.resolve(issued.token) is not None
    await client.script_flush()
    second = await store.create("42")
    await client.script_flush()
    assert [s.id for s in await store.list("42")] == [second.session.id, issued.session.id]
