"""Processing as a job of the `media` consumer group: 202, 206 while it runs, 200 once done;
a job that keeps failing is dead-lettered and its attachment says it failed; show, describe
and delete one's own uploads."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette

from tests.helpers import User, bearer, make_user, register_app
from tests.media import images
from tests.media.conftest import stored, upload
from tests.trends.helpers import make_admin


async def test_v2_answers_202_then_206_until_the_group_processed_it(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(media_client, alice, images.jpeg_with_gps(), description="later")
    assert r.status_code == 202, r.text
    media = r.json()
    assert media["url"] is None
    assert media["preview_url"] is None
    assert media["description"] == "later"
    [waiting] = stored(media_app)
    assert waiting.startswith(f"uploads/{media['id']}/")

    r = await media_client.get(f"/api/v1/media/{media['id']}", headers=alice.auth)
    assert r.status_code == 206
    assert r.json()["url"] is None

    await media_app.state.ctx.events.drain()
    r = await media_client.get(f"/api/v1/media/{media['id']}", headers=alice.auth)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["url"].startswith("http://localhost:8000/system/media/original/")
    assert done["meta"]["original"]["size"] == "100x200"
    assert done["blurhash"]
    # the upload's file is gone, the processed ones stay
    assert [k.split("/")[0] for k in stored(media_app)] == ["original", "small"]
    served = await media_client.get(done["url"].removeprefix("http://localhost:8000"))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"


async def test_v2_processes_a_small_image_at_once(
    make_app: object,
) -> None:
    app = await make_app()  # type: ignore[operator]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        user = await make_user(c, await register_app(c), "alice")
        r = await upload(c, user, images.jpeg(300, 200))
        assert r.status_code == 200, r.text
        assert r.json()["url"]
        r = await upload(c, user, images.jpeg(2000, 1500))  # 3 MP: over the inline limit
        assert r.status_code == 202


async def test_a_job_that_keeps_failing_ends_dead_lettered_and_the_media_failed(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User, redis: object
) -> None:
    r = await upload(media_client, alice, images.jpeg(64, 48))
    assert r.status_code == 202
    media_id = r.json()["id"]
    # The processed files cannot be written: a file stands where their folder must go.
    root = Path(media_app.state.ctx.settings.media_dir)
    (root / "original").mkdir(parents=True)
    (root / "original" / media_id).write_bytes(b"in the way")

    await media_app.state.ctx.events.drain(timeout_s=60)
    r = await media_client.get(f"/api/v1/media/{media_id}", headers=alice.auth)
    assert r.status_code == 422
    assert r.json()["error"] == "Error processing thumbnail for uploaded media"
    letters = await redis.xrange(media_app.state.ctx.events.keys.dead_letters("media"))  # type: ignore[attr-defined]
    assert len(letters) == 1
    fields = {k.decode(): v.decode() for k, v in letters[0][1].items()}
    assert fields["topic"] == "media.uploaded"
    assert int(fields["deliveries"]) == media_app.state.ctx.events.settings.max_deliveries
    assert "NotADirectoryError" in fields["error"] or "FileExistsError" in fields["error"]
    async with media_app.state.ctx.db() as db:
        from social.platform.db.models import MediaAttachment

        row = await db.get(MediaAttachment, int(media_id))
        assert row is not None
        assert row.state == "failed"
        assert row.error is not None
        assert "processing gave up" in row.error
    # the upload's file went with the failure; only the obstacle is left
    assert stored(media_app) == [f"original/{media_id}"]
    # admins see the job and why it failed; others may not look
    boss = bearer(await make_admin(media_app, media_client))
    r = await media_client.get("/api/v1/admin/media_jobs", headers=boss)
    assert r.status_code == 200, r.text
    [job] = r.json()
    assert (job["id"], job["account_id"], job["state"]) == (media_id, alice.id, "failed")
    assert "processing gave up" in job["error"]
    ready = await media_client.get("/api/v1/admin/media_jobs?state=ready", headers=boss)
    assert ready.json() == []
    assert (
        await media_client.get("/api/v1/admin/media_jobs", headers=alice.auth)
    ).status_code == 403


async def test_show_describe_delete_are_for_ones_own_unattached_uploads(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    bob = await make_user(media_client, await register_app(media_client), "bob")
    r = await upload(media_client, alice, images.jpeg(64, 48), version=1)
    media_id = r.json()["id"]
    for method in ("GET", "PUT", "DELETE"):
        r = await media_client.request(method, f"/api/v1/media/{media_id}", headers=bob.auth)
        assert r.status_code == 404, method
    r = await media_client.get("/api/v1/media/12345", headers=alice.auth)
    assert r.status_code == 404

    r = await media_client.put(
        f"/api/v1/media/{media_id}",
        headers=alice.auth,
        json={"description": "a gradient", "focus": "-1,1"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "a gradient"
    assert r.json()["meta"]["focus"] == {"x": -1.0, "y": 1.0}
    for bad in ({"focus": "1.5,0"}, {"description": "x" * 1501}):
        r = await media_client.put(f"/api/v1/media/{media_id}", headers=alice.auth, json=bad)
        assert r.status_code == 422

    r = await media_client.delete(f"/api/v1/media/{media_id}", headers=alice.auth)
    assert r.status_code == 200
    assert r.json() == {}
    assert stored(media_app) == []
    r = await media_client.get(f"/api/v1/media/{media_id}", headers=alice.auth)
    assert r.status_code == 404


async def test_a_deleted_upload_is_not_processed_later(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(media_client, alice, images.jpeg(64, 48))
    assert r.status_code == 202
    r = await media_client.delete(f"/api/v1/media/{r.json()['id']}", headers=alice.auth)
    assert r.status_code == 200
    await media_app.state.ctx.events.drain()
    assert stored(media_app) == []


async def test_an_upload_that_cannot_be_processed_fails_at_once_without_retries(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(media_client, alice, images.jpeg(64, 48))
    assert r.status_code == 202
    media_id = r.json()["id"]
    [waiting] = stored(media_app)
    # the stored upload is damaged after it was accepted (a disk's fault, say)
    (Path(media_app.state.ctx.settings.media_dir) / waiting).write_bytes(b"no longer a picture")
    await media_app.state.ctx.events.drain()
    r = await media_client.get(f"/api/v1/media/{media_id}", headers=alice.auth)
    assert r.status_code == 422
    stats = await media_app.state.ctx.events.stats()
    assert stats["groups"]["media"]["dead_letters"] == 0  # refused, not retried to death
    assert stored(media_app) == []
