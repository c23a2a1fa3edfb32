"""Response headers: IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10 syntax) and
Mastodon's X-RateLimit-*; `Retry-After` on refusals."""

from __future__ import annotations

import functools
import math
import time
from datetime import datetime

from ratelimit.decision import Decision

TOO_MANY_REQUESTS_BODY = b'{"error":"Too many requests"}'


def _seconds(value: float) -> int:
    return max(0, math.ceil(value)) if math.isfinite(value) else 0


def rate_limit_headers(decision: Decision, now: datetime | None = None) -> list[tuple[str, str]]:
    """Headers describing `decision` (pick it with `most_restrictive`)."""
    reset = _seconds(decision.reset_after_s)
    window = _seconds(decision.window_s)
    policy, remaining = decision.policy, decision.remaining
    at = (now.timestamp() if now is not None else time.time()) + decision.reset_after_s
    headers = [
        ("RateLimit-Policy", f'"{policy}";q={decision.limit};w={window}'),
        ("RateLimit", f'"{policy}";r={remaining};t={reset}'),
        ("X-RateLimit-Limit", str(decision.limit)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", _iso_ms(at)),
    ]
    if not decision.allowed:
        headers.append(("Retry-After", str(retry_after_seconds(decision))))
    return headers


def encoded_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    """`rate_limit_headers` as ASGI wants them: lower-case names, bytes (what does not change
    from one decision of a policy to the next is encoded once)."""
    policy, remaining = decision.policy, decision.remaining
    at = time.time() + decision.reset_after_s
    named, limit = _constant(policy, decision.limit, _seconds(decision.window_s))
    headers = [
        named,
        (b"ratelimit", f'"{policy}";r={remaining};t={_seconds(decision.reset_after_s)}'.encode()),
        limit,
        (b"x-ratelimit-remaining", str(remaining).encode()),
        (b"x-ratelimit-reset", _iso_ms(at).encode()),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", str(retry_after_seconds(decision)).encode()))
    return headers


@functools.lru_cache(maxsize=256)
def _constant(
    policy: str, limit: int, window: int
) -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    return (
        (b"ratelimit-policy", f'"{policy}";q={limit};w={window}'.encode()),
        (b"x-ratelimit-limit", str(limit).encode()),
    )


@functools.lru_cache(maxsize=4)
def _iso_seconds(whole: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))


def _iso_ms(at: float) -> str:
    """`at` (Unix seconds) as ISO 8601 UTC with milliseconds, as Mastodon writes it: the
    seconds part is the same for every request of a second, so it is formatted once."""
    whole = math.floor(at)
    return f"{_iso_seconds(whole)}.{int((at - whole) * 1000):03d}Z"


def retry_after_seconds(decision: Decision) -> int:
    """Whole seconds, at least 1; a cost above the limit never passes: one window."""
    if not math.isfinite(decision.retry_after_s):
        return max(1, _seconds(decision.window_s))
    return max(1, _seconds(decision.retry_after_s))
