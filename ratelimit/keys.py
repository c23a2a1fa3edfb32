"""Redis key names, built here and nowhere else.

`{prefix}rl:{<quota>:<identity>}:<strategy tag>:<window ms>` — the braces are a Redis
Cluster hash tag, so all keys of one identity's quota live in one slot and a multi-limit
script touches a single node.
"""

from __future__ import annotations

from ratelimit.quota import Quota


def check_prefix(prefix: str) -> str:
    if "{" in prefix or "}" in prefix:
        raise ValueError("a key prefix must not contain braces (it would move the hash tag)")
    return prefix


def hash_tag(quota: Quota, identity: str) -> str:
    return f"{{{quota.name}:{identity}}}"


def limit_keys(prefix: str, quota: Quota, identity: str, strategy_tag: str) -> list[str]:
    """One key per limit of `quota`, in the order of `quota.limits`."""
    tag = hash_tag(quota, identity.replace("}", "%7D"))
    return [f"{prefix}rl:{tag}:{strategy_tag}:{limit.window_ms}" for limit in quota.limits]
