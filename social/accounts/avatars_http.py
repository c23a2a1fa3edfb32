"""The placeholder avatar and header every account has until media uploads exist."""

from __future__ import annotations

import struct
import zlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


MISSING = _png(4, 4, (0x9B, 0xA3, 0xAF))


async def missing(_request: Request) -> Response:
    return Response(MISSING, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


routes = [
    Route("/avatars/original/missing.png", missing, methods=["GET"]),
    Route("/headers/original/missing.png", missing, methods=["GET"]),
]
