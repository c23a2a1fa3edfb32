"""CPU a request costs inside the app: the ASGI app called directly, no HTTP server.

    python -m bench.timeline_inproc [--requests 3000] [--concurrency 16] [--path PATH]
                                    [--anonymous] [--no-ratelimit] [--no-near-cache]
                                    [--compare VARIANT,...] [--rounds 5]

Seeds as `bench.timeline` does, then calls the app with a GET of `--path` (default the home
timeline, with the reader's token unless `--anonymous`) and prints the process's CPU time and
the wall time a request. The other side of `bench.timeline`'s ratio: what the HTTP server and
the load generator do not hide. `--no-ratelimit` measures the rate limiter's share; a cheap
path (`/api/v1/streaming/health`) the front layer's and authentication's. `--compare`
measures several variants (`default`, `no-near-cache`, `no-ratelimit`) in turn, `--rounds`
times over, and prints each one's median: this machine's speed drifts by tens of percent
within minutes, so only interleaved runs compare. For where the time
goes, run it under `py-spy record -r 2000 -f raw -o out.txt -- python -m bench.timeline_inproc`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import uvloop

from bench.common import backends
from bench.timeline import seed
from social.app import create_app
from social.config import Settings

HOME = "/api/v1/timelines/home"
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-near-cache": {"near_cache_entries": 0},
    "no-ratelimit": {"ratelimit_enabled": False},
}


def variant_of(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.no_ratelimit:
        options["ratelimit_enabled"] = False
    if args.no_near_cache:
        options["near_cache_entries"] = 0
    return options


async def measure(redis_url: str, database_url: str, token: str, args: argparse.Namespace) -> None:
    names = args.compare.split(",") if args.compare else ["given"]
    options = {name: VARIANTS[name] if args.compare else variant_of(args) for name in names}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for _ in range(args.rounds if args.compare else 1):
        for name in names:
            results[name].append(
                await measure_one(redis_url, database_url, token, args, options[name])
            )
    who = "anonymous" if args.anonymous else "with a token"
    for name in names:
        cpu = statistics.median(c for c, _ in results[name])
        wall = statistics.median(w for _, w in results[name])
        runs = len(results[name])
        print(
            f"GET {args.path} ({who}; {name}: {options[name] or 'defaults'}): "
            f"{cpu * 1e6:.0f} µs CPU, {wall * 1e6:.0f} µs wall a request "
            f"(median of {runs}; {args.requests} requests, {args.concurrency} at once)"
        )


async def measure_one(
    redis_url: str,
    database_url: str,
    token: str,
    args: argparse.Namespace,
    options: dict[str, Any],
) -> tuple[float, float]:
    """CPU and wall seconds a request."""
    settings = Settings(
        redis_url=redis_url,
        database_url=database_url,
        ratelimit_scale=1e6,
        in_process_workers=False,
        **options,
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
    return cpu / done, wall / done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--path", default=HOME)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--no-ratelimit", action="store_true")
    parser.add_argument("--no-near-cache", action="store_true", help="no in-process cache")
    parser.add_argument("--compare", help=f"variants, comma-separated: {', '.join(VARIANTS)}")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with backends() as b:
        token = asyncio.run(seed(b))
        uvloop.run(measure(b.redis_url, b.database_url, token, args))


if __name__ == "__main__":
    main()
