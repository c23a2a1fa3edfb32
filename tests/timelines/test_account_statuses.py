"""An account's statuses, as its profile shows them: its own, without replies on request, only
those with a hashtag on request (the tag spelt any way a tag can be), direct ones hidden."""

from __future__ import annotations

import httpx

from tests.helpers import make_user, post, register_app


async def test_an_accounts_statuses_filtered_as_asked(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    alice = await make_user(client, app, "alice")
    bob = await make_user(client, app, "bob")
    cafe = [await post(client, alice, f"#Café number {i}") for i in range(3)]
    plain = await post(client, alice, "no tag")
    reply = await post(client, alice, "a reply", in_reply_to_id=plain["id"])
    hidden = await post(client, alice, "@bob secret", visibility="direct")
    url = f"/api/v1/accounts/{alice.id}/statuses"

    ids = [s["id"] for s in (await client.get(url)).json()]
    assert ids == [reply["id"], plain["id"], *(s["id"] for s in reversed(cafe))]
    assert hidden["id"] not in ids  # direct, and the reader is anonymous
    as_bob = [s["id"] for s in (await client.get(url, headers=bob.auth)).json()]
    assert as_bob[0] == hidden["id"]  # the mentioned see it

    tagged = await client.get(url, params={"tagged": "CAFÉ", "limit": 2})
    assert [s["id"] for s in tagged.json()] == [cafe[2]["id"], cafe[1]["id"]]  # a full page
    assert (await client.get(url, params={"tagged": "nothing here"})).json() == []

    to_bob = await post(
        client, alice, "hi bob", in_reply_to_id=(await post(client, bob, "x"))["id"]
    )
    kept = [s["id"] for s in (await client.get(url, params={"exclude_replies": "true"})).json()]
    assert reply["id"] in kept  # a thread of her own stays
    assert to_bob["id"] not in kept
