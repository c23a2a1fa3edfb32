"""Writing a prepared frame straight to a socket: uvicorn's WebSocket protocol, with one more
ASGI extension.

A status fanned out to 500 sockets is the same frame 500 times (server frames are not masked).
Through ASGI each socket pays to wake its writer task, build a message dict, pass it through
the middleware, and have websockets build the frame again (its framing alone was about 15 µs
a socket in a profile). With the `social.frames` extension, the fan-out writes the bytes, built
once per message, to every socket whose writer is idle: one `transport.write` each.

The extension's `write(frame) -> bool` refuses (False) whenever the normal path must be taken:
before the handshake or after a close, while the transport's buffer is over its high-water
mark (the writer then waits, the socket's queue fills, and a client that stops reading is
closed with 4008 as before), and when an extension such as permessage-deflate transforms
frames per socket. Served by anything else, the extension is absent and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

EXTENSION = "social.frames"
WriteFrame = Callable[[bytes], bool]


def frame_writer(scope: MutableMapping[str, Any]) -> WriteFrame | None:
    """The extension's `write`, when the server offers it (taken out of the scope, which lives
    as long as the socket)."""
    offered = (scope.get("extensions") or {}).pop(EXTENSION, None)
    write = offered.get("write") if isinstance(offered, dict) else None
    return cast(WriteFrame, write) if callable(write) else None


class DirectFrameProtocol(WebSocketsSansIOProtocol):
    """uvicorn's `websockets-sansio` protocol, offering `social.frames` to the app."""

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if not self.close_sent:  # accepted: the app's task is made, not yet started
            extensions = self.scope.get("extensions")
            if extensions is not None:
                extensions[EXTENSION] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        if (
            self.close_sent
            or self.disconnected
            or self.conn.state is not State.OPEN
            or self.conn.extensions
            or not self.writable.is_set()
        ):
            return False
        self.transport.write(frame)
        return True
