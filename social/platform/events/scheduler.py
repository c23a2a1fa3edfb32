"""Timed work: jobs (a kind and a key) in Redis sorted sets by due time, claimed atomically by
every process that runs consumers, run once in the ordinary case; the database is the truth
they are rebuilt from. See docs/architecture.md, "The scheduler".

    scheduler.register("scheduled.publish", publish, due_scheduled)
    await scheduler.schedule("scheduled.publish", "123", due_s)
    await scheduler.start(ctx); ...; await scheduler.stop()

A job's `run(ctx, key)` must be idempotent: a runner that outlives its lease, or dies after
its work committed and before it said so, has the job run again elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterPipeline

from social.platform.events.event import cancelling, text
from social.platform.events.keys import SchedulerKeys
from social.platform.redis.client import AnyRedis
from social.platform.redis.scripts import Script

if TYPE_CHECKING:
    from social.platform.context import AppContext

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent
CLAIM = Script(_HERE / "scheduler_claim.lua")
DONE = Script(_HERE / "scheduler_done.lua")
FAIL = Script(_HERE / "scheduler_fail.lua")

REBUILD_CHUNK = 1_000
ERROR_MAX_CHARS = 500
MIN_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0

Run = Callable[["AppContext", str], Awaitable[None]]
"""A job: do the work of `key` (idempotent); raise to have it retried later."""
DueFromDb = Callable[["AppContext"], Awaitable[list[tuple[str, float]]]]
"""Every pending job of a kind, as the database says: (key, due epoch seconds)."""


@dataclass(frozen=True)
class SchedulerSettings:
    lease_s: float = 60.0
    """A claimed job not answered within this is claimed again by any process."""
    batch: int = 20
    """Jobs claimed (and run concurrently) at once by one process."""
    poll_s: float = 1.0
    """Longest wait between two looks at the queues."""
    max_attempts: int = 5
    """Claims per job before it is recorded as dead (failures and expired leases alike)."""
    retry_base_s: float = 10.0
    """A failed job runs again after this, doubled per earlier attempt, at most `retry_max_s`."""
    retry_max_s: float = 3_600.0


@dataclass(frozen=True)
class Kind:
    name: str
    run: Run
    due_from_db: DueFromDb


class Scheduler:
    """`register` kinds, `start(ctx)` in every process that runs consumers, `stop()`.

    `schedule`/`cancel` work whether or not this process runs the loop (a server beside
    `social worker` schedules; the worker runs)."""

    def __init__(
        self,
        redis: AnyRedis,
        keys: SchedulerKeys | None = None,
        settings: SchedulerSettings | None = None,
    ) -> None:
        self.redis = redis
        self.keys = keys or SchedulerKeys()
        self.settings = settings or SchedulerSettings()
        self.kinds: dict[str, Kind] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self.busy = False

    def register(self, kind: str, run: Run, due_from_db: DueFromDb) -> None:
        if kind in self.kinds:
            raise ValueError(f"job kind {kind!r} is already registered")
        if not kind or any(c in kind for c in "{}: "):
            raise ValueError(f"job kind {kind!r}: no braces, colons or spaces")
        if self._task is not None:
            raise RuntimeError("register job kinds before start()")
        self.kinds[kind] = Kind(kind, run, due_from_db)

    # scheduling

    def schedule_in(
        self, pipe: Pipeline | ClusterPipeline, kind: str, key: str, due_s: float
    ) -> None:
        """Queue the schedule of `kind`/`key` at `due_s` (epoch seconds) in `pipe`: a new job,
        or the job moved there (a claim it held is void, its attempts start again)."""
        pipe.zadd(self.keys.due(kind), {key: _ms(due_s)})
        pipe.hdel(self.keys.attempts(kind), key)
        pipe.hdel(self.keys.dead(kind), key)

    def cancel_in(self, pipe: Pipeline | ClusterPipeline, kind: str, key: str) -> None:
        pipe.zrem(self.keys.due(kind), key)
        pipe.hdel(self.keys.attempts(kind), key)
        pipe.hdel(self.keys.dead(kind), key)

    async def schedule(self, kind: str, key: str, due_s: float) -> None:
        """Idempotent; scheduling again moves the job."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.schedule_in(pipe, kind, key, due_s)
            await pipe.execute()
        if due_s - time.time() < self.settings.poll_s:
            self._wake.set()

    async def cancel(self, kind: str, key: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            self.cancel_in(pipe, kind, key)
            await pipe.execute()

    # running

    async def start(self, ctx: AppContext) -> None:
        """Rebuild the queues from the database, then run the loop as a task. Redis or the
        database being down does not fail this: the loop rebuilds once they answer."""
        if self._task is not None:
            raise RuntimeError("scheduler already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(ctx), name="scheduler")
        log.info("scheduler started (kinds: %s)", ", ".join(self.kinds) or "none")

    def stop_soon(self) -> None:
        self._stopping = True
        self._wake.set()

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Let the batch running finish (up to `timeout_s`), then cancel it: a job cut short
        keeps its claim and runs again after the lease."""
        task, self._task = self._task, None
        if task is None:
            return
        self.stop_soon()
        if not self.busy:
            task.cancel()
        _, late = await asyncio.wait([task], timeout=timeout_s)
        for t in late:
            t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self, ctx: AppContext) -> None:
        delay_s = 0.0
        built = False
        while not self._stopping:
            self._wake.clear()
            try:
                if not built:
                    await self.rebuild(ctx)
                    built = True
                ran, wait_s, built = await self._pass(ctx)
            except Exception as exc:
                if cancelling():
                    raise asyncio.CancelledError from exc
                delay_s = min(max(delay_s * 2, MIN_BACKOFF_S), MAX_BACKOFF_S)
                log.warning(
                    "scheduler failed (%s: %s); retrying in %.1f s",
                    type(exc).__name__,
                    exc,
                    delay_s,
                )
                await asyncio.sleep(delay_s)
                continue
            delay_s = 0.0
            if not ran and not self._stopping and built:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await self._wake.wait()

    async def run_once(self, ctx: AppContext) -> int:
        """Claim what is due and run it (rebuilding first if the marker is gone); how many ran."""
        ran, _, built = await self._pass(ctx)
        if not built:
            await self.rebuild(ctx)
            ran += (await self._pass(ctx))[0]
        return ran

    async def _pass(self, ctx: AppContext) -> tuple[int, float, bool]:
        """(jobs run, how long until the next is due, whether the marker is there)."""
        kinds = list(self.kinds.values())
        if not kinds:
            return 0, self.settings.poll_s, True
        keys = [self.keys.built]
        for kind in kinds:
            keys += [
                self.keys.due(kind.name),
                self.keys.attempts(kind.name),
                self.keys.dead(kind.name),
            ]
        s = self.settings
        reply = await CLAIM.call(self.redis, keys, [_ms(s.lease_s), s.batch, s.max_attempts])
        now_ms, earliest_ms, built, token = (int(v) for v in reply[:4])
        claimed = reply[4:]
        jobs = [
            (kinds[int(claimed[i]) - 1], text(claimed[i + 1]), int(claimed[i + 2]))
            for i in range(0, len(claimed), 3)
        ]
        if jobs:
            self.busy = True
            try:
                outcomes = await asyncio.gather(
                    *(self._run_job(ctx, k, key, n, token) for k, key, n in jobs),
                    return_exceptions=True,
                )
            finally:
                self.busy = False
            for (kind, key, _), outcome in zip(jobs, outcomes, strict=True):
                if isinstance(outcome, asyncio.CancelledError):
                    raise outcome
                if isinstance(outcome, BaseException):  # Redis failed us: the lease will end
                    log.warning("job %s %s not settled: %r", kind.name, key, outcome)
        wait_s = s.poll_s if earliest_ms < 0 else (earliest_ms - now_ms) / 1000
        return len(jobs), min(max(wait_s, 0.0), s.poll_s), bool(built)

    async def _run_job(
        self, ctx: AppContext, kind: Kind, key: str, attempt: int, token: int
    ) -> None:
        try:
            await kind.run(ctx, key)
        except Exception as exc:
            if cancelling():
                raise
            await self._failed(kind.name, key, attempt, token, exc)
            return
        keys = [self.keys.due(kind.name), self.keys.attempts(kind.name), self.keys.dead(kind.name)]
        await DONE.call(self.redis, keys, [key, token])

    async def _failed(self, kind: str, key: str, attempt: int, token: int, exc: Exception) -> None:
        s = self.settings
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        keys = [self.keys.due(kind), self.keys.attempts(kind), self.keys.dead(kind)]
        args = [key, token, s.max_attempts, _ms(s.retry_base_s), _ms(s.retry_max_s), error]
        outcome = await FAIL.call(self.redis, keys, args)
        if int(outcome) == 2:
            log.error("job %s %s failed %d times, now dead: %s", kind, key, attempt, error)
        else:
            log.warning("job %s %s failed (attempt %d): %s", kind, key, attempt, error)

    async def rebuild(self, ctx: AppContext) -> int:
        """Add every job the database holds that the queues lack (a job there keeps its time,
        claim and attempts), then set the marker; how many jobs the database listed."""
        listed = 0
        for kind in self.kinds.values():
            due = await kind.due_from_db(ctx)
            listed += len(due)
            for start in range(0, len(due), REBUILD_CHUNK):
                chunk = due[start : start + REBUILD_CHUNK]
                await self.redis.zadd(
                    self.keys.due(kind.name), {key: _ms(due_s) for key, due_s in chunk}, nx=True
                )
        await self.redis.set(self.keys.built, str(time.time()))
        log.info("scheduler queues rebuilt from the database (%d jobs)", listed)
        return listed

    # what admins see

    async def stats(self) -> dict[str, Any]:
        """Per kind: jobs pending, due now (overdue, not running), dead."""
        now_ms = _ms(time.time())
        names = sorted(self.kinds)
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.zcard(self.keys.due(name))
                pipe.zcount(self.keys.due(name), "-inf", now_ms)
                pipe.hlen(self.keys.dead(name))
            pipe.exists(self.keys.built)
            replies = await pipe.execute()
        kinds = {
            name: {
                "pending": int(replies[3 * i]),
                "due": int(replies[3 * i + 1]),
                "dead": int(replies[3 * i + 2]),
            }
            for i, name in enumerate(names)
        }
        return {"built": bool(replies[-1]), "kinds": kinds}

    async def dead(self, kind: str) -> dict[str, dict[str, Any]]:
        """The dead jobs of `kind`: per key, attempts, the last error and when (epoch ms)."""
        raw = await self.redis.hgetall(self.keys.dead(kind))
        return {text(k): json.loads(v) for k, v in raw.items()}

    async def due_at(self, kind: str, key: str) -> float | None:
        """When the job is due (epoch seconds; the end of its lease while claimed), or None."""
        score = await self.redis.zscore(self.keys.due(kind), key)
        return None if score is None else float(score) / 1000


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
