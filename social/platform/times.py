"""Times as Mastodon's entities write them."""

from __future__ import annotations

from typing import Any


def iso(ts: Any) -> str:
    """ISO 8601 in UTC, to the millisecond, with a `Z` (`2026-12-01T18:43:19.123Z`)."""
    return str(ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z")
