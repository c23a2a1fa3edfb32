"""OAuth scopes as Mastodon defines them."""

from __future__ import annotations

import pytest

from social.platform.scopes import allows, granted_covers, is_subset, parse_scopes


def test_top_level_scopes_cover_their_granular_ones() -> None:
    assert allows(["read"], "read:statuses")
    assert allows(["admin:read"], "admin:read:accounts")
    assert not allows(["read"], "write:statuses")
    assert not allows(["read:statuses"], "read")


def test_follow_covers_follows_blocks_and_mutes_only() -> None:
    assert allows(["follow"], "write:blocks")
    assert allows(["follow"], "read:mutes")
    assert not allows(["follow"], "write:statuses")


def test_parsing_keeps_order_drops_repeats_and_refuses_unknown_scopes() -> None:
    assert parse_scopes("write read,write") == ["write", "read"]
    assert parse_scopes(None) == ["read"]
    assert parse_scopes("", default="read write") == ["read", "write"]
    with pytest.raises(ValueError, match="unknown scope"):
        parse_scopes("read everything")


def test_granted_covers_one_of_the_asked() -> None:
    assert granted_covers("read write", ("read:accounts", "profile"))
    assert granted_covers("profile", ("read:accounts", "profile"))
    assert not granted_covers("write", ("read:accounts", "profile"))


def test_subsets() -> None:
    assert is_subset(["read:statuses", "write"], ["read", "write"])
    assert not is_subset(["push"], ["read", "write"])
