"""Several statuses or accounts at once (`?id[]=`), as Mastodon 4.3: in the order asked, each
once, and only what the caller may see."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import follow, make_user, post, register_app


def ids_of(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()]


async def test_statuses_in_the_order_asked_and_only_the_visible(
    client: httpx.AsyncClient,
) -> None:
    app = await register_app(client)
    alice, bob, carol = [await make_user(client, app, n) for n in ("alice", "bob", "carol")]
    await follow(client, bob, alice)
    public = (await post(client, alice, "to all"))["id"]
    private = (await post(client, alice, "followers only", visibility="private"))["id"]
    direct = (await post(client, alice, "@carol just you", visibility="direct"))["id"]
    asked = [private, "999999", public, direct, public]
    query = [("id[]", i) for i in asked]

    assert ids_of(await client.get("/api/v1/statuses", params=query)) == [public]
    assert ids_of(await client.get("/api/v1/statuses", params=query, headers=bob.auth)) == [
        private,
        public,
    ]
    assert ids_of(await client.get("/api/v1/statuses", params=query, headers=carol.auth)) == [
        public,
        direct,
    ]
    mine = await client.get("/api/v1/statuses", params=query, headers=alice.auth)
    assert ids_of(mine) == [private, public, direct]
    assert [s["favourited"] for s in mine.json()] == [False, False, False]
    assert ids_of(await client.get("/api/v1/statuses", params={"id": public})) == [public]
    assert ids_of(await client.get("/api/v1/statuses")) == []


async def test_accounts_in_the_order_asked(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    alice, bob = await make_user(client, app, "alice"), await make_user(client, app, "bob")
    query = [("id[]", bob.id), ("id[]", "12345"), ("id[]", alice.id), ("id[]", bob.id)]
    r = await client.get("/api/v1/accounts", params=query)
    assert ids_of(r) == [bob.id, alice.id]
    assert [a["username"] for a in r.json()] == ["bob", "alice"]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/statuses", [("id[]", str(i)) for i in range(1, 22)]),  # more than 20
        ("/api/v1/accounts", [("id[]", str(i)) for i in range(1, 42)]),  # more than 40
        ("/api/v1/statuses", [("id[]", "abc")]),
        ("/api/v1/accounts", [("id[]", "-1")]),
        ("/api/v1/accounts", [("id[]", "9223372036854775808")]),
    ],
)
async def test_bad_id_lists_are_refused(
    client: httpx.AsyncClient, path: str, query: list[tuple[str, str]]
) -> None:
    r = await client.get(path, params=query)
    assert r.status_code == 422, r.text
    assert all(field.partition(".")[0] == "id" for field in r.json()["details"])
