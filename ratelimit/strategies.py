"""Algorithms, by name. Each is one Lua script; storage and round trips live in `store`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.resources import files

from ratelimit.quota import Check


@dataclass(frozen=True, slots=True)
class Strategy:
    """A Lua script sharing one calling convention.

    KEYS: one per limit. ARGV: cost, peek (0/1), then amount and window_ms per limit.
    Reply: allowed (0/1), then per limit remaining, reset_ms, retry_ms (-1: never).
    """

    name: str
    key_tag: str
    script_file: str
    source: str = field(init=False, repr=False)
    sha: str = field(init=False)

    def __post_init__(self) -> None:
        source = files("ratelimit").joinpath(self.script_file).read_text("utf-8")
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "sha", hashlib.sha1(source.encode()).hexdigest())

    def args(self, check: Check) -> list[int]:
        args = [check.cost, int(check.peek)]
        for limit in check.quota.limits:
            args += [limit.amount, limit.window_ms]
        return args


STRATEGIES: dict[str, Strategy] = {
    "sliding-window": Strategy("sliding-window", "sw", "sliding_window.lua"),
    "sliding-log": Strategy("sliding-log", "log", "sliding_log.lua"),
}
