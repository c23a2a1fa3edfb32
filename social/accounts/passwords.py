"""argon2id password hashing, off the event loop; unknown users cost the same as wrong passwords."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, RFC 9106 second recommendation (t=3, m=64 MiB, p=4)
_DUMMY_HASH = _hasher.hash("social: a password nobody has")

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON = frozenset(
    [
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyui",
        "qwerty123",
        "11111111",
        "iloveyou",
        "abc12345",
        "password123",
        "letmein1",
        "00000000",
        "sunshine",
        "princess1",
        "admin123",
        "welcome1",
        "football",
        "baseball",
        "trustno1",
        "changeme",
    ]
)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: a missing hash checks a dummy one."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        ok = _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def weakness(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why a password is refused, or None."""
    if not password:
        return "can't be blank"
    if len(password) < MIN_LENGTH:
        return f"is too short (minimum is {MIN_LENGTH} characters)"
    if len(password) > MAX_LENGTH:
        return f"is too long (maximum is {MAX_LENGTH} characters)"
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) < 3:
        return "is too common"
    if lowered in {username.lower(), email.lower(), email.split("@")[0].lower()}:
        return "must not be the same as your username or email"
    return None
