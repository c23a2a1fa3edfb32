"""Declarative policies for the middleware: which requests, counted against whom, how much."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ratelimit.keyfuncs import KeyFunc
from ratelimit.quota import Limit, Quota
from ratelimit.types import FailurePolicy

_PARAM = re.compile(r"\{[^/{}]+\}|:[A-Za-z_][A-Za-z0-9_]*")


def compile_path(pattern: str) -> re.Pattern[str]:
    """`/api/*` matches the prefix; `{id}` or `:id` matches one path segment."""
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    parts, last = [], 0
    for match in _PARAM.finditer(body):
        parts += [re.escape(body[last : match.start()]), "[^/]+"]
        last = match.end()
    parts.append(re.escape(body[last:]))
    return re.compile("".join(parts) + (".*" if prefix else "/?") + r"\Z")


@dataclass(frozen=True)
class Policy:
    """Requests matching `paths` (any, if empty) and `methods` (any, if empty) cost `cost`
    against `limits` for the identity returned by `key`; a None identity skips the policy.

    `name` names the quota in Redis keys and in the `RateLimit` headers.
    """

    name: str
    limits: Sequence[Limit]
    key: KeyFunc
    paths: Sequence[str] = ()
    methods: Collection[str] = ()
    strategy: str = "sliding-window"
    on_store_error: FailurePolicy = "fail_open"
    cost: int = 1
    quota: Quota = field(init=False, repr=False)
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        quota = Quota(self.name, tuple(self.limits), self.strategy, self.on_store_error)
        object.__setattr__(self, "quota", quota)
        object.__setattr__(self, "limits", tuple(self.limits))
        object.__setattr__(self, "paths", tuple(self.paths))
        object.__setattr__(self, "methods", frozenset(m.upper() for m in self.methods))
        object.__setattr__(self, "_patterns", tuple(compile_path(p) for p in self.paths))

    def matches(self, method: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        return not self._patterns or any(p.match(path) for p in self._patterns)
