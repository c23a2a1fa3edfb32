"""Who a request counts against: key functions over a `KeyContext`.

A key function returns an identity string, or None to leave the request out of that policy
(e.g. `by_account` on an anonymous request).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.types import Message, Receive, Scope

from ratelimit.clientip import ClientIP

KeyFunc = Callable[["KeyContext"], Awaitable[str | None]]


class KeyContext:
    """What a key function sees. `body()` buffers the request body (up to `max_body_bytes`)
    and the middleware replays it, so the downstream app still reads it whole.
    """

    def __init__(self, scope: Scope, receive: Receive, client_ip: ClientIP, max_body_bytes: int):
        self.scope = scope
        self.client_ip = client_ip
        self.max_body_bytes = max_body_bytes
        self._receive = receive
        self._messages: list[Message] = []
        self._body: bytes | None = None
        self._complete = False

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode("latin-1")
        for key, value in self.scope.get("headers", ()):
            if key == wanted:
                return str(value.decode("latin-1"))
        return None

    async def body(self) -> bytes | None:
        """The whole body, or None when it is larger than `max_body_bytes`."""
        if not self._complete:
            chunks: list[bytes] = []
            size, more = 0, True
            while more and size <= self.max_body_bytes:
                message = await self._receive()
                self._messages.append(message)
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
            self._complete = True
            self._body = None if more or size > self.max_body_bytes else b"".join(chunks)
        return self._body

    async def replay(self) -> Message:
        """`receive` for the downstream app: buffered messages first, then the real ones."""
        if self._messages:
            return self._messages.pop(0)
        return await self._receive()


def _authenticated(ctx: KeyContext) -> Any:
    """`scope["user"]` if it is an authenticated one (Starlette's AuthenticationMiddleware)."""
    user = ctx.scope.get("user")
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def by_ip(ctx: KeyContext) -> str | None:
    """The client address (trusted proxies honoured, IPv6 grouped by /64)."""
    key = ctx.client_ip.key(ctx.scope)
    return None if key is None else f"ip:{key}"


async def by_ip_unauthenticated(ctx: KeyContext) -> str | None:
    """The client address, for requests without an authenticated user (Mastodon's
    `throttle_unauthenticated_api`): people sharing an address, a campus or a carrier's NAT,
    are limited by their accounts, not all together."""
    return None if _authenticated(ctx) is not None else await by_ip(ctx)


async def by_account(ctx: KeyContext) -> str | None:
    """`scope["user"]` when authenticated (Starlette's AuthenticationMiddleware), by its
    `identity`, else its `id`."""
    user = _authenticated(ctx)
    if user is None:
        return None
    try:
        identity = user.identity
    except (AttributeError, NotImplementedError):
        identity = getattr(user, "id", None)
    return None if identity is None else f"account:{identity}"


async def by_token(ctx: KeyContext) -> str | None:
    """The bearer token, hashed (tokens never land in Redis key names)."""
    auth = ctx.header("authorization") or ""
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return f"token:{_digest(token.strip())}"


def by_body_field(*fields: str) -> KeyFunc:
    """The first non-empty of `fields` in a form or JSON body, case-folded and hashed;
    e.g. `by_body_field("username", "user[email]")` for sign-in by email."""

    async def key(ctx: KeyContext) -> str | None:
        body = await ctx.body()
        if not body:
            return None
        content_type = (ctx.header("content-type") or "").lower()
        values: dict[str, object] = {}
        if content_type.startswith("application/json"):
            try:
                parsed = json.loads(body)
            except ValueError:
                return None
            values = parsed if isinstance(parsed, dict) else {}
        else:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=False)
            values = {name: items[0] for name, items in form.items()}
        for name in fields:
            value = _lookup(values, name)
            if isinstance(value, str) and value.strip():
                return f"login:{_digest(value.strip().casefold())}"
        return None

    return key


def _lookup(values: dict[str, object], name: str) -> object:
    """`user[email]` matches a flat form field or nested JSON (`{"user": {"email": ...}}`)."""
    if name in values:
        return values[name]
    head, sep, rest = name.partition("[")
    if sep and isinstance(values.get(head), dict):
        nested: dict[str, object] = values[head]  # type: ignore[assignment]
        return nested.get(rest.rstrip("]"))
    return None
