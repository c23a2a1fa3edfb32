"""Full-text search of statuses: what Mastodon finds for a viewer (their own, mentioning them,
favourited, bookmarked, boosted, public ones of indexable authors) and never what the viewer
may not see (others' private or direct statuses, deleted ones, blocked, blocking or muted
authors); `account_id`, `min_id`/`max_id`, signed out."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import User, follow, make_user, post, register_app


async def found(
    client: httpx.AsyncClient, user: User | None, q: str, **params: object
) -> list[str]:
    headers = user.auth if user else {}
    r = await client.get(
        "/api/v2/search", params={"q": q, "type": "statuses", **params}, headers=headers
    )
    assert r.status_code == 200, r.text
    return sorted(s["content"] for s in r.json()["statuses"])


async def indexable(client: httpx.AsyncClient, user: User, on: bool) -> None:
    r = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=user.auth,
        data={"indexable": "true" if on else "false"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["indexable"] is on
    assert r.json()["source"]["indexable"] is on


async def test_what_a_viewer_finds(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    me, friend, stranger, opted = [
        await make_user(client, client_app, n) for n in ("me", "friend", "stranger", "opted")
    ]
    assert (await client.get(f"/api/v1/accounts/{opted.id}")).json()["indexable"] is False
    await indexable(client, opted, True)
    await follow(client, me, friend)

    await post(client, me, "walrus mine", visibility="private")
    await post(client, stranger, "walrus public unindexed")
    await post(client, opted, "walrus public indexed")
    await post(client, opted, "walrus unlisted indexed", visibility="unlisted")
    await post(client, stranger, "@me walrus mentions me", visibility="direct")
    await post(client, stranger, "@friend walrus direct to another", visibility="direct")
    await post(client, friend, "walrus private of a friend", visibility="private")
    faved = await post(client, stranger, "walrus favourited")
    marked = await post(client, stranger, "walrus bookmarked")
    boosted = await post(client, stranger, "walrus boosted")
    secret = await post(client, stranger, "walrus private favourited", visibility="private")
    await client.post(f"/api/v1/statuses/{faved['id']}/favourite", headers=me.auth)
    await client.post(f"/api/v1/statuses/{marked['id']}/bookmark", headers=me.auth)
    await client.post(f"/api/v1/statuses/{boosted['id']}/reblog", headers=me.auth)
    # favourited while allowed to see it? never: a private status of someone not followed
    await client.post(f"/api/v1/statuses/{secret['id']}/favourite", headers=me.auth)

    mine = await found(client, me, "WALRUS")  # case does not matter
    texts = " ".join(mine)
    for shown in ("mine", "public indexed", "mentions me", "favourited<", "bookmarked", "boosted"):
        assert shown in texts, shown
    for hidden in ("unindexed", "unlisted", "another", "of a friend", "private favourited"):
        assert hidden not in texts, hidden
    assert len(mine) == 6

    # all words, any order; none matches: nothing
    assert len(await found(client, me, "indexed walrus public")) == 1
    assert await found(client, me, "walrus narwhal") == []
    assert await found(client, me, "#walrus") == []  # a hashtag query searches hashtags
    assert len(await found(client, me, "#walrus indexed")) == 1  # with words: statuses too
    # one author; signed out: no statuses at all
    assert len(await found(client, me, "walrus", account_id=opted.id)) == 1
    assert await found(client, None, "walrus") == []

    # the opt-out takes them out again
    await indexable(client, opted, False)
    assert "public indexed" not in " ".join(await found(client, me, "walrus"))


async def test_never_deleted_blocked_muted_or_blocking(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    me = await make_user(client, client_app, "me")
    authors = {
        n: await make_user(client, client_app, n)
        for n in ("blocked", "muted", "blocker", "kept", "gone")
    }
    for author in authors.values():
        await indexable(client, author, True)
        await post(client, author, f"otter by {author.username}")
    doomed = await post(client, authors["gone"], "otter deleted")
    await client.delete(f"/api/v1/statuses/{doomed['id']}", headers=authors["gone"].auth)
    await client.post(f"/api/v1/accounts/{authors['blocked'].id}/block", headers=me.auth)
    await client.post(f"/api/v1/accounts/{authors['muted'].id}/mute", headers=me.auth)
    await client.post(f"/api/v1/accounts/{me.id}/block", headers=authors["blocker"].auth)
    texts = " ".join(await found(client, me, "otter"))
    assert "by kept" in texts
    assert "by gone" in texts
    for hidden in ("by blocked", "by muted", "by blocker", "deleted"):
        assert hidden not in texts, hidden


async def test_paging_by_id_and_offset(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    me = await make_user(client, client_app, "me")
    ids = [(await post(client, me, f"beaver {n}"))["id"] for n in range(5)]

    async def page(**params: object) -> list[str]:
        r = await client.get(
            "/api/v2/search",
            params={"q": "beaver", "type": "statuses", **params},
            headers=me.auth,
        )
        return [s["id"] for s in r.json()["statuses"]]

    assert await page() == ids[::-1]  # newest first
    assert await page(limit=2) == [ids[4], ids[3]]
    assert await page(limit=2, offset=2) == [ids[2], ids[1]]
    assert await page(max_id=ids[3]) == [ids[2], ids[1], ids[0]]
    assert await page(min_id=ids[1], max_id=ids[4]) == [ids[3], ids[2]]


async def test_a_url_of_this_server_resolves(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    me = await make_user(client, client_app, "me")
    other = await make_user(client, client_app, "other")
    status = await post(client, other, "a seal")
    secret = await post(client, other, "a private seal", visibility="private")

    async def resolve(q: str) -> dict[str, list[dict[str, str]]]:
        r = await client.get("/api/v2/search", params={"q": q, "resolve": "true"}, headers=me.auth)
        assert r.status_code == 200, r.text
        body: dict[str, list[dict[str, str]]] = r.json()
        return body

    assert [s["id"] for s in (await resolve(status["url"]))["statuses"]] == [status["id"]]
    assert [s["id"] for s in (await resolve(status["uri"]))["statuses"]] == [status["id"]]
    assert (await resolve(secret["url"]))["statuses"] == []  # not theirs to see
    profile = await resolve(status["account"]["url"])
    assert [a["id"] for a in profile["accounts"]] == [other.id]
    assert await resolve("https://elsewhere.example/@other") == {
        "accounts": [],
        "statuses": [],
        "hashtags": [],
    }
