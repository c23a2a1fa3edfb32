"""The exceptions this package raises."""

from __future__ import annotations


class TrendingError(Exception):
    """Base class of the errors raised by `trending`."""


class TrendStoreError(TrendingError):
    """Redis failed or could not be reached."""


class InvalidTag(TrendingError, ValueError):
    """A tag name that cannot be a hashtag (empty, whitespace, control characters, too long)."""
