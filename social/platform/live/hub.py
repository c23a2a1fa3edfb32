"""One Redis pub/sub connection per process: a channel is subscribed on its first local listener
and dropped after its last; the connection is re-established after a failure, and then every
listener fills what it missed from the channel history."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from social.platform.keys import Keys
from social.platform.live.entry import Entry
from social.platform.live.history import decode_live, mark_watched
from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 5.0

CONFIRM_TIMEOUT_S = 5.0
RECONNECT_MAX_S = 5.0
WATCH_REFRESH_S = 60.0  # how often a process marks again the channels it listens to


CLOSE_POLICY = 1008  # the WebSocket close code of a revoked token's sockets


class Watched(Protocol):
    """A connection of a signed-in session: closed when its token is revoked."""

    @property
    def session_id(self) -> str | None: ...

    def close(self, code: int) -> None: ...


class Hiding(Protocol):
    """A signed-in connection that hides what its account blocks or mutes."""

    def relations_changed(self) -> None: ...


class Listener(Protocol):
    def deliver(self, entry: Entry) -> None: ...

    def resync(self) -> None: ...


class StreamHub:
    def __init__(self, redis: AnyRedis, keys: Keys, history_ttl_s: int) -> None:
        """`history_ttl_s`: how long a channel's history is kept after its last listener
        left (the resume window); the channels listened to are marked watched for as long,
        and marked again every `WATCH_REFRESH_S` (a flushed Redis forgets the marks)."""
        self.redis = redis
        self.keys = keys
        self.history_ttl_s = history_ttl_s
        self.listeners: dict[str, set[Listener]] = {}
        self.sessions: dict[str, set[Watched]] = {}
        self.hiding: dict[int, set[Hiding]] = {}
        self.reconnects = 0
        self._live: set[str] = set()
        self._confirm: dict[str, asyncio.Future[None]] = {}
        self._resyncing: set[str] = set()
        self._lock = asyncio.Lock()
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def subscribe(self, channel: str, listener: Listener) -> None:
        """Returns once the channel is subscribed on the server (or raises, not subscribed).
        On its first listener here, marked watched first, so its history is written from now
        on: what is published between the two is in the history the listener reads next
        (later listeners find it marked, and kept so every `WATCH_REFRESH_S`)."""
        pubsub = self._started()
        first = channel not in self.listeners
        self.listeners.setdefault(channel, set()).add(listener)
        try:
            if first:
                await mark_watched(self.redis, self.keys, [channel], self.history_ttl_s)
            async with self._lock:
                waiting = self._confirm.get(channel)
                if waiting is None and channel not in self._live:
                    waiting = asyncio.get_running_loop().create_future()
                    self._confirm[channel] = waiting
                    await (self._pubsub or pubsub).subscribe(channel)
            if waiting is not None:
                await asyncio.wait_for(asyncio.shield(waiting), CONFIRM_TIMEOUT_S)
        except BaseException:
            await self.unsubscribe(channel, listener)
            raise

    async def unsubscribe(self, channel: str, listener: Listener) -> None:
        listeners = self.listeners.get(channel)
        if listeners is None:
            return
        listeners.discard(listener)
        if listeners:
            return
        del self.listeners[channel]
        with contextlib.suppress(RedisError, OSError):  # the resume window counts from now
            await mark_watched(self.redis, self.keys, [channel], self.history_ttl_s)
        async with self._lock:
            if channel in self.listeners or self._pubsub is None:
                return  # a new listener came while we waited
            self._live.discard(channel)
            waiting = self._confirm.pop(channel, None)
            if waiting is not None and not waiting.done():
                waiting.cancel()
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel)

    def watch(self, client: Watched) -> None:
        if client.session_id:
            self.sessions.setdefault(client.session_id, set()).add(client)

    def unwatch(self, client: Watched) -> None:
        clients = self.sessions.get(client.session_id or "")
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self.sessions[client.session_id or ""]

    def watch_relations(self, account_id: int, listener: Hiding) -> None:
        self._started()
        self.hiding.setdefault(account_id, set()).add(listener)

    def unwatch_relations(self, account_id: int, listener: Hiding) -> None:
        listeners = self.hiding.get(account_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self.hiding[account_id]

    async def close(self) -> None:
        self._closing = True  # the loop also ends by itself if a library swallows the cancel
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, CLOSE_TIMEOUT_S)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]
        self._task = self._pubsub = None

    def _started(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.redis.pubsub()
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self._pubsub

    async def _run(self) -> None:
        backoff_s = 0.1
        try:
            async with self._lock:
                assert self._pubsub is not None
                await self._pubsub.subscribe(
                    self.keys.stream_revoked(), self.keys.stream_relations()
                )
        except (RedisError, OSError):
            await self._reconnect(backoff_s)
        marked = asyncio.get_running_loop().time()
        while not self._closing:
            try:
                assert self._pubsub is not None
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._dispatch(message)
                backoff_s = 0.1
                if asyncio.get_running_loop().time() - marked >= WATCH_REFRESH_S:
                    marked = asyncio.get_running_loop().time()
                    try:
                        await self._mark_all()
                    except (RedisError, OSError) as exc:  # the next pass tries again
                        log.warning("streaming: channels not marked watched (%r)", exc)
            except (RedisError, OSError) as exc:
                log.warning("streaming: pub/sub connection lost (%s); reconnecting", type(exc))
                await self._reconnect(backoff_s)
                backoff_s = min(backoff_s * 2, RECONNECT_MAX_S)

    async def _reconnect(self, backoff_s: float) -> None:
        while True:
            await asyncio.sleep(backoff_s)
            backoff_s = min(backoff_s * 2, RECONNECT_MAX_S)
            async with self._lock:
                if self._pubsub is not None:
                    with contextlib.suppress(RedisError, OSError):
                        await self._pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]
                self._pubsub = self.redis.pubsub()
                self._live.clear()
                self._resyncing = set(self.listeners)
                try:
                    await self._pubsub.subscribe(
                        self.keys.stream_revoked(), self.keys.stream_relations(), *self.listeners
                    )
                except (RedisError, OSError):
                    continue
                self.reconnects += 1
                with contextlib.suppress(RedisError, OSError):  # a restarted Redis has none
                    await self._mark_all()
                for hiding in [h for group in self.hiding.values() for h in group]:
                    hiding.relations_changed()  # a change may have come while away
                return

    async def _mark_all(self) -> None:
        if self.listeners:
            await mark_watched(self.redis, self.keys, list(self.listeners), self.history_ttl_s)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind, channel = message["type"], message["channel"].decode()
        if kind == "subscribe":
            self._live.add(channel)
            waiting = self._confirm.pop(channel, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(None)
            if channel in self._resyncing:
                self._resyncing.discard(channel)
                for listener in list(self.listeners.get(channel, ())):
                    listener.resync()
        elif kind == "message" and channel == self.keys.stream_revoked():
            for client in list(self.sessions.get(message["data"].decode(), ())):
                client.close(CLOSE_POLICY)
        elif kind == "message" and channel == self.keys.stream_relations():
            raw = message["data"].decode()
            for hiding in list(self.hiding.get(int(raw) if raw.isdigit() else -1, ())):
                hiding.relations_changed()
        elif kind == "message":
            try:
                entry = decode_live(message["data"])
            except ValueError:
                log.warning("streaming: malformed message on a channel")
                return
            for listener in list(self.listeners.get(channel, ())):
                listener.deliver(entry)
