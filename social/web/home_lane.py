"""The home timeline on a short path: `GET /api/v1/timelines/home` without Starlette's layers.

Every client polls this route, far more than any other. Through the normal stack a request
passes eight layers (five middlewares, the exception middleware, the router, the request
wrapper), each a coroutine with a `send` wrapper, and the rate-limit check runs in a task of
its own. The lane does what those layers do for this one route, in one function, with the same
parts: the session store, the rate-limit policies and limiter, the feed and the renderer, the
error classification and the request metrics. Its Redis round trips are written by hand:
the token (unless the near cache holds it); the feed page together with the rate-limit check;
the viewer's favourite flags with whatever statuses and accounts (unless the near cache holds
them all).

What it does not take goes the normal way: a request without a bearer token (the 401 and a
session cookie are the stack's), with a body, or not a GET. `tests/api/test_home_lane.py`
holds the two ways to the same answers.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.exceptions import NoScriptError, RedisError
from starlette.datastructures import QueryParams
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratelimit import Check, Decision, KeyContext, most_restrictive
from ratelimit.headers import encoded_headers
from ratelimit.middleware import reject
from sessions import Session, SessionStoreError, SessionUser, auth_error_response
from sessions.auth import InvalidToken, credentials
from social.platform.context import AppContext
from social.platform.paging import PageQuery
from social.platform.redis.multiplex import MultiplexedRedis
from social.statuses.render import render_raw
from social.timelines.http import home
from social.timelines.service import home_entries, read_home_command
from social.web.caller import require_user
from social.web.errors import ApiError, error_response
from social.web.middleware_errors import escaped
from social.web.paging import link_header
from social.web.params import multi_to_dict, validate
from social.web.ratelimits import RateLimits
from social.web.responses import raw_json_list

log = logging.getLogger(__name__)

HOME_PATH = "/api/v1/timelines/home"
FIRST_PAGE = PageQuery()
TOUCH_AFTER_S = 60.0
JSON = (b"content-type", b"application/json")


class HomeLane:
    """An ASGI app for `HOME_PATH`; `app` (the full stack) serves what it does not take."""

    @staticmethod
    def available(ctx: AppContext) -> bool:
        """It writes its commands on the shared connection: not on a Cluster, not over TLS."""
        return ctx.settings.home_lane and isinstance(ctx.redis, MultiplexedRedis)

    def __init__(self, ctx: AppContext, app: ASGIApp, limits: RateLimits | None) -> None:
        assert isinstance(ctx.redis, MultiplexedRedis)  # `available` says when
        self.ctx = ctx
        self.redis = ctx.redis
        self.app = app
        self.limits = limits
        policies = limits.policies if limits is not None else []
        self.policies = [p for p in policies if p.matches("GET", HOME_PATH)]
        self._touching: set[str] = set()
        self.requests = ctx.metrics.http_requests
        self.latency = ctx.metrics.latency(HOME_PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token, authorization = None, None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:  # the first, as Starlette
                authorization = value
                scheme, _, rest = value.strip().partition(b" ")
                if scheme.lower() == b"bearer":
                    token = rest.strip().decode("latin-1")
            elif name == b"content-length" or name == b"transfer-encoding":
                token = None  # a body: the body limit is the stack's
                break
        if not token or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = False

        async def tracking_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status, sent = message["status"], True
            await send(message)

        try:
            await self._serve(scope, receive, tracking_send, token)
        except Exception as exc:  # as ErrorMiddleware does
            error = escaped(exc, scope)
            if not sent:
                await error_response(error)(scope, receive, tracking_send)
        finally:
            self.requests.add(("GET", HOME_PATH, str(status)))
            self.latency.observe(time.perf_counter() - started)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, token: str) -> None:
        ctx = self.ctx
        session = await self._session(token)
        if session is None:
            await auth_error_response(HTTPConnection(scope), InvalidToken())(scope, receive, send)
            return
        scope["user"] = SessionUser(session, token, "bearer")
        scope["auth"] = credentials(session)
        scope["endpoint"] = home  # what the stack's router would have set
        checks = await self._checks(scope, receive)
        try:
            account_id = require_user(HTTPConnection(scope), "read:statuses").account_id
            query = scope["query_string"]
            page = validate(PageQuery, multi_to_dict(QueryParams(query))) if query else FIRST_PAGE
        except ApiError as exc:
            decision = await self._decision(checks, None, checked=False)
            if decision is not None and not decision.allowed:
                await reject(decision, send)
                return
            response = error_response(exc)
            if decision is not None:
                response.raw_headers += encoded_headers(decision)
            await response(scope, receive, send)
            return
        commands: list[tuple[Any, ...]] = [read_home_command(ctx, account_id, page)]
        limit_commands = self.limits.limiter.commands(checks) if self.limits and checks else None
        commands += limit_commands or []
        try:
            replies: list[Any] = await self.redis.send_raw(commands)
        except RedisError as exc:  # the connection failed: every command with it
            replies = [exc] * len(commands)
        entries = await home_entries(ctx, account_id, page, replies[0])
        decision = await self._decision(
            checks, replies[1:] if limit_commands is not None else None, checked=True
        )
        if decision is not None and not decision.allowed:
            await reject(decision, send)
            return
        ids = [status_id for status_id, _ in entries]
        statuses = await render_raw(
            ctx, ids, account_id, check_visibility=False, authors=[a for _, a in entries]
        )
        body = raw_json_list(statuses)
        headers = [(b"content-length", str(len(body)).encode()), JSON]
        if ids:
            headers.insert(0, (b"link", link_header(Request(scope), ids).encode("latin-1")))
        if decision is not None:
            headers += encoded_headers(decision)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _session(self, token: str) -> Session | None:
        """The token's session: from the in-process cache if it holds it, else from Redis.

        A cached session is read without touching it (a touch is a write, and Redis would
        report it and drop the entry). It is kept until `TOUCH_AFTER_S` (or a tenth of its idle
        timeout) has passed since its last touch; the next read then touches it, in the
        background, so its idle expiry still slides while it is in use."""
        tokens, near = self.ctx.tokens, self.ctx.near
        key = tokens.session_key(token)
        if key is None:
            return None
        if near is None or not near.enabled:
            reply = await self._resolve(token, touch=True)
            return await tokens.resolve(token) if _lost(reply) else tokens.resolved(reply)
        cached: Session | None = near.get(key)
        if cached is not None:
            near.count(1, 0)
            return cached
        near.count(0, 1)
        near.begin([key])
        fill: dict[str, Session] = {}
        ttl_s = 0.0
        try:
            reply = await self._resolve(token, touch=False)
            if _lost(reply):
                return await tokens.resolve(token)  # loads the script (and touches)
            session = tokens.resolved(reply)
            if session is not None:
                # kept until it expires or its next touch is due, whichever comes first
                idle_s = session.idle_expires_at - session.last_seen_at
                touch_at = session.last_seen_at + min(TOUCH_AFTER_S, idle_s / 10)
                ttl_s = min(session.expires_at, touch_at) - tokens.reply_time(reply)
                if ttl_s > 0:
                    fill[key] = session
                else:
                    self._touch(token, key)
            return session
        finally:
            near.end([key], fill, ttl_s)

    async def _resolve(self, token: str, *, touch: bool) -> Any:
        command = self.ctx.tokens.resolve_command(token, touch=touch)
        assert command is not None  # the token was checked
        try:
            (reply,) = await self.redis.send_raw([command])
        except RedisError as exc:
            raise SessionStoreError(f"session store unavailable: {exc}") from exc
        if isinstance(reply, Exception) and not _lost(reply):
            raise SessionStoreError(f"session store unavailable: {reply}") from reply
        return reply

    def _touch(self, token: str, key: str) -> None:
        if key in self._touching:  # (by its key: no token outlives its requests here)
            return
        self._touching.add(key)

        async def touch() -> None:
            try:
                await self.ctx.tokens.resolve(token)
            except SessionStoreError as exc:
                log.warning("touching a session failed: %r", exc)
            finally:
                self._touching.discard(key)

        self.ctx.spawn(touch())

    async def _checks(self, scope: Scope, receive: Receive) -> list[Check]:
        if self.limits is None:
            return []
        keys = KeyContext(scope, receive, self.limits.client_ip, 0)
        checks = []
        for policy in self.policies:
            identity = await policy.key(keys)
            if identity is not None:
                checks.append(Check(policy.quota, identity, policy.cost))
        return checks

    async def _decision(
        self, checks: list[Check], replies: list[Any] | None, *, checked: bool
    ) -> Decision | None:
        """The decision whose headers the response shows (None: no policy, or Redis failed
        and the checks failed open, which know nothing worth showing)."""
        if self.limits is None or not checks:
            return None
        limiter = self.limits.limiter
        decisions = (
            await limiter.decide(checks, replies) if checked else await limiter.check_many(checks)
        )
        return most_restrictive(d for d in decisions if d.source != "fail_open")


def _lost(reply: Any) -> bool:
    """The server lost its scripts (a restart, `SCRIPT FLUSH`): the store's `resolve` loads
    them."""
    return isinstance(reply, NoScriptError)
