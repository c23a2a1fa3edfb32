"""The peer: python-socketio with its AsyncRedisManager, as an ASGI app. Every client joins the
room `bench`; `bench.streaming.emit --kind peer` emits to it from another process."""

import os

import socketio

CHANNEL = "bench-socketio"
ROOM = "bench"

manager = socketio.AsyncRedisManager(os.environ.get("REDIS_URL", ""), channel=CHANNEL)
sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins=[])


@sio.event
async def connect(sid: str, _environ: dict[str, object]) -> None:
    await sio.enter_room(sid, ROOM)


app = socketio.ASGIApp(sio)
