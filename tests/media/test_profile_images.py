"""`avatar` and `header` in update_credentials: cropped to Mastodon's sizes, served, shown in
the Account entity; a replaced one's file removed; refusals before anything is stored."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from starlette.applications import Starlette

from tests.helpers import User
from tests.media import images
from tests.media.conftest import stored

BASE = "http://localhost:8000"


async def patch_images(
    client: httpx.AsyncClient, user: User, data: dict[str, str] | None = None, **files: bytes
) -> httpx.Response:
    return await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=user.auth,
        files={name: (f"{name}.jpg", body, "image/jpeg") for name, body in files.items()},
        data=data or {},
    )


async def served(client: httpx.AsyncClient, url: str) -> Image.Image:
    r = await client.get(url.removeprefix(BASE))
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    return Image.open(io.BytesIO(r.content))


async def test_avatar_and_header_are_cropped_stored_and_shown(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await media_client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
    assert r.json()["avatar"] == f"{BASE}/avatars/original/missing.png"

    r = await patch_images(
        media_client,
        alice,
        {"display_name": "Alice"},
        avatar=images.jpeg_with_gps(600, 300),
        header=images.png_with_alpha(3000, 800),
    )
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["display_name"] == "Alice"
    assert me["avatar"].startswith(f"{BASE}/system/media/avatar/{alice.id}/")
    assert me["avatar_static"] == me["avatar"]
    assert me["header"].startswith(f"{BASE}/system/media/header/{alice.id}/")
    avatar = await served(media_client, me["avatar"])
    assert avatar.size == (400, 400)
    assert not avatar.getexif().get_ifd(0x8825)
    header = await served(media_client, me["header"])
    assert header.size == (1500, 500)
    assert header.mode == "RGBA"
    shown = await media_client.get(f"/api/v1/accounts/{alice.id}")
    assert shown.json()["avatar"] == me["avatar"]
    assert len(stored(media_app)) == 2

    r = await patch_images(media_client, alice, avatar=images.jpeg(500, 500))
    assert r.status_code == 200
    again = r.json()
    assert again["avatar"] != me["avatar"]
    assert again["header"] == me["header"]
    assert len(stored(media_app)) == 2  # the old avatar's file is gone
    r = await media_client.get(me["avatar"].removeprefix(BASE))
    assert r.status_code == 404


async def test_bad_profile_images_are_refused_and_nothing_changes(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    for files, field in (
        ({"avatar": b"not an image"}, "avatar"),
        ({"header": images.truncated_jpeg()}, "header"),
        ({"avatar": images.jpeg(40, 40), "header": images.mp4_head()}, "header"),
        ({"avatar": images.png_header_only(50000, 50000)}, "avatar"),
        ({"avatar": images.jpeg(40, 40) + b"\x00" * (2 * 1024 * 1024)}, "avatar"),
    ):
        r = await patch_images(media_client, alice, {"display_name": "Changed"}, **files)
        assert r.status_code == 422, r.text
        assert field in r.json()["details"]
    assert stored(media_app) == []
    r = await media_client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
    assert r.json()["display_name"] == ""
    assert r.json()["avatar"] == f"{BASE}/avatars/original/missing.png"
    r = await media_client.patch(
        "/api/v1/accounts/update_credentials",
        headers=alice.auth,
        files={"note": ("n.txt", b"a file where text goes", "text/plain")},
    )
    assert r.status_code == 422
