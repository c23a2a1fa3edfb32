"""What a write answers is what a read from the database shows: a post, a favourite and a
delete render from what they wrote (no reload), and must agree with a rendering from the rows
once the caches are dropped."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, make_user, post, register_app


async def from_database(
    app: Starlette, client: httpx.AsyncClient, answered: dict[str, Any], auth: dict[str, str]
) -> dict[str, Any]:
    """The status a write `answered` as a read renders it with nothing cached (its author
    neither)."""
    ctx = app.state.ctx
    await ctx.accounts.invalidate([int(answered["account"]["id"])])
    await ctx.statuses.invalidate([int(answered["id"])])
    r = await client.get(f"/api/v1/statuses/{answered['id']}", headers=auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_post_answers_what_the_database_shows(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    first = await post(client, bob, "a question #Topic")
    reply = await post(
        client,
        alice,
        "@bob an answer #topic #Other",
        in_reply_to_id=first["id"],
        visibility="unlisted",
        spoiler_text="cw",
        language="de",
    )
    shown = await from_database(app, client, reply, alice.auth)
    assert reply == shown
    assert reply["account"]["statuses_count"] == 1
    assert [m["username"] for m in reply["mentions"]] == ["bob"]
    assert {t["name"] for t in reply["tags"]} == {"topic", "other"}
    # the replied-to status's count moved, and no stale copy of it is served
    answered = await client.get(f"/api/v1/statuses/{first['id']}", headers=bob.auth)
    assert answered.json()["replies_count"] == 1
    # tags and mentions written in another order than their ids': the answer orders them as
    # a load from the database does
    await make_user(client, client_app, "carol")
    crossed = await post(client, alice, "@carol and @bob #Zeta #topic")
    assert crossed == await from_database(app, client, crossed, alice.auth)


async def test_a_favourite_answers_the_count_the_database_holds(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    carol = await make_user(client, client_app, "carol")
    status = await post(client, alice, "like me")
    for n, fan in enumerate((bob, carol), start=1):
        r = await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=fan.auth)
        assert r.status_code == 200, r.text
        assert r.json()["favourites_count"] == n
        assert r.json()["favourited"] is True
        assert r.json() == await from_database(app, client, r.json(), fan.auth)
    again = await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.auth)
    assert again.json()["favourites_count"] == 2  # idempotent: counted once
    undone = await client.post(f"/api/v1/statuses/{status['id']}/unfavourite", headers=bob.auth)
    assert undone.json()["favourites_count"] == 1
    assert undone.json()["favourited"] is False
    assert undone.json() == await from_database(app, client, undone.json(), bob.auth)


async def test_a_delete_leaves_the_counts_the_database_holds(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    first = await post(client, bob, "a question")
    reply = await post(client, alice, "an answer", in_reply_to_id=first["id"])
    kept = await post(client, alice, "kept")
    boost = await client.post(f"/api/v1/statuses/{reply['id']}/reblog", headers=bob.auth)
    assert boost.status_code == 200, boost.text
    r = await client.delete(f"/api/v1/statuses/{reply['id']}", headers=alice.auth)
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "an answer"
    gone = await client.get(f"/api/v1/statuses/{reply['id']}", headers=alice.auth)
    assert gone.status_code == 404
    boost_gone = await client.get(f"/api/v1/statuses/{boost.json()['id']}", headers=bob.auth)
    assert boost_gone.status_code == 404
    answered = await client.get(f"/api/v1/statuses/{first['id']}", headers=bob.auth)
    assert answered.json()["replies_count"] == 0
    assert answered.json()["account"]["statuses_count"] == 1  # the boost went with it
    shown = await client.get(f"/api/v1/statuses/{kept['id']}", headers=alice.auth)
    assert shown.json()["account"]["statuses_count"] == 1
    assert shown.json() == await from_database(app, client, kept, alice.auth)
