"""What Pillow does with an upload: recognise it by its content, refuse what is not a still or
animated image we can serve, and make the served original, the `small` preview, the blurhash
and Mastodon's `meta`. Synchronous and CPU-bound: callers run it in a thread.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

from blurhash._functions import ffi as blurhash_ffi
from blurhash._functions import lib as blurhash_lib
from PIL import Image, ImageOps

from social.platform.errors import Invalid

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
"""What we accept, recognised by Pillow's parse of the file's header."""
MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
ORIGINAL_MAX_PIXELS = 3840 * 2160
"""The served original is scaled down to this area (Mastodon's 8.3 megapixels)."""
SMALL_MAX_PIXELS = 640 * 360
"""The `small` preview's area (Mastodon's)."""
BLURHASH_COMPONENTS = 4

AV_PROBLEM = "video and audio uploads are not supported yet"
UNSUPPORTED_AV = f"Validation failed: {AV_PROBLEM}"
"""Said of a video or audio file: there is no transcoder in the project yet."""


class Refused(Exception):
    """The file is not one we can take: `problem` said of its field, or a whole `message`."""

    def __init__(self, problem: str, code: str = "ERR_INVALID", message: str | None = None):
        super().__init__(message or problem)
        self.problem = problem
        self.code = code
        self.message = message

    def invalid(self, field: str = "file") -> Invalid:
        """The 422 to answer, naming the form's `field` (file, avatar, header)."""
        message = self.message or f"Validation failed: {field} {self.problem}"
        return Invalid(message, {field: [{"error": self.code, "description": self.problem}]})


@dataclass(frozen=True)
class Probe:
    format: str
    width: int
    height: int
    frames: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class Processed:
    original: bytes
    ext: str
    small: bytes
    small_ext: str
    blurhash: str
    meta: dict[str, Any]


def audio_or_video(head: bytes) -> bool:
    """mp4/mov (`ftyp`), webm/mkv (EBML), ogg, mp3 (ID3 or a frame sync), wav, flac."""
    return (
        head[4:8] == b"ftyp"
        or head.startswith((b"\x1a\x45\xdf\xa3", b"OggS", b"ID3", b"fLaC"))
        or (head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"AVI "))
        or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0)
    )


def _open(data: bytes) -> Image.Image:
    """Parse the header only (no pixels decoded yet); a decompression-bomb warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise Refused("dimensions are too large") from None
        except Exception:
            raise Refused("content type is invalid") from None


def probe(data: bytes, max_pixels: int, *, verify: bool = True) -> Probe:
    """Recognise `data` and (`verify`) decode it once, cheaply (a JPEG at an eighth of its
    size), so a truncated or corrupt file is refused now, not after it was accepted. A file
    over `max_pixels` is refused from its header, before any pixel is decoded."""
    if not data:
        raise Refused("can't be blank", "ERR_BLANK")
    if audio_or_video(data[:16]):
        raise Refused(AV_PROBLEM, "ERR_UNSUPPORTED", UNSUPPORTED_AV)
    image = _open(data)
    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise Refused("content type is invalid")
        if width * height > max_pixels:
            problem = f"{width}x{height} images are not supported"
            raise Refused(problem, "ERR_TOO_LARGE", problem)
        fmt = str(image.format)
        try:
            frames = int(getattr(image, "n_frames", 1))
            if verify:
                if fmt == "JPEG":
                    image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
                image.load()
        except Exception:
            raise Refused("could not be read (truncated or corrupt)") from None
    return Probe(fmt, width, height, frames)


def _bounded(image: Image.Image, max_pixels: int) -> Image.Image:
    width, height = image.size
    if width * height <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (width * height))
    size = (max(int(width * scale), 1), max(int(height * scale), 1))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _encode(image: Image.Image, ext: str) -> bytes:
    out = io.BytesIO()
    if ext == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif ext == "webp":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=False)
    return out.getvalue()


def _size(image: Image.Image) -> dict[str, Any]:
    width, height = image.size
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": width / height,
    }


def process(data: bytes, max_pixels: int, focus: tuple[float, float] | None) -> Processed:
    """The served files of an upload: orientation applied, EXIF (GPS included) and every other
    metadata chunk left out, the original within ORIGINAL_MAX_PIXELS, a `small` preview.
    An animated GIF is served as uploaded (a GIF carries no EXIF; without a transcoder there
    is no `gifv`), its first frame making the preview."""
    # verified at upload; a fault the decode below meets is refused all the same
    found = probe(data, max_pixels, verify=False)
    try:
        return _process(data, found, focus)
    except Refused:
        raise
    except Exception as exc:  # a mode or variant Pillow reads but cannot convert
        raise Refused("could not be processed") from exc


def _process(data: bytes, found: Probe, focus: tuple[float, float] | None) -> Processed:
    with _open(data) as image:
        animated = found.format == "GIF" and found.frames > 1
        if found.format == "JPEG":
            image.draft("RGB", _draft_size(image.size))
        still = ImageOps.exif_transpose(image.copy() if animated else image)
        alpha = _has_alpha(still)
        if still.mode not in ("RGB", "RGBA", "L", "LA"):
            still = still.convert("RGBA" if alpha else "RGB")
        ext = {"JPEG": "jpg", "WEBP": "webp"}.get(found.format, "png")
        if animated and found.pixels <= ORIGINAL_MAX_PIXELS:
            original_bytes, ext, shown = data, "gif", image.size
        else:
            original = _bounded(still, ORIGINAL_MAX_PIXELS)
            original_bytes, shown = _encode(original, ext), original.size
        small = _bounded(still, SMALL_MAX_PIXELS)
        small_ext = "png" if alpha else "jpg"
        hashed = blurhash_of(small)
        width, height = shown
        meta: dict[str, Any] = {
            "original": {
                "width": width,
                "height": height,
                "size": f"{width}x{height}",
                "aspect": width / height,
            },
            "small": _size(small),
        }
        if animated:
            meta["original"]["frames"] = found.frames
        if focus is not None:
            meta["focus"] = {"x": focus[0], "y": focus[1]}
        return Processed(
            original_bytes, ext, _encode(small, small_ext), small_ext, str(hashed), meta
        )


def blurhash_of(image: Image.Image) -> str:
    """The blurhash of `image` (from a copy at most 64 pixels wide: the hash keeps 4x4
    components), through blurhash-python's C function on the raw RGB bytes (its `encode`
    goes through a Python list of every pixel)."""
    thumb = image.convert("RGB")
    thumb.thumbnail((64, 64))
    width, height = thumb.size
    destination = blurhash_ffi.new("char[]", 2 + 4 + (9 * 9 - 1) * 2 + 1)
    result = blurhash_lib.create_hash_from_pixels(
        BLURHASH_COMPONENTS,
        BLURHASH_COMPONENTS,
        width,
        height,
        blurhash_ffi.from_buffer(thumb.tobytes()),
        width * 3,
        destination,
    )
    if result == blurhash_ffi.NULL:
        raise ValueError("blurhash could not be computed")
    return str(blurhash_ffi.string(result).decode())


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """JPEG's cheap scaled decode, never below what the bounded original needs."""
    width, height = size
    if width * height <= ORIGINAL_MAX_PIXELS:
        return size
    scale = math.sqrt(ORIGINAL_MAX_PIXELS / (width * height))
    return (max(int(width * scale), 1), max(int(height * scale), 1))


def profile_image(data: bytes, max_pixels: int, box: tuple[int, int]) -> tuple[bytes, str]:
    """An avatar or header: cropped to fill `box` (Mastodon: 400x400, 1500x500), orientation
    applied, metadata left out. A still PNG or JPEG (an animated GIF's first frame)."""
    probe(data, max_pixels)
    try:
        return _profile_image(data, box)
    except Refused:
        raise
    except Exception as exc:
        raise Refused("could not be processed") from exc


def _profile_image(data: bytes, box: tuple[int, int]) -> tuple[bytes, str]:
    with _open(data) as image:
        if image.format == "JPEG":
            image.draft("RGB", (box[0] * 2, box[1] * 2))
        still = ImageOps.exif_transpose(image)
        alpha = _has_alpha(still)
        still = still.convert("RGBA" if alpha else "RGB")
        fitted = ImageOps.fit(still, box, Image.Resampling.LANCZOS)
        ext = "png" if alpha else "jpg"
        return _encode(fitted, ext), ext
