"""Response headers: IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10 syntax) and
Mastodon's X-RateLimit-*; `Retry-After` on refusals."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from ratelimit.decision import Decision

TOO_MANY_REQUESTS_BODY = b'{"error":"Too many requests"}'


def _seconds(value: float) -> int:
    return max(0, math.ceil(value)) if math.isfinite(value) else 0


def rate_limit_headers(decision: Decision, now: datetime | None = None) -> list[tuple[str, str]]:
    """Headers describing `decision` (pick it with `most_restrictive`)."""
    now = now or datetime.now(UTC)
    reset = _seconds(decision.reset_after_s)
    window = _seconds(decision.window_s)
    reset_at = (now + timedelta(seconds=decision.reset_after_s)).astimezone(UTC)
    headers = [
        ("RateLimit-Policy", f'"{decision.policy}";q={decision.limit};w={window}'),
        ("RateLimit", f'"{decision.policy}";r={decision.remaining};t={reset}'),
        ("X-RateLimit-Limit", str(decision.limit)),
        ("X-RateLimit-Remaining", str(decision.remaining)),
        ("X-RateLimit-Reset", reset_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")),
    ]
    if not decision.allowed:
        headers.append(("Retry-After", str(retry_after_seconds(decision))))
    return headers


def retry_after_seconds(decision: Decision) -> int:
    """Whole seconds, at least 1; a cost above the limit never passes: one window."""
    if not math.isfinite(decision.retry_after_s):
        return max(1, _seconds(decision.window_s))
    return max(1, _seconds(decision.retry_after_s))
