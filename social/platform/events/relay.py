"""The outbox relay: committed outbox rows -> the Redis stream, in id order, then marked sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.events import outbox
from social.platform.events.event import cancelling, encode_fields
from social.platform.events.lock import RedisLease
from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)

LEASE_RETRY_S = 0.05
MIN_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0


class OutboxRelay:
    """Publishes unsent outbox rows. Any number may run (one per process); a Redis lease lets one
    publish at a time, which keeps the stream in id order and each row published once."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: AnyRedis,
        *,
        stream_key: str,
        lock_key: str,
        wake_channel: str | None = None,
        maxlen: int = 100_000,
        batch: int = 500,
        sweep_s: float = 1.0,
        lock_ttl_ms: int = 5_000,
        retention_s: float = 86_400,
        prune_interval_s: float = 60.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.redis = redis
        self.stream_key = stream_key
        self.maxlen = maxlen
        self.batch = batch
        self.sweep_s = sweep_s
        self.retention_s = retention_s
        self.prune_interval_s = prune_interval_s
        self.wake_channel = wake_channel
        self._lease = RedisLease(redis, lock_key, ttl_ms=lock_ttl_ms)
        self._wake = asyncio.Event()
        self._local = asyncio.Lock()
        self._next_prune_s = 0.0
        self._stopping = False
        self.busy = False
        """True while publishing: `stop_soon` lets that pass finish rather than cancel it."""

    def wake(self) -> None:
        """Publish soon: call right after committing a transaction that enqueued events."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish every unsent row now; how many. Redis or database errors propagate.

        0 also when another process holds the lease: that relay publishes the rows.
        """
        moved, _ = await self._relay()
        return moved

    async def prune(self) -> int:
        """Delete sent rows older than the retention; how many."""
        async with self.sessionmaker() as db:
            return await outbox.prune(db, self.retention_s)

    def stop_soon(self) -> None:
        """Make `run` return after the current pass."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Relay when woken (here, or over `wake_channel` by processes without a relay) and
        every `sweep_s`; on failure log, back off, keep rows unsent."""
        listener = None
        if self.wake_channel is not None:
            listener = asyncio.get_running_loop().create_task(self._listen(self.wake_channel))
        try:
            await self._run()
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

    async def _listen(self, channel: str) -> None:
        """Wake on every message of `channel`; the sweep covers any time it is not listening."""
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(channel)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "message":
                        self._wake.set()
            except Exception as exc:
                if cancelling():
                    raise asyncio.CancelledError from exc
                log.debug("relay wake channel unavailable (%r); sweeping only", exc)
                await asyncio.sleep(MAX_BACKOFF_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]

    async def _run(self) -> None:
        delay_s = 0.0
        self._stopping = False
        while not self._stopping:
            self._wake.clear()
            try:
                _, leased = await self._relay()
                await self._prune_when_due()
            except Exception as exc:
                if cancelling():
                    raise asyncio.CancelledError from exc
                delay_s = min(max(delay_s * 2, MIN_BACKOFF_S), MAX_BACKOFF_S)
                log.warning(
                    "outbox relay failed (%s: %s); retrying in %.1f s",
                    type(exc).__name__,
                    exc,
                    delay_s,
                )
                await asyncio.sleep(delay_s)
                continue
            if delay_s:
                log.info("outbox relay recovered")
                delay_s = 0.0
            if not self._stopping:
                # Lease held elsewhere: that relay may have looked before our rows committed.
                await self._wait_for_wake(self.sweep_s if leased else LEASE_RETRY_S)

    async def _wait_for_wake(self, timeout_s: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._wake.wait()

    async def _relay(self) -> tuple[int, bool]:
        """(rows published, whether this relay could take the lease)."""
        async with self._local:
            async with self.sessionmaker() as db:
                if not await outbox.has_unsent(db):
                    return 0, True
            token = await self._lease.acquire()
            if token is None:
                return 0, False
            moved = 0
            self.busy = True
            try:
                while True:
                    published = await self._relay_batch()
                    moved += published
                    if published < self.batch or self._stopping:
                        break
                    if not await self._lease.renew(token):
                        log.warning("outbox relay lease lost mid-drain; stopping this pass")
                        break
            finally:
                self.busy = False
                await self._release(token)
            if moved:
                log.debug("outbox relay published %d events", moved)
            return moved, True

    async def _relay_batch(self) -> int:
        async with self.sessionmaker() as db:
            postgres = db.get_bind().dialect.name == "postgresql"
            rows = await outbox.unsent(db, self.batch, lock=postgres)
            if not rows:
                return 0
            if not postgres:
                # End the read snapshot: SQLite cannot upgrade it to a write transaction once
                # another writer has committed (the lease keeps other relays out meanwhile).
                await db.rollback()
            pipe = self.redis.pipeline(transaction=False)
            for outbox_id, topic, payload in rows:
                fields = encode_fields(outbox_id, topic, payload)
                pipe.xadd(self.stream_key, fields, maxlen=self.maxlen, approximate=True)
            await pipe.execute()
            await outbox.mark_sent(db, [row[0] for row in rows])
            await db.commit()
            return len(rows)

    async def _release(self, token: str) -> None:
        try:
            await self._lease.release(token)
        except Exception as exc:
            log.debug("outbox relay lease not released (%r); it expires by itself", exc)

    async def _prune_when_due(self) -> None:
        now_s = time.monotonic()
        if now_s < self._next_prune_s:
            return
        self._next_prune_s = now_s + self.prune_interval_s
        pruned = await self.prune()
        if pruned:
            log.info("pruned %d sent outbox rows", pruned)
