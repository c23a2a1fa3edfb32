"""Filters applied on the read paths: hide drops, warn marks (`filtered`), in the contexts named."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.filters.test_filters_api import create
from tests.helpers import User, follow, make_user, post, register_app


async def setup(client: httpx.AsyncClient, app: Starlette) -> tuple[User, User]:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, alice, bob)
    await client.get("/api/v1/timelines/home", headers=alice.auth)  # builds her feed
    await app.state.ctx.events.drain()
    return alice, bob


async def texts(client: httpx.AsyncClient, user: User, path: str, **params: Any) -> list[str]:
    r = await client.get(path, headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    return [s["content"] for s in r.json()]


async def test_hide_drops_matching_statuses_from_every_timeline_in_its_contexts(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    await create(
        client,
        alice,
        context=["home", "public", "account", "thread"],
        filter_action="hide",
        keywords_attributes=[{"keyword": "Spoiler"}],
    )
    root = await post(client, bob, "root #show")
    await post(client, bob, "a spoiler #show", in_reply_to_id=root["id"])
    await post(client, bob, "fine #show", in_reply_to_id=root["id"])
    await app.state.ctx.events.drain()
    fine = ["<p>fine <a", "<p>root <a"]
    for path in (
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/tag/show",
        f"/api/v1/accounts/{bob.id}/statuses",
    ):
        found = await texts(client, alice, path)
        assert [t[: len(f)] for t, f in zip(found, fine, strict=True)] == fine, path
        assert len(await texts(client, bob, path)) == 3, path  # bob's view: no filters
    r = await client.get(f"/api/v1/statuses/{root['id']}/context", headers=alice.auth)
    assert [s["content"][:7] for s in r.json()["descendants"]] == ["<p>fine"]


async def test_warn_marks_the_status_with_the_filter_and_keyword(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    made = await create(client, alice, title="Cats", keywords_attributes=[{"keyword": "cat"}])
    status = await post(client, bob, "My CAT again")
    await post(client, bob, "concatenated, not a word match")
    await app.state.ctx.events.drain()
    home = (await client.get("/api/v1/timelines/home", headers=alice.auth)).json()
    assert len(home) == 2
    assert "filtered" not in home[0]
    (result,) = home[1]["filtered"]
    assert result["keyword_matches"] == ["CAT"]
    assert result["status_matches"] is None
    assert result["filter"] == {
        "id": made["id"],
        "title": "Cats",
        "context": ["home", "public"],
        "expires_at": None,
        "filter_action": "warn",
    }
    # a status asked for by id shows what it matches in the thread context: none here
    one = (await client.get(f"/api/v1/statuses/{status['id']}", headers=alice.auth)).json()
    assert "filtered" not in one
    # anonymous readers see no filters
    public = (await client.get("/api/v1/timelines/public")).json()
    assert all("filtered" not in s for s in public)


async def test_a_status_filter_and_a_single_status_read(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    status = await post(client, bob, "this one")
    made = await create(client, alice, context=["thread"], filter_action="hide")
    r = await client.post(
        f"/api/v2/filters/{made['id']}/statuses",
        headers=alice.auth,
        json={"status_id": status["id"]},
    )
    assert r.status_code == 200
    one = (await client.get(f"/api/v1/statuses/{status['id']}", headers=alice.auth)).json()
    (result,) = one["filtered"]  # never dropped when asked for by id: marked, hide named
    assert result["status_matches"] == [status["id"]]
    assert result["keyword_matches"] is None
    assert result["filter"]["filter_action"] == "hide"
    await app.state.ctx.events.drain()
    assert len(await texts(client, alice, "/api/v1/timelines/home")) == 1  # not a home filter


async def test_hide_drops_notifications_of_matching_statuses(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    await create(
        client,
        alice,
        context=["notifications"],
        filter_action="hide",
        keywords_attributes=[{"keyword": "buy"}],
    )
    await post(client, bob, "@alice buy now")
    await post(client, bob, "@alice hello")
    await app.state.ctx.events.drain()
    r = await client.get("/api/v1/notifications", headers=alice.auth)
    assert [n["status"]["content"].endswith("hello</p>") for n in r.json()] == [True]
    grouped = (await client.get("/api/v2/notifications", headers=alice.auth)).json()
    assert len(grouped["notification_groups"]) == 1
    # the same statuses in her home are untouched: the filter names notifications only
    assert len(await texts(client, alice, "/api/v1/timelines/home")) == 2


async def test_a_filter_written_applies_at_once_and_its_removal_too(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    await post(client, bob, "about cats")
    await app.state.ctx.events.drain()
    assert len(await texts(client, alice, "/api/v1/timelines/home")) == 1  # blob cached: none
    await app.state.ctx.settle()
    made = await create(
        client, alice, filter_action="hide", keywords_attributes=[{"keyword": "cats"}]
    )
    assert await texts(client, alice, "/api/v1/timelines/home") == []
    await client.delete(f"/api/v2/filters/{made['id']}", headers=alice.auth)
    assert len(await texts(client, alice, "/api/v1/timelines/home")) == 1


async def test_a_boost_is_judged_by_the_status_it_boosts(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await setup(client, app)
    carol = await make_user(client, await register_app(client), "carol")
    await create(
        client,
        alice,
        context=["home"],
        filter_action="hide",
        keywords_attributes=[{"keyword": "spoiler"}],
    )
    await create(client, alice, context=["home"], keywords_attributes=[{"keyword": "cats"}])
    hidden = await post(client, carol, "a spoiler")
    warned = await post(client, carol, "cats again")
    for status in (hidden, warned):
        r = await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.auth)
        assert r.status_code == 200, r.text
    await app.state.ctx.events.drain()
    home = (await client.get("/api/v1/timelines/home", headers=alice.auth)).json()
    assert [s["reblog"]["id"] for s in home] == [warned["id"]]  # the hidden one's boost left
    (result,) = home[0]["reblog"]["filtered"]
    assert result["keyword_matches"] == ["cats"]
    assert "filtered" not in home[0]
