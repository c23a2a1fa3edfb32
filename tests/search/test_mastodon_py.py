"""Mastodon.py's `search_v2` and `account_search` against a server started by the test."""

from __future__ import annotations

from mastodon import Mastodon

from tests.web.test_mastodon_py import PASSWORD, server

__all__ = ["server"]


def test_mastodon_py_searches(server: str) -> None:
    client_id, client_secret = Mastodon.create_app("Mastodon.py search", api_base_url=server)

    def account(name: str) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
        api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
        return api

    puffin, reader = account("puffin"), account("reader")
    puffin.account_update_credentials(display_name="Atlantic Puffin", indexable=True)
    posted = puffin.status_post("puffins nest in #burrows")

    found = reader.search_v2("atlantic")
    assert [a.username for a in found.accounts] == ["puffin"]
    statuses = reader.search_v2("nest puffins", result_type="statuses")
    assert [s.id for s in statuses.statuses] == [posted.id]
    # Mastodon.py excludes unreviewed tags by default: only the exact name is found
    assert reader.search_v2("#burr", result_type="hashtags").hashtags == []
    tags = reader.search_v2("#burrows", result_type="hashtags")
    assert [t.name for t in tags.hashtags] == ["burrows"]
    assert [a.username for a in reader.account_search("puf")] == ["puffin"]
    assert reader.account_search("puf", following=True) == []
    reader.account_follow(reader.account_lookup("puffin").id)
    assert [a.username for a in reader.account_search("puf", following=True)] == ["puffin"]
