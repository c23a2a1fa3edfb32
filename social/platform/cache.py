"""Cache-aside for rendered entity JSON: batch reads in one round trip, fills that never clobber.

Readers fill misses with `SET NX`, writers overwrite with the fresh rendering after their commit:
a reader that loaded a stale row before the write can then no longer replace the fresh entry.
Redis failures are absorbed (counted, treated as misses): reads fall back to the database.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from redis.asyncio import RedisCluster
from redis.exceptions import RedisError

from social.platform.metrics import Metrics
from social.platform.redis.client import AnyRedis
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.near_cache import NearCache

log = logging.getLogger(__name__)

KEYS_REMEMBERED = 50_000


class EntityCache:
    def __init__(
        self,
        redis: AnyRedis,
        *,
        name: str,
        key: Callable[[int], str],
        ttl_s: int,
        metrics: Metrics,
        near: NearCache | None = None,
    ) -> None:
        self.redis = redis
        # asked on every read; isinstance against the cluster client's protocol bases is slow
        self.multiplexed = redis if isinstance(redis, MultiplexedRedis) else None
        self.clustered = isinstance(redis, RedisCluster)
        self.near = near
        self.name = name
        self.key = key
        self.ttl_s = ttl_s
        self.metrics = metrics
        self._keys: dict[int, str] = {}
        self._hit, self._miss = (name, "hit"), (name, "miss")
        for labels in (self._hit, self._miss):  # both series exist from the start, at 0
            metrics.cache_requests.add(labels, 0)

    def keys_of(self, ids: Sequence[int]) -> list[str]:
        """`key` of each id, remembered: a timeline asks for the same few hundred again and
        again, and a lookup costs a fifth of building the name."""
        known = self._keys
        if len(known) > KEYS_REMEMBERED:
            known.clear()
        found = list(map(known.get, ids))
        if None not in found:
            return cast(list[str], found)
        make = self.key
        return [key if key is not None else known.setdefault(id_, make(id_))
                for id_, key in zip(ids, found, strict=True)]  # fmt: skip

    async def get_many(self, ids: Iterable[int]) -> dict[int, bytes]:
        return (await get_together([(self, ids)]))[0][0]

    def _count(self, asked: int, found: int) -> None:
        tally = self.metrics.cache_requests
        if found:
            tally.add(self._hit, found)
        if asked > found:
            tally.add(self._miss, asked - found)

    async def fill(self, entries: Mapping[int, bytes]) -> None:
        """Write back what readers loaded from the database, unless something fresher is there."""
        await write_together([(self, entries)], only_if_absent=True)

    async def put(self, entries: Mapping[int, bytes]) -> None:
        """Store the fresh rendering after a write committed."""
        await write_together([(self, entries)])

    async def invalidate(self, ids: Iterable[int]) -> None:
        await write_together([], [(self, ids)])

    def _absorb(self, op: str, exc: RedisError) -> None:
        self.metrics.redis_errors.labels(f"cache.{self.name}.{op}").inc()
        log.warning("%s cache %s failed: %r", self.name, op, exc)


async def write_together(
    puts: Sequence[tuple[EntityCache, Mapping[int, bytes]]],
    drops: Sequence[tuple[EntityCache, Iterable[int]]] = (),
    *,
    only_if_absent: bool = False,
) -> None:
    """Several caches' `put`s (or, `only_if_absent`, `fill`s) and `invalidate`s in one round
    trip (they share a client)."""
    sets = [(cache.key(id_), value, cache.ttl_s) for cache, entries in puts
            for id_, value in entries.items()]  # fmt: skip
    keys = [cache.key(id_) for cache, ids in drops for id_ in ids]
    if not sets and not keys:
        return
    first = (puts or drops)[0][0]
    try:
        async with first.redis.pipeline(transaction=False) as pipe:
            for key, value, ttl_s in sets:
                pipe.set(key, value, ex=ttl_s, nx=only_if_absent)
            for key in keys:
                pipe.delete(key)
            await pipe.execute()
    except RedisError as exc:
        first._absorb("write" if sets else "invalidate", exc)


async def get_together(
    lookups: Sequence[tuple[EntityCache, Iterable[int]]],
    *,
    sets: Sequence[tuple[str, Sequence[str | int]]] = (),
) -> tuple[list[dict[int, bytes]], list[list[bool] | None]]:
    """Several caches' batch reads in one round trip (they share a client), plus for each of
    `sets` `SMISMEMBER key *members` in the same round trip (each answer None if Redis failed;
    a member may be a number, sent as its digits). What the in-process cache holds
    (`NearCache`) is not asked of Redis: entity values, and for a set the answers it already
    gave about these members (`Membership`)."""
    wanted = [(cache, list(dict.fromkeys(ids))) for cache, ids in lookups]
    keys = list(itertools.chain.from_iterable(cache.keys_of(ids) for cache, ids in wanted))
    first = wanted[0][0]
    near = first.near if first.near is not None and first.near.enabled else None
    flags: list[list[bool] | None] = [None] * len(sets)
    known: list[Membership | None] = [None] * len(sets)
    ask_sets = list(range(len(sets)))  # which sets Redis is asked
    begun: list[str] = []
    if near is not None:
        values: list[bytes | None] = near.get_many(keys)
        asked = (
            [key for key, value in zip(keys, values, strict=True) if value is None]
            if None in values
            else []
        )
        hits, misses = len(keys) - len(asked), len(asked)
        if sets:
            ask_sets = []
            for n, (key, members) in enumerate(sets):
                held = known[n] = near.get(key)
                flags[n] = held.flags(members) if held is not None else None
                if flags[n] is None:
                    ask_sets.append(n)
            hits, misses = hits + len(sets) - len(ask_sets), misses + len(ask_sets)
        near.count(hits, misses)
        begun = [*asked, *(sets[n][0] for n in ask_sets)] if ask_sets else asked
        near.begin(begun)
    else:
        values, asked = [None] * len(keys), keys
    fetched: list[bytes | None] = [None] * len(asked)
    fill: dict[str, Any] = {}
    try:
        if first.multiplexed is not None:  # the hot path: no pipeline object
            commands: list[tuple[str | int, ...]] = [("MGET", *asked)] if asked else []
            for n in ask_sets:
                commands.append(("SMISMEMBER", sets[n][0], *sets[n][1]))
            replies = await first.multiplexed.send_raw(commands) if commands else []
            for reply in replies:
                if isinstance(reply, Exception):
                    raise reply
        elif asked or ask_sets:
            replies = await _pipelined(first.redis, asked, [sets[n] for n in ask_sets])
        else:
            replies = []
        if ask_sets:
            answers = replies[len(replies) - len(ask_sets) :]
            del replies[len(replies) - len(ask_sets) :]
            for n, answer in zip(ask_sets, answers, strict=True):
                key, members = sets[n]
                flags[n] = got = [bool(f) for f in answer]
                if near is not None and got[0]:  # only a set known complete says "not in it"
                    fill[key] = Membership.merged(known[n], members, got)
        if first.clustered:
            fetched = replies
        elif asked:
            fetched = replies[0]
    except RedisError as exc:
        first._absorb("get", exc)
        for n in ask_sets:
            flags[n] = None
    finally:
        if near is not None:
            fill.update((k, v) for k, v in zip(asked, fetched, strict=True) if v is not None)
            near.end(begun, fill)
    if near is None:
        values = fetched
    elif asked:
        missing = iter(fetched)
        values = [value if value is not None else next(missing) for value in values]
    results = []
    for cache, ids in wanted:
        chunk, values = values[: len(ids)], values[len(ids) :]
        if None in chunk:
            found = {i: v for i, v in zip(ids, chunk, strict=True) if v is not None}
        else:  # every one found: built in C
            found = dict(zip(ids, cast(list[bytes], chunk), strict=True))
        cache._count(len(ids), len(found))
        results.append(found)
    return results, flags


class Membership:
    """What `SMISMEMBER` said of a set's members, kept in the near cache under the set's key
    (a write to the set drops it, as any entry). Bounded: past `MAX_MEMBERS` answers, only the
    newest read's are kept."""

    MAX_MEMBERS = 1000
    __slots__ = ("_answers",)

    def __init__(self, answers: dict[str | int, bool]) -> None:
        self._answers = answers

    def flags(self, members: Sequence[str | int]) -> list[bool] | None:
        """Its answers for `members`, in order, or None unless it knows all of them."""
        try:
            return list(map(self._answers.__getitem__, members))
        except KeyError:
            return None

    @classmethod
    def merged(
        cls, known: Membership | None, members: Sequence[str | int], flags: Sequence[bool]
    ) -> Membership:
        answers = dict(zip(members, flags, strict=True))
        if known is not None and len(known._answers) + len(answers) <= cls.MAX_MEMBERS:
            answers = {**known._answers, **answers}
        return cls(answers)


async def _pipelined(
    redis: AnyRedis, keys: list[str], sets: Sequence[tuple[str, Sequence[str | int]]]
) -> list[Any]:
    async with redis.pipeline(transaction=False) as pipe:
        if isinstance(redis, RedisCluster):
            for key in keys:
                pipe.get(key)  # a cluster pipeline splits them by node
        elif keys:
            pipe.mget(keys)
        for key, members in sets:
            pipe.smismember(key, list(members))
        return list(await pipe.execute())
