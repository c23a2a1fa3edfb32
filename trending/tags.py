"""Tag names: one spelling per hashtag."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .errors import InvalidTag

MAX_TAG_CHARS = 200


@lru_cache(maxsize=65_536)
def normalize_tag(name: str) -> str:
    """The canonical form of a hashtag: without leading `#`, NFKC case-folded.

    `#Café`, `CAFÉ` and `ｃａｆé` (full width) are all `café`.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    tag = folded.lstrip("#")
    if not tag:
        raise InvalidTag(f"empty tag: {name!r}")
    if len(tag) > MAX_TAG_CHARS:
        raise InvalidTag(f"tag longer than {MAX_TAG_CHARS} characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in tag):
        raise InvalidTag(f"tag with whitespace or control characters: {name!r}")
    return tag
