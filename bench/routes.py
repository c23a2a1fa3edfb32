"""The most requested routes, read and write, each against a bare Starlette endpoint in the
same run.

    python -m bench.routes [--requests 2000] [--writes 300] [--concurrency 16] [--rounds 3]
                           [--only NAME,...] [--opcodes] [--fanout-push-max N]

Seeds a reader who follows 30 authors (600 statuses, a thread, favourites, mentions and follows
that notify the reader), then calls the ASGI app directly (no HTTP server, no load generator:
what the code itself costs) with each route's request, `--requests` times, `--concurrency` at
once, the reader's token on every request as an app sends it. The bare endpoint is called the
same way in the same rounds. Rounds interleave the routes, since this machine's speed drifts
within minutes. Prints per route the median CPU time a request, the ratio bare/route (the
same sense as `bench.timeline`'s throughput ratio), and what one warm request sends: Redis
round trips and database statements. With `--opcodes`, also the Python opcodes one warm
request executes (traced with `sys.settrace`: the same count run after run, where this
machine's timings drift by tens of percent). The write routes (a post, a favourite and its
undoing, a follow and its undoing, a delete) run `--writes` times a round: each request
writes (a favourite alternates with its undoing, a delete takes a status posted for it before
the clock starts); their figures count what the request itself sends, not the event consumers'
work after it (they do not run in the measured process). With `--fanout-push-max 0` every
author counts as large (bounded fan-out): their statuses are kept per author, not pushed, and
the reader's home is merged from 30 large authors' recent sets as it is read. Uses
REDIS_URL / DATABASE_URL when set, else an embedded Valkey and a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import httpx
import orjson
import uvloop
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.common import backends
from bench.round_trips import RoundTrips
from social.app import create_app
from social.config import Settings
from trending import Review

AUTHORS = 30
STATUSES_PER_AUTHOR = 20
PASSWORD = "bench password 123"
ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@dataclass
class World:
    token: str
    reader_id: str
    author_id: str
    status_id: str
    thread_id: str
    relationship_ids: list[str]
    author_ids: list[str]
    posted_ids: list[str]


async def seed(redis_url: str, database_url: str, fanout: dict[str, int]) -> World:
    settings = Settings(
        redis_url=redis_url, database_url=database_url, ratelimit_scale=1e6, **fanout
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as c,
    ):
        scopes = "read write follow"
        creds = (
            await c.post("/api/v1/apps", data={"client_name": "bench", "scopes": scopes})
        ).json()
        form = {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
        grant = {"grant_type": "client_credentials", "scope": scopes, **form}
        app_token = (await c.post("/oauth/token", data=grant)).json()["access_token"]

        async def sign_up(name: str) -> tuple[dict[str, str], str]:
            r = await c.post(
                "/api/v1/accounts",
                headers={"Authorization": f"Bearer {app_token}"},
                data={
                    "username": name,
                    "email": f"{name}@bench.example",
                    "password": PASSWORD,
                    "agreement": "true",
                },
            )
            auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
            me = await c.get("/api/v1/accounts/verify_credentials", headers=auth)
            return auth, me.json()["id"]

        reader, reader_id = await sign_up("reader")
        authors = [await sign_up(f"author{i}") for i in range(AUTHORS)]
        for auth, author_id in authors:
            await c.post(f"/api/v1/accounts/{author_id}/follow", headers=reader)
            await c.post(f"/api/v1/accounts/{reader_id}/follow", headers=auth)  # notifies
        await c.get("/api/v1/timelines/home", headers=reader)  # builds the feed
        mine = await c.post("/api/v1/statuses", headers=reader, json={"status": "hello #bench"})
        posted = []
        for n in range(STATUSES_PER_AUTHOR):
            for i, (auth, _) in enumerate(authors):
                text = f"status {n} of author{i} #bench #trend{n % 10}"
                text += " @reader" if n % 5 == 0 else ""
                r = await c.post("/api/v1/statuses", headers=auth, json={"status": text})
                posted.append(r.json()["id"])
        for auth, _ in authors[:10]:
            await c.post(f"/api/v1/statuses/{mine.json()['id']}/favourite", headers=auth)
        (first_auth, author_id), (second_auth, _) = authors[0], authors[1]
        thread = (
            await c.post("/api/v1/statuses", headers=first_auth, json={"status": "a thread"})
        ).json()
        parent = thread["id"]
        for n in range(6):
            auth = second_auth if n % 2 else first_auth
            r = await c.post(
                "/api/v1/statuses",
                headers=auth,
                json={"status": f"reply {n}", "in_reply_to_id": parent},
            )
            parent = r.json()["id"]
        await app.state.ctx.events.drain(timeout_s=120)
        home = (await c.get("/api/v1/timelines/home", headers=reader)).json()
        assert len(home) == 20, home
        await c.post(f"/api/v1/statuses/{home[3]['id']}/favourite", headers=reader)
        await app.state.ctx.events.drain(timeout_s=60)
        trends = app.state.ctx.trends
        await trends.settle()
        for trend in await trends.top(20, public=False):  # eleven tags, thirty authors each
            await trends.set_review(trend.tag, Review.APPROVED)
        token = reader["Authorization"].split()[1]
        ids = [a for _, a in authors[:5]]
    await app.state.ctx.close()
    older = posted[: -2 * AUTHORS]  # none of them on the reader's first home page
    all_authors = [a for _, a in authors]
    return World(token, reader_id, author_id, home[0]["id"], thread["id"], ids, all_authors, older)


def routes(world: World) -> dict[str, str]:
    """Name -> path with query: the read routes clients ask most."""
    rel = "&".join(f"id[]={i}" for i in world.relationship_ids)
    return {
        "home": "/api/v1/timelines/home",
        "notifications": "/api/v1/notifications",
        "status": f"/api/v1/statuses/{world.status_id}",
        "context": f"/api/v1/statuses/{world.thread_id}/context",
        "account": f"/api/v1/accounts/{world.author_id}",
        "account statuses": f"/api/v1/accounts/{world.author_id}/statuses",
        "relationships": f"/api/v1/accounts/relationships?{rel}",
        "public": "/api/v1/timelines/public",
        "tag": "/api/v1/timelines/tag/bench",
        "verify_credentials": "/api/v1/accounts/verify_credentials",
        "trends": "/api/v1/trends/tags",
    }


def scope_for(
    target: str, token: str | None, method: str = "GET", body: bytes = b""
) -> dict[str, Any]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"bench"), (b"user-agent", b"bench")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


Request_ = tuple[dict[str, Any], bytes]
"""A request's ASGI scope and body."""


class Caller:
    """Calls an ASGI app with one request again and again (or, with `make`, the request
    `make(task, n)` gives for the `n`th call of concurrent task `task`); keeps the statuses
    it got."""

    def __init__(
        self,
        app: ASGIApp,
        scope: dict[str, Any],
        make: Callable[[int, int], Request_] | None = None,
    ) -> None:
        self.app = app
        self.scope = scope
        self.make = make
        self.calls: dict[int, int] = {}
        self.statuses: list[int] = []

    async def receive(self) -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.statuses.append(message["status"])

    async def run(self, n: int, task: int = 0) -> None:
        if self.make is None:
            for _ in range(n):
                await self.app(dict(self.scope), self.receive, self.send)
            return
        for _ in range(n):
            count = self.calls.get(task, 0)
            self.calls[task] = count + 1
            scope, body = self.make(task, count)
            message = {"type": "http.request", "body": body, "more_body": False}

            async def receive(message: dict[str, Any] = message) -> dict[str, Any]:
                return message

            await self.app(scope, receive, self.send)

    async def cpu_per_request(self, requests: int, concurrency: int) -> float:
        per_task = max(1, requests // concurrency)
        cpu = time.process_time()
        await asyncio.gather(*(self.run(per_task, task) for task in range(concurrency)))
        cpu = time.process_time() - cpu
        if set(self.statuses) != {200}:
            raise AssertionError(f"{self.scope['path']}: statuses {sorted(set(self.statuses))}")
        return cpu / (per_task * concurrency)


class Writes:
    """The write routes: each call writes. A favourite and a follow alternate with their
    undoing, per task on its own statuses and authors, so that concurrent tasks never undo
    each other's; a delete takes a status `prepare` posted before the clock starts."""

    def __init__(self, world: World, concurrency: int) -> None:
        self.world = world
        self.concurrency = concurrency
        self.favourited: set[str] = set()
        self.unfollowed: set[str] = set()
        self.deletable: dict[int, list[str]] = {}

    def post(self, task: int, n: int) -> Request_:
        body = orjson.dumps({"status": f"post {n} of task {task} #bench", "visibility": "public"})
        return scope_for("/api/v1/statuses", self.world.token, "POST", body), body

    def favourite(self, task: int, n: int) -> Request_:
        mine = self.world.posted_ids[task :: self.concurrency]
        status_id = mine[(n // 2) % len(mine)]
        undo = status_id in self.favourited
        (self.favourited.discard if undo else self.favourited.add)(status_id)
        action = "unfavourite" if undo else "favourite"
        return scope_for(f"/api/v1/statuses/{status_id}/{action}", self.world.token, "POST"), b""

    def follow(self, task: int, _n: int) -> Request_:
        author_id = self.world.author_ids[task % len(self.world.author_ids)]
        undo = author_id not in self.unfollowed  # the reader follows every author at first
        (self.unfollowed.add if undo else self.unfollowed.discard)(author_id)
        action = "unfollow" if undo else "follow"
        return scope_for(f"/api/v1/accounts/{author_id}/{action}", self.world.token, "POST"), b""

    def delete(self, task: int, _n: int) -> Request_:
        status_id = self.deletable[task].pop()
        return scope_for(f"/api/v1/statuses/{status_id}", self.world.token, "DELETE"), b""

    async def prepare(self, app: ASGIApp, per_task: int) -> None:
        """Posts what the next `per_task` deletes of each task take (not timed)."""
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        auth = {"Authorization": f"Bearer {self.world.token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            for task in range(self.concurrency):
                for n in range(per_task):
                    r = await c.post("/api/v1/statuses", headers=auth, json={"status": f"d{n}"})
                    self.deletable.setdefault(task, []).append(r.json()["id"])

    def callers(self, app: ASGIApp) -> dict[str, Caller]:
        made = {
            "post": self.post,
            "favourite/unfav": self.favourite,
            "follow/unfollow": self.follow,
            "delete": self.delete,
        }
        return {name: Caller(app, scope_for(name, None), make) for name, make in made.items()}


class Opcodes:
    """Counts the Python opcodes executed while on (every frame, every library)."""

    def __init__(self) -> None:
        self.count = 0

    def _trace(self, frame: FrameType, event: str, _arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.count += 1
        return self._trace

    async def per_request(self, caller: Caller, n: int = 20) -> float:
        self.count = 0
        sys.settrace(self._trace)
        try:
            await caller.run(n)
        finally:
            sys.settrace(None)
        return self.count / n


async def _bare_endpoint(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


BARE = Starlette(routes=[Route("/bare", _bare_endpoint)])


async def sends_of(
    app: Starlette, callers: dict[str, Caller], show: str | None = None
) -> dict[str, tuple[int, int]]:
    """Redis round trips and database statements of one request of each caller; prints the
    statements of the one named `show`."""
    counts = {}
    statements = [0]
    showing = [False]

    def count_statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements[0] += 1
        if showing[0]:
            print(" ".join(sql.split())[:300])

    engine = app.state.ctx.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count_statement)
    with RoundTrips(app.state.ctx.redis) as trips:
        for name, caller in callers.items():
            trips.sends, statements[0] = 0, 0
            showing[0] = name == show
            await caller.run(1)
            counts[name] = (trips.sends, statements[0])
    event.remove(engine, "before_cursor_execute", count_statement)
    return counts


async def profile(caller: Caller, n: int = 20) -> None:
    """Prints where `n` calls of one route spend their CPU, by function (cProfile)."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    await caller.run(n)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


async def measure(
    redis_url: str, database_url: str, world: World, args: argparse.Namespace
) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=database_url,
        ratelimit_scale=1e6,
        in_process_workers=False,
        **fanout_of(args),
    )
    app = create_app(settings)
    wanted = routes(world)
    writes = Writes(world, args.concurrency)
    write_callers = writes.callers(app)
    if args.only:
        names = args.only.split(",")
        wanted = {name: wanted[name] for name in names if name in wanted}
        write_callers = {name: write_callers[name] for name in names if name in write_callers}
    callers = {name: Caller(app, scope_for(target, world.token)) for name, target in wanted.items()}
    bare = Caller(BARE, scope_for("/bare", world.token))
    every = {**callers, **write_callers}
    cpu: dict[str, list[float]] = {name: [] for name in ["bare", *every]}
    counts: dict[str, tuple[int, int]] = {}
    opcodes: dict[str, float] = {}
    per_task = max(1, args.writes // args.concurrency)
    deleting = "delete" in write_callers
    async with app.router.lifespan_context(app):
        if deleting:  # the warm-up's, the rounds', the counted and the traced calls
            await writes.prepare(app, 2 + per_task * args.rounds + 1 + 20)
        for caller in [bare, *callers.values()]:
            await caller.run(200)  # warm caches and code paths
        # warm, and before any write changed the state
        counts.update(await sends_of(app, callers, args.statements))
        for caller in write_callers.values():
            await caller.run(2)
        for _ in range(args.rounds):
            cpu["bare"].append(await bare.cpu_per_request(args.requests, args.concurrency))
            for name, caller in callers.items():
                cpu[name].append(await caller.cpu_per_request(args.requests, args.concurrency))
            for name, caller in write_callers.items():
                cpu[name].append(await caller.cpu_per_request(args.writes, args.concurrency))
        await app.state.ctx.settle()
        counts.update(await sends_of(app, write_callers, args.statements))
        if args.profile:
            await profile(every[args.profile])
        if args.opcodes:
            tracer = Opcodes()
            for name, caller in [("bare", bare), *every.items()]:
                opcodes[name] = await tracer.per_request(caller)
    bare_cpu = statistics.median(cpu["bare"])
    print(
        f"{args.requests} requests a route and round, {args.concurrency} at once, "
        f"{args.rounds} rounds ({args.writes} a write route); median CPU time a request"
    )
    extra = f" {'opcodes':>8}" if args.opcodes else ""
    print(f"{'route':<20} {'CPU µs':>8} {'ratio':>6} {'Redis':>6} {'DB':>4}{extra}")
    bare_ops = f" {opcodes['bare']:8.0f}" if args.opcodes else ""
    print(f"{'bare endpoint':<20} {bare_cpu * 1e6:8.1f} {1:6.3f} {'':>6} {'':>4}{bare_ops}")
    for name in every:
        route_cpu = statistics.median(cpu[name])
        redis_sends, db = counts[name]
        ops = f" {opcodes[name]:8.0f}" if args.opcodes else ""
        print(
            f"{name:<20} {route_cpu * 1e6:8.1f} {bare_cpu / route_cpu:6.3f} "
            f"{redis_sends:6d} {db:4d}{ops}"
        )


def fanout_of(args: argparse.Namespace) -> dict[str, int]:
    """`--fanout-push-max 0`: every author is large, the reader's home merged from all 30."""
    push_max = args.fanout_push_max
    return {} if push_max is None else {"fanout_push_max": push_max}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=300, help="calls a write route and round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="route names, comma-separated")
    parser.add_argument("--statements", help="a route name: print its database statements")
    parser.add_argument("--profile", help="a route name: print where its CPU goes")
    parser.add_argument("--opcodes", action="store_true", help="count Python opcodes too")
    parser.add_argument(
        "--fanout-push-max", type=int, help="SOCIAL_FANOUT_PUSH_MAX (0: every author is large)"
    )
    args = parser.parse_args()
    with backends() as b:
        world = asyncio.run(seed(b.redis_url, b.database_url, fanout_of(args)))
        uvloop.run(measure(b.redis_url, b.database_url, world, args))


if __name__ == "__main__":
    main()
