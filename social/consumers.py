"""The consumer groups on the event stream, registered on the context's bus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from social.conversations import consumer as conversations
from social.lists import fanout as list_fanout
from social.media import consumer as media
from social.notifications import consumer as notify
from social.platform.context import AppContext
from social.platform.events.event import Event
from social.platform.events.topics import TopicHandler, decode
from social.streaming import consumer as publisher
from social.timelines import consumer as fanout
from social.trends import consumer as trends


def dispatcher(
    ctx: AppContext, *handlers: Mapping[str, TopicHandler]
) -> Callable[[Event], Awaitable[None]]:
    """A group's handler: each event to the functions for its topic, in the order of
    `handlers` (a failure retries the event: every handler is idempotent); other topics are
    acked."""

    async def handle(event: Event) -> None:
        found = [h[event.topic] for h in handlers if event.topic in h]
        if found:
            typed = decode(event.topic, event.payload)
            for handler in found:
                await handler(ctx, typed)

    return handle


def register_consumers(ctx: AppContext) -> None:
    ctx.events.register("timelines", dispatcher(ctx, fanout.HANDLERS, list_fanout.HANDLERS))
    ctx.events.register("notifications", dispatcher(ctx, notify.HANDLERS))
    ctx.events.register("streaming", dispatcher(ctx, publisher.HANDLERS))
    ctx.events.register("trending", dispatcher(ctx, trends.HANDLERS))
    ctx.events.register("conversations", dispatcher(ctx, conversations.HANDLERS))
    ctx.events.register(
        "media",
        dispatcher(ctx, media.HANDLERS),
        on_dead_letter=lambda topic, payload, error: media.dead_lettered(
            ctx, topic, payload, error
        ),
    )
