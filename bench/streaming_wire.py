"""A WebSocket client connection as a bare asyncio protocol, for measuring servers: each frame
is timestamped in `data_received`, before anything else is done with it. A client library
(websockets' asyncio client wakes a task per frame) costs about 50 µs a frame; a thousand
sockets receiving one message then queue for tens of milliseconds in the client, and that
queue, the same for every server measured, would be most of what the benchmark reports.

Only what a benchmark needs: the upgrade, unfragmented text frames from the server, pings
answered, a close."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from typing import cast
from urllib.parse import urlsplit

Receipt = tuple[float, bytes]

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes) -> bytes:
    """A client frame: final, masked (RFC 6455 5.3)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    return head + mask + masked


class WireSocket(asyncio.Protocol):
    """One client connection. Text frames go to `inbox` with their arrival time; until
    `live` is set they go to `setup` instead (handshakes that read replies)."""

    def __init__(self, url: str, inbox: list[Receipt], *, engineio: bool = False) -> None:
        parts = urlsplit(url)
        self.request = (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.inbox = inbox
        self.engineio = engineio
        self.live = False
        self.setup: asyncio.Queue[bytes] = asyncio.Queue()
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the upgrade"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")])
            if b" 101 " not in status:
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                self.transport and self.transport.close()
                return
            del buffer[: end + 4]
            self.upgraded = True
            self.opened.set_result(None)
        self._frames(now)

    def _frames(self, now: float) -> None:
        buffer, pos, size = self.buffer, 0, len(self.buffer)
        while size - pos >= 2:
            opcode, n, head = buffer[pos] & 0x0F, buffer[pos + 1] & 0x7F, 2
            if n == 126:
                if size - pos < 4:
                    break
                n, head = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif n == 127:
                if size - pos < 10:
                    break
                n, head = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + n:
                break
            payload = bytes(buffer[pos + head : pos + head + n])
            pos += head + n
            if opcode == TEXT:
                self._text(now, payload)
            elif opcode == PING:
                self.send(PONG, payload)
            elif opcode == CLOSE:
                self.send(CLOSE, payload[:2])
                if self.transport:
                    self.transport.close()
        del buffer[:pos]

    def _text(self, now: float, payload: bytes) -> None:
        if self.engineio and payload == b"2":
            self.send(TEXT, b"3")  # Engine.IO pong
        elif self.live:
            self.inbox.append((now, payload))
        else:
            self.setup.put_nowait(payload)

    def send(self, opcode: int, payload: bytes) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.write(frame(opcode, payload))

    def close(self) -> None:
        self.send(CLOSE, (1000).to_bytes(2, "big"))
        if self.transport:
            self.transport.close()


async def open_socket(url: str, inbox: list[Receipt], *, engineio: bool = False) -> WireSocket:
    """Connected and upgraded; for Engine.IO, also joined to the namespace `/`."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    _transport, ws = await loop.create_connection(
        lambda: WireSocket(url, inbox, engineio=engineio), parts.hostname or "", parts.port or 80
    )
    await asyncio.wait_for(ws.opened, 30)
    if engineio:
        await asyncio.wait_for(ws.setup.get(), 30)  # the open packet
        ws.send(TEXT, b"40")
        ack = await asyncio.wait_for(ws.setup.get(), 30)
        assert ack.startswith(b"40"), ack
    ws.live = True
    return ws
