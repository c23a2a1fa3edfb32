"""Random tokens and public ids, and the one-way hash under which a token is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """256 random bits, urlsafe base64 without padding (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_session_id() -> str:
    """A public id for listing and revoking a session; unrelated to its token."""
    return secrets.token_urlsafe(16)


def new_csrf_token() -> str:
    """A value for a cookie session's `csrf` field, echoed by clients in `X-CSRF-Token`."""
    return secrets.token_urlsafe(32)


def looks_like_token(token: str) -> bool:
    """Whether `token` has the shape of one we issue (checked before any Redis round trip)."""
    return _TOKEN_RE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
