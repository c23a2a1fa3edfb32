"""Idle and absolute timeouts, enforced on the Redis clock, and the key TTL that mirrors them."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from sessions import AnyRedis, IssuedToken, SessionStore

from .conftest import StoreFactory, key_count


async def pttl_ms(client: AnyRedis, store: SessionStore, issued: IssuedToken) -> int:
    key = store.keys.session(hashlib.sha256(issued.token.encode()).hexdigest())
    ttl: int = await client.pttl(key)
    return ttl


async def test_an_idle_session_expires(client: AnyRedis, make_store: StoreFactory) -> None:
    store = make_store(idle_ttl_s=1)
    issued = await store.create("42")
    await asyncio.sleep(1.2)
    assert await store.resolve(issued.token) is None
    assert await key_count(client) == 1  # only the user index is left
    assert await store.list("42") == []


async def test_activity_keeps_a_session_alive_past_the_idle_timeout(
    make_store: StoreFactory,
) -> None:
    store = make_store(idle_ttl_s=1)
    issued = await store.create("42")
    for _ in range(2):
        await asyncio.sleep(0.6)
        assert await store.resolve(issued.token) is not None


async def test_resolving_without_touch_does_not_slide(make_store: StoreFactory) -> None:
    store = make_store(idle_ttl_s=1)
    issued = await store.create("42")
    await asyncio.sleep(0.6)
    assert await store.resolve(issued.token, touch=False) is not None
    await asyncio.sleep(0.6)
    assert await store.resolve(issued.token) is None


async def test_the_absolute_timeout_ends_an_active_session(
    client: AnyRedis, make_store: StoreFactory
) -> None:
    store = make_store(idle_ttl_s=1, absolute_ttl_s=2)
    issued = await store.create("42")
    await asyncio.sleep(0.7)
    assert await store.resolve(issued.token) is not None
    await asyncio.sleep(0.7)
    assert await store.resolve(issued.token) is not None
    assert await pttl_ms(client, store, issued) <= 600
    await asyncio.sleep(0.7)
    assert await store.resolve(issued.token) is None


@pytest.mark.parametrize(("idle_s", "absolute_s"), [(60, 3600), (3600, 60), (60, 60)])
async def test_the_key_ttl_is_the_nearer_of_both_timeouts(
    client: AnyRedis, store: SessionStore, idle_s: int, absolute_s: int
) -> None:
    issued = await store.create("42", idle_ttl_s=idle_s, absolute_ttl_s=absolute_s)
    expected_ms = min(idle_s, absolute_s) * 1000
    assert expected_ms - 500 < await pttl_ms(client, store, issued) <= expected_ms
    assert await store.resolve(issued.token) is not None
    assert expected_ms - 500 < await pttl_ms(client, store, issued) <= expected_ms


async def test_touching_caps_the_ttl_at_the_absolute_time_left(
    client: AnyRedis, make_store: StoreFactory
) -> None:
    store = make_store(idle_ttl_s=3600, absolute_ttl_s=2)
    issued = await store.create("42")
    await asyncio.sleep(1)
    assert await store.resolve(issued.token) is not None
    assert 500 < await pttl_ms(client, store, issued) <= 1000


async def test_rotation_never_extends_the_absolute_lifetime(
    client: AnyRedis, make_store: StoreFactory
) -> None:
    store = make_store(idle_ttl_s=3600, absolute_ttl_s=2)
    issued = await store.create("42")
    await asyncio.sleep(1.1)
    rotated = await store.rotate(issued.token)
    assert rotated is not None
    assert rotated.session.expires_at == issued.session.expires_at
    assert await pttl_ms(client, store, rotated) <= 900
    await asyncio.sleep(1)
    assert await store.resolve(rotated.token) is None
    assert await store.rotate(rotated.token) is None
