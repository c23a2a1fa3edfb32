"""The one exception type the store raises for a failing Redis."""

from __future__ import annotations


class SessionStoreError(Exception):
    """Redis could not be reached or answered with an error; the app should answer 503."""
