"""One client's subscription to one channel: replays history from its cursor, then goes live,
never sending a position twice or out of order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson
from redis.exceptions import RedisError

from social.filters.live import SCREENED_EVENTS, LiveFilters
from social.filters.match import Screen
from social.platform.live.entry import Entry, position
from social.platform.live.history import last_position, read_since
from social.platform.redis.client import AnyRedis
from social.streaming.client import CLOSE_OVERFLOW, CLOSE_SERVER_ERROR, Client
from social.streaming.protocol import StreamSpec

if TYPE_CHECKING:
    from social.platform.live.hub import StreamHub

log = logging.getLogger(__name__)

FILTER_CONTEXTS = {  # which of the listener's filters apply to a stream's updates
    "user": "home",
    "public": "public",
    "public:local": "public",
    "hashtag": "public",
    "hashtag:local": "public",
    "list": "home",  # as Mastodon: the home context covers lists
}


class Subscription:
    def __init__(
        self,
        client: Client,
        spec: StreamSpec,
        key: str,
        redis: AnyRedis,
        hides: Callable[[Entry], bool] | None = None,
        filters: LiveFilters | None = None,
    ) -> None:
        self.client = client
        self.hides = hides
        self.spec = spec
        self.label = spec.label
        self.key = key
        self.redis = redis
        self.cursor = "0-0"
        self.started = False
        self.replaying = True
        self.pending: list[Entry] = []
        self._resync: asyncio.Task[None] | None = None
        self.filters = filters
        self.filter_context = FILTER_CONTEXTS.get(spec.name) if filters is not None else None
        self._held: list[Entry] | None = None  # behind a load of the filters, in order
        self._loading: asyncio.Task[None] | None = None

    async def start(self, hub: StreamHub, since: str | None) -> None:
        """Live from `since` (exclusive), or from now. Subscribes before reading the history,
        so an event published in between is in one or the other (the cursor drops repeats)."""
        self.cursor = since if since is not None else await last_position(self.redis, self.key)
        await hub.subscribe(self.key, self)
        await self.catch_up()
        self.started = True

    async def catch_up(self) -> None:
        self.replaying = True
        gap, entries = await read_since(self.redis, self.key, self.cursor)
        if gap:
            payload = orjson.dumps({"since": self.cursor}).decode()
            self.client.offer(self.client.encode(self.spec.label, "gap", payload, None))
        for entry in entries:
            self._emit(entry)
        pending, self.pending = self.pending, []
        for entry in pending:
            self._emit(entry)
        self.replaying = False

    def deliver(self, entry: Entry) -> None:
        if not self.replaying:
            self._emit(entry)
        elif len(self.pending) < self.client.queue_max:
            self.pending.append(entry)
        else:
            self.client.close(CLOSE_OVERFLOW)

    def resync(self) -> None:
        """After the pub/sub connection came back: fill what was missed from the history."""
        if not self.started:
            return  # `start` reads the history itself once subscribed
        if self._resync is not None:
            self._resync.cancel()
        self.replaying = True
        self._resync = asyncio.get_running_loop().create_task(self._catch_up_or_close())

    def stop(self) -> None:
        if self._resync is not None:
            self._resync.cancel()
        if self._loading is not None:
            self._loading.cancel()

    async def _catch_up_or_close(self) -> None:
        try:
            await self.catch_up()
        except (RedisError, OSError):
            log.warning("streaming: history unavailable after reconnect; closing a client")
            self.client.close(CLOSE_SERVER_ERROR)

    @property
    def cursor(self) -> str:
        return self._cursor

    @cursor.setter
    def cursor(self, value: str) -> None:
        self._cursor, self._cursor_position = value, position(value)

    def _emit(self, entry: Entry) -> None:
        if entry.position > self._cursor_position:
            self._cursor, self._cursor_position = entry.id, entry.position
            if self.hides is not None and self.hides(entry):
                return  # the viewer blocks or mutes its author, or someone it mentions
            if self._held is not None:
                if len(self._held) >= self.client.queue_max:
                    self.client.close(CLOSE_OVERFLOW)
                self._held.append(entry)
            elif self.filter_context is None or entry.event not in SCREENED_EVENTS:
                self.client.send(self.label, entry)
            else:
                assert self.filters is not None
                screen = self.filters.now()
                if screen is None:  # not in process memory: loaded, later events wait
                    self._held = [entry]
                    self._loading = asyncio.get_running_loop().create_task(self._release())
                else:
                    self._screened(screen, entry)

    def _screened(self, screen: Screen, entry: Entry) -> None:
        assert self.filter_context is not None
        payload = LiveFilters.payload(screen, self.filter_context, entry.payload)
        if payload is entry.payload:
            self.client.send(self.label, entry)  # shared, with the frames it memoizes
        elif payload is not None:
            self.client.send(self.label, Entry(entry.id, entry.event, payload))

    async def _release(self) -> None:
        """The held events, in order, once the listener's filters are loaded."""
        assert self.filters is not None
        try:
            screen = await self.filters.load()
        except Exception:
            log.warning("streaming: a listener's filters are unavailable; closing it")
            self._held = None
            self.client.close(CLOSE_SERVER_ERROR)
            return
        held, self._held = self._held or [], None
        for entry in held:
            if entry.event in SCREENED_EVENTS:
                self._screened(screen, entry)
            else:
                self.client.send(self.label, entry)
