"""Media processing: a 12-megapixel JPEG uploaded through POST /api/v2/media (202), polled
with GET /api/v1/media/:id until 200, against Pillow's own decode + resize + encode of the same
file (the bounded original, 3840x2160's area, and the small preview) in the same run.

    python -m bench.media [--rounds 7]

The app runs in process (its relay and consumer groups too) on an embedded Valkey and a SQLite
file, or REDIS_URL / DATABASE_URL; requests go through httpx's ASGI transport, so the figure
is the server's work: the upload's parse and probe, the outbox, the relay, the `media` group,
the processing in a worker thread, the files written and the row updated, and the polling.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time

import httpx
from PIL import Image

from bench.common import Backends, backends
from social.app import create_app
from social.config import Settings
from social.media.processing import ORIGINAL_MAX_PIXELS, SMALL_MAX_PIXELS, _bounded
from social.platform import ids
from tests.helpers import make_user, register_app

POLL_S = 0.002


def twelve_megapixels() -> bytes:
    """4000x3000 with noise over a gradient: JPEG has real work to do (a flat image would
    encode in no time)."""
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.5).save(out, "JPEG", quality=90)
    return out.getvalue()


def pillow_alone(data: bytes) -> float:
    started = time.perf_counter()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        for area in (ORIGINAL_MAX_PIXELS, SMALL_MAX_PIXELS):
            out = io.BytesIO()
            _bounded(image, area).save(out, "JPEG", quality=85, optimize=True)
    return time.perf_counter() - started


async def through_the_app(client: httpx.AsyncClient, auth: dict[str, str], data: bytes) -> float:
    started = time.perf_counter()
    r = await client.post(
        "/api/v2/media", headers=auth, files={"file": ("photo.jpg", data, "image/jpeg")}
    )
    assert r.status_code == 202, r.text
    media_id = r.json()["id"]
    while True:
        r = await client.get(f"/api/v1/media/{media_id}", headers=auth)
        if r.status_code == 200:
            return time.perf_counter() - started
        assert r.status_code == 206, r.text
        await asyncio.sleep(POLL_S)


async def run(b: Backends, rounds: int) -> None:
    data = twelve_megapixels()
    print(
        f"12 MP JPEG, {len(data) / 1e6:.1f} MB; {rounds} rounds, each: Pillow alone, then the app"
    )
    with tempfile.TemporaryDirectory(prefix="social-bench-media-") as data_dir:
        settings = Settings(
            redis_url=b.redis_url,
            database_url=b.database_url,
            data_dir=data_dir,
            ratelimit_enabled=False,
        )
        app = create_app(settings)
        ctx = app.state.ctx
        await ids.claim_node(ctx.redis, ctx.keys.id_nodes())
        await ctx.events.start()
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost:8000", timeout=60
            ) as client:
                user = await make_user(client, await register_app(client), "bench")
                await through_the_app(client, user.auth, data)  # warm: imports, pools
                ratios, apps, bares = [], [], []
                for n in range(rounds):
                    bare = await asyncio.to_thread(pillow_alone, data)
                    took = await through_the_app(client, user.auth, data)
                    bares.append(bare)
                    apps.append(took)
                    ratios.append(took / bare)
                    print(
                        f"round {n + 1}: Pillow {bare * 1000:.0f} ms, upload to 200 "
                        f"{took * 1000:.0f} ms, ratio {took / bare:.2f}"
                    )
        finally:
            await ctx.close()
    print(
        f"median: Pillow {statistics.median(bares) * 1000:.0f} ms, upload to 200 "
        f"{statistics.median(apps) * 1000:.0f} ms, ratio {statistics.median(ratios):.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b, args.rounds))


if __name__ == "__main__":
    main()
