"""One event of a live channel and its position in the channel's history."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import orjson

STATUS_EVENTS = frozenset({"update", "status.update"})


@dataclass(frozen=True)
class Entry:
    """One event of a channel: its position in the channel history, name and payload. One
    instance goes to every local listener, so it memoizes what they would each compute."""

    id: str
    event: str
    payload: str

    @cached_property
    def position(self) -> tuple[int, int]:
        return position(self.id)

    @cached_property
    def status_accounts(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """A status event's authors (a boost's: the booster and the original's) and mentioned
        accounts (what blocks and mutes hide by); None for other events. Read once per
        channel message, by the first listener that hides anyone."""
        if self.event not in STATUS_EVENTS:
            return None
        try:
            status = orjson.loads(self.payload)
            authors, mentions = [int(status["account"]["id"])], []
            for shown in (status, status.get("reblog")):
                if isinstance(shown, dict):
                    authors.append(int(shown["account"]["id"]))
                    mentions += [int(m["id"]) for m in shown["mentions"]]
            return tuple(dict.fromkeys(authors)), tuple(mentions)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    @cached_property
    def encoded(self) -> dict[tuple[object, ...], str]:
        """Frames by encoder and stream label: encoded once per channel message."""
        return {}

    @cached_property
    def frames(self) -> dict[tuple[object, ...], bytes]:
        """The same, as WebSocket frames (social.web.frames)."""
        return {}


def position(raw: str) -> tuple[int, int]:
    ms, _, seq = raw.partition("-")
    return int(ms), int(seq or 0)
