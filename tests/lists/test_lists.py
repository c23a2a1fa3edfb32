"""Lists as a Mastodon client manages them: create, read, rename, delete; members only among
the accounts you follow; nothing written when any part of a request is refused; another's
list is not found."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from social.lists.service import PER_ACCOUNT_LIMIT
from tests.helpers import follow, make_user, register_app
from tests.lists.helpers import add, member_names, new_list


async def test_create_read_update_delete(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.post("/api/v1/lists", headers=alice.auth, json={"title": " Friends "})
    assert r.status_code == 200, r.text
    made = r.json()
    assert made == {
        "id": made["id"],
        "title": "Friends",
        "replies_policy": "list",
        "exclusive": False,
    }
    other = await new_list(client, alice, "Work", replies_policy="none", exclusive="true")

    r = await client.get("/api/v1/lists", headers=alice.auth)
    assert [(x["title"], x["replies_policy"], x["exclusive"]) for x in r.json()] == [
        ("Friends", "list", False),
        ("Work", "none", True),
    ]
    r = await client.get(f"/api/v1/lists/{other}", headers=alice.auth)
    assert r.json()["title"] == "Work"

    r = await client.put(
        f"/api/v1/lists/{made['id']}",
        headers=alice.auth,
        json={"replies_policy": "followed", "exclusive": True},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {**made, "replies_policy": "followed", "exclusive": True}
    r = await client.put(f"/api/v1/lists/{made['id']}", headers=alice.auth, data={"title": "Pals"})
    assert r.json()["title"] == "Pals"

    r = await client.delete(f"/api/v1/lists/{made['id']}", headers=alice.auth)
    assert (r.status_code, r.json()) == (200, {})
    r = await client.get(f"/api/v1/lists/{made['id']}", headers=alice.auth)
    assert r.status_code == 404
    r = await client.get("/api/v1/lists", headers=alice.auth)
    assert [x["id"] for x in r.json()] == [other]


async def test_bad_input_writes_nothing(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    for form, error in [
        ({}, "Validation failed: Title can't be blank"),
        ({"title": "   "}, "Validation failed: Title can't be blank"),
        ({"title": "x" * 257}, "Validation failed: Title is too long (maximum is 256 characters)"),
        (
            {"title": "x", "replies_policy": "everyone"},
            "Validation failed: Replies policy is not included in the list",
        ),
    ]:
        r = await client.post("/api/v1/lists", headers=alice.auth, data=form)
        assert (r.status_code, r.json()["error"]) == (422, error), form
    r = await client.post(
        "/api/v1/lists", headers=alice.auth, data={"title": "x", "exclusive": "maybe"}
    )
    assert r.status_code == 422
    assert (await client.get("/api/v1/lists", headers=alice.auth)).json() == []

    made = await new_list(client, alice, "Keep")
    r = await client.put(f"/api/v1/lists/{made}", headers=alice.auth, data={"title": ""})
    assert (r.status_code, r.json()["error"]) == (422, "Validation failed: Title can't be blank")
    r = await client.put(f"/api/v1/lists/{made}", headers=alice.auth, data={"replies_policy": "x"})
    assert r.status_code == 422
    assert (await client.get(f"/api/v1/lists/{made}", headers=alice.auth)).json()["title"] == "Keep"
    for path in ("/api/v1/lists/123", "/api/v1/lists/nope", "/api/v1/timelines/list/123"):
        assert (await client.get(path, headers=alice.auth)).status_code == 404


async def test_the_limit_of_lists(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    for n in range(PER_ACCOUNT_LIMIT):
        await new_list(client, alice, f"list {n}")
    r = await client.post("/api/v1/lists", headers=alice.auth, data={"title": "one more"})
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: You have reached the maximum number of lists"
    assert len((await client.get("/api/v1/lists", headers=alice.auth)).json()) == PER_ACCOUNT_LIMIT


async def test_another_persons_list_is_not_found(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, mallory = [await make_user(client, client_app, n) for n in ("alice", "mallory")]
    await follow(client, mallory, alice)
    theirs = await new_list(client, alice, "Mine")
    base = f"/api/v1/lists/{theirs}"
    for method, path, form in [
        ("GET", base, None),
        ("PUT", base, {"title": "Taken"}),
        ("DELETE", base, None),
        ("GET", f"{base}/accounts", None),
        ("POST", f"{base}/accounts", {"account_ids[]": [alice.id]}),
        ("DELETE", f"{base}/accounts", {"account_ids[]": [alice.id]}),
        ("GET", f"/api/v1/timelines/list/{theirs}", None),
    ]:
        r = await client.request(method, path, headers=mallory.auth, data=form)
        assert (r.status_code, r.json()) == (404, {"error": "Record not found"}), (method, path)
    assert (await client.get("/api/v1/lists", headers=mallory.auth)).json() == []
    r = await client.get(base, headers=alice.auth)
    assert r.json()["title"] == "Mine"


async def test_members_only_among_those_you_follow(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    friends = await new_list(client, alice, "Friends")
    path = f"/api/v1/lists/{friends}/accounts"

    async def adding(*ids: str) -> httpx.Response:
        return await client.post(path, headers=alice.auth, data={"account_ids[]": list(ids)})

    r = await adding(bob.id, dave.id)  # dave is not followed
    assert (r.status_code, r.json()["error"]) == (
        422,
        "Validation failed: Account follow relationship missing",
    )
    r = await adding(bob.id, "999999")
    assert (r.status_code, r.json()["error"]) == (404, "Record not found")
    assert await member_names(client, alice, friends) == []

    await add(client, alice, friends, bob, alice)  # yourself too, as Mastodon
    r = await adding(carol.id, bob.id)
    assert (r.status_code, r.json()["error"]) == (
        422,
        "Validation failed: Account has already been taken",
    )
    r = await adding(carol.id, carol.id)
    assert r.status_code == 422
    assert await member_names(client, alice, friends) == ["alice", "bob"]
    await add(client, alice, friends, carol)

    r = await client.get(f"/api/v1/accounts/{bob.id}/lists", headers=alice.auth)
    assert [x["id"] for x in r.json()] == [friends]
    r = await client.get(f"/api/v1/accounts/{dave.id}/lists", headers=alice.auth)
    assert r.json() == []
    r = await client.get(f"/api/v1/accounts/{bob.id}/lists", headers=carol.auth)
    assert r.json() == []
    r = await client.get("/api/v1/accounts/999999/lists", headers=alice.auth)
    assert r.status_code == 404

    r = await client.request(
        "DELETE", path, headers=alice.auth, data={"account_ids[]": [bob.id, dave.id]}
    )
    assert (r.status_code, r.json()) == (200, {})
    assert await member_names(client, alice, friends) == ["alice", "carol"]


async def test_members_are_paged_by_link(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    others = [await make_user(client, client_app, f"user{n}") for n in range(5)]
    for other in others:
        await follow(client, alice, other)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, *others)
    path = f"/api/v1/lists/{friends}/accounts"
    r = await client.get(path, headers=alice.auth, params={"limit": 2})
    first = [a["id"] for a in r.json()]
    assert len(first) == 2
    assert 'rel="next"' in r.headers["link"]
    older = r.links["next"]["url"]
    r = await client.get(older, headers=alice.auth)
    second = [a["id"] for a in r.json()]
    assert len(second) == 2
    assert not set(first) & set(second)
    r = await client.get(path, headers=alice.auth, params={"limit": 0})
    every = [a["id"] for a in r.json()]
    assert len(every) == 5
    assert "link" not in r.headers
    assert first + second == every[:4]


async def test_unfollowing_removes_the_member(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob)
    r = await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.auth)
    assert r.status_code == 200
    assert await member_names(client, alice, friends) == []
    await app.state.ctx.events.drain()
