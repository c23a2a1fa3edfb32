"""Editing a status's poll, as Mastodon's edits do: new options drop the votes (they answered
another question), the same options keep them, the end moves (and its notice with it), an edit
that leaves the poll out removes it; each version's options stay in the history."""

from __future__ import annotations

import time
from typing import Any

import httpx
from starlette.applications import Starlette

from social.polls import expiry
from tests.helpers import User, make_user, post, register_app


async def _edit(
    client: httpx.AsyncClient, user: User, status_id: str, **body: Any
) -> dict[str, Any]:
    r = await client.put(f"/api/v1/statuses/{status_id}", headers=user.auth, json=body)
    assert r.status_code == 200, r.text
    edited: dict[str, Any] = r.json()
    return edited


async def test_editing_a_poll(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    status = await post(client, alice, "Tea?", poll={"options": ["yes", "no"], "expires_in": 600})
    poll_id = status["poll"]["id"]
    r = await client.post(f"/api/v1/polls/{poll_id}/votes", headers=bob.auth, json={"choices": [0]})
    assert r.status_code == 200, r.text

    same = await _edit(
        client,
        alice,
        status["id"],
        status="Tea? (iced)",
        poll={"options": ["yes", "no"], "expires_in": 7200},
    )
    assert same["poll"]["votes_count"] == 1  # the same question: the votes stay
    due = await ctx.scheduler.due_at(expiry.KIND, poll_id)
    assert due is not None
    assert due > time.time() + 7000  # its end moved, and its notice with it

    anew = await _edit(
        client,
        alice,
        status["id"],
        status="Coffee?",
        poll={"options": ["yes", "no", "maybe"], "expires_in": 600},
    )
    assert [o["title"] for o in anew["poll"]["options"]] == ["yes", "no", "maybe"]
    assert anew["poll"]["votes_count"] == 0  # another question: the votes go
    shown = (await client.get(f"/api/v1/polls/{poll_id}", headers=bob.auth)).json()
    assert shown["voted"] is False
    assert shown["own_votes"] == []

    gone = await _edit(client, alice, status["id"], status="Never mind")
    assert gone["poll"] is None
    history = (await client.get(f"/api/v1/statuses/{status['id']}/history")).json()
    assert [v["poll"] and [o["title"] for o in v["poll"]["options"]] for v in history] == [
        ["yes", "no"],
        ["yes", "no"],
        ["yes", "no", "maybe"],
        None,
    ]


async def test_a_bad_poll_in_an_edit_changes_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    status = await post(client, alice, "Tea?", poll={"options": ["yes", "no"], "expires_in": 600})
    for poll in (
        {"options": ["only"], "expires_in": 600},
        {"options": ["a", "b"], "expires_in": 5},
    ):
        r = await client.put(
            f"/api/v1/statuses/{status['id']}",
            headers=alice.auth,
            json={"status": "x", "poll": poll},
        )
        assert r.status_code == 422, r.text
    shown = (await client.get(f"/api/v1/statuses/{status['id']}")).json()
    assert shown["content"] == status["content"]
    assert [o["title"] for o in shown["poll"]["options"]] == ["yes", "no"]
    assert shown["edited_at"] is None
