"""Polls: posting one (form and JSON), Mastodon's refusals, the Poll entity as each viewer sees
it, votes and their refusals, who may see a poll, and the tallies under concurrent votes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from social.platform.db.models import Poll, PollVote, Status
from tests.helpers import User, follow, make_user, post, register_app

OPTIONS = ["tea", "coffee", "water"]


async def _count(app: Starlette, model: Any) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def _users(client: httpx.AsyncClient, *names: str) -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, n) for n in names]


async def poll_post(
    client: httpx.AsyncClient, user: User, options: list[str] | None = None, **poll: Any
) -> dict[str, Any]:
    fields = poll.pop("status_fields", {})
    status = await post(
        client,
        user,
        "Which one?",
        poll={"options": options or OPTIONS, "expires_in": 3600, **poll},
        **fields,
    )
    assert status["poll"] is not None
    return status


async def ends_now(app: Starlette, status: dict[str, Any]) -> None:
    """The poll's end moved into the past, in the database, and the status's cache dropped
    (as any write to a poll does)."""
    ctx = app.state.ctx
    async with ctx.db() as db:
        await db.execute(
            update(Poll)
            .where(Poll.id == int(status["poll"]["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await db.commit()
    await ctx.statuses.invalidate([int(status["id"])])


async def vote(
    client: httpx.AsyncClient, user: User, poll_id: str, *choices: int
) -> httpx.Response:
    return await client.post(
        f"/api/v1/polls/{poll_id}/votes", headers=user.auth, json={"choices": list(choices)}
    )


async def test_a_form_posts_a_poll_as_mastodon_clients_send_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    (alice,) = await _users(client, "alice")
    r = await client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        data={
            "status": "Lunch?",
            "poll[options][]": [" pizza ", "soup", "  "],  # stripped; a blank one dropped
            "poll[expires_in]": "300",
            "poll[multiple]": "true",
            "poll[hide_totals]": "false",
        },
    )
    assert r.status_code == 200, r.text
    poll = r.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["pizza", "soup"]
    assert poll["multiple"] is True
    assert poll["expired"] is False
    created = datetime.fromisoformat(r.json()["created_at"])
    assert datetime.fromisoformat(poll["expires_at"]) - created == timedelta(seconds=300)
    shown = await client.get(f"/api/v1/statuses/{r.json()['id']}")
    assert shown.json()["poll"]["id"] == poll["id"]


TOO_LONG = "x" * 51


@pytest.mark.parametrize(
    ("poll", "error", "field"),
    [
        ({"options": ["only"]}, "Choices must have more than one item", "poll.options"),
        ({"options": ["a", " "]}, "Choices must have more than one item", "poll.options"),
        (
            {"options": ["a", "b", "c", "d", "e"]},
            "Choices can't contain more than 4 items",
            "poll.options",
        ),
        (
            {"options": ["a", TOO_LONG]},
            "Choices cannot be longer than 50 characters each",
            "poll.options",
        ),
        ({"options": ["a", "a"]}, "Choices contain duplicate items", "poll.options"),
        ({"expires_in": 299}, "Deadline is too soon", "poll.expires_at"),
        ({"expires_in": -5}, "Deadline is too soon", "poll.expires_at"),
        ({"expires_in": 2_629_747}, "Deadline is too far into the future", "poll.expires_at"),
        ({"expires_in": None}, "Deadline is too far into the future", "poll.expires_at"),
        ({"expires_in": "soon"}, None, "poll.expires_in"),
        ({"options": "a"}, None, "poll.options"),
        ({"multiple": "maybe"}, None, "poll.multiple"),
    ],
)
async def test_a_poll_mastodon_refuses_is_refused_in_its_words_and_nothing_is_written(
    app: Starlette,
    client: httpx.AsyncClient,
    poll: dict[str, Any],
    error: str | None,
    field: str,
) -> None:
    (alice,) = await _users(client, "alice")
    body = {"status": "?", "poll": {"options": ["a", "b"], "expires_in": 600, **poll}}
    r = await client.post("/api/v1/statuses", headers=alice.auth, json=body)
    assert r.status_code == 422, r.text
    if error is not None:
        assert r.json()["error"] == f"Validation failed: {error}"
    assert field in r.json()["details"]
    assert await _count(app, Status) == 0
    assert await _count(app, Poll) == 0


async def test_the_limits_are_counted_in_characters_as_people_see_them(
    client: httpx.AsyncClient,
) -> None:
    (alice,) = await _users(client, "alice")
    family = "👩‍👩‍👧"  # one character, five code points
    status = await poll_post(client, alice, ["e\u0301" * 50, family * 50])
    assert [o["title"] for o in status["poll"]["options"]] == ["e\u0301" * 50, family * 50]


async def test_a_poll_with_media_is_refused(app: Starlette, client: httpx.AsyncClient) -> None:
    (alice,) = await _users(client, "alice")
    body = {"status": "?", "media_ids": ["1"], "poll": {"options": ["a", "b"], "expires_in": 600}}
    r = await client.post("/api/v1/statuses", headers=alice.auth, json=body)
    assert r.status_code == 422, r.text
    assert "media_ids" in r.json()["details"]
    assert await _count(app, Poll) == 0


async def test_the_instance_states_the_limits_it_enforces(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/instance", "/api/v2/instance"):
        polls = (await client.get(path)).json()["configuration"]["polls"]
        assert polls == {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2_629_746,
        }


async def test_each_viewer_sees_the_poll_as_theirs(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await _users(client, "alice", "bob", "carol")
    status = await poll_post(client, alice)
    poll_id = status["poll"]["id"]
    assert (await vote(client, bob, poll_id, 1)).status_code == 200

    async def seen(user: User | None) -> dict[str, Any]:
        headers = user.auth if user else {}
        r = await client.get(f"/api/v1/polls/{poll_id}", headers=headers)
        assert r.status_code == 200, r.text
        via_status = await client.get(f"/api/v1/statuses/{status['id']}", headers=headers)
        assert via_status.json()["poll"] == r.json()
        body: dict[str, Any] = r.json()
        return body

    author, voter, other, anonymous = [await seen(u) for u in (alice, bob, carol, None)]
    assert list(voter) == [
        "id",
        "expires_at",
        "expired",
        "multiple",
        "votes_count",
        "voters_count",
        "voted",
        "own_votes",
        "options",
        "emojis",
    ]
    assert voter["options"] == [
        {"title": "tea", "votes_count": 0},
        {"title": "coffee", "votes_count": 1},
        {"title": "water", "votes_count": 0},
    ]
    assert (voter["votes_count"], voter["voters_count"], voter["emojis"]) == (1, 1, [])
    assert (voter["voted"], voter["own_votes"]) == (True, [1])
    assert (author["voted"], author["own_votes"]) == (True, [])  # Mastodon: the author has
    assert (other["voted"], other["own_votes"]) == (False, [])
    assert "voted" not in anonymous
    assert "own_votes" not in anonymous
    assert anonymous["options"] == voter["options"]


async def test_hidden_totals_show_once_the_poll_ends(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await _users(client, "alice", "bob")
    status = await poll_post(client, alice, hide_totals=True)
    poll_id = status["poll"]["id"]
    voted = await vote(client, bob, poll_id, 2)
    assert voted.status_code == 200, voted.text
    assert [o["votes_count"] for o in voted.json()["options"]] == [None, None, None]
    assert voted.json()["votes_count"] == 1  # the total is not hidden, as Mastodon
    for user in (alice, None):  # nor to the author
        r = await client.get(f"/api/v1/polls/{poll_id}", headers=user.auth if user else {})
        assert [o["votes_count"] for o in r.json()["options"]] == [None, None, None]

    await ends_now(app, status)
    for user in (alice, bob, None):
        r = await client.get(f"/api/v1/polls/{poll_id}", headers=user.auth if user else {})
        assert r.json()["expired"] is True
        assert [o["votes_count"] for o in r.json()["options"]] == [0, 0, 1]


async def test_a_poll_ends_by_the_clock_even_in_the_cache(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """`expired` is the reader's moment, not the cache's: a status cached with its poll's
    end ahead reads as ended once that moment passes, the cache untouched (the end's
    notifications may run late)."""
    alice, bob = await _users(client, "alice", "bob")
    status = await poll_post(client, alice, hide_totals=True)
    await vote(client, bob, status["poll"]["id"], 0)
    ctx = app.state.ctx
    key = ctx.keys.status(int(status["id"]))
    await client.get(f"/api/v1/statuses/{status['id']}")
    raw = await ctx.redis.get(key)
    meta, _, public = raw.partition(b"\n")
    fields = orjson.loads(meta)
    assert fields[3]["id"] == int(status["poll"]["id"])  # the poll's state is cached
    fields[3]["expires_s"] = (datetime.now(UTC) - timedelta(seconds=1)).timestamp()
    await ctx.redis.set(key, orjson.dumps(fields) + b"\n" + public, ex=3600)
    r = await client.get(f"/api/v1/polls/{status['poll']['id']}")
    assert r.json()["expired"] is True
    assert [o["votes_count"] for o in r.json()["options"]] == [1, 0, 0]


@pytest.mark.parametrize(
    ("setup", "choices", "error"),
    [
        ("ended", [0], "The poll has already ended"),
        ("voted", [1], "You have already voted on this poll"),
        (None, [3], "The chosen vote option does not exist"),
        (None, [-1], "The chosen vote option does not exist"),
        (None, [0, 1], "You have already voted on this poll"),  # Mastodon's, one by one
        ("own", [0], "You cannot vote in your own polls"),
    ],
)
async def test_votes_mastodon_refuses_are_refused_and_nothing_is_counted(
    app: Starlette,
    client: httpx.AsyncClient,
    setup: str | None,
    choices: list[int],
    error: str,
) -> None:
    alice, bob = await _users(client, "alice", "bob")
    status = await poll_post(client, alice)
    poll_id = status["poll"]["id"]
    voter = alice if setup == "own" else bob
    if setup == "ended":
        await ends_now(app, status)
    if setup == "voted":
        assert (await vote(client, bob, poll_id, 0)).status_code == 200
    before = await _count(app, PollVote)
    r = await vote(client, voter, poll_id, *choices)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == f"Validation failed: {error}"
    assert await _count(app, PollVote) == before
    shown = (await client.get(f"/api/v1/polls/{poll_id}")).json()
    assert shown["votes_count"] == before
    assert shown["voters_count"] == before


async def test_bad_vote_requests(app: Starlette, client: httpx.AsyncClient) -> None:
    alice, bob = await _users(client, "alice", "bob")
    poll_id = (await poll_post(client, alice))["poll"]["id"]
    for body in ({}, {"choices": []}, {"choices": ["first"]}, {"choices": {"a": 1}}):
        r = await client.post(f"/api/v1/polls/{poll_id}/votes", headers=bob.auth, json=body)
        assert r.status_code == 422, (body, r.text)
        assert all(field.startswith("choices") for field in r.json()["details"])
    for path in ("/api/v1/polls/12345/votes", "/api/v1/polls/nope/votes"):
        r = await client.post(path, headers=bob.auth, json={"choices": [0]})
        assert r.status_code == 404
    assert (await client.get("/api/v1/polls/12345")).status_code == 404
    r = await client.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]})
    assert r.status_code == 401
    assert await _count(app, PollVote) == 0


async def test_a_multiple_choice_poll_takes_several_choices_and_more_later(
    client: httpx.AsyncClient,
) -> None:
    alice, bob = await _users(client, "alice", "bob")
    poll_id = (await poll_post(client, alice, multiple=True))["poll"]["id"]
    r = await vote(client, bob, poll_id, 0, 2)
    assert r.status_code == 200, r.text
    assert (r.json()["own_votes"], r.json()["votes_count"], r.json()["voters_count"]) == (
        [0, 2],
        2,
        1,
    )
    again = await vote(client, bob, poll_id, 2)
    assert again.json()["error"] == "Validation failed: You have already voted on this poll"
    more = await vote(client, bob, poll_id, 1)  # Mastodon takes another option later
    assert (more.json()["own_votes"], more.json()["votes_count"]) == ([0, 1, 2], 3)
    assert more.json()["voters_count"] == 1


async def test_a_poll_is_seen_and_voted_on_only_where_its_status_is(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob, carol, dave = await _users(client, "alice", "bob", "carol", "dave")
    await follow(client, bob, alice)
    private = await poll_post(client, alice, status_fields={"visibility": "private"})
    poll_id = private["poll"]["id"]
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=bob.auth)).status_code == 200
    assert (await vote(client, bob, poll_id, 0)).status_code == 200
    for viewer in (carol, None):
        r = await client.get(f"/api/v1/polls/{poll_id}", headers=viewer.auth if viewer else {})
        assert r.status_code == 404
    r = await vote(client, carol, poll_id, 0)
    assert r.status_code == 404

    public = await poll_post(client, alice)
    r = await client.post(f"/api/v1/accounts/{dave.id}/block", headers=alice.auth)
    assert r.status_code == 200
    r = await client.get(f"/api/v1/polls/{public['poll']['id']}", headers=dave.auth)
    assert r.status_code == 404
    assert (await vote(client, dave, public["poll"]["id"], 0)).status_code == 404

    # who blocks the author may see the poll (as Mastodon) but not vote in it
    r = await client.post(f"/api/v1/accounts/{alice.id}/block", headers=carol.auth)
    assert r.status_code == 200
    r = await client.get(f"/api/v1/polls/{public['poll']['id']}", headers=carol.auth)
    assert r.status_code == 200
    assert (await vote(client, carol, public["poll"]["id"], 0)).status_code == 403
    async with app.state.ctx.db() as db:
        voters = (await db.execute(select(PollVote.account_id))).scalars().all()
    assert voters == [int(bob.id)]


async def test_voting_needs_write_statuses(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    poll_id = (await poll_post(client, alice))["poll"]["id"]
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "username": "alice",
            "password": "correct horse battery staple",
            "scope": "read",
        },
    )
    reader = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await client.post(f"/api/v1/polls/{poll_id}/votes", headers=reader, json={"choices": [0]})
    assert r.status_code == 403


async def test_a_timeline_page_renders_each_poll_for_its_reader(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await _users(client, "alice", "bob")
    await follow(client, bob, alice)
    assert (await client.get("/api/v1/timelines/home", headers=bob.auth)).json() == []
    first = await poll_post(client, alice)
    await post(client, alice, "no poll here")
    second = await poll_post(client, alice, ["yes", "no"])
    await vote(client, bob, second["poll"]["id"], 1)
    await app.state.ctx.events.drain()
    for path in ("/api/v1/timelines/home", "/api/v1/timelines/public"):
        for _ in range(2):  # from the database, then from the caches
            page = (await client.get(path, headers=bob.auth)).json()
            polls = {s["id"]: s["poll"] for s in page}
            assert polls[first["id"]]["own_votes"] == []
            assert polls[second["id"]]["own_votes"] == [1]
            assert polls[second["id"]]["options"][1]["votes_count"] == 1
            assert sorted(p is None for p in polls.values()) == [False, False, True]


async def test_many_voters_at_once_are_each_counted(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    names = [f"voter{n}" for n in range(16)]
    alice, *voters = await _users(client, "alice", *names)
    status = await poll_post(client, alice)
    poll_id = status["poll"]["id"]
    await client.get(f"/api/v1/polls/{poll_id}")  # cached before the votes
    answers = await asyncio.gather(*(vote(client, v, poll_id, n % 3) for n, v in enumerate(voters)))
    assert [a.status_code for a in answers] == [200] * len(voters)
    shown = (await client.get(f"/api/v1/polls/{poll_id}")).json()
    assert shown["votes_count"] == shown["voters_count"] == len(voters)
    assert [o["votes_count"] for o in shown["options"]] == [6, 5, 5]


async def test_one_voter_voting_twice_at_once_is_counted_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await _users(client, "alice", "bob", "carol")
    single = (await poll_post(client, alice))["poll"]["id"]
    multiple = (await poll_post(client, alice, multiple=True))["poll"]["id"]
    answers = await asyncio.gather(*(vote(client, bob, single, n % 3) for n in range(6)))
    assert sorted(a.status_code for a in answers) == [200] + [422] * 5
    shown = (await client.get(f"/api/v1/polls/{single}", headers=bob.auth)).json()
    assert (shown["votes_count"], shown["voters_count"], len(shown["own_votes"])) == (1, 1, 1)

    # a multiple-choice poll: the same option twice at once counts once, others add up
    answers = await asyncio.gather(*(vote(client, carol, multiple, n % 2) for n in range(6)))
    assert sorted(a.status_code for a in answers) == [200, 200] + [422] * 4
    shown = (await client.get(f"/api/v1/polls/{multiple}", headers=carol.auth)).json()
    assert (shown["votes_count"], shown["voters_count"], shown["own_votes"]) == (2, 1, [0, 1])


async def test_deleting_the_status_deletes_its_poll(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await _users(client, "alice", "bob")
    status = await poll_post(client, alice)
    await vote(client, bob, status["poll"]["id"], 0)
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert (await client.get(f"/api/v1/polls/{status['poll']['id']}")).status_code == 404
    assert await _count(app, Poll) == 0
    assert await _count(app, PollVote) == 0


async def test_a_boosted_poll_is_rendered_for_the_reader(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await _users(client, "alice", "bob", "carol")
    await follow(client, carol, bob)
    assert (await client.get("/api/v1/timelines/home", headers=carol.auth)).json() == []
    status = await poll_post(client, alice)
    assert (await vote(client, carol, status["poll"]["id"], 2)).status_code == 200
    r = await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.auth)
    assert r.status_code == 200, r.text
    assert r.json()["poll"] is None  # the boost has none of its own
    assert r.json()["reblog"]["poll"]["own_votes"] == []
    await app.state.ctx.events.drain()
    for _ in range(2):
        (boost,) = (await client.get("/api/v1/timelines/home", headers=carol.auth)).json()
        assert boost["reblog"]["id"] == status["id"]
        assert boost["reblog"]["poll"]["own_votes"] == [2]
        assert boost["reblog"]["poll"]["options"][2]["votes_count"] == 1
