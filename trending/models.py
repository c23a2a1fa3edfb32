"""What the engine returns: trends, review states, history points."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from .types import Id


class Review(StrEnum):
    """An admin's decision on a tag. Unreviewed tags are pending."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Use(NamedTuple):
    """One hashtag in one status: what `record_many` and `remove_many` take."""

    tag: str
    author_id: Id
    status_id: Id
    at: float
    """When the status was posted (seconds since the epoch); the same for record and remove."""


@dataclass(frozen=True, slots=True)
class Trend:
    """A tag's standing: its decayed score and its counts in the recent window."""

    tag: str
    score: float
    uses: int
    accounts: int
    review: Review


@dataclass(frozen=True, slots=True)
class Point:
    """Uses and distinct accounts in one bucket or one day starting at `start_s` (UTC)."""

    start_s: int
    uses: int
    accounts: int


@dataclass(frozen=True, slots=True)
class History:
    """A tag's recent buckets and days, newest first."""

    tag: str
    buckets: list[Point]
    days: list[Point]

    def mastodon(self) -> list[dict[str, str]]:
        """The days as Mastodon's Tag `history`: day start, uses and accounts as strings."""
        return [
            {"day": str(p.start_s), "uses": str(p.uses), "accounts": str(p.accounts)}
            for p in self.days
        ]
