"""Real image files made with Pillow for the media tests, and a few that are not images."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

ORIENTATION = 274
GPS_IFD = 0x8825


def jpeg_with_gps(width: int = 200, height: int = 100, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says where it was taken and that it must be turned (6: 90° CW)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(width // 2):  # a left half of another colour, to see the turn
        for y in range(0, height, 4):
            image.putpixel((x, y), (20, 20, 220))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (52.0, 13.0, 5.5), 3: "E", 4: (13.0, 24.0, 1.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def png_with_alpha(width: int = 120, height: int = 80) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 128, 0, 0))
    for x in range(width // 2):
        for y in range(height):
            image.putpixel((x, y), (0, 128, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (60, 40)) -> bytes:
    images = [Image.new("RGB", size, (i * 80 % 256, 40, 200 - i * 50 % 200)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width`x`height` in its header with almost no data: a decompression
    bomb's shape (decoding it would need width*height pixels of memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    whole = jpeg(400, 300)
    return whole[: len(whole) // 2]


def mp4_head() -> bytes:
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


VIDEO_AND_AUDIO = {
    "clip.mp4": mp4_head(),
    "clip.webm": b"\x1a\x45\xdf\xa3" + b"\x00" * 60,
    "sound.ogg": b"OggS\x00\x02" + b"\x00" * 60,
    "sound.mp3": b"ID3\x04\x00\x00" + b"\x00" * 60,
    "sound.wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 60,
    "sound.flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 60,
}
