"""The streams one connection listens to, keyed by channel."""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from social.filters.live import LiveFilters
from social.lists.service import owned_list
from social.platform.context import AppContext
from social.platform.errors import NotFound
from social.platform.live.entry import Entry
from social.relations.hidden import Hidden
from social.streaming.client import Client
from social.streaming.protocol import (
    ClientMessage,
    StreamError,
    StreamSpec,
    error_frame,
    parse_message,
)
from social.streaming.subscription import Subscription
from social.streaming.viewer import Viewer

log = logging.getLogger(__name__)

MAX_STREAMS = 100


class StreamSession:
    def __init__(self, ctx: AppContext, client: Client, viewer: Viewer) -> None:
        self.ctx = ctx
        self.client = client
        self.viewer = viewer
        self.subscriptions: dict[str, Subscription] = {}
        self.filters = LiveFilters(ctx, viewer.account_id) if viewer.account_id else None
        self.hidden = Hidden()
        self._watching = False
        self._reload: asyncio.Task[None] | None = None

    def hides(self, entry: Entry) -> bool:
        """Whether the viewer's blocks and mutes hide this event (a status of, or mentioning,
        an account hidden from them)."""
        if not self.hidden:
            return False
        accounts = entry.status_accounts
        return accounts is not None and self.hidden.hides(*accounts)

    def relations_changed(self) -> None:
        """The viewer blocked, muted, unblocked or unmuted someone (or was blocked): read
        what they hide again; events meanwhile are checked against what it was."""
        if self._reload is None or self._reload.done():
            self._reload = asyncio.get_running_loop().create_task(self._load_hidden())

    async def _load_hidden(self) -> None:
        try:
            async with self.ctx.db() as db:
                self.hidden = await Hidden.load(db, self.viewer.account_id)
        except Exception as exc:  # the database is down: keep what was hidden
            log.warning("streaming: could not read what a viewer hides: %r", exc)

    async def _watch_relations(self) -> None:
        account_id = self.viewer.account_id
        if self._watching or account_id is None:
            return
        self._watching = True
        self.ctx.streams.watch_relations(account_id, self)
        await self._load_hidden()

    async def handle_text(self, text: str) -> None:
        """A client message; its mistakes come back as error frames."""
        try:
            await self.handle(parse_message(text))
        except StreamError as exc:
            self.client.offer(error_frame(exc.message, exc.status))

    async def handle_subscribe(self, spec: StreamSpec, since: str | None) -> None:
        try:
            await self.subscribe(spec, since)
        except StreamError as exc:
            self.client.offer(error_frame(exc.message, exc.status))

    async def handle(self, message: ClientMessage) -> None:
        if message.type == "subscribe":
            await self.subscribe(message.spec, message.since)
        else:
            await self.unsubscribe(message.spec)

    async def subscribe(self, spec: StreamSpec, since: str | None) -> None:
        self.viewer.check(spec)
        channel = spec.channel(self.viewer.account_id)
        if channel in self.subscriptions:
            return
        if spec.list_id is not None:
            await self._check_list(spec.list_id)
        if len(self.subscriptions) >= MAX_STREAMS:
            raise StreamError(429, "Too many streams on one connection")
        await self._watch_relations()
        key = self.ctx.keys.stream_channel(channel)
        sub = Subscription(self.client, spec, key, self.ctx.redis, self.hides, self.filters)
        self.subscriptions[channel] = sub
        try:
            await sub.start(self.ctx.streams, since)
        except (RedisError, OSError, TimeoutError):
            log.warning("streaming: could not subscribe (Redis unavailable)")
            del self.subscriptions[channel]
            sub.stop()
            await self.ctx.streams.unsubscribe(key, sub)
            raise StreamError(503, "Streaming is temporarily unavailable") from None

    async def _check_list(self, list_id: int) -> None:
        """Only the owner hears a list (its timeline is theirs alone)."""
        assert self.viewer.account_id is not None  # `check` refused the signed-out
        try:
            await owned_list(self.ctx, self.viewer.account_id, list_id)
        except NotFound:
            raise StreamError(404, "Not authorized to stream this list") from None

    async def unsubscribe(self, spec: StreamSpec) -> None:
        sub = self.subscriptions.pop(spec.channel(self.viewer.account_id), None)
        if sub is not None:
            sub.stop()
            await self.ctx.streams.unsubscribe(sub.key, sub)

    async def close(self) -> None:
        subs, self.subscriptions = list(self.subscriptions.values()), {}
        for sub in subs:
            sub.stop()
        await asyncio.gather(
            *(self.ctx.streams.unsubscribe(s.key, s) for s in subs), return_exceptions=True
        )
        self.ctx.streams.unwatch(self.client)
        if self._watching and self.viewer.account_id is not None:
            self.ctx.streams.unwatch_relations(self.viewer.account_id, self)
        if self._reload is not None:
            self._reload.cancel()
