"""One socket's outbound side: a bounded queue drained by one writer; overflow closes it.

Held once per connection, so kept small: a list and, only while the writer waits, a future
(an `asyncio.Queue` and an `asyncio.Event` cost four deques, about 2.5 KB a socket; a queue
here holds a few frames, so taking from the front of a list costs nothing that shows)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from websockets.frames import Frame, Opcode

from social.platform.live.entry import Entry

WriteFrame = Callable[[bytes], bool]
"""Writes a finished frame straight to the socket; False when the normal path must be taken
(social/web/frames.py)."""
Encoder = Callable[[list[str], str, str, str | None], str]

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008
CLOSE_SERVER_ERROR = 1011
CLOSE_OVERFLOW = 4008


def text_frame(text: str) -> bytes:
    """A server's (unmasked) text frame, as websockets serialises it."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class Client:
    """Frames for one connection. `offer` never blocks the fan-out: a client whose queue is full
    is closed with 4008; `next` returns None once the client is closed, and `closing` (a
    future) completes then."""

    __slots__ = (
        "_busy",
        "_frames",
        "_waiter",
        "_write",
        "close_code",
        "closing",
        "encode",
        "queue_max",
        "session_id",
    )

    def __init__(
        self,
        queue_max: int,
        encode: Encoder,
        session_id: str | None = None,
        write: WriteFrame | None = None,
    ) -> None:
        self._frames: list[str] = []
        self._waiter: asyncio.Future[None] | None = None
        self._write = write  # straight to the socket (social.web.frames), if offered
        self._busy = False  # the writer holds a frame it has not finished sending
        self.queue_max = max(1, queue_max)
        self.encode = encode
        self.session_id = session_id
        self.close_code: int | None = None
        self.closing: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def offer(self, text: str) -> None:
        if self.closed:
            return
        if len(self._frames) >= self.queue_max:
            self.close(CLOSE_OVERFLOW)
            return
        self._frames.append(text)
        self._wake()

    def send(self, label: list[str], entry: Entry) -> None:
        key = (self.encode, *label)
        text = entry.encoded.get(key)
        if text is None:
            text = entry.encoded[key] = self.encode(label, entry.event, entry.payload, entry.id)
        # Straight to the socket when nothing is queued or being sent before it (order holds),
        # else through the queue and the writer.
        if self._write is not None and not self._frames and not self._busy and not self.closed:
            frame = entry.frames.get(key)
            if frame is None:
                frame = entry.frames[key] = text_frame(text)
            if self._write(frame):
                return
        self.offer(text)

    def close(self, code: int) -> None:
        if self.closed:
            return
        self.close_code = code
        self._frames.clear()  # what is still queued is dropped: the client resumes
        if not self.closing.done():
            self.closing.set_result(None)
        self._wake()

    async def next(self) -> str | None:
        """The next frame to send; the writer calls again once it is sent."""
        self._busy = False
        while not self._frames:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.closed:
            return None
        self._busy = True
        return self._frames.pop(0)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
