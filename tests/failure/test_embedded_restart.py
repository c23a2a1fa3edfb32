"""`social serve` with its embedded Valkey (no `REDIS_URL`: AOF under the data dir), the Valkey
SIGKILLed under it (the OOM killer's way: no save, so only the AOF keeps anything), then
`social serve` restarted: tokens issued before still work, home feeds are still there, and the
pipeline carries on. (tests/cli/test_serve.py covers a clean restart and a crash of `serve`
itself, where the Valkey is stopped with a save.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import free_port
from tests.failure.clients import assert_unavailable, eventually, home
from tests.helpers import followed, post
from tests.processes import Launcher, assert_no_bug, stop, wait_healthy

CATCH_UP_S = 10.0


def embedded_valkey(data_dir: Path) -> psutil.Process | None:
    """The embedded Valkey that owns `data_dir`, if one runs."""
    try:
        process = psutil.Process(int((data_dir / "redis" / "valkey.pid").read_text().strip()))
        return process if "valkey" in process.name() else None
    except (OSError, ValueError, psutil.Error):
        return None


@pytest.fixture
def data_dir(launcher: Launcher) -> Iterator[Path]:
    """The servers' data dir; no Valkey of it outlives the test."""
    path = Path(launcher.env["SOCIAL_DATA_DIR"])
    try:
        yield path
    finally:
        launcher.close()  # first: a server that stops takes its Valkey along
        left = embedded_valkey(path)
        if left is not None:
            left.kill()


async def test_sessions_and_feeds_survive_a_killed_embedded_valkey(
    launcher: Launcher, data_dir: Path
) -> None:
    port = free_port()
    server = launcher.serve(port=port, REDIS_URL="")
    wait_healthy(server)
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as http:
        alice, (bob,) = await followed(http, "alice", "bob")
        posted = [(await post(http, alice, "before the crash"))["id"]]

        async def delivered() -> None:
            assert await home(http, bob) == posted

        await eventually(delivered, CATCH_UP_S)

        valkey = embedded_valkey(data_dir)
        assert valkey is not None
        valkey.kill()
        valkey.wait(10)
        # Nothing restarts it: the server answers as with any Redis outage until restarted.
        assert_unavailable(await http.get("/api/v1/timelines/home", headers=bob.auth))
        assert (await http.get("/readyz")).status_code == 503
        assert (await http.get(f"/api/v1/statuses/{posted[0]}")).status_code == 200

        assert stop(server) == 0, server.output()  # stops cleanly with its Valkey gone
        server = launcher.serve(port=port, REDIS_URL="")
        wait_healthy(server)
        r = await http.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == alice.id
        assert await home(http, bob) == posted  # the feed itself, from the AOF
        posted.insert(0, (await post(http, alice, "after the restart"))["id"])
        await eventually(delivered, CATCH_UP_S)
    assert stop(server) == 0
    assert embedded_valkey(data_dir) is None
    assert_no_bug(server)
