"""A socket's outbound side: frames written straight to the socket never overtake queued ones."""

from __future__ import annotations

import orjson

from social.platform.live.entry import Entry
from social.streaming.client import Client, text_frame
from social.streaming.protocol import error_frame, frame

LABEL = ["public"]


class Socket:
    """What a socket received, in order: direct frames and the ones the writer sent."""

    def __init__(self, accepts: bool = True) -> None:
        self.accepts = accepts
        self.received: list[bytes] = []

    def write(self, data: bytes) -> bool:
        if self.accepts:
            self.received.append(data)
        return self.accepts


def entry(n: int) -> Entry:
    return Entry(f"{n}-0", "update", orjson.dumps({"n": n}).decode())


async def drain(client: Client, socket: Socket) -> None:
    """The writer's loop, for what is queued now."""
    while client._frames:
        text = await client.next()
        assert text is not None
        socket.received.append(text_frame(text))


def frames_for(*entries: Entry) -> list[bytes]:
    return [text_frame(frame(LABEL, e.event, e.payload, e.id)) for e in entries]


async def test_an_idle_socket_takes_the_frame_directly() -> None:
    socket = Socket()
    client = Client(10, frame, write=socket.write)
    client.send(LABEL, entry(1))
    assert socket.received == frames_for(entry(1))
    assert not client._frames


async def test_a_queued_frame_is_sent_before_a_later_one() -> None:
    socket = Socket()
    client = Client(10, frame, write=socket.write)
    client.offer(error_frame("bad", 400))  # queued: the writer has not run yet
    client.send(LABEL, entry(1))
    await drain(client, socket)
    assert socket.received == [text_frame(error_frame("bad", 400)), *frames_for(entry(1))]


async def test_a_frame_the_writer_holds_is_sent_before_a_later_one() -> None:
    socket = Socket()
    client = Client(10, frame, write=socket.write)
    client.offer(error_frame("first", 400))
    held = await client.next()  # the writer took it and is sending it (a paused transport)
    client.send(LABEL, entry(1))
    assert held is not None
    socket.received.append(text_frame(held))
    await drain(client, socket)
    assert socket.received == [text_frame(error_frame("first", 400)), *frames_for(entry(1))]


async def test_a_refusing_socket_gets_it_through_the_queue() -> None:
    socket = Socket(accepts=False)  # closing, paused, or compressing per socket
    client = Client(10, frame, write=socket.write)
    client.send(LABEL, entry(1))
    socket.accepts = True
    client.send(LABEL, entry(2))  # the queue is not empty: no overtaking
    await drain(client, socket)
    assert socket.received == frames_for(entry(1), entry(2))


async def test_a_closed_client_is_not_written_to() -> None:
    socket = Socket()
    client = Client(10, frame, write=socket.write)
    client.close(4008)
    client.send(LABEL, entry(1))
    assert socket.received == []
    assert await client.next() is None
