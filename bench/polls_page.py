"""What polls cost a timeline page: two readers' home pages of 20 statuses, one without polls,
one with a poll on each (its reader voted in half of them), read warm in the same run,
interleaved.

    python -m bench.polls_page [--requests 400] [--rounds 5]

The app is called in process (httpx's ASGI transport), each page asserted to hold its 20
statuses; prints each page's median wall time a request and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from bench.common import backends
from social.app import create_app
from social.config import Settings
from tests.helpers import follow, make_user, post, register_app

PAGE = 20


async def _run(redis_url: str, database_url: str, args: argparse.Namespace) -> None:
    settings = Settings(
        redis_url=redis_url, database_url=database_url, ratelimit_scale=1e6, domain="bench"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            client_app = await register_app(http)
            plain, polling, reader, other = [
                await make_user(http, client_app, n)
                for n in ("plain", "polling", "reader", "other")
            ]
            await follow(http, other, plain)
            await follow(http, reader, polling)
            for user in (reader, other):
                await http.get("/api/v1/timelines/home", headers=user.auth)  # built
            for n in range(PAGE):
                await post(http, plain, f"plain {n}")
            for n in range(PAGE):
                status = await post(
                    http,
                    polling,
                    f"poll {n}",
                    poll={"options": ["yes", "no", "maybe"], "expires_in": 86_400},
                )
                if n % 2:
                    r = await http.post(
                        f"/api/v1/polls/{status['poll']['id']}/votes",
                        headers=reader.auth,
                        json={"choices": [n % 3]},
                    )
                    assert r.status_code == 200, r.text
            await app.state.ctx.events.drain()
            pages = {"without polls": other, "with polls": reader}
            results: dict[str, list[float]] = {name: [] for name in pages}
            for _ in range(args.rounds):
                for name, user in pages.items():
                    results[name].append(await _time(http, user.auth, args.requests))
    base, with_polls = (statistics.median(results[n]) for n in pages)
    for name in pages:
        print(f"home page of {PAGE}, {name}: {statistics.median(results[name]) * 1e6:.0f} µs")
    print(f"with polls / without: {with_polls / base:.2f}")


async def _time(http: httpx.AsyncClient, auth: dict[str, str], n: int) -> float:
    for _ in range(20):  # warm
        r = await http.get("/api/v1/timelines/home", headers=auth)
        assert len(r.json()) == PAGE
    start = time.perf_counter()
    for _ in range(n):
        r = await http.get("/api/v1/timelines/home", headers=auth)
        assert r.status_code == 200
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with backends() as found:
        asyncio.run(_run(found.redis_url, found.database_url, args))


if __name__ == "__main__":
    main()
