"""The wire protocol: stream names, client messages, server frames."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from trending import InvalidTag, normalize_tag

USER_STREAMS = {
    "user": "read:statuses",
    "user:notification": "read:notifications",
    "direct": "read:statuses",
}
PUBLIC_STREAMS = ("public", "public:local")
TAG_STREAMS = ("hashtag", "hashtag:local")
LIST_STREAM = "list"
LIST_SCOPES = ("read:statuses", "read:lists")  # either (Mastodon asks for read:statuses)
STREAMS = (*USER_STREAMS, *PUBLIC_STREAMS, *TAG_STREAMS, LIST_STREAM)
LIST_ID = re.compile(r"^\d{1,19}$")

TAG = re.compile(r"^\w{1,100}$")
POSITION = re.compile(r"^\d{1,20}-\d{1,20}$")
MESSAGE_MAX_CHARS = 1000


class StreamError(Exception):
    """A client mistake, answered with an error frame (or refused before the upgrade)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class StreamSpec:
    name: str
    tag: str | None = None
    list_id: int | None = None

    @property
    def label(self) -> list[str]:
        """What Mastodon puts in a frame's `stream` field."""
        if self.list_id is not None:
            return [self.name, str(self.list_id)]
        return [self.name, self.tag] if self.tag else [self.name]

    @property
    def needs_user(self) -> bool:
        return self.name in USER_STREAMS or self.name == LIST_STREAM

    def channel(self, account_id: int | None) -> str:
        if self.list_id is not None:
            return f"{self.name}:{self.list_id}"
        if self.needs_user:
            return f"{self.name}:{account_id}"
        return f"{self.name}:{self.tag}" if self.tag else self.name


@dataclass(frozen=True)
class ClientMessage:
    type: str
    spec: StreamSpec
    since: str | None


def parse_stream(name: Any, tag: Any = None, list_id: Any = None) -> StreamSpec:
    if not isinstance(name, str) or not name:
        raise StreamError(400, "Missing stream name")
    if name not in STREAMS:
        raise StreamError(400, "Unknown stream type")
    if name == LIST_STREAM:
        if isinstance(list_id, int) and not isinstance(list_id, bool):
            list_id = str(list_id)
        if not isinstance(list_id, str) or not list_id:
            raise StreamError(400, "Missing list name parameter")
        # not an id: no list of the listener's (their own is checked as they subscribe)
        return StreamSpec(name, list_id=int(list_id) if LIST_ID.match(list_id) else 0)
    if name not in TAG_STREAMS:
        return StreamSpec(name)
    if not isinstance(tag, str) or not tag:
        raise StreamError(400, "Missing tag name parameter")
    try:
        tag = normalize_tag(tag)  # as the tags of statuses are (the channel's name)
    except InvalidTag:
        raise StreamError(400, "Invalid tag name") from None
    if not TAG.match(tag):
        raise StreamError(400, "Invalid tag name")
    return StreamSpec(name, tag)


def parse_position(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not POSITION.match(raw):
        raise StreamError(400, "Invalid since position")
    return raw


def parse_message(text: str) -> ClientMessage:
    if len(text) > MESSAGE_MAX_CHARS:
        raise StreamError(400, "Message too long")
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise StreamError(400, "Could not parse message as JSON") from None
    if not isinstance(body, dict):
        raise StreamError(400, "Message must be a JSON object")
    kind = body.get("type")
    if kind not in ("subscribe", "unsubscribe"):
        raise StreamError(400, "Unknown message type")
    spec = parse_stream(body.get("stream"), body.get("tag"), body.get("list"))
    return ClientMessage(kind, spec, parse_position(body.get("since")))


def frame(label: list[str], event: str, payload: str, entry_id: str | None) -> str:
    body: dict[str, Any] = {"stream": label, "event": event, "payload": payload}
    if entry_id is not None:
        body["id"] = entry_id
    return orjson.dumps(body).decode()


def error_frame(message: str, status: int) -> str:
    return orjson.dumps({"error": message, "status": status}).decode()


def sse_event(event: str, payload: str, entry_id: str | None) -> str:
    head = f"id: {entry_id}\n" if entry_id else ""
    data = "".join(f"data: {line}\n" for line in payload.split("\n"))
    return f"{head}event: {event}\n{data}\n"
