"""OAuth scopes as Mastodon defines them: `read` grants every `read:*`, and so on."""

from __future__ import annotations

import functools
from collections.abc import Iterable

KIND_USER = "user"
"""A token acting for a person (its session's `kind`)."""
KIND_APP = "app"
"""A token of an application alone (`client_credentials`)."""

TOP_LEVEL = ("read", "write", "follow", "push", "profile")
GRANULAR = [
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "admin:read",
    "admin:write",
    "admin:read:accounts",
    "admin:write:accounts",
    "admin:read:reports",
    "admin:write:reports",
]
KNOWN = frozenset(TOP_LEVEL + tuple(GRANULAR))
FOLLOW_IMPLIES = frozenset(
    ["read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"]
)


def parse_scopes(raw: str | Iterable[str] | None, default: str = "read") -> list[str]:
    """Split and de-duplicate, keeping order; raise ValueError on an unknown scope."""
    if raw is None or raw == "":
        raw = default
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    unknown = [s for s in items if s not in KNOWN]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}")
    return list(dict.fromkeys(items))


def allows(granted: Iterable[str], needed: str) -> bool:
    """Whether `granted` covers `needed` (`read` covers `read:accounts`, `admin:read` covers
    `admin:read:accounts`, `follow` covers the follow/block/mute scopes)."""
    granted = set(granted)
    if needed in granted:
        return True
    parts = needed.split(":")
    for i in range(1, len(parts)):
        if ":".join(parts[:i]) in granted:
            return True
    return needed in FOLLOW_IMPLIES and "follow" in granted


@functools.lru_cache(maxsize=1024)
def granted_covers(granted: str, any_of: tuple[str, ...]) -> bool:
    """Whether the space-separated `granted` covers one of `any_of` (asked on every request
    with the token's scopes as stored: a handful of distinct questions, remembered)."""
    held = granted.split()
    return any(allows(held, needed) for needed in any_of)


def is_subset(requested: Iterable[str], allowed: Iterable[str]) -> bool:
    allowed = list(allowed)
    return all(allows(allowed, scope) for scope in requested)
