"""Home timeline throughput against a bare Starlette endpoint, same server, same run.

    python -m bench.timeline [--seconds 10] [--connections 64] [--no-lane]

Seeds accounts, follows and statuses through the API, warms the caches, then serves the app
and the bare endpoint one after the other with uvicorn (1 worker, uvloop, httptools) and drives
each with wrk. Prints requests/s, p50/p99 and the ratio app/bare. Needs `wrk` (apt-get install
wrk). Uses REDIS_URL / DATABASE_URL when set, else an embedded Valkey and a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio

import httpx

from bench.common import Backends, backends, uvicorn, wrk
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
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-lane", action="store_true", help="the home route the normal way")
    args = parser.parse_args()
    with backends() as b:
        token = asyncio.run(seed(b))
        env = {
            "REDIS_URL": b.redis_url,
            "DATABASE_URL": b.database_url,
            "SOCIAL_IN_PROCESS_WORKERS": "false",
            # The limiter runs on every request as in production, with limits out of reach.
            "SOCIAL_RATELIMIT_SCALE": "1000000",
            "SOCIAL_HOME_LANE": "false" if args.no_lane else "true",
        }
        auth = {"Authorization": f"Bearer {token}"}
        with uvicorn("bench.bare_app:app", env) as base:
            wrk(f"{base}/bare", connections=args.connections, seconds=2, headers=auth)  # warm-up
            bare = wrk(
                f"{base}/bare", connections=args.connections, seconds=args.seconds, headers=auth
            )
        with uvicorn("social.app:app_factory", env, factory=True) as base:
            url = f"{base}/api/v1/timelines/home"
            wrk(url, connections=args.connections, seconds=2, headers=auth)  # warm-up
            home = wrk(url, connections=args.connections, seconds=args.seconds, headers=auth)
    print(
        f"bare Starlette endpoint: {bare.requests_per_s:8.0f} req/s  "
        f"p50 {bare.p50_ms:6.2f} ms  p99 {bare.p99_ms:6.2f} ms  errors {bare.errors}"
    )
    print(
        f"home timeline (20{', no lane' if args.no_lane else ''}): "
        f"{home.requests_per_s:8.0f} req/s  "
        f"p50 {home.p50_ms:6.2f} ms  p99 {home.p99_ms:6.2f} ms  errors {home.errors}"
    )
    print(
        f"ratio home/bare: {home.requests_per_s / bare.requests_per_s:.3f}  "
        f"(target >= 0.25; p99 target <= 25 ms at {args.connections} connections)"
    )
    print(
        "Redis round trips per home request: 3 (auth, feed page, statuses+accounts), "
        "asserted in tests/api/test_round_trips.py"
    )


if __name__ == "__main__":
    main()
