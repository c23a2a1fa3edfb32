"""Who follows whom, as a Mastodon client lists it: pages of accounts, newest follow first,
with the `Link` header to the next page."""

from __future__ import annotations

import httpx

from tests.helpers import follow, make_user, register_app


async def test_followers_and_following_in_pages(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    star = await make_user(client, app, "star")
    fans = [await make_user(client, app, f"fan{i}") for i in range(3)]
    for fan in fans:
        await follow(client, fan, star)

    r = await client.get(f"/api/v1/accounts/{star.id}/followers", params={"limit": 2})
    assert r.status_code == 200
    assert [a["username"] for a in r.json()] == ["fan2", "fan1"]  # newest follow first
    link = r.headers["link"]
    assert 'rel="next"' in link
    assert 'rel="prev"' in link
    next_url = link.split(";")[0].strip("<>")
    older = await client.get(next_url)
    assert [a["username"] for a in older.json()] == ["fan0"]

    r = await client.get(f"/api/v1/accounts/{fans[0].id}/following")
    assert [a["username"] for a in r.json()] == ["star"]
    assert (await client.get(f"/api/v1/accounts/{star.id}/following")).json() == []


async def test_lists_of_an_unknown_account_are_404(client: httpx.AsyncClient) -> None:
    for which in ("followers", "following"):
        r = await client.get(f"/api/v1/accounts/12345/{which}")
        assert r.status_code == 404
        assert r.json() == {"error": "Record not found"}
