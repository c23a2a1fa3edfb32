"""The streams one connection listens to, keyed by channel."""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from social.filters.live import LiveFilters
from social.platform.context import AppContext
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
        if len(self.subscriptions) >= MAX_STREAMS:
            raise StreamError(429, "Too many streams on one connection")
        key = self.ctx.keys.stream_channel(channel)
        sub = Subscription(self.client, spec, key, self.ctx.redis, self.filters)
        self.subscriptions[channel] = sub
        try:
            await sub.start(self.ctx.streams, since)
        except (RedisError, OSError, TimeoutError):
            log.warning("streaming: could not subscribe (Redis unavailable)")
            del self.subscriptions[channel]
            sub.stop()
            await self.ctx.streams.unsubscribe(key, sub)
            raise StreamError(503, "Streaming is temporarily unavailable") from None

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
