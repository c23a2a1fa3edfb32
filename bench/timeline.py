"""Home timeline throughput against a bare Starlette endpoint, same server, same run.

    python -m bench.timeline [--seconds 10] [--connections 64] [--rounds 3] [--no-near-cache]

Seeds accounts, follows and statuses through the API, warms the caches, then serves the app
and the bare endpoint with uvicorn (1 worker each, uvloop, httptools) and drives them with wrk
in turn, `--rounds` times. Prints requests/s, p50/p99 and the ratio app/bare of each round, and
the median ratio. Needs `wrk` (apt-get install
wrk). Uses REDIS_URL / DATABASE_URL when set, else an embedded Valkey and a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

import httpx

from bench.common import Backends, WrkResult, backends, uvicorn, wrk
from social.app import create_app
from social.config import Settings

USERS = 30
STATUSES_PER_USER = 20
PASSWORD = "bench password 123"


async def seed(b: Backends) -> str:
    """Returns the token of a reader who follows everyone; their home has 20+ statuses."""
    app = create_app(
        Settings(redis_url=b.redis_url, database_url=b.database_url, ratelimit_scale=1e6)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        creds = (
            await c.post(
                "/api/v1/apps", data={"client_name": "bench", "scopes": "read write follow"}
            )
        ).json()
        app_token = (
            await c.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": creds["client_id"],
                    "client_secret": creds["client_secret"],
                    "scope": "read write follow",
                },
            )
        ).json()
        users = []
        for i in range(USERS + 1):
            r = await c.post(
                "/api/v1/accounts",
                headers={"Authorization": f"Bearer {app_token['access_token']}"},
                data={
                    "username": f"user{i}",
                    "email": f"user{i}@bench.example",
                    "password": PASSWORD,
                    "agreement": "true",
                },
            )
            users.append({"Authorization": f"Bearer {r.json()['access_token']}"})
        reader, writers = users[0], users[1:]
        for i, _ in enumerate(writers, start=1):
            me = await c.get(f"/api/v1/accounts/lookup?acct=user{i}")
            await c.post(f"/api/v1/accounts/{me.json()['id']}/follow", headers=reader)
        await c.get("/api/v1/timelines/home", headers=reader)  # build the feed
        await app.state.ctx.events.drain(timeout_s=60)
        for n in range(STATUSES_PER_USER):
            for i, writer in enumerate(writers):
                await c.post(
                    "/api/v1/statuses",
                    headers=writer,
                    json={"status": f"status {n} of user{i} #bench"},
                )
        await app.state.ctx.events.drain(timeout_s=120)
        await asyncio.sleep(0.5)
        home = await c.get("/api/v1/timelines/home", headers=reader)
        assert len(home.json()) == 20, home.text
    await app.state.ctx.close()
    return reader["Authorization"].split()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="bare and home, in turn")
    parser.add_argument("--no-near-cache", action="store_true", help="no in-process cache")
    args = parser.parse_args()
    with backends() as b:
        token = asyncio.run(seed(b))
        env = {
            "REDIS_URL": b.redis_url,
            "DATABASE_URL": b.database_url,
            "SOCIAL_IN_PROCESS_WORKERS": "false",
            # The limiter runs on every request as in production, with limits out of reach.
            "SOCIAL_RATELIMIT_SCALE": "1000000",
        }
        if args.no_near_cache:
            env["SOCIAL_NEAR_CACHE_ENTRIES"] = "0"
        auth = {"Authorization": f"Bearer {token}"}
        rounds: list[tuple[WrkResult, WrkResult]] = []
        with (
            uvicorn("bench.bare_app:app", env) as bare_base,
            uvicorn("social.app:app_factory", env, factory=True) as app_base,
        ):
            bare_url, home_url = f"{bare_base}/bare", f"{app_base}/api/v1/timelines/home"
            for url in (bare_url, home_url):  # warm-up
                wrk(url, connections=args.connections, seconds=2, headers=auth)
            # In turn, several times: this machine's speed drifts within minutes, and a
            # ratio of two runs minutes apart measures the drift as much as the code.
            for _ in range(args.rounds):
                bare = wrk(
                    bare_url, connections=args.connections, seconds=args.seconds, headers=auth
                )
                home = wrk(
                    home_url, connections=args.connections, seconds=args.seconds, headers=auth
                )
                rounds.append((bare, home))
    variant = "no near cache" if args.no_near_cache else ""
    for n, (bare, home) in enumerate(rounds, start=1):
        print(
            f"round {n}: bare {bare.requests_per_s:7.0f} req/s p99 {bare.p99_ms:6.2f} ms | "
            f"home (20{', ' + variant if variant else ''}) {home.requests_per_s:6.0f} req/s "
            f"p50 {home.p50_ms:6.2f} ms p99 {home.p99_ms:6.2f} ms errors {home.errors} | "
            f"ratio {home.requests_per_s / bare.requests_per_s:.3f}"
        )
    ratio = statistics.median(h.requests_per_s / b.requests_per_s for b, h in rounds)
    p99 = statistics.median(h.p99_ms for _, h in rounds)
    print(
        f"ratio home/bare, median of {len(rounds)} rounds: {ratio:.3f} (target >= 0.25); "
        f"home p99 median {p99:.1f} ms (target <= 25 ms at {args.connections} connections)"
    )
    print(
        "Redis round trips per warm home request: 1 (the feed page with the rate-limit check), "
        "3 without the near cache; asserted in tests/web/test_round_trips.py"
    )


if __name__ == "__main__":
    main()
