"""The answer to a check, and how to pick the most restrictive of several."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ratelimit.types import Source


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome of one check against one limit of a quota.

    `remaining` is how many unit hits would pass right now; `reset_after_s` is when the
    used quota will have drained completely (no further hits assumed); `retry_after_s` is
    when this hit's cost would pass (0 when allowed; `inf` when the cost exceeds the limit).
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after_s: float
    retry_after_s: float
    policy: str
    window_s: float
    source: Source = "redis"


def most_restrictive(decisions: Iterable[Decision]) -> Decision | None:
    """A refusal with the longest wait, else the allowed decision closest to its limit."""
    decisions = list(decisions)
    if len(decisions) == 1:
        return decisions[0]
    refused = [d for d in decisions if not d.allowed]
    if refused:
        return max(refused, key=lambda d: (d.retry_after_s, d.reset_after_s))
    allowed = [d for d in decisions if d.allowed]
    if not allowed:
        return None
    return min(allowed, key=lambda d: (d.remaining, -d.reset_after_s))
