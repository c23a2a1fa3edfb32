"""The consumer groups on the event stream, registered on the context's bus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from social.conversations import consumer as conversations
from social.notifications import consumer as notify
from social.platform.context import AppContext
from social.platform.events.event import Event
from social.platform.events.topics import TopicHandler, decode
from social.streaming import consumer as publisher
from social.timelines import consumer as fanout
from social.trends import consumer as trends


def dispatcher(
    ctx: AppContext, handlers: Mapping[str, TopicHandler]
) -> Callable[[Event], Awaitable[None]]:
    """A group's handler: each event to the function for its topic; other topics are acked."""

    async def handle(event: Event) -> None:
        handler = handlers.get(event.topic)
        if handler is not None:
            await handler(ctx, decode(event.topic, event.payload))

    return handle


def register_consumers(ctx: AppContext) -> None:
    ctx.events.register("timelines", dispatcher(ctx, fanout.HANDLERS))
    ctx.events.register("notifications", dispatcher(ctx, notify.HANDLERS))
    ctx.events.register("streaming", dispatcher(ctx, publisher.HANDLERS))
    ctx.events.register("trending", dispatcher(ctx, trends.HANDLERS))
    ctx.events.register("conversations", dispatcher(ctx, conversations.HANDLERS))
