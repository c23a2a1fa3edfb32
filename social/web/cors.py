"""Cross-origin requests, as Mastodon allows them (its `rack-cors` configuration): any origin,
no credentials (tokens travel in `Authorization`, not cookies), on the API, the token
endpoints, the well-known documents and nodeinfo; never on the sign-in pages.

A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered here,
before authentication and rate limits; any other request from an origin gets the headers a
browser needs to let the page read the answer, `Link` among them (without it, a browser client
cannot page).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Message, Scope, Send

EXPOSED = b"Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After"
ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key"
MAX_AGE_S = b"7200"


@dataclass(frozen=True)
class Resource:
    """Paths (a prefix when it ends with `/`) and the methods browsers may use on them."""

    path: str
    methods: bytes

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.path.endswith("/") else path == self.path


RESOURCES = (
    Resource("/api/", b"GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    Resource("/oauth/token", b"POST, OPTIONS"),
    Resource("/oauth/revoke", b"POST, OPTIONS"),
    Resource("/oauth/userinfo", b"GET, POST, OPTIONS"),
    Resource("/.well-known/", b"GET, OPTIONS"),
    Resource("/nodeinfo/", b"GET, OPTIONS"),
)


def resource(path: str) -> Resource | None:
    return next((r for r in RESOURCES if r.matches(path)), None)


async def preflight(found: Resource, requested_headers: bytes | None, send: Send) -> None:
    """The answer to a preflight: what may be sent, from anywhere, for how long."""
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", found.methods),
        (b"access-control-allow-headers", requested_headers or ALLOWED_HEADERS),
        (b"access-control-max-age", MAX_AGE_S),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def allowing(send: Send) -> Send:
    """`send` with the headers that let a page from another origin read the response."""

    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            extra = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", EXPOSED),
            ]
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return with_headers


def is_preflight(scope: Scope, origin: bytes | None, requested_method: bytes | None) -> bool:
    return scope["method"] == "OPTIONS" and origin is not None and requested_method is not None
