"""The one request path every HTTP request takes: one layer, in one function.

    route -> CORS (a preflight answered) -> body limit (413) -> caller (401, 403 CSRF)
          -> rate-limit gate -> handler
    errors: ApiError, a refusal of the rules, Starlette's 404/405 -> Mastodon's JSON error
            (through the gate: it counts and carries the headers); anything else -> 503 for an
            outage, 500 for a bug (docs/architecture.md, "A request")
    metrics: every request, by route template and status

Each step is what a Starlette middleware did before (errors, metrics, body limit,
authentication, rate limits) and Starlette's router, exception middleware and request wrapper;
doing them in one coroutine spares each request their layers of calls and `send` wrappers.
"""

from __future__ import annotations

import time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from ratelimit.middleware import reject
from social.platform.context import AppContext
from social.platform.errors import DomainError
from social.web import cors
from social.web.authentication import Authenticator
from social.web.context import SCOPE_KEY
from social.web.errors import ApiError, error_response, from_domain, from_http
from social.web.outages import escaped
from social.web.ratelimits import RateLimits
from social.web.router import Found, Missed, Router

HANDLED = (ApiError, DomainError, HTTPException)


class TooLarge(Exception):
    """The body grew past the limit while the handler read it."""


class Exchange:
    """One request's way out: the server's `send`, and what has gone through it (the status,
    for metrics; whether the response started, for errors after it). The rate-limit gate
    passes its messages here itself, so a response crosses one wrapper, not two."""

    __slots__ = ("send", "started", "status")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 500
        self.started = False

    async def track(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.started = message["status"], True
        await self.send(message)


class Front:
    def __init__(
        self,
        ctx: AppContext,
        router: Router,
        limits: RateLimits | None,
        *,
        max_body_bytes: int,
        upload_paths: frozenset[str] = frozenset(),
        max_upload_bytes: int = 0,
    ) -> None:
        self.ctx = ctx
        self.router = router
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self.upload_paths = upload_paths
        """Paths whose body may hold a file, up to `max_upload_bytes`."""
        self.max_upload_bytes = max(max_upload_bytes, max_body_bytes)
        self.authenticator = Authenticator(ctx)
        self.requests = ctx.metrics.http_requests
        self.latency = ctx.metrics.latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        found = self.router.find(scope)
        out = Exchange(send)
        try:
            await self._serve(scope, receive, out, found)
        except TooLarge:
            if not out.started:
                await _too_large(scope, receive, out.track)
        except Exception as exc:
            error = escaped(exc, scope)
            if not out.started:
                await error_response(error)(scope, receive, out.track)
        finally:
            self.requests.add((scope["method"], found.template, str(out.status)))
            self.latency(found.template).observe(time.perf_counter() - started)

    async def _serve(
        self, scope: Scope, receive: Receive, out: Exchange, found: Found | Missed
    ) -> None:
        scope[SCOPE_KEY] = self.ctx
        authorization = cookie = csrf = origin = length = None
        declared = False
        for name, value in scope["headers"]:  # one pass for every step's headers
            if name == b"authorization":
                if authorization is None:  # the first, as Starlette reads it
                    authorization = value
            elif name == b"content-length":
                length, declared = value, True
            elif name == b"transfer-encoding":
                declared = True
            elif name == b"cookie":
                cookie = cookie or value
            elif name == b"x-csrf-token":
                csrf = csrf or value
            elif name == b"origin":
                origin = value
        if origin is not None and (allowed := cors.resource(scope["path"])) is not None:
            if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
                requested = _header(scope, b"access-control-request-headers")
                await cors.preflight(allowed, requested, out.track)
                return
            out.send = cors.allowing(out.send)  # every answer, errors too
        limit = self.max_upload_bytes if scope["path"] in self.upload_paths else self.max_body_bytes
        # int() refuses more than 4,300 digits; any 19 digits are over the limit anyway
        if length is not None and (not length.isdigit() or len(length) > 18 or int(length) > limit):
            await _too_large(scope, receive, out.track)
            return
        if declared:
            receive = self._body_limited(receive, limit)
        refusal = await self.authenticator.authenticate(scope, authorization, cookie, csrf)
        if refusal is not None:
            await refusal(scope, receive, out.track)
            return
        gate = await self.limits.gate(scope, receive) if self.limits is not None else None
        send: Send = out.track
        if gate is not None:
            if gate.refused is not None:  # a write refused before it ran
                await reject(gate.refused, send)
                return
            receive, send = gate.receive, gate.wrap(out)
        try:
            if isinstance(found, Found) and isinstance(found.route, Route):
                # the common case, without a frame of its own
                child = found.child
                scope["endpoint"] = child["endpoint"]
                # an exact path's Found is shared: a dict of its own
                scope["path_params"] = child.get("path_params") or {}
                response = await found.route.endpoint(Request(scope, receive, send))
                await response(scope, receive, send)
            else:
                await found.serve(scope, receive, send)
        except HANDLED as exc:
            if out.started:
                raise RuntimeError("a handled error after the response started") from exc
            await error_response(_api_error(exc))(scope, receive, send)
        finally:
            if gate is not None:
                gate.close()

    @staticmethod
    def _body_limited(receive: Receive, limit: int) -> Receive:
        """`receive` counting the body against `limit`: past it, `TooLarge`."""
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        return limited


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope["headers"] if key == name), None)


def _api_error(exc: Exception) -> ApiError:
    if isinstance(exc, DomainError):
        return from_domain(exc)
    if isinstance(exc, HTTPException):
        return from_http(exc)
    assert isinstance(exc, ApiError)
    return exc


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(ApiError(413, "Request entity too large"))(scope, receive, send)
