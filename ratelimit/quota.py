"""What is limited: `Limit` (amount per window) and `Quota` (named limits checked together)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ratelimit.types import FailurePolicy


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `amount` units of cost in any `window_s` seconds."""

    amount: int
    window_s: float

    def __post_init__(self) -> None:
        if self.amount < 1 or self.window_s <= 0:
            raise ValueError(f"a limit needs amount >= 1 and window_s > 0, got {self}")
        if self.window_ms < 1:
            raise ValueError("window_s must be at least one millisecond")

    @property
    def window_ms(self) -> int:
        return round(self.window_s * 1000)


@dataclass(frozen=True, slots=True)
class Quota:
    """Limits on one identity, checked in one script call: a hit counts only if all pass.

    `strategy` names an entry of `ratelimit.strategies.STRATEGIES`; `on_store_error` says
    what happens when Redis fails (`fail_open` lets hits through, `fallback` counts them in
    an in-process limiter).
    """

    name: str
    limits: tuple[Limit, ...]
    strategy: str = "sliding-window"
    on_store_error: FailurePolicy = "fail_open"

    def __post_init__(self) -> None:
        from ratelimit.strategies import STRATEGIES

        if not self.limits:
            raise ValueError(f"quota {self.name!r} has no limits")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; known: {sorted(STRATEGIES)}")
        if not self.name or any(c in self.name for c in '{}"\\'):
            raise ValueError(f"quota name {self.name!r} must be non-empty, without braces/quotes")
        if len({limit.window_ms for limit in self.limits}) != len(self.limits):
            raise ValueError(f"quota {self.name!r} has two limits with the same window")
        if self.on_store_error not in ("fail_open", "fallback"):
            raise ValueError(f"unknown failure policy {self.on_store_error!r}")


@dataclass(frozen=True, slots=True)
class Check:
    """One hit (or peek) of `cost` units by `identity` against `quota`."""

    quota: Quota
    identity: str
    cost: int = 1
    peek: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.cost < 1:
            raise ValueError("cost must be >= 1 (use peek to look without counting)")
