"""Account and hashtag search as a client uses it: prefixes of usernames and display names
(accents and case ignored), the ranking, `following`, blocks, paging and bad input, hashtags,
and the Redis index rebuilt after it was lost."""

from __future__ import annotations

import httpx
from sqlalchemy import update
from starlette.applications import Starlette

from social.platform.db.models import Account
from social.platform.redis.client import AnyRedis, flush_all
from tests.helpers import User, follow, make_user, post, register_app
from trending import Review


async def search(
    client: httpx.AsyncClient, user: User | None, q: str, **params: object
) -> httpx.Response:
    headers = user.auth if user else {}
    return await client.get("/api/v2/search", params={"q": q, **params}, headers=headers)


def names(body: dict[str, list[dict[str, object]]]) -> list[object]:
    return [a["username"] for a in body["accounts"]]


async def settled(app: Starlette) -> None:
    await app.state.ctx.settle()


async def test_prefix_search_ranks_exact_then_followed_then_followers(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    viewer = await make_user(client, client_app, "viewer")
    users = {n: await make_user(client, client_app, n) for n in ("ann", "anna", "annabel", "bob")}
    fan = await make_user(client, client_app, "fan")
    await follow(client, fan, users["annabel"])  # annabel has a follower
    await follow(client, viewer, users["anna"])  # the viewer follows anna
    r = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=users["bob"].auth,
        data={"display_name": "Zoë Annwyn"},
    )
    assert r.status_code == 200, r.text

    first = await search(client, viewer, "ann", type="accounts")  # the database answers
    await settled(app)  # the index rebuilt meanwhile
    second = await search(client, viewer, "ann", type="accounts")  # the index answers
    assert first.status_code == second.status_code == 200
    assert names(first.json()) == names(second.json()) == ["ann", "anna", "annabel", "bob"]
    assert (await search(client, viewer, "ZOE", type="accounts")).json()["accounts"][0][
        "display_name"
    ] == "Zoë Annwyn"
    assert names((await search(client, viewer, "@annab")).json()) == ["annabel"]
    domain = app.state.ctx.settings.domain
    assert names((await search(client, viewer, f"anna@{domain}")).json())[0] == "anna"
    assert names((await search(client, viewer, "anna@elsewhere.example")).json()) == []

    # the name changed: found by the new one only
    await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=users["bob"].auth,
        data={"display_name": "Robert"},
    )
    assert names((await search(client, viewer, "zoe", type="accounts")).json()) == []
    assert names((await search(client, viewer, "rob", type="accounts")).json()) == ["bob"]

    following = await search(client, viewer, "ann", type="accounts", following="true")
    assert names(following.json()) == ["anna"]

    auto = await client.get(
        "/api/v1/accounts/search", params={"q": "ann", "limit": 2}, headers=viewer.auth
    )
    assert auto.status_code == 200
    assert [a["username"] for a in auto.json()] == ["ann", "anna"]
    paged = await client.get(
        "/api/v1/accounts/search",
        params={"q": "ann", "limit": 2, "offset": 2},
        headers=viewer.auth,
    )
    assert [a["username"] for a in paged.json()] == ["annabel"]  # bob is Robert now
    assert (await client.get("/api/v1/accounts/search", params={"q": "ann"})).status_code == 401


async def test_blocked_blocking_and_suspended_accounts_are_not_found(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    viewer = await make_user(client, client_app, "viewer")
    blocked = await make_user(client, client_app, "carl_blocked")
    blocker = await make_user(client, client_app, "carl_blocker")
    await make_user(client, client_app, "carl_plain")
    muted = await make_user(client, client_app, "carl_muted")
    await client.post(f"/api/v1/accounts/{blocked.id}/block", headers=viewer.auth)
    await client.post(f"/api/v1/accounts/{viewer.id}/block", headers=blocker.auth)
    await client.post(f"/api/v1/accounts/{muted.id}/mute", headers=viewer.auth)
    async with app.state.ctx.db() as db:  # as a moderator's suspension leaves it
        plain = update(Account).where(Account.username == "carl_plain")
        await db.execute(plain.values(suspended=True))
        await db.commit()
    for _ in range(2):  # from the database, then from the index
        found = names((await search(client, viewer, "carl", type="accounts")).json())
        assert found == ["carl_muted"]  # a mute hides statuses, not the account
        await settled(app)
    # signed out, blocks are nobody's
    assert sorted(names((await search(client, None, "carl")).json())) == [
        "carl_blocked",
        "carl_blocker",
        "carl_muted",
    ]


async def test_hashtags_by_prefix_exact_first(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    await post(client, alice, "#gardening #garden #gardenparty #Gärtner")
    for _ in range(2):
        r = await search(client, None, "#garden", type="hashtags")
        assert r.status_code == 200
        body = r.json()
        assert [t["name"] for t in body["hashtags"]] == ["garden", "gardening", "gardenparty"]
        assert body["accounts"] == []
        assert body["statuses"] == []
        assert len(body["hashtags"][0]["history"]) == 7
        assert body["hashtags"][0]["following"] is False
        await settled(app)
    assert [t["name"] for t in (await search(client, None, "gart")).json()["hashtags"]] == [
        "Gärtner"
    ]
    r = await client.post("/api/v1/tags/gardenshed/follow", headers=alice.auth)
    assert r.status_code == 200
    followed = (await search(client, alice, "gardens", type="hashtags")).json()["hashtags"]
    assert [(t["name"], t["following"]) for t in followed] == [("gardenshed", True)]
    # reviewed only (none of these was), and the exact name, as Mastodon
    unreviewed = await search(client, None, "garden", type="hashtags", exclude_unreviewed="true")
    assert [t["name"] for t in unreviewed.json()["hashtags"]] == ["garden"]
    await app.state.ctx.trends.set_review("gardening", Review.APPROVED)  # as an admin does
    reviewed = await search(client, None, "garden", type="hashtags", exclude_unreviewed="true")
    assert [t["name"] for t in reviewed.json()["hashtags"]] == ["garden", "gardening"]


async def test_bad_queries_and_paging(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    viewer = await make_user(client, client_app, "viewer")
    for n in range(45):
        await make_user(client, client_app, f"dora{n:02}")
    missing = await client.get("/api/v2/search", headers=viewer.auth)
    assert missing.status_code == 400
    assert missing.json() == {"error": "param is missing or the value is empty: q"}
    assert (await search(client, viewer, "  ")).status_code == 400
    negative = await search(client, viewer, "dora", limit=-1)
    assert negative.status_code == 400
    assert negative.json()["error"] == "Pagination values for `offset` and `limit` must be positive"
    assert (await search(client, viewer, "dora", type="accounts", offset=-3)).status_code == 400
    assert (await search(client, viewer, "dora", limit="many")).status_code == 422
    unknown = await search(client, viewer, "dora", type="people")
    assert unknown.status_code == 200
    assert unknown.json() == {"accounts": [], "statuses": [], "hashtags": []}
    assert len((await search(client, viewer, "dora")).json()["accounts"]) == 20
    assert len((await search(client, viewer, "dora", limit=100)).json()["accounts"]) == 40
    assert (await search(client, viewer, "dora", limit=0)).json()["accounts"] == []
    page = await search(client, viewer, "dora", type="accounts", limit=5, offset=40)
    assert names(page.json()) == [f"dora{n}" for n in range(40, 45)]
    # without a type the offset is ignored, as Mastodon
    assert names((await search(client, viewer, "dora", limit=2, offset=5)).json()) == [
        "dora00",
        "dora01",
    ]
    # signed out: no paging, no resolving (401 and Mastodon's words)
    anonymous = await search(client, None, "dora", offset=1)
    assert anonymous.status_code == 401
    assert "pagination is not supported without authentication" in anonymous.json()["error"]
    assert (await search(client, None, "dora", resolve="true")).status_code == 401


async def test_the_index_is_rebuilt_after_redis_lost_it(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    await make_user(client, client_app, "alina")
    await post(client, alice, "#alpine")
    await search(client, None, "al")
    await settled(app)
    keys = app.state.ctx.keys
    assert await redis.exists(keys.search_index_ready())
    await flush_all(redis)
    # answered from the database while it is rebuilt: never empty because Redis lost it
    lost = (await search(client, None, "al")).json()
    assert names(lost) == ["alice", "alina"]
    assert [t["name"] for t in lost["hashtags"]] == ["alpine"]
    await settled(app)
    assert await redis.exists(keys.search_index_ready())
    assert await redis.zcard(keys.search_index("accounts")) >= 2
    assert await redis.zcard(keys.search_index("tags")) == 1
    again = (await search(client, None, "al")).json()
    assert names(again) == ["alice", "alina"]
