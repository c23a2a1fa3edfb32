"""`social worker` SIGKILLed while it processes an upload: another worker takes the job over
once it has been idle for `SOCIAL_EVENTS_CLAIM_IDLE_MS` and finishes it; the client polling
GET /api/v1/media/:id sees 206 and then 200 with the files served."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

import httpx

from social.platform.events.keys import EventKeys
from social.platform.redis.client import AnyRedis
from tests.failure.clients import eventually
from tests.helpers import make_user, register_app
from tests.media import images
from tests.processes import WORKER_READY, Launcher, Process, kill, wait_for_log, wait_healthy

KEYS = EventKeys()
CLAIM_IDLE_MS = 500


async def media_held_by(redis: AnyRedis, worker: Process) -> int:
    summary: Any = await redis.xpending(KEYS.stream, "media")
    for consumer in summary["consumers"] or []:
        if f"-{worker.pid}-" in consumer["name"].decode():
            return int(consumer["pending"])
    return 0


async def kill_while_processing(redis: AnyRedis, worker: Process) -> None:
    """Let the frozen worker run in short slices until, frozen again, it holds the job
    delivered and unacknowledged (processing a 24-megapixel JPEG takes it a while); then
    SIGKILL it."""
    deadline = time.monotonic() + 20
    slice_s = 0.005
    while time.monotonic() < deadline:
        worker.proc.send_signal(signal.SIGCONT)
        await asyncio.sleep(slice_s)
        worker.proc.send_signal(signal.SIGSTOP)
        if await media_held_by(redis, worker):
            kill(worker)
            return
        slice_s = min(slice_s * 1.5, 0.1)
    raise AssertionError("the worker never held the media job")


async def test_a_killed_workers_media_job_is_finished_by_another(
    launcher: Launcher, redis: AnyRedis
) -> None:
    env = {
        "SOCIAL_IN_PROCESS_WORKERS": "false",
        "SOCIAL_EVENTS_CLAIM_IDLE_MS": str(CLAIM_IDLE_MS),
        "SOCIAL_MEDIA_INLINE_MAX_PIXELS": "0",
    }
    server = launcher.serve(**env)
    first = launcher.worker(**env)
    wait_healthy(server)
    wait_for_log(first, WORKER_READY)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        alice = await make_user(http, await register_app(http), "alice")
        await asyncio.sleep(0.5)  # the worker idle: frozen, it holds no database lock
        first.proc.send_signal(signal.SIGSTOP)
        r = await http.post(
            "/api/v2/media",
            headers=alice.auth,
            files={"file": ("big.jpg", images.jpeg(6000, 4000), "image/jpeg")},
        )
        assert r.status_code == 202, r.text
        media_id = r.json()["id"]
        await kill_while_processing(redis, first)
        assert first.proc.returncode == -signal.SIGKILL
        r = await http.get(f"/api/v1/media/{media_id}", headers=alice.auth)
        assert r.status_code == 206

        second = launcher.worker(**env)
        wait_for_log(second, WORKER_READY)

        async def processed() -> dict[str, Any]:
            r = await http.get(f"/api/v1/media/{media_id}", headers=alice.auth)
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body

        media = await eventually(processed, 30, "processing by the second worker")
        assert media["meta"]["original"]["width"] * media["meta"]["original"]["height"] <= (
            3840 * 2160
        )
        served = await http.get(media["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert await redis.xlen(KEYS.dead_letters("media")) == 0
