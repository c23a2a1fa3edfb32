"""CPU a request costs inside the app: the ASGI app called directly, no HTTP server.

    python -m bench.timeline_inproc [--requests 3000] [--concurrency 16] [--path PATH]
                                    [--anonymous] [--no-ratelimit] [--no-lane]

Seeds as `bench.timeline` does, then calls the app with a GET of `--path` (default the home
timeline, with the reader's token unless `--anonymous`) and prints the process's CPU time and
the wall time a request. The other side of `bench.timeline`'s ratio: what the HTTP server and
the load generator do not hide. `--no-ratelimit` measures the rate limiter's share; a cheap
path (`/api/v1/streaming/health`) the middlewares' and authentication's. For where the time
goes, run it under `py-spy record -r 2000 -f raw -o out.txt -- python -m bench.timeline_inproc`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import uvloop

from bench.common import backends
from bench.timeline import seed
from social.app import create_app
from social.config import Settings

HOME = "/api/v1/timelines/home"


async def measure(redis_url: str, database_url: str, token: str, args: argparse.Namespace) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=database_url,
        ratelimit_scale=1e6,
        ratelimit_enabled=not args.no_ratelimit,
        home_lane=not args.no_lane,
        in_process_workers=False,
    )
    app = create_app(settings)
    headers = [(b"host", b"bench"), (b"user-agent", b"bench")]
    if not args.anonymous:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": args.path,
        "raw_path": args.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def requests(n: int) -> None:
        for _ in range(n):
            await app(dict(scope), receive, send)

    async with app.router.lifespan_context(app):
        await requests(300)  # warm caches and code paths
        assert set(statuses) == {200}, sorted(set(statuses))
        per_task = args.requests // args.concurrency
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(requests(per_task) for _ in range(args.concurrency)))
        done = per_task * args.concurrency
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert set(statuses) == {200}, sorted(set(statuses))
    print(
        f"GET {args.path} ({'anonymous' if args.anonymous else 'with a token'}, rate limiter "
        f"{'off' if args.no_ratelimit else 'on'}, lane {'off' if args.no_lane else 'on'}): "
        f"{cpu / done * 1e6:.0f} µs CPU, "
        f"{wall / done * 1e6:.0f} µs wall a request ({done} requests, {args.concurrency} at once)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--path", default=HOME)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--no-ratelimit", action="store_true")
    parser.add_argument("--no-lane", action="store_true", help="the home route the normal way")
    args = parser.parse_args()
    with backends() as b:
        token = asyncio.run(seed(b))
        uvloop.run(measure(b.redis_url, b.database_url, token, args))


if __name__ == "__main__":
    main()
