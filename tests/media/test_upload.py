"""Uploads: what is refused (422, nothing stored), what is processed and how, and the files
served back."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from tests.helpers import User, make_user, register_app
from tests.media import images
from tests.media.conftest import stored, upload


async def fetch_image(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, Image.Image]:
    r = await client.get(url.removeprefix("http://localhost:8000"))
    assert r.status_code == 200, r.text
    return r, Image.open(io.BytesIO(r.content))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jpg", b"", "Validation failed: file can't be blank"),
        ("notes.png", b"just some text, not a picture\n", "content type is invalid"),
        ("cut.jpg", images.truncated_jpeg(), "could not be read (truncated or corrupt)"),
        ("bomb.png", images.png_header_only(60000, 60000), "dimensions are too large"),
        ("big.png", images.png_header_only(8000, 5000), "8000x5000 images are not supported"),
        *(
            (name, data, "video and audio uploads are not supported yet")
            for name, data in images.VIDEO_AND_AUDIO.items()
        ),
    ],
)
@pytest.mark.parametrize("version", [1, 2])
async def test_refused_uploads_are_422_and_leave_no_file(
    media_app: Starlette,
    media_client: httpx.AsyncClient,
    alice: User,
    name: str,
    data: bytes,
    message: str,
    version: int,
) -> None:
    r = await upload(media_client, alice, data, name, "image/png", version=version)
    assert r.status_code == 422, r.text
    assert message in r.json()["error"]
    assert stored(media_app) == []
    async with media_app.state.ctx.db() as db:
        from sqlalchemy import func, select

        from social.platform.db.models import MediaAttachment

        count = await db.scalar(select(func.count()).select_from(MediaAttachment))
    assert count == 0


async def test_missing_file_and_bad_fields(media_client: httpx.AsyncClient, alice: User) -> None:
    r = await media_client.post("/api/v2/media", headers=alice.auth, data={"description": "x"})
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: File can't be blank"
    photo = images.jpeg(40, 30)
    for fields in (
        {"focus": "2,0"},
        {"focus": "a,b"},
        {"focus": "0.1"},
        {"description": "x" * 1501},
    ):
        r = await upload(media_client, alice, photo, **fields)
        assert r.status_code == 422, (fields, r.text)
    r = await media_client.post("/api/v2/media", files={"file": ("a.jpg", photo, "image/jpeg")})
    assert r.status_code == 401


async def test_a_body_over_the_upload_limit_is_413(make_app: object) -> None:
    app = await make_app(media_max_bytes=50_000)  # type: ignore[operator]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        user = await make_user(c, await register_app(c), "alice")
        big = images.jpeg(40, 30) + b"\x00" * 1_200_000  # past both limits
        r = await upload(c, user, big)
        assert r.status_code == 413
        # over the file limit but within the form's allowance: the file's own 422
        r = await upload(c, user, images.jpeg(40, 30) + b"\x00" * 52_000)
        assert r.status_code == 422
        assert "file size must be less than" in r.json()["error"]
        # bodies elsewhere keep the ordinary limit
        r = await c.post("/api/v1/statuses", headers=user.auth, content=b"x" * 1_100_000)
        assert r.status_code == 413
        assert stored(app) == []


async def test_jpeg_is_turned_and_stripped_of_exif(
    media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(
        media_client,
        alice,
        images.jpeg_with_gps(200, 100),
        description="a red thing",
        focus="0.5,-0.25",
        version=1,
    )
    assert r.status_code == 200, r.text
    media = r.json()
    assert media["type"] == "image"
    assert media["description"] == "a red thing"
    assert media["remote_url"] is None
    assert media["text_url"] is None
    assert media["meta"]["original"] == {
        "width": 100,
        "height": 200,
        "size": "100x200",
        "aspect": 0.5,
    }
    assert media["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert media["meta"]["small"]["width"] == 100
    assert isinstance(media["blurhash"], str)
    assert len(media["blurhash"]) > 6
    response, served = await fetch_image(media_client, media["url"])
    assert served.size == (100, 200)  # orientation applied
    exif = served.getexif()
    assert ORIENTATION_TAG not in exif
    assert not exif.get_ifd(0x8825)  # no GPS
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    _, preview = await fetch_image(media_client, media["preview_url"])
    assert preview.format == "JPEG"


ORIENTATION_TAG = images.ORIENTATION


async def test_png_keeps_its_alpha_and_large_images_are_bounded(
    media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(media_client, alice, images.png_with_alpha(), "a.png", "image/png", version=1)
    assert r.status_code == 200, r.text
    response, served = await fetch_image(media_client, r.json()["url"])
    assert response.headers["content-type"] == "image/png"
    assert served.mode == "RGBA"
    assert served.getpixel((0, 0))[3] == 255
    assert served.getpixel((119, 0))[3] == 0
    _, preview = await fetch_image(media_client, r.json()["preview_url"])
    assert preview.format == "PNG"
    assert preview.mode == "RGBA"

    r = await upload(media_client, alice, images.jpeg(4000, 3000), version=1)
    assert r.status_code == 200, r.text
    meta = r.json()["meta"]
    original, small = meta["original"], meta["small"]
    assert original["width"] * original["height"] <= 3840 * 2160
    assert abs(original["aspect"] - 4 / 3) < 0.01
    assert small["width"] * small["height"] <= 640 * 360
    _, served = await fetch_image(media_client, r.json()["url"])
    assert served.size == (original["width"], original["height"])


async def test_an_animated_gif_stays_animated(media_client: httpx.AsyncClient, alice: User) -> None:
    gif = images.animated_gif(frames=3)
    r = await upload(media_client, alice, gif, "a.gif", "image/gif", version=1)
    assert r.status_code == 200, r.text
    media = r.json()
    assert media["type"] == "image"
    assert media["meta"]["original"]["frames"] == 3
    response, served = await fetch_image(media_client, media["url"])
    assert response.headers["content-type"] == "image/gif"
    assert getattr(served, "n_frames", 1) == 3
    _, preview = await fetch_image(media_client, media["preview_url"])
    assert preview.format in ("JPEG", "PNG")


async def test_the_type_comes_from_the_content_not_the_name(
    media_client: httpx.AsyncClient, alice: User
) -> None:
    r = await upload(media_client, alice, images.png_with_alpha(), "x.jpg", "image/jpeg", version=1)
    assert r.status_code == 200
    assert r.json()["url"].endswith(".png")


@pytest.mark.parametrize(
    "path",
    [
        "/system/media/../../social.platform.db",
        "/system/media/uploads/1/" + "0" * 32 + ".bin",
        "/system/media/original/1/" + "0" * 32 + ".jpg",
        "/system/media/original/1/x.jpg",
        "/system/media/original/1/" + "0" * 32 + ".html",
        "/system/media/%2e%2e/%2e%2e/etc/passwd",
    ],
)
async def test_keys_the_server_did_not_make_are_404(
    media_client: httpx.AsyncClient, path: str
) -> None:
    r = await media_client.get(path)
    assert r.status_code == 404


async def test_uploads_are_limited_as_mastodon_limits_them(make_app: object) -> None:
    app = await make_app(ratelimit_scale=1.0)  # type: ignore[operator]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        user = await make_user(c, await register_app(c), "alice")
        tiny = images.jpeg(8, 8)
        for _ in range(30):  # 30 per 30 minutes, the two routes together
            r = await upload(c, user, tiny, version=1)
            assert r.status_code == 200, r.text
        r = await upload(c, user, tiny)
        assert r.status_code == 429
        assert len(stored(app)) == 60  # the refused one stored nothing
