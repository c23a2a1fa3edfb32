"""The cleanup of unattached uploads runs on the scheduler: an upload is queued a day after it
was made, media a status lets go (deleted for a redraft, dropped by an edit) a day after."""

from __future__ import annotations

import time

import httpx
from starlette.applications import Starlette

from social.media import cleanup
from tests.helpers import User
from tests.media.conftest import upload
from tests.media.images import jpeg


async def _processed(app: Starlette, client: httpx.AsyncClient, user: User) -> str:
    r = await upload(client, user, jpeg(64, 48))
    assert r.status_code in (200, 202), r.text
    await app.state.ctx.events.drain()
    media_id: str = r.json()["id"]
    return media_id


async def test_uploads_and_what_a_status_lets_go_are_queued_for_the_cleanup(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    ctx, client = media_app.state.ctx, media_client
    kept, dropped = [await _processed(media_app, client, alice) for _ in range(2)]
    day_s = cleanup.UNATTACHED_TTL.total_seconds()
    for media_id in (kept, dropped):
        due = await ctx.scheduler.due_at(cleanup.KIND, media_id)
        assert due is not None
        assert abs(due - (time.time() + day_s)) < 60

    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={"status": "two", "media_ids": [kept, dropped]}
    )
    assert r.status_code == 200, r.text
    status_id = r.json()["id"]
    await ctx.scheduler.schedule(cleanup.KIND, kept, time.time())  # its day is up
    await ctx.scheduler.schedule(cleanup.KIND, dropped, time.time())
    await ctx.scheduler.run_once(ctx)
    shown = (await client.get(f"/api/v1/statuses/{status_id}")).json()
    assert [m["id"] for m in shown["media_attachments"]] == [kept, dropped]  # attached: kept

    before = time.time()
    r = await client.put(
        f"/api/v1/statuses/{status_id}",
        headers=alice.auth,
        json={"status": "one", "media_ids": [kept]},
    )
    assert r.status_code == 200, r.text
    due = await ctx.scheduler.due_at(cleanup.KIND, dropped)
    assert due is not None
    assert due >= before + day_s - 1
    r = await client.delete(f"/api/v1/statuses/{status_id}", headers=alice.auth)
    assert r.status_code == 200, r.text
    due = await ctx.scheduler.due_at(cleanup.KIND, kept)
    assert due is not None
    assert due >= before + day_s - 1
    # a day on, both go with their files
    for media_id in (kept, dropped):
        await ctx.scheduler.schedule(cleanup.KIND, media_id, time.time())
    await ctx.scheduler.run_once(ctx)
    for media_id in (kept, dropped):
        r = await client.get(f"/api/v1/media/{media_id}", headers=alice.auth)
        assert r.status_code == 404, r.text
