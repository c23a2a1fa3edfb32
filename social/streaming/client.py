"""One socket's outbound side: a bounded queue drained by one writer; overflow closes it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from social.streaming.protocol import Entry

Encoder = Callable[[list[str], str, str, str | None], str]

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008
CLOSE_SERVER_ERROR = 1011
CLOSE_OVERFLOW = 4008


class Client:
    """Frames for one connection. `offer` never blocks the fan-out: a client whose queue is full
    is closed with 4008; `next` returns None once the client is closed."""

    def __init__(self, queue_max: int, encode: Encoder, session_id: str | None = None) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(max(1, queue_max))
        self.encode = encode
        self.session_id = session_id
        self.close_code: int | None = None
        self.closing = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def offer(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.close(CLOSE_OVERFLOW)

    def send(self, label: list[str], entry: Entry) -> None:
        key = (self.encode, *label)
        text = entry.encoded.get(key)
        if text is None:
            text = entry.encoded[key] = self.encode(label, entry.event, entry.payload, entry.id)
        self.offer(text)

    def close(self, code: int) -> None:
        if self.closed:
            return
        self.close_code = code
        self.closing.set()
        while not self.queue.empty():  # what is still queued is dropped: the client resumes
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next(self) -> str | None:
        item = await self.queue.get()
        if item is None:
            self.queue.put_nowait(None)  # stays closed for any later reader
        return item
