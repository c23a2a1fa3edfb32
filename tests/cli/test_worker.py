"""`social worker` delivers events for a server that runs no workers itself (scale-out)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import MakeApp
from tests.helpers import follow, home_ids, make_user, post, register_app


async def test_worker_process_delivers_events(
    make_app: MakeApp, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    app = await make_app(in_process_workers=False)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: ASYNC220 (started once, not awaited on)
            [sys.executable, "-m", "social", "worker"], env=env, stdout=out, stderr=out
        )
    try:
        for _ in range(300):
            if "consumer groups running" in log.read_text():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the worker did not start: {log.read_text()}")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client_app = await register_app(client)
            alice = await make_user(client, client_app, "alice")
            bob = await make_user(client, client_app, "bob")
            await follow(client, bob, alice)
            await home_ids(client, bob)
            await app.state.ctx.settle()  # bob's feed is built: only fan-out can add to it now
            status = await post(client, alice, "hello from the web process")
            for _ in range(100):
                if status["id"] in await home_ids(client, bob):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the worker never delivered: {log.read_text()}")
            notes = await client.get("/api/v1/notifications", headers=alice.auth)
            assert [n["type"] for n in notes.json()] == ["follow"]
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, log.read_text()
    assert "social worker stopped" in log.read_text()


def test_worker_stopped_while_starting_exits_cleanly(database_url: str, redis_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "social", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.8)  # during start-up (imports, connecting) or just after it
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
