"""A consumer group on the event stream: read, handle, ack; retry, take over, dead-letter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from social.platform.events.event import (
    DeadLetterHook,
    Event,
    Fields,
    Handler,
    MalformedEvent,
    cancelling,
    decode_event,
    text,
)
from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)

MIN_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0
MAX_RETRY_DOUBLINGS = 5
ACK_ATTEMPTS = 3
STOP_HOLD_S = 1.0
FORGET_CONSUMERS_EVERY_S = 300.0
FORGET_CONSUMER_IDLE_MS = 3_600_000

Entry = tuple[bytes | str, Fields, int]
"""(stream id, fields, how many times delivered counting this delivery)."""


class ConsumerGroup:
    """One consumer of one group. Run one per process per group; they share the group's work.

    A failed entry stays pending and is retried once idle for `claim_idle_ms` times 2 per
    earlier delivery; entries of a consumer gone silent are taken over the same way. After
    `max_deliveries` the entry goes to `dead_letter_key` and is acked.
    """

    def __init__(
        self,
        redis: AnyRedis,
        *,
        stream_key: str,
        group: str,
        consumer_name: str,
        handler: Handler,
        dead_letter_key: str,
        batch: int = 100,
        block_ms: int = 1_000,
        max_deliveries: int = 5,
        claim_idle_ms: int = 10_000,
        dead_letter_maxlen: int = 10_000,
        start_id: str = "0",
        reader: AnyRedis | None = None,
        on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self.redis = redis
        self.on_dead_letter = on_dead_letter
        self.reader = reader or redis
        self.stream_key = stream_key
        self.group = group
        self.consumer_name = consumer_name
        self.handler = handler
        self.dead_letter_key = dead_letter_key
        self.batch = batch
        self.block_ms = block_ms
        self.max_deliveries = max_deliveries
        self.claim_idle_ms = claim_idle_ms
        self.dead_letter_maxlen = dead_letter_maxlen
        self.start_id = start_id
        self._ready = False
        self._stopping = False
        self.busy = False
        """True while handling a batch: `stop_soon` lets it finish rather than cancel it."""

    async def ensure_group(self) -> None:
        """Create the group (and the stream) unless it exists; new groups start at `start_id`."""
        try:
            await self.redis.xgroup_create(
                self.stream_key, self.group, id=self.start_id, mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._ready = True

    async def process_once(self) -> int:
        """Take over what is due, read what is new, handle it all, without blocking."""
        if not self._ready:
            await self.ensure_group()
        try:
            return await self._reclaim() + await self._read(block_ms=None)
        except ResponseError as exc:
            self._forget_group_on_nogroup(exc)
            raise

    def stop_soon(self) -> None:
        """Make `run` return after the current batch."""
        self._stopping = True

    async def run(self) -> None:
        """Blocking reads until stopped; Redis failures are logged and retried with backoff."""
        delay_s = 0.0
        next_claim_s = 0.0
        claim_every_s = min(self.claim_idle_ms / 2000, 1.0)
        next_forget_s = time.monotonic() + FORGET_CONSUMERS_EVERY_S
        self._stopping = False
        while not self._stopping:
            try:
                if not self._ready:
                    await self.ensure_group()
                if time.monotonic() >= next_claim_s:
                    next_claim_s = time.monotonic() + claim_every_s
                    await self._reclaim()
                if time.monotonic() >= next_forget_s:
                    next_forget_s = time.monotonic() + FORGET_CONSUMERS_EVERY_S
                    await self.forget_idle_consumers(FORGET_CONSUMER_IDLE_MS)
                if not self._stopping:
                    await self._read(block_ms=self.block_ms)
            except Exception as exc:
                if cancelling():
                    raise asyncio.CancelledError from exc
                if isinstance(exc, ResponseError) and self._forget_group_on_nogroup(exc):
                    log.info("consumer group %s missing (Redis emptied?); recreating", self.group)
                    continue
                delay_s = min(max(delay_s * 2, MIN_BACKOFF_S), MAX_BACKOFF_S)
                log.warning(
                    "consumer group %s failed (%s: %s); retrying in %.1f s",
                    self.group,
                    type(exc).__name__,
                    exc,
                    delay_s,
                )
                await asyncio.sleep(delay_s)
                continue
            if delay_s:
                log.info("consumer group %s recovered", self.group)
                delay_s = 0.0

    async def forget_idle_consumers(self, idle_ms: int) -> int:
        """Delete consumers (of earlier processes) idle for `idle_ms` with nothing pending; a
        live one deleted by mistake loses nothing and is recreated by its next read."""
        consumers: Any = await self.redis.xinfo_consumers(self.stream_key, self.group)
        gone = [
            c["name"]
            for c in consumers
            if int(c["pending"]) == 0
            and int(c["idle"]) >= idle_ms
            and text(c["name"]) != self.consumer_name
        ]
        for name in gone:
            await self.redis.xgroup_delconsumer(self.stream_key, self.group, name)
        return len(gone)

    def _forget_group_on_nogroup(self, exc: ResponseError) -> bool:
        # NOGROUP: the group is gone. UNBLOCKED: the stream was deleted under a blocked read.
        if str(exc).startswith(("NOGROUP", "UNBLOCKED")):
            # The stream or the group vanished (Redis flushed or restarted empty): recreate it.
            self._ready = False
            return True
        return False

    async def _read(self, *, block_ms: int | None) -> int:
        client = self.redis if block_ms is None else self.reader
        reply = await client.xreadgroup(
            self.group,
            self.consumer_name,
            {self.stream_key: ">"},
            count=self.batch,
            block=block_ms,
        )
        entries = [(stream_id, fields, 1) for stream_id, fields in _stream_entries(reply)]
        await self._handle(entries)
        return len(entries)

    async def _reclaim(self) -> int:
        """Claim pending entries idle long enough for their delivery count; handle them."""
        pending: Any = await self.redis.xpending_range(
            self.stream_key, self.group, "-", "+", self.batch, idle=self.claim_idle_ms
        )
        delivered = {
            text(p["message_id"]): int(p["times_delivered"])
            for p in pending
            if int(p["time_since_delivered"]) >= self._retry_after_ms(int(p["times_delivered"]))
        }
        if not delivered:
            return 0
        # XCLAIM re-checks the idle time, so of two consumers racing for an entry one wins;
        # entries trimmed from the stream meanwhile are dropped from the pending list.
        claimed: Any = await self.redis.xclaim(
            self.stream_key, self.group, self.consumer_name, self.claim_idle_ms, list(delivered)
        )
        entries = [
            (stream_id, fields, delivered[text(stream_id)] + 1)
            for stream_id, fields in claimed
            if fields is not None
        ]
        await self._handle(entries)
        return len(entries)

    def _retry_after_ms(self, deliveries: int) -> int:
        return self.claim_idle_ms << min(max(deliveries - 1, 0), MAX_RETRY_DOUBLINGS)

    async def _handle(self, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        self.busy = True
        # Idle time counts from delivery: a batch (or one entry) slower than `claim_idle_ms`
        # would look abandoned and be taken over and handled twice. The heartbeat holds on.
        held = _Held([entry[0] for entry in entries])
        heartbeat = asyncio.get_running_loop().create_task(self._hold(held))
        heartbeat.add_done_callback(_retrieve)
        try:
            for stream_id, fields, deliveries in entries:
                if await self._handle_one(stream_id, fields, deliveries):
                    held.done.append(stream_id)
                else:
                    held.let_go(stream_id)  # to be retried later: no longer held
        except BaseException:
            # Stopped mid-batch, or Redis failed under a dead letter: ack what was handled so
            # only the interrupted entry runs again (not the whole batch a second time).
            await _stop(heartbeat, held)
            if held.done:  # what no beat has acked yet
                with contextlib.suppress(Exception):
                    await self.redis.xack(self.stream_key, self.group, *held.done)
            raise
        else:
            await _stop(heartbeat, held)
            if held.done:
                await self._ack(held.done)
        finally:
            self.busy = False

    async def _hold(self, held: _Held) -> None:
        """Every third of `claim_idle_ms` while the batch is handled: ack what is done and
        reset the idle time of what is still held (XCLAIM to ourselves, JUSTID: the delivery
        count stays), in one round trip. Failures are logged; the next beat tries again.
        It ends between beats, when the batch does (`_stop`): never in the middle of one."""
        interval_s = self.claim_idle_ms / 3000
        while not held.finished:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval_s):
                    await held.ended.wait()
            if held.finished:
                return
            done, waiting = list(held.done), held.waiting()
            if not waiting and not done:
                continue
            pipe = self.redis.pipeline(transaction=False)
            if done:
                pipe.xack(self.stream_key, self.group, *done)
            if waiting:
                pipe.xclaim(
                    self.stream_key, self.group, self.consumer_name, 0, waiting, justid=True
                )
            try:
                await pipe.execute()
            except Exception as exc:
                if cancelling():
                    raise asyncio.CancelledError from exc
                log.warning("group %s: could not hold its batch (%r)", self.group, exc)
                continue
            held.acked(done)

    async def _ack(self, done: list[bytes | str]) -> None:
        """XACK is idempotent: retried, so one slow reply does not hand a batch already
        handled to a retry that would handle it twice."""
        for attempt in range(ACK_ATTEMPTS):
            try:
                await self.redis.xack(self.stream_key, self.group, *done)
                return
            except (RedisConnectionError, RedisTimeoutError):
                if attempt == ACK_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(MIN_BACKOFF_S * 2**attempt)

    async def _handle_one(self, stream_id: bytes | str, fields: Fields, deliveries: int) -> bool:
        """Whether to ack the entry (dead-lettered ones are acked already)."""
        try:
            event = decode_event(stream_id, fields, deliveries)
        except MalformedEvent as exc:
            await self._dead_letter(stream_id, fields, deliveries, str(exc))
            return False
        if deliveries > self.max_deliveries:
            # Its consumer died while handling it, max_deliveries times: a poison event.
            error = f"abandoned unacknowledged after {deliveries - 1} deliveries"
            await self._dead_letter(stream_id, fields, deliveries - 1, error)
            return False
        try:
            await self.handler(event)
        except Exception as exc:
            if cancelling():
                raise asyncio.CancelledError from exc
            self._log_failure(event, exc)
            if deliveries >= self.max_deliveries:
                await self._dead_letter(stream_id, fields, deliveries, repr(exc))
            return False
        return True

    def _log_failure(self, event: Event, exc: Exception) -> None:
        final = event.deliveries >= self.max_deliveries
        log.log(
            logging.ERROR if final else logging.WARNING,
            "group %s: %s event %s (outbox %d) failed on delivery %d/%d%s",
            self.group,
            event.topic,
            event.stream_id,
            event.outbox_id,
            event.deliveries,
            self.max_deliveries,
            "; dead-lettered" if final else "; will retry",
            exc_info=exc,
        )

    async def _dead_letter(
        self, stream_id: bytes | str, fields: Fields, deliveries: int, error: str
    ) -> None:
        letter: dict[Any, Any] = dict(fields)
        letter.update(
            group=self.group, stream_id=text(stream_id), deliveries=deliveries, error=error[:1000]
        )
        pipe = self.redis.pipeline(transaction=False)
        pipe.xadd(self.dead_letter_key, letter, maxlen=self.dead_letter_maxlen, approximate=True)
        pipe.xack(self.stream_key, self.group, stream_id)
        await pipe.execute()
        if self.on_dead_letter is not None:
            await self._tell_dead(stream_id, fields, error)

    async def _tell_dead(self, stream_id: bytes | str, fields: Fields, error: str) -> None:
        """The group's hook, for a well-formed entry; its failure is logged, never retried
        (the entry is in the dead-letter stream for an operator)."""
        try:
            event = decode_event(stream_id, fields, 0)
        except MalformedEvent:
            return
        assert self.on_dead_letter is not None
        try:
            await self.on_dead_letter(event.topic, event.payload, error)
        except Exception as exc:
            if cancelling():
                raise asyncio.CancelledError from exc
            log.error(
                "group %s: dead-letter hook failed for %s",
                self.group,
                event.stream_id,
                exc_info=exc,
            )


class _Held:
    """A batch being handled: the entries not done yet, the done ones not acked yet."""

    def __init__(self, ids: list[bytes | str]) -> None:
        self.ids = dict.fromkeys(ids)
        self.done: list[bytes | str] = []
        self.ended = asyncio.Event()

    @property
    def finished(self) -> bool:
        return self.ended.is_set()

    def waiting(self) -> list[Any]:
        gone = set(self.done)
        return [i for i in self.ids if i not in gone]

    def let_go(self, stream_id: bytes | str) -> None:
        self.ids.pop(stream_id, None)

    def acked(self, ids: list[bytes | str]) -> None:
        for i in ids:
            self.ids.pop(i, None)
        self.done = self.done[len(ids) :]


async def _stop(task: asyncio.Task[None], held: _Held) -> None:
    """End the heartbeat. It is woken, not cancelled: a cancel landing inside a beat's
    round trip would drop that connection mid-reply. A beat in flight is waited for, but at
    most `STOP_HOLD_S` (a batch must not wait long on its heartbeat); only one stuck past that,
    or one whose wait is itself cancelled, is cancelled. Either way it has ended when this
    returns, even if this wait is cancelled again (shutdown): a beat left running past its
    consumer would have its round trip cut by the client's close, its socket left open."""
    held.ended.set()
    interrupted = False
    try:
        await asyncio.wait({task}, timeout=STOP_HOLD_S)
    except asyncio.CancelledError:
        interrupted = True
    if not task.done():
        task.cancel()
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError


def _retrieve(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()  # logged by `_hold` already; not "never retrieved"


def _stream_entries(reply: Any) -> list[tuple[bytes | str, Fields]]:
    """The entries of a one-stream XREADGROUP reply (RESP2 list or RESP3 map)."""
    if not reply:
        return []
    streams = reply.values() if isinstance(reply, dict) else (s[1] for s in reply)
    return [(stream_id, fields) for entries in streams for stream_id, fields in entries]
