"""The event pipeline: a transactional outbox, relayed to a Redis stream, read by consumer groups.

    enqueue(db, "status.created", {...}); await db.commit(); bus.wake()
    bus.register("timelines", handler); await bus.start(); ...; await bus.stop()

See docs/events.md.
"""

from social.platform.events.bus import EventBus, default_consumer_name
from social.platform.events.consumer import ConsumerGroup
from social.platform.events.event import Event, Handler, MalformedEvent
from social.platform.events.keys import EventKeys
from social.platform.events.outbox import enqueue
from social.platform.events.relay import OutboxRelay
from social.platform.events.settings import EventSettings

__all__ = [
    "ConsumerGroup",
    "Event",
    "EventBus",
    "EventKeys",
    "EventSettings",
    "Handler",
    "MalformedEvent",
    "OutboxRelay",
    "default_consumer_name",
    "enqueue",
]
