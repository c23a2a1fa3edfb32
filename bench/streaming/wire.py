"""A WebSocket client connection for measuring servers: websockets' sans-I/O `ClientProtocol`
(the handshake, frames, pings, the close) driven by a bare asyncio protocol, so each receipt is
timestamped in `data_received`, before anything else is done with it. websockets' asyncio
client wakes a task per frame (about 50 µs); a thousand sockets receiving one message then
queue for tens of milliseconds in the client, and that queue, the same for every server
measured, would be most of what the benchmark reports. Parsing here costs about 6 µs a frame."""

from __future__ import annotations

import asyncio
import time
from typing import cast

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

Receipt = tuple[float, bytes]


class WireSocket(asyncio.Protocol):
    """One client connection. Text frames go to `inbox` with their arrival time; until
    `live` is set they go to `setup` instead (handshakes that read replies)."""

    def __init__(self, url: str, inbox: list[Receipt], *, engineio: bool = False) -> None:
        self.ws = ClientProtocol(parse_uri(url))
        self.inbox = inbox
        self.engineio = engineio
        self.live = False
        self.setup: asyncio.Queue[bytes] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.ws.send_request(self.ws.connect())
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the upgrade"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self._text(now, event.data)
            elif isinstance(event, Response) and not self.opened.done():
                failed = self.ws.handshake_exc
                if failed is None:
                    self.opened.set_result(None)
                else:
                    self.opened.set_exception(failed)
        self._flush()  # pongs, the close handshake

    def _text(self, now: float, payload: bytes) -> None:
        if self.engineio and payload == b"2":
            self.send_text(b"3")  # Engine.IO pong
        elif self.live:
            self.inbox.append((now, payload))
        else:
            self.setup.put_nowait(payload)

    def send_text(self, payload: bytes) -> None:
        self.ws.send_text(payload)
        self._flush()

    def close(self) -> None:
        self.ws.send_close(1000)
        self._flush()
        if self.transport:
            self.transport.close()

    def _flush(self) -> None:
        transport = self.transport
        for chunk in self.ws.data_to_send():
            if transport is None or transport.is_closing():
                return
            if chunk:
                transport.write(chunk)
            else:  # the protocol is done with the connection
                transport.close()


async def open_socket(url: str, inbox: list[Receipt], *, engineio: bool = False) -> WireSocket:
    """Connected and upgraded; for Engine.IO, also joined to the namespace `/`."""
    uri = parse_uri(url)
    loop = asyncio.get_running_loop()
    _transport, ws = await loop.create_connection(
        lambda: WireSocket(url, inbox, engineio=engineio), uri.host, uri.port
    )
    await asyncio.wait_for(ws.opened, 30)
    if engineio:
        await asyncio.wait_for(ws.setup.get(), 30)  # the open packet
        ws.send_text(b"40")
        ack = await asyncio.wait_for(ws.setup.get(), 30)
        assert ack.startswith(b"40"), ack
    ws.live = True
    return ws
