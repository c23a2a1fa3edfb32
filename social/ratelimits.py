"""The app's rate limits: Mastodon's documented policies on the `ratelimit` library."""

from __future__ import annotations

from starlette.middleware import Middleware

from ratelimit import (
    ClientIP,
    Decision,
    Limiter,
    RateLimitMiddleware,
    StoreError,
    mastodon_policies,
)
from social.context import AppContext


def rate_limit_middleware(ctx: AppContext) -> Middleware:
    settings = ctx.settings
    metrics = ctx.metrics

    def count(decision: Decision) -> None:
        metrics.decisions(decision.policy, str(decision.allowed).lower(), decision.source).inc()

    def store_failed(_exc: StoreError) -> None:
        metrics.redis_errors.labels("ratelimit").inc()

    limiter = Limiter(
        ctx.redis,
        prefix=settings.redis_prefix,
        timeout_s=settings.redis_timeout_s,
        on_decision=count,
        on_store_error=store_failed,
    )
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return Middleware(
        RateLimitMiddleware,
        limiter=limiter,
        policies=mastodon_policies(scale=settings.ratelimit_scale),
        client_ip=ClientIP(trusted_proxies=proxies),
        max_body_bytes=settings.max_body_bytes,
        overlap_safe_methods=True,
    )
