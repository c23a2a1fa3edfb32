"""A page of the home read source by source (`home_page`: own, followed, mentioned, tags, each
by its index; LATERAL joins on PostgreSQL) is the page the home's one condition gives
(`home_query`, paged): the same statuses, in the same order, for every cursor, in a world of
every rule the home has (replies, languages, hidden boosts, exclusive lists, mutes, blocks,
direct mentions, followed tags)."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from social.platform.db.models import Status
from social.platform.paging import PageQuery, paged
from social.statuses.audience import following_query, home_query
from social.statuses.home_page import home_page
from tests.helpers import User, follow, make_user, post, register_app


async def _world(client: httpx.AsyncClient) -> tuple[User, int, str]:
    """A reader and a home of many kinds of statuses, some it shows and some it does not."""
    app = await register_app(client)
    names = ("reader", "pal", "polyglot", "booster", "listed", "stranger", "muted", "blocked")
    reader, pal, polyglot, booster, listed, stranger, muted, blocked = [
        await make_user(client, app, n) for n in names
    ]
    await follow(client, reader, pal)
    for target, options in ((polyglot, {"languages": ["en"]}), (booster, {"reblogs": False})):
        r = await client.post(
            f"/api/v1/accounts/{target.id}/follow", headers=reader.auth, json=options
        )
        assert r.status_code == 200, r.text
    for target in (listed, muted, blocked):
        await follow(client, reader, target)
    a_list = await client.post(
        "/api/v1/lists", headers=reader.auth, json={"title": "apart", "exclusive": True}
    )
    assert a_list.status_code == 200, a_list.text
    r = await client.post(
        f"/api/v1/lists/{a_list.json()['id']}/accounts",
        headers=reader.auth,
        json={"account_ids": [listed.id]},
    )
    assert r.status_code == 200, r.text
    r = await client.post("/api/v1/tags/cats/follow", headers=reader.auth)
    assert r.status_code == 200, r.text

    await post(client, reader, "mine")
    await post(client, reader, f"@{pal.username} a word", visibility="direct")
    first = await post(client, pal, "hello")
    await post(
        client, pal, "to a stranger", in_reply_to_id=(await post(client, stranger, "q"))["id"]
    )
    await post(
        client, pal, "to the reader", in_reply_to_id=(await post(client, reader, "hi"))["id"]
    )
    await post(client, pal, "only followers", visibility="private")
    await post(client, pal, f"@{stranger.username} between us", visibility="direct")
    await post(client, pal, f"hi @{muted.username}")  # mentions a muted account
    for language in ("en", "de", None):
        fields = {"language": language} if language else {}
        await post(client, polyglot, f"words in {language}", **fields)
    for booster_of in (booster, pal):
        r = await client.post(f"/api/v1/statuses/{first['id']}/reblog", headers=booster_of.auth)
        assert r.status_code == 200, r.text
    await post(client, booster, "own words")
    await post(client, listed, "for the list only")
    await post(client, stranger, "about #cats")
    await post(client, stranger, "about #cats, quietly", visibility="unlisted")
    await post(client, stranger, f"@{reader.username} psst", visibility="direct")
    await post(client, stranger, "nothing to do with the reader")
    await post(client, muted, "muted words")
    await post(client, blocked, "blocked words")
    await post(client, stranger, f"#cats and @{blocked.username}")
    for action, target in (("mute", muted), ("block", blocked)):
        r = await client.post(f"/api/v1/accounts/{target.id}/{action}", headers=reader.auth)
        assert r.status_code == 200, r.text
    for n in range(6):
        await post(client, pal, f"more {n}")
    return reader, int(first["id"]), pal.id


async def test_a_page_read_source_by_source_is_the_page_of_the_home_condition(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    reader, first, first_author = await _world(client)
    me = int(reader.id)
    lateral = ctx.engine.dialect.name == "postgresql"

    async def both(page: PageQuery) -> tuple[list[Any], list[Any]]:
        rule = paged(home_query(me, following_query(me)), Status.id, page)
        async with ctx.db() as db:
            expected = [tuple(r) for r in (await db.execute(rule)).all()]
            found = [
                tuple(r) for r in (await db.execute(home_page(me, page, lateral=lateral))).all()
            ]
        return found, expected

    whole, expected_whole = await both(PageQuery(limit=40))
    assert whole == expected_whole
    texts = {s.id: s.text for s in [await _status(ctx, i) for i, _, _ in whole]}
    shown = set(texts.values())
    for kind in ("mine", f"@{reader.username} psst", "about #cats", "to the reader", "words in en"):
        assert kind in shown
    hidden = ("to a stranger", "words in de", "for the list only", "muted words", "blocked words")
    assert not shown & {*hidden, "hi @muted", "#cats and @blocked", "about #cats, quietly"}
    boosters = {author for _, author, original in whole if original == first}
    assert boosters == {int(first_author)}  # the pal's boost; the booster's boosts hidden
    ids = [r[0] for r in whole]
    assert len(ids) >= 12

    pages = [PageQuery(limit=3)]
    pages += [PageQuery(max_id=i, limit=3) for i in ids]
    pages += [PageQuery(min_id=i, limit=3) for i in [0, *ids]]
    pages += [PageQuery(since_id=i, limit=4) for i in ids]
    pages += [PageQuery(max_id=ids[1], since_id=ids[-2], limit=40)]
    pages += [PageQuery(max_id=ids[0], min_id=ids[-1], limit=5)]
    for page in pages:
        found, expected = await both(page)
        assert found == expected, page


async def _status(ctx: Any, status_id: int) -> Status:
    async with ctx.db() as db:
        found = await db.get(Status, status_id)
        assert found is not None
        return found
