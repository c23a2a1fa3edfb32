"""The library's own exception type."""

from __future__ import annotations


class RateLimitError(Exception):
    """Base class of errors raised by `ratelimit`."""


class StoreError(RateLimitError):
    """Redis failed, timed out or answered something unexpected; wraps the cause."""
