"""Rate limiting on Redis: sliding-window counter and exact sliding log, one script per check."""

from ratelimit.clientip import ClientIP
from ratelimit.decision import Decision, most_restrictive
from ratelimit.defaults import mastodon_policies
from ratelimit.errors import RateLimitError, StoreError
from ratelimit.headers import rate_limit_headers
from ratelimit.keyfuncs import (
    KeyContext,
    KeyFunc,
    by_account,
    by_body_field,
    by_ip,
    by_ip_unauthenticated,
    by_token,
)
from ratelimit.limiter import Limiter
from ratelimit.memory import MemoryLimiter
from ratelimit.middleware import RateLimitMiddleware
from ratelimit.policy import Policy
from ratelimit.quota import Check, Limit, Quota
from ratelimit.strategies import STRATEGIES, Strategy
from ratelimit.types import AnyRedis, FailurePolicy

__all__ = [
    "STRATEGIES",
    "AnyRedis",
    "Check",
    "ClientIP",
    "Decision",
    "FailurePolicy",
    "KeyContext",
    "KeyFunc",
    "Limit",
    "Limiter",
    "MemoryLimiter",
    "Policy",
    "Quota",
    "RateLimitError",
    "RateLimitMiddleware",
    "StoreError",
    "Strategy",
    "by_account",
    "by_body_field",
    "by_ip",
    "by_ip_unauthenticated",
    "by_token",
    "mastodon_policies",
    "most_restrictive",
    "rate_limit_headers",
]
