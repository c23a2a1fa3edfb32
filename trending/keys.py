"""Every Redis key of the engine, built here and nowhere else.

All keys share the hash tag `{trend}`, so they live in one Redis Cluster slot and one script
may touch any of them. Scripts get the base or the prefixes below and append a tag or a bucket
number in the same layout (common.lua builds a tag's names from `base`).
"""

from __future__ import annotations


class TrendKeys:
    def __init__(self, prefix: str = "") -> None:
        self.base = f"{prefix}{{trend}}:"
        self.counts_prefix = self.base + "counts:"
        self.last_prefix = self.base + "last:"
        self.review = self.base + "review"
        self.ranks_all = self.base + "rank:all"
        self.ranks_approved = self.base + "rank:approved"
        self.dirty = self.base + "dirty"
        """Set: tags with new recent authors since they were last scored (`settle`)."""

    def counts(self, tag: str) -> str:
        """Hash: `u<bucket>` -> uses, `a<bucket>` -> distinct authors, for the windows."""
        return f"{self.counts_prefix}{tag}"

    @staticmethod
    def counts_fields(bucket: int) -> tuple[str, str]:
        """The uses and the authors fields of a bucket in `counts` (the scripts too)."""
        return f"u{bucket}", f"a{bucket}"

    def posts_prefix(self, tag: str) -> str:
        return f"{self.base}posts:{tag}:"

    def posts(self, tag: str, bucket: int) -> str:
        """Hash: `s:<status>` -> author, `a:<author>` -> uses, for one tag in one bucket."""
        return f"{self.posts_prefix(tag)}{bucket}"

    def day(self, tag: str, day: int) -> str:
        """Hash: `uses` -> uses, `a:<author>` -> uses by that author, for one tag in one day."""
        return f"{self.base}day:{tag}:{day}"

    def last(self, tag: str) -> str:
        """Sorted set: author -> newest bucket they used the tag in, over the recent window."""
        return f"{self.last_prefix}{tag}"

    def meta(self, tag: str) -> str:
        """Hash: `peak`, `peak_at`, and the cached expectation `e` for bucket `eb`."""
        return f"{self.base}meta:{tag}"

    def ranks(self) -> tuple[str, str]:
        """Sorted sets of ranks: all tags, approved ones. (Tags that are not rejected, public
        when trendable by default, are read from all: rejected tags are few.)"""
        return self.ranks_all, self.ranks_approved
