"""Redis clients from `REDIS_URL`: a server, `redis+cluster://`, or a unix socket."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeAlias

import hiredis
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from social.platform.redis.multiplex import MultiplexedRedis

log = logging.getLogger(__name__)

AnyRedis: TypeAlias = "Redis | RedisCluster"

CLUSTER_SCHEMES = ("redis+cluster://", "rediss+cluster://")

MAX_CONNECTIONS = 1000
"""Per client (per node on a Cluster). redis-py 8 defaults to 100 (it used to be 2**31), past
which a command fails at once ("Too many connections"): a busy process answered 503."""


def is_cluster_url(url: str) -> bool:
    return url.startswith(CLUSTER_SCHEMES)


def quick_retry() -> Retry:
    """One retry after 10-50 ms: rides over a blip, but an outage answers fast (503, fallbacks)
    instead of redis-py's default of several retries with growing backoff."""
    return Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1)


def client_from_url(url: str, *, multiplex: bool = False, **options: Any) -> AnyRedis:
    """A `redis.asyncio` client for `url`; `redis+cluster://host:port` gives a `RedisCluster`.

    On a Cluster a MOVED reply patches the slot map (redis-py's `move_slot`) and never closes
    the client: redis-py's default closes every node's connections on each fifth MOVED and
    maps the cluster again, cutting off the blocked stream reads of every other group on the
    client, and an emptied stream's blocked read is answered MOVED to the very node it asked.
    Lost nodes and a cluster that is down still map it again.

    `multiplex`: short commands share one connection per event loop (`multiplex.py`), on a
    single server without TLS; blocking commands and pub/sub still get pooled connections.
    """
    options.setdefault("decode_responses", False)
    options.setdefault("retry", quick_retry())
    options.setdefault("max_connections", MAX_CONNECTIONS)
    if is_cluster_url(url):
        plain = url.replace("+cluster", "", 1)
        options.setdefault("reinitialize_steps", 0)
        return RedisCluster.from_url(plain, **options)
    if multiplex and not options["decode_responses"] and url.startswith(("redis://", "unix://")):
        client: Redis = MultiplexedRedis.from_url(url, **options)
    else:
        client = Redis.from_url(url, **options)
    pool = client.connection_pool
    pool.connection_class = hiredis_packing(pool.connection_class)
    return client


_PACKED: dict[type[AbstractConnection], type[AbstractConnection]] = {}


def hiredis_packing(base: type[AbstractConnection]) -> type[AbstractConnection]:
    """`base` packing commands with hiredis (C) instead of redis-py's Python packer, which the
    asyncio client always uses; the bytes are the same. On the request path this was the
    largest single cost of a timeline read (about 100 arguments a request)."""
    if base in _PACKED:
        return _PACKED[base]

    class HiredisPacked(base):  # type: ignore[valid-type,misc]
        def pack_command(self, *args: Any) -> list[bytes]:
            if isinstance(args[0], str):
                args = (*args[0].encode().split(), *args[1:])
            elif b" " in args[0]:
                args = (*args[0].split(), *args[1:])
            return [hiredis.pack_command(args)]

        def pack_commands(self, commands: Iterable[Iterable[Any]]) -> list[bytes]:
            return [b"".join(self.pack_command(*command)[0] for command in commands)]

    HiredisPacked.__name__ = HiredisPacked.__qualname__ = f"HiredisPacked{base.__name__}"
    return _PACKED.setdefault(base, HiredisPacked)


def redacted(url: str) -> str:
    """The URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user + ':***' if user else '***'}@{host}"


async def flush_all(client: AnyRedis) -> None:
    """Empty every primary (tests and `social admin` only)."""
    if isinstance(client, RedisCluster):
        await client.flushdb(target_nodes=RedisCluster.PRIMARIES)
    else:
        await client.flushdb()
