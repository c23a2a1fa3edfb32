"""The app's rate limits: Mastodon's documented policies on the `ratelimit` library."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.middleware import Middleware

from ratelimit import (
    ClientIP,
    Decision,
    Limiter,
    Policy,
    RateLimitMiddleware,
    StoreError,
    mastodon_policies,
)
from social.platform.context import AppContext


@dataclass(frozen=True)
class RateLimits:
    """One limiter and one set of policies, shared by the middleware and the home lane."""

    limiter: Limiter
    policies: list[Policy]
    client_ip: ClientIP


def rate_limits(ctx: AppContext) -> RateLimits:
    settings = ctx.settings
    metrics = ctx.metrics

    def count(decision: Decision) -> None:
        allowed = "true" if decision.allowed else "false"
        metrics.ratelimit_decisions.add((decision.policy, allowed, decision.source))

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
    policies = mastodon_policies(scale=settings.ratelimit_scale)
    return RateLimits(limiter, policies, ClientIP(trusted_proxies=proxies))


def rate_limit_middleware(ctx: AppContext, limits: RateLimits) -> Middleware:
    return Middleware(
        RateLimitMiddleware,
        limiter=limits.limiter,
        policies=limits.policies,
        client_ip=limits.client_ip,
        max_body_bytes=ctx.settings.max_body_bytes,
        overlap_safe_methods=True,
    )
