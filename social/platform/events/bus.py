"""The event bus: one outbox relay and the consumer groups of this process, run together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from typing import Any

from redis.exceptions import ResponseError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.events import outbox
from social.platform.events.consumer import ConsumerGroup
from social.platform.events.event import DeadLetterHook, Handler, text
from social.platform.events.keys import EventKeys
from social.platform.events.relay import OutboxRelay
from social.platform.events.settings import EventSettings
from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)

DRAIN_POLL_S = 0.01


def default_consumer_name() -> str:
    """Unique per process, readable in `XINFO CONSUMERS`."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


class EventBus:
    """`register` handlers, then `start()`; `wake()` after committing outbox rows; `stop()`.

    `reader` is the client for blocking reads (each running group holds one of its connections
    for up to `block_ms`); give it a socket timeout longer than `block_ms`. Defaults to `redis`.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: AnyRedis,
        *,
        keys: EventKeys | None = None,
        settings: EventSettings | None = None,
        reader: AnyRedis | None = None,
        consumer_name: str | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.redis = redis
        self.reader = reader or redis
        self.keys = keys or EventKeys()
        self.settings = settings or EventSettings()
        self.consumer_name = consumer_name or default_consumer_name()
        s = self.settings
        self.relay = OutboxRelay(
            sessionmaker,
            redis,
            stream_key=self.keys.stream,
            lock_key=self.keys.relay_lock,
            wake_channel=self.keys.relay_wake,
            maxlen=s.stream_maxlen,
            batch=s.relay_batch,
            sweep_s=s.relay_sweep_s,
            lock_ttl_ms=s.relay_lock_ttl_ms,
            retention_s=s.outbox_retention_s,
            prune_interval_s=s.outbox_prune_interval_s,
        )
        self.groups: dict[str, ConsumerGroup] = {}
        self._runners: list[tuple[OutboxRelay | ConsumerGroup, asyncio.Task[None]]] = []
        self._announcing: asyncio.Task[None] | None = None

    def register(
        self,
        group: str,
        handler: Handler,
        *,
        start_id: str = "0",
        on_dead_letter: DeadLetterHook | None = None,
    ) -> ConsumerGroup:
        """Add a consumer group; `start_id` "0" makes a new group read the retained history,
        "$" only what arrives after it is created; `on_dead_letter` is told of each entry the
        group gives up on."""
        if group in self.groups:
            raise ValueError(f"consumer group {group!r} is already registered")
        if self._runners:
            raise RuntimeError("register handlers before start()")
        s = self.settings
        consumer = ConsumerGroup(
            self.redis,
            stream_key=self.keys.stream,
            group=group,
            consumer_name=self.consumer_name,
            handler=handler,
            dead_letter_key=self.keys.dead_letters(group),
            batch=s.consumer_batch,
            block_ms=s.block_ms,
            max_deliveries=s.max_deliveries,
            claim_idle_ms=s.claim_idle_ms,
            dead_letter_maxlen=s.dead_letter_maxlen,
            start_id=start_id,
            reader=self.reader,
            on_dead_letter=on_dead_letter,
        )
        self.groups[group] = consumer
        return consumer

    def wake(self) -> None:
        """Call right after committing a transaction that enqueued events. Without a relay in
        this process (servers beside `social worker`), the relays elsewhere are told over
        Redis: one PUBLISH in the background, at most one in flight, not on the request path."""
        if any(runner is self.relay for runner, _ in self._runners):
            self.relay.wake()
        elif self._announcing is None or self._announcing.done():
            self._announcing = asyncio.get_running_loop().create_task(self._announce())

    async def _announce(self) -> None:
        try:
            await self.redis.publish(self.keys.relay_wake, b"1")
        except Exception as exc:  # the relay's sweep finds the rows anyway
            log.debug("could not wake the relay over Redis: %r", exc)

    async def start(self, *, relay: bool = True, consumers: bool = True) -> None:
        """Run the relay and every group as tasks; Redis being down does not fail this."""
        if self._runners:
            raise RuntimeError("event bus already started")
        runners: list[OutboxRelay | ConsumerGroup] = [self.relay] if relay else []
        if consumers:
            runners.extend(self.groups.values())
        self._runners = [(r, asyncio.create_task(r.run(), name=_task_name(r))) for r in runners]
        log.info(
            "event bus started (%s relay, groups: %s)",
            "with" if relay else "without",
            ", ".join(self.groups) if consumers and self.groups else "none",
        )

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Let the relay finish its pass and each group its batch (up to `timeout_s`), cancel
        what is merely waiting, and wait for every task. An entry cut short stays pending and is
        handled again later (at-least-once). A wake for the relays elsewhere still on its way
        is let finish (up to a second), then cancelled: it must not outlive the Redis client
        (a closed cluster client it used maps the cluster again, on sockets nobody closes)."""
        announcing, self._announcing = self._announcing, None
        if announcing is not None:
            await asyncio.wait({announcing}, timeout=1.0)
            announcing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await announcing
        runners, self._runners = self._runners, []
        for runner, task in runners:
            runner.stop_soon()
            if not runner.busy:
                task.cancel()
        tasks = [task for _, task in runners]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout_s)
        for task in late:
            task.cancel()
        # Bounded: a loop whose cancel a library swallowed still ends on `stop_soon`'s flag.
        _, stuck = await asyncio.wait(tasks, timeout=timeout_s)
        for task in stuck:
            log.error("event task %s did not stop", task.get_name())
        for task in set(tasks) - stuck:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Relay every unsent row and handle every entry of every registered group, retries
        included; `TimeoutError` if that takes longer than `timeout_s` (tests and benchmarks
        call it: generous, since a loaded CI machine has taken over 5 s)."""
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    worked = await self.relay.relay_once()
                    for group in self.groups.values():
                        worked += await group.process_once()
                    if not worked and await self._settled():
                        return
                    if not worked:
                        await asyncio.sleep(DRAIN_POLL_S)
        except TimeoutError:
            raise TimeoutError(f"events not drained within {timeout_s} s") from None

    async def _settled(self) -> bool:
        async with self.sessionmaker() as db:
            if await outbox.has_unsent(db):
                return False
        if not self.groups:
            return True
        info = {text(g["name"]): g for g in await self.redis.xinfo_groups(self.keys.stream)}
        return all(
            name in info and int(info[name]["pending"]) == 0 and not info[name].get("lag")
            for name in self.groups
        )

    async def stats(self) -> dict[str, Any]:
        """Queue state for metrics and the admin dashboard."""
        async with self.sessionmaker() as db:
            unsent = await outbox.count_unsent(db)
        pipe = self.redis.pipeline(transaction=False)
        pipe.xlen(self.keys.stream)
        pipe.xinfo_groups(self.keys.stream)
        length, groups_info = await pipe.execute(raise_on_error=False)
        if isinstance(length, Exception):
            raise length
        if isinstance(groups_info, ResponseError):  # no stream yet
            groups_info = []
        elif isinstance(groups_info, Exception):
            raise groups_info
        info = {text(g["name"]): g for g in groups_info}
        names = sorted(set(info) | set(self.groups))
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.xlen(self.keys.dead_letters(name))
        dead = await pipe.execute()
        groups: dict[str, dict[str, Any]] = {}
        for name, dead_letters in zip(names, dead, strict=True):
            g = info.get(name, {})
            last = g.get("last-delivered-id")
            groups[name] = {
                "exists": name in info,
                "pending": int(g.get("pending", 0)),
                "lag": g.get("lag"),
                "consumers": int(g.get("consumers", 0)),
                "last_delivered_id": text(last) if last is not None else None,
                "dead_letters": int(dead_letters),
            }
        return {
            "stream": self.keys.stream,
            "length": int(length),
            "outbox_unsent": unsent,
            "groups": groups,
        }


def _task_name(runner: OutboxRelay | ConsumerGroup) -> str:
    return "outbox-relay" if isinstance(runner, OutboxRelay) else f"consumer-{runner.group}"
