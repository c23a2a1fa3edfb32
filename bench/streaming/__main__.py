"""Live streaming: N WebSocket clients over two server processes, M messages at a steady rate;
per-delivery latency, delivered/expected, memory per idle socket. The peer, in the same run
under the same load: python-socketio with `AsyncRedisManager`, emitting from another process.

    python -m bench.streaming [--clients 1000] [--messages 50] [--rate 5] [--size 1000]

Two latencies for ours: channel publish -> receipt (the streaming publisher's Lua script from
another process, like the peer's `emit`), and `POST /api/v1/statuses` -> receipt (the whole
pipeline: commit, outbox relay, `streaming` consumer group, publish, fan-out)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import psutil
import uvloop

from bench.common import Backends, backends, server_pid, uvicorn
from bench.streaming.clients import Fleet, Latencies
from bench.streaming.emit import payload
from social.platform.keys import Keys
from social.platform.live.history import HistoryLimits, publish
from social.platform.redis.client import client_from_url

PASSWORD = "correct horse battery staple"
TAG = "bench"
SETTLE_S = 2.0


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss(pids: list[int]) -> int:
    return sum(psutil.Process(pid).memory_info().rss for pid in pids)


@contextlib.contextmanager
def servers(b: Backends) -> Iterator[tuple[list[str], list[str]]]:
    ours_env = {
        "REDIS_URL": b.redis_url,
        "DATABASE_URL": b.database_url,
        "SOCIAL_RATELIMIT_SCALE": "1000000",
        "SOCIAL_LOG_LEVEL": "warning",
    }
    peer_env = {"REDIS_URL": b.redis_url}
    with contextlib.ExitStack() as stack:
        ours = [stack.enter_context(uvicorn("social.app:app_factory", ours_env, factory=True))]
        ours.append(stack.enter_context(uvicorn("social.app:app_factory", ours_env, factory=True)))
        peer = [stack.enter_context(uvicorn("bench.streaming.peer:app", peer_env)) for _ in "ab"]
        yield ours, peer


def emit(kind: str, redis_url: str, count: int, rate: float, size: int) -> None:
    cmd = [sys.executable, "-m", "bench.streaming.emit", kind, redis_url, str(count), str(rate)]
    subprocess.run([*cmd, "--size", str(size), "--tag", TAG], check=True)


def summary(name: str, by_message: Latencies, expected: int) -> dict[str, float]:
    """Percentiles over every receipt, and the messages whose median receipt was slowest: a
    p99 over 50 messages is set by one or two of them."""
    ms = sorted(v for values in by_message.values() for v in values)
    if not ms:
        print(f"{name:34} nothing delivered (expected {expected})")
        return {"p99": float("nan")}
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    medians = sorted(((statistics.median(v), i) for i, v in by_message.items()), reverse=True)
    slowest = ", ".join(f"#{i} {m:.0f} ms" for m, i in medians[:3])
    print(
        f"{name:34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {ms[-1]:7.1f} ms  "
        f"delivered {len(ms)}/{expected}  slowest medians: {slowest}"
    )
    return {"p50": p50, "p99": p99, "max": ms[-1], "delivered": len(ms), "expected": expected}


async def account(base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        app = (
            await http.post("/api/v1/apps", data={"client_name": "bench", "scopes": "read write"})
        ).json()
        creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        grant = {"grant_type": "client_credentials", "scope": "read write", **creds}
        app_token = (await http.post("/oauth/token", data=grant)).json()["access_token"]
        r = await http.post(
            "/api/v1/accounts",
            headers={"Authorization": f"Bearer {app_token}"},
            json={
                "username": "bench",
                "email": "bench@example.com",
                "password": PASSWORD,
                "agreement": True,
            },
        )
        r.raise_for_status()
        token: str = r.json()["access_token"]
        return token


async def post_steadily(
    base: str, token: str, count: int, rate: float, fleet: Fleet
) -> dict[int, float]:
    """`count` statuses at `rate`, after warm-up posts (not timed) have reached every client:
    the HTTP connection is open and every path on the way has run once."""
    sent: dict[int, float] = {}
    answered: Latencies = {}
    async with httpx.AsyncClient(
        base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as http:

        async def warm() -> None:
            r = await http.post("/api/v1/statuses", json={"status": f"warm-up #{TAG}"})
            r.raise_for_status()

        await fleet.warm_up(warm)

        async def one(seq: int) -> None:
            sent[seq] = time.monotonic()
            r = await http.post("/api/v1/statuses", json={"status": f"bench {seq} #{TAG}"})
            r.raise_for_status()
            answered[seq] = [(time.monotonic() - sent[seq]) * 1000]

        tasks = []
        start = time.monotonic()
        for seq in range(count):
            await asyncio.sleep(max(0.0, start + seq / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(seq)))
        await asyncio.gather(*tasks)
    summary("ours: POST /statuses answered", answered, count)
    return sent


async def run(args: argparse.Namespace, b: Backends, ours: list[str], peer: list[str]) -> None:
    n, m = args.clients, args.messages
    redis = client_from_url(b.redis_url)
    keys, limits = Keys(), HistoryLimits(1000, 3600)
    results: dict[str, dict[str, float]] = {}

    async def ours_warm() -> None:
        await publish(redis, keys, limits, [f"hashtag:{TAG}"], "update", payload("w", 0, 10))

    # ours
    ours_pids = [server_pid(u) for u in ours]
    ours_ws = [
        u.replace("http", "ws", 1) + f"/api/v1/streaming?stream=hashtag&tag={TAG}" for u in ours
    ]
    token = await account(ours[0])
    fleet = Fleet("ours")
    await asyncio.sleep(SETTLE_S)
    before = rss(ours_pids)
    await fleet.connect(ours_ws, n)
    await fleet.warm_up(ours_warm)
    await asyncio.sleep(SETTLE_S)
    ours_kb = (rss(ours_pids) - before) / n / 1024
    await asyncio.to_thread(emit, "ours", b.redis_url, m, args.rate, args.size)
    await fleet.wait_all(n * m)
    results["ours_publish"] = summary("ours: publish -> receipt", fleet.latencies_ms("p"), n * m)
    fleet.clear()
    sent = await post_steadily(ours[0], token, m, args.rate, fleet)
    await fleet.wait_all(n * m)
    results["ours_post"] = summary(
        "ours: POST /statuses -> receipt", fleet.posted_latencies_ms(sent), n * m
    )
    await fleet.close()

    # the peer
    peer_pids = [server_pid(u) for u in peer]
    peer_ws = [u.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket" for u in peer]

    async def peer_warm() -> None:
        await asyncio.to_thread(emit, "peer", b.redis_url, 1, 1.0, 10)

    fleet = Fleet("peer")
    before = rss(peer_pids)
    await fleet.connect(peer_ws, n)
    await fleet.warm_up(peer_warm)
    await asyncio.sleep(SETTLE_S)
    peer_kb = (rss(peer_pids) - before) / n / 1024
    await asyncio.to_thread(emit, "peer", b.redis_url, m, args.rate, args.size)
    await fleet.wait_all(n * m)
    results["peer_publish"] = summary(
        "python-socketio: emit -> receipt", fleet.latencies_ms("p"), n * m
    )
    await fleet.close()
    await redis.aclose()

    ratio = results["ours_publish"]["p99"] / results["peer_publish"]["p99"]
    print(f"{'publish -> receipt p99, ours/peer':34} {ratio:.2f} (target <= 0.5)")
    print(
        f"{'memory per idle socket':34} ours {ours_kb:.1f} KB, "
        f"python-socketio {peer_kb:.1f} KB (target <= 30 KB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second")
    parser.add_argument("--size", type=int, default=1000, help="payload padding, bytes")
    args = parser.parse_args()
    raise_fd_limit()
    print(
        f"{args.clients} clients over 2 server processes (ours, then the peer), "
        f"{args.messages} messages at {args.rate}/s, "
        f"{args.size} B payloads"
    )
    # The clients' receipts pile up (50,000 a run): the collector's full passes over them took
    # 60+ ms in the middle of a message's fan-out, in the client, the same for either server.
    gc.disable()
    with backends() as b, servers(b) as (ours, peer):
        uvloop.run(run(args, b, ours, peer))


if __name__ == "__main__":
    main()
