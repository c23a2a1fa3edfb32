"""What a handler receives, and how an outbox row is written into a stream entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

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


def encode_fields(outbox_id: int, topic: str, payload_json: str) -> dict[str, str]:
    return {"topic": topic, "payload": payload_json, "outbox_id": str(outbox_id)}


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decode_event(stream_id: bytes | str, fields: Fields, deliveries: int) -> Event:
    named = {text(k): text(v) for k, v in fields.items()}
    try:
        payload = orjson.loads(named["payload"])
        if not isinstance(payload, dict):
            raise MalformedEvent("payload is not a JSON object")
        return Event(
            stream_id=text(stream_id),
            topic=named["topic"],
            payload=payload,
            outbox_id=int(named["outbox_id"]),
            deliveries=deliveries,
        )
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, MalformedEvent):
            raise
        raise MalformedEvent(f"malformed event entry: {exc!r}") from exc
