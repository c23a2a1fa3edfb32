"""Three `social serve` processes and one `social worker` on one Redis and one database, with
a client workload spread over them round-robin: sign-ups, follows, posts, timeline reads, a
delete, and every user's `user` stream open on a process other than the ones it posts to.
In the end every home feed and every socket agree with what was done: each follower's home
holds exactly the expected statuses, newest first, no duplicates; each socket received each
expected update, delete and notification exactly once. Two workers share the consumer groups,
with a short `SOCIAL_EVENTS_CLAIM_IDLE_MS`: an entry one is still handling must not be taken
over and handled again by the other; duplicates on the sockets are counted once nothing can
be reclaimed any more, and must be 0."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from collections.abc import Iterator

import httpx

from tests.failure.clients import StreamListener, eventually, home, newest_first
from tests.helpers import User, follow, make_user, post, register_app
from tests.processes import WORKER_READY, Launcher, wait_for_log, wait_healthy

SERVERS = 3
USERS = 6
FOLLOWS = (1, 2)  # user i follows users i+1 and i+2
POSTS_EACH = 4
CONSISTENT_WITHIN_S = 30.0
WORKERS = 2
CLAIM_IDLE_MS = 1000


def followees(i: int) -> list[int]:
    return [(i + k) % USERS for k in FOLLOWS]


async def test_three_servers_and_a_worker_end_consistent(launcher: Launcher) -> None:
    env = {"SOCIAL_IN_PROCESS_WORKERS": "false", "SOCIAL_EVENTS_CLAIM_IDLE_MS": str(CLAIM_IDLE_MS)}
    servers = [launcher.serve(**env) for _ in range(SERVERS)]
    workers = [launcher.worker(**env) for _ in range(WORKERS)]
    for server in servers:
        wait_healthy(server)
    for worker in workers:
        wait_for_log(worker, WORKER_READY)

    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=15))
            for s in servers
        ]
        turn: Iterator[httpx.AsyncClient] = itertools.cycle(clients)
        app = await register_app(next(turn))
        users: list[User] = [await make_user(next(turn), app, f"user{i}") for i in range(USERS)]
        for user in users:
            assert await home(next(turn), user) == []  # built: fan-out keeps it from now on
        sockets = [StreamListener(servers[(i + 1) % SERVERS].ws, u) for i, u in enumerate(users)]
        for socket in sockets:
            await socket.start()
            stack.push_async_callback(socket.close)

        await asyncio.gather(
            *(follow(next(turn), users[i], users[j]) for i in range(USERS) for j in followees(i))
        )

        async def posts_of(i: int) -> list[str]:
            ids = []
            for n in range(POSTS_EACH):
                ids.append((await post(next(turn), users[i], f"user{i} says {n}"))["id"])
                await home(next(turn), users[i])  # reads interleaved with the writes
            return ids

        posted = await asyncio.gather(*(posts_of(i) for i in range(USERS)))
        deleted = posted[0][0]

        async def seen() -> None:  # a status deleted before its fan-out is never announced
            assert deleted in sockets[0].events("update")

        await eventually(seen, CONSISTENT_WITHIN_S)
        r = await next(turn).delete(f"/api/v1/statuses/{deleted}", headers=users[0].auth)
        assert r.status_code == 200, r.text

        def expected(i: int) -> set[str]:
            return {s for j in (i, *followees(i)) for s in posted[j]}

        async def consistent() -> None:
            for i, (user, socket) in enumerate(zip(users, sockets, strict=True)):
                client = next(turn)
                assert await home(client, user) == newest_first(expected(i) - {deleted})
                socket.assert_once("update", expected(i))
                socket.assert_once("delete", {deleted} if deleted in expected(i) else set())
                r = await client.get("/api/v1/notifications", headers=user.auth)
                follows = {n["id"] for n in r.json() if n["type"] == "follow"}
                assert len(follows) == len(FOLLOWS)  # every user has two followers
                socket.assert_once("notification", follows)

        await eventually(consistent, CONSISTENT_WITHIN_S)
        # A batch taken over from a consumer still handling it arrives again after the claim
        # idle time (times 2 per retry): wait past it, then count every frame seen twice.
        await asyncio.sleep(3 * CLAIM_IDLE_MS / 1000)
        duplicates = sum(
            n - 1
            for socket in sockets
            for event in ("update", "delete", "notification")
            for n in Counter(socket.events(event)).values()
        )
        assert duplicates == 0, f"{duplicates} duplicate deliveries on the sockets"
        assert sum(s.connects for s in sockets) == USERS  # no socket had to reconnect
    for process in [*servers, *workers]:
        assert "Traceback" not in process.output(), process.output()
