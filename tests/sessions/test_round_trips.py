"""Round trips per operation, counted on the client's connections (resolve must cost one)."""

from __future__ import annotations

from collections.abc import Awaitable

from sessions import SessionStore
from tests.conftest import single_server

from .conftest import Traffic


async def cost(traffic: Traffic, operation: Awaitable[object]) -> tuple[int, int]:
    """(round trips, replies) spent by `operation`."""
    sends, replies = traffic.sends, traffic.replies
    await operation
    return traffic.sends - sends, traffic.replies - replies


async def test_resolve_is_one_round_trip_of_one_command(
    store: SessionStore, traffic: Traffic
) -> None:
    issued = await store.create("42")
    await store.resolve(issued.token)  # connections and cluster slots warmed up
    assert await cost(traffic, store.resolve(issued.token)) == (1, 1)
    assert await cost(traffic, store.resolve(issued.token, touch=False)) == (1, 1)
    assert await cost(traffic, store.update(issued.token, {"a": "b"})) == (1, 1)


async def test_the_counter_sees_every_round_trip(store: SessionStore, traffic: Traffic) -> None:
    issued = await store.create("42")
    await store.resolve(issued.token)
    assert await cost(traffic, store.list("42")) == (2, 2)
    assert await cost(traffic, store.revoke(issued.token)) == (2, 2)


@single_server  # the session and the user index live in two slots: two nodes on a cluster
async def test_create_under_the_cap_is_one_pipelined_round_trip(
    store: SessionStore, traffic: Traffic
) -> None:
    await store.create("42")
    assert await cost(traffic, store.create("42")) == (1, 2)


async def test_malformed_tokens_cost_no_round_trip(store: SessionStore, traffic: Traffic) -> None:
    await store.create("42")
    assert await cost(traffic, store.resolve("garbage")) == (0, 0)
