"""The consumer groups on the event stream, registered on the context's bus."""

from __future__ import annotations

from social.context import AppContext
from social.fanout import timelines_handler
from social.notify import notifications_handler


def register_consumers(ctx: AppContext) -> None:
    ctx.events.register("timelines", timelines_handler(ctx))
    ctx.events.register("notifications", notifications_handler(ctx))
