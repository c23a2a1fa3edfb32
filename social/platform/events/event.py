"""What a handler receives, and how an outbox row is written into a stream entry."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from redis.typing import EncodableT, FieldT

Fields = Mapping[bytes | str, bytes | str]


class MalformedEvent(ValueError):
    """A stream entry without the fields the relay writes (retrying cannot help)."""


@dataclass(frozen=True)
class Event:
    stream_id: str
    topic: str
    payload: dict[str, Any]
    outbox_id: int
    deliveries: int = 1
    """1 on the first delivery, 2 on the first retry, ..."""


Handler = Callable[[Event], Awaitable[None]]
DeadLetterHook = Callable[[str, dict[str, Any], str], Awaitable[None]]
"""Told (topic, payload, error) after an entry of its group was dead-lettered."""


def encode_fields(outbox_id: int, topic: str, payload_json: str) -> dict[FieldT, EncodableT]:
    return {"topic": topic, "payload": payload_json, "outbox_id": str(outbox_id)}


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decode_event(stream_id: bytes | str, fields: Fields, deliveries: int) -> Event:
    try:
        named = {text(k): text(v) for k, v in fields.items()}
        payload = orjson.loads(named["payload"])
        topic, outbox_id = named["topic"], int(named["outbox_id"])
    except (KeyError, ValueError) as exc:
        raise MalformedEvent(f"malformed event entry: {exc!r}") from exc
    if not isinstance(payload, dict):
        raise MalformedEvent("malformed event entry: payload is not a JSON object")
    return Event(text(stream_id), topic, payload, outbox_id, deliveries)


def cancelling() -> bool:
    """Whether the current task is being cancelled. A library that turns the cancellation into
    another error (redis-py and asyncio.timeout can, when they race) must not make a loop that
    retries on errors outlive its stop."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
