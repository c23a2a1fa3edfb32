"""Channel histories: publish (append + live), the last position, and reads for resume."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from redis.asyncio.cluster import RedisCluster

from social.platform.keys import Keys
from social.platform.live.entry import Entry, position
from social.platform.redis.client import AnyRedis
from social.platform.redis.scripts import Script

PUBLISH = Script(Path(__file__).with_name("publish.lua"))
READ = Script(Path(__file__).with_name("history_read.lua"))
# Approximate trimming cuts whole 100-entry stream nodes; short histories are trimmed exactly.
APPROXIMATE_FROM = 1000
PUBLISH_BATCH = 2000  # channels a round trip
CHANNELS_PER_CALL = 100  # channels a script call, on one node
READ_PAGE = 500


@dataclass(frozen=True)
class HistoryLimits:
    max_entries: int
    ttl_s: int


def decode_entry(raw_id: bytes, fields: list[bytes]) -> Entry:
    values = dict(zip(fields[::2], fields[1::2], strict=True))
    return Entry(raw_id.decode(), values[b"e"].decode(), values[b"p"].decode())


def decode_live(data: bytes) -> Entry:
    entry_id, event, payload = data.decode().split("\n", 2)
    return Entry(entry_id, event, payload)


async def publish(
    redis: AnyRedis,
    keys: Keys,
    limits: HistoryLimits,
    channels: Iterable[str],
    event: str,
    payload: str,
    *,
    watched_only: bool = False,
) -> int:
    """`event` on every channel (with `watched_only`, those marked by `mark_watched` only),
    pipelined in batches; how many took it. On one node a script call takes
    `CHANNELS_PER_CALL` channels (the payload goes once a call, not once a channel); under
    Redis Cluster, where the channels sit in many slots, one."""
    approx = "1" if limits.max_entries >= APPROXIMATE_FROM else "0"
    only = "1" if watched_only else "0"
    args = [event, payload, limits.max_entries, approx, limits.ttl_s, only]
    streams = [keys.stream_channel(c) for c in dict.fromkeys(channels)]
    pairs = [[stream, keys.stream_watched(stream)] for stream in streams]
    per_call = 1 if isinstance(redis, RedisCluster) else CHANNELS_PER_CALL
    calls = [
        ([key for pair in pairs[i : i + per_call] for key in pair], args)
        for i in range(0, len(pairs), per_call)
    ]
    trip = max(1, PUBLISH_BATCH // per_call)
    sent = 0
    for start in range(0, len(calls), trip):
        sent += sum(await PUBLISH.run_batch(redis, calls[start : start + trip]))
    return sent


async def mark_watched(redis: AnyRedis, keys: Keys, streams: Iterable[str], ttl_s: int) -> None:
    """The channels of these histories are listened to, or were until now: `publish` keeps
    writing them for `ttl_s` (a history's TTL: the resume window after the last listener
    left). The accounts of `user` channels among them are noted in `stream_watchers` for as
    long (the marks ended are dropped there). One pipelined round trip."""
    until = time.time() + ttl_s
    home = keys.stream_channel("user:")[:-1]  # "...stream:{user:" then the id and "}"
    watchers: dict[str, float] = {}
    async with redis.pipeline(transaction=False) as pipe:
        for stream in streams:
            pipe.set(keys.stream_watched(stream), b"1", ex=ttl_s)
            account = stream[len(home) : -1]
            if stream.startswith(home) and account.isdigit():
                watchers[account] = until
        if watchers:
            pipe.zadd(keys.stream_watchers(), watchers)
            pipe.zremrangebyscore(keys.stream_watchers(), "-inf", time.time())
        await pipe.execute()


async def watchers(redis: AnyRedis, keys: Keys) -> list[int]:
    """The accounts whose `user` channel is watched now (`mark_watched`)."""
    found = await redis.zrangebyscore(keys.stream_watchers(), time.time(), "+inf")
    return [int(cast(bytes, w)) for w in found]


async def last_position(redis: AnyRedis, key: str) -> str:
    """The newest entry's position, `0-0` for an empty or missing history."""
    newest = await redis.xrevrange(key, count=1)
    if not newest or not isinstance(newest[0][0], bytes):
        return "0-0"
    return newest[0][0].decode()


async def read_since(redis: AnyRedis, key: str, after: str) -> tuple[bool, list[Entry]]:
    """Entries after `after`, in order, and whether some may have been lost. A position a client
    holds was once in this history, so an oldest entry newer than it means the history was
    trimmed past it, or expired or wiped (a Redis restart without persistence) and begun again
    (conservative: also when exactly the entries up to `after` went)."""
    gap = False
    entries: list[Entry] = []
    cursor = after
    while True:
        ((oldest, raw),) = await READ.run_batch(redis, [([key], [cursor, READ_PAGE])])
        if cursor == after and after != "0-0":
            gap = not oldest or position(oldest.decode()) > position(after)
        page = [decode_entry(i, f) for i, f in raw]
        entries += page
        if len(page) < READ_PAGE:
            return gap, entries
        cursor = page[-1].id
