"""Where media files live: one small interface, and its local-filesystem backend.

Keys are chosen by the server alone (`new_key`): `<kind>/<media id>/<32 hex>.<ext>`. A path
a request names is looked up only if it has that exact shape (`is_key`), so nothing outside
the storage root, and nothing the server did not write, can be read through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}
"""What is served, by the extension the server gave the key (never by what was uploaded)."""

KINDS = ("uploads", "original", "small", "avatar", "header")
SERVED = frozenset(("original", "small", "avatar", "header"))
"""Uploads waiting to be processed are never served: only what processing wrote."""

_KEY = re.compile(
    r"^(uploads|original|small|avatar|header)/[0-9]{1,20}/[0-9a-f]{32}\.(jpg|png|gif|webp|bin)$"
)


def new_key(kind: str, owner_id: int, ext: str) -> str:
    if kind not in KINDS or (ext not in CONTENT_TYPES and ext != "bin"):
        raise ValueError(f"no key of kind {kind!r} with extension {ext!r}")
    return f"{kind}/{owner_id}/{secrets.token_hex(16)}.{ext}"


def is_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def served_type(key: str) -> str | None:
    """The `Content-Type` a key is served with; None for a key that is never served."""
    if not is_key(key) or key.split("/", 1)[0] not in SERVED:
        return None
    return CONTENT_TYPES.get(key.rsplit(".", 1)[1])


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, whole or not at all (readers never see half a file)."""

    async def get(self, key: str) -> bytes | None:
        """The file, or None if there is none."""

    async def delete(self, *keys: str | None) -> None:
        """Remove what exists of `keys` (None and missing keys are skipped)."""


def storage_of(media_dir: str) -> LocalStorage:
    """The backend configured (`SOCIAL_MEDIA_DIR`); an object store would be chosen here."""
    found = _BACKENDS.get(media_dir)
    if found is None:
        found = _BACKENDS[media_dir] = LocalStorage(media_dir)
    return found


class LocalStorage:
    """Files under `root`. A write goes to a temporary file in `root/.tmp` and is renamed into
    place (atomic on one filesystem), so every server process on the host shares the tree."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise ValueError("not a storage key")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self.path(key), data)

    def _put(self, target: Path, data: bytes) -> None:
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{secrets.token_hex(8)}.part"
        try:
            with open(tmp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    async def get(self, key: str) -> bytes | None:
        if not is_key(key):
            return None
        return await asyncio.to_thread(self._get, self.root / key)

    @staticmethod
    def _get(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    async def delete(self, *keys: str | None) -> None:
        paths = [self.root / k for k in keys if k and is_key(k)]
        if paths:
            await asyncio.to_thread(self._delete, paths)

    @staticmethod
    def _delete(paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the owner's folder, once empty
                path.parent.rmdir()

    def files(self) -> list[str]:
        """Every stored key (tests: nothing left behind)."""
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())


_BACKENDS: dict[str, LocalStorage] = {}
