"""Media on statuses: `media_ids[]` with Mastodon's refusals, `media_attachments` in every
rendering, and what deleting the status does to them; the cleanup of unattached uploads."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from social.media.cleanup import due_from_db, run
from social.platform.db.models import MediaAttachment
from social.platform.db.types import utcnow
from tests.helpers import User, make_user, register_app
from tests.media import images
from tests.media.conftest import stored, upload


async def ready(client: httpx.AsyncClient, user: User, n: int = 1) -> list[str]:
    ids = []
    for i in range(n):
        r = await upload(client, user, images.jpeg(40 + i, 30), version=1, description=f"#{i}")
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    return ids


async def post_with(
    client: httpx.AsyncClient, user: User, media_ids: list[str], text: str = ""
) -> httpx.Response:
    return await client.post(
        "/api/v1/statuses", headers=user.auth, json={"status": text, "media_ids": media_ids}
    )


async def test_a_status_carries_its_media_in_order_and_needs_no_text(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    ids = await ready(media_client, alice, 3)
    order = [ids[2], ids[0], ids[1]]
    r = await post_with(media_client, alice, order)
    assert r.status_code == 200, r.text
    status = r.json()
    assert [m["id"] for m in status["media_attachments"]] == order
    first = status["media_attachments"][0]
    assert first["description"] == "#2"
    assert first["url"].startswith("http://localhost:8000/system/media/original/")
    assert first["meta"]["original"]["width"] == 42
    assert first["blurhash"]
    # from the cache, and from the database once the cache is gone
    shown = await media_client.get(f"/api/v1/statuses/{status['id']}")
    assert shown.json()["media_attachments"] == status["media_attachments"]
    await media_app.state.ctx.statuses.invalidate([int(status["id"])])
    shown = await media_client.get(f"/api/v1/statuses/{status['id']}")
    assert shown.json()["media_attachments"] == status["media_attachments"]
    # attached: no longer shown, described or deleted through /api/v1/media
    r = await media_client.get(f"/api/v1/media/{ids[0]}", headers=alice.auth)
    assert r.status_code == 404
    r = await media_client.delete(f"/api/v1/media/{ids[0]}", headers=alice.auth)
    assert r.status_code == 422
    assert r.json()["error"] == "Media attachment is currently used by a status"


async def test_media_ids_refusals(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    bob = await make_user(media_client, await register_app(media_client), "bob")
    mine = await ready(media_client, alice, 5)
    [bobs] = await ready(media_client, bob)
    r = await upload(media_client, alice, images.jpeg(64, 48))  # left processing
    assert r.status_code == 202
    processing = r.json()["id"]

    cases = [
        (mine, "Cannot attach more than 4 files"),
        ([bobs], f"Media {bobs} not found or already attached to another post"),
        (["12345"], "Media 12345 not found or already attached to another post"),
        (["abc"], "Media abc not found or already attached to another post"),
        (
            [processing],
            "Cannot attach files that have not finished processing. Try again in a moment!",
        ),
    ]
    for media_ids, message in cases:
        r = await post_with(media_client, alice, media_ids, "hi")
        assert r.status_code == 422, r.text
        assert r.json()["error"] == message
    r = await post_with(media_client, alice, [], "")
    assert r.status_code == 422  # neither text nor media

    r = await post_with(media_client, alice, [mine[0]], "first")
    assert r.status_code == 200
    r = await post_with(media_client, alice, [mine[0]], "again")
    assert r.status_code == 422
    assert r.json()["error"] == f"Media {mine[0]} not found or already attached to another post"
    r = await media_client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
    assert r.json()["statuses_count"] == 1  # nothing half-written


async def test_form_encoded_media_ids_as_clients_send_them(
    media_client: httpx.AsyncClient, alice: User
) -> None:
    ids = await ready(media_client, alice, 2)
    r = await media_client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        data={"status": "form", "media_ids[]": ids},
    )
    assert r.status_code == 200, r.text
    assert [m["id"] for m in r.json()["media_attachments"]] == ids


@pytest.mark.parametrize("delete_media", [False, True])
async def test_deleting_a_status_detaches_or_deletes_its_media(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User, delete_media: bool
) -> None:
    ids = await ready(media_client, alice, 2)
    status = (await post_with(media_client, alice, ids, "bye")).json()
    files = stored(media_app)
    assert len(files) == 4
    r = await media_client.delete(
        f"/api/v1/statuses/{status['id']}",
        headers=alice.auth,
        params={"delete_media": "true"} if delete_media else {},
    )
    assert r.status_code == 200, r.text
    assert [m["id"] for m in r.json()["media_attachments"]] == ids  # for a redraft
    if delete_media:
        assert stored(media_app) == []
        r = await media_client.get(f"/api/v1/media/{ids[0]}", headers=alice.auth)
        assert r.status_code == 404
    else:  # kept, unattached, for "delete and redraft"
        assert stored(media_app) == files
        r = await media_client.get(f"/api/v1/media/{ids[0]}", headers=alice.auth)
        assert r.status_code == 200
        again = await post_with(media_client, alice, ids, "redrafted")
        assert again.status_code == 200, again.text


async def test_cleanup_deletes_uploads_still_unattached(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    ctx = media_app.state.ctx
    attached, loose = await ready(media_client, alice, 2)
    assert (await post_with(media_client, alice, [attached])).status_code == 200
    r = await upload(media_client, alice, images.jpeg(64, 48))
    waiting = r.json()["id"]  # still processing: its upload file counts too
    made = utcnow() - timedelta(hours=30)
    async with ctx.db() as db:
        await db.execute(update(MediaAttachment).values(created_at=made))
        await db.commit()

    due = dict(await due_from_db(ctx))
    assert set(due) == {loose, waiting}
    assert abs(due[loose] - (made + timedelta(days=1)).timestamp()) < 1

    before = stored(media_app)
    await run(ctx, loose)
    await run(ctx, waiting)
    await run(ctx, loose)  # again: nothing to do
    await run(ctx, attached)  # attached since: kept
    await run(ctx, "not-an-id")
    left = stored(media_app)
    assert len(left) == 2
    assert all(k.split("/")[1] == attached for k in left)
    assert len(before) == 5  # two of each processed upload, one waiting
    assert await due_from_db(ctx) == []
    r = await media_client.get(f"/api/v1/media/{loose}", headers=alice.auth)
    assert r.status_code == 404


async def test_media_of_a_status_the_viewer_may_not_see_stay_hidden(
    media_client: httpx.AsyncClient, alice: User
) -> None:
    bob = await make_user(media_client, await register_app(media_client), "bob")
    [media_id] = await ready(media_client, alice)
    r = await media_client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        json={"status": "friends only", "media_ids": [media_id], "visibility": "private"},
    )
    assert r.status_code == 200, r.text
    status_id = r.json()["id"]
    assert (
        await media_client.get(f"/api/v1/statuses/{status_id}", headers=bob.auth)
    ).status_code == 404
    assert (
        await media_client.get(f"/api/v1/media/{media_id}", headers=bob.auth)
    ).status_code == 404
    r = await media_client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=bob.auth)
    assert r.json() == []
    r = await media_client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=alice.auth)
    assert [m["id"] for m in r.json()[0]["media_attachments"]] == [media_id]
