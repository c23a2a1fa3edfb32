"""`social worker` SIGKILLed while it holds delivered, unacknowledged entries: another worker
claims them once idle for `SOCIAL_EVENTS_CLAIM_IDLE_MS`, and handles them; every feed ends
complete without duplicates, every notification exists once, nothing is dead-lettered."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from typing import Any

import httpx

from social.platform.events.keys import EventKeys
from social.platform.redis.client import AnyRedis
from tests.failure.clients import StreamListener, eventually, home, newest_first
from tests.helpers import User, followed, post
from tests.processes import WORKER_READY, Launcher, Process, kill, wait_for_log, wait_healthy

CLAIM_IDLE_MS = 500
POSTS = 30
CATCH_UP_S = 20.0
CATCH_WITHIN_S = 15.0
MID_BATCH = 3  # held entries of one group: a batch read, not only a blocked read's first entry
GROUPS = ("timelines", "notifications", "streaming", "trending", "conversations", "media")
KEYS = EventKeys()


def consumer_of(process: Process, names: list[str]) -> str | None:
    """The process's consumer name (`<host>-<pid>-<random>`) among `names`."""
    return next((n for n in names if f"-{process.pid}-" in n), None)


async def pending_of(redis: AnyRedis, process: Process) -> dict[str, list[str]]:
    """Per group, the entries delivered to `process` and not acknowledged."""
    held: dict[str, list[str]] = {}
    for group in GROUPS:
        summary: Any = await redis.xpending(KEYS.stream, group)
        names = [c["name"].decode() for c in summary["consumers"] or []]
        name = consumer_of(process, names)
        if name is None:
            continue
        entries: Any = await redis.xpending_range(
            KEYS.stream, group, "-", "+", 1000, consumername=name
        )
        if entries:
            held[group] = [e["message_id"].decode() for e in entries]
    return held


async def kill_mid_batch(redis: AnyRedis, worker: Process) -> dict[str, list[str]]:
    """Let the frozen worker run in short slices until, frozen again, it holds pending entries;
    then SIGKILL it. What it held."""
    deadline = time.monotonic() + CATCH_WITHIN_S
    slice_s = 0.005
    while time.monotonic() < deadline:
        worker.proc.send_signal(signal.SIGCONT)
        await asyncio.sleep(slice_s)
        worker.proc.send_signal(signal.SIGSTOP)
        held = await pending_of(redis, worker)
        if any(len(ids) >= MID_BATCH for ids in held.values()):
            kill(worker)
            return held
        slice_s = min(slice_s * 1.5, 0.1)
    raise AssertionError("the worker never held pending entries")


async def pipeline_idle(redis: AnyRedis) -> None:
    """Every group has handled and acked everything relayed (the follows' events)."""
    groups = await redis.xinfo_groups(KEYS.stream)
    assert len(groups) == len(GROUPS)
    for group in groups:
        assert (group["pending"], group["lag"]) == (0, 0), group
    await asyncio.sleep(0.2)  # the relay's write, if one was under way, has committed


async def mention_counts(http: httpx.AsyncClient, user: User) -> Counter[str]:
    r = await http.get(
        "/api/v1/notifications", headers=user.auth, params={"types[]": "mention", "limit": 80}
    )
    assert r.status_code == 200, r.text
    return Counter(n["status"]["id"] for n in r.json())


async def test_killed_worker_entries_are_claimed_by_another(
    launcher: Launcher, redis: AnyRedis
) -> None:
    env = {"SOCIAL_IN_PROCESS_WORKERS": "false", "SOCIAL_EVENTS_CLAIM_IDLE_MS": str(CLAIM_IDLE_MS)}
    server = launcher.serve(**env)
    first = launcher.worker(**env)
    wait_healthy(server)
    wait_for_log(first, WORKER_READY)
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as http:
        alice, followers = await followed(http, "alice", "bob", "carol", "dave")
        bob = followers[0]
        socket = StreamListener(server.ws, bob)
        await socket.start()

        # Frozen, the worker cannot relay: the burst waits in the outbox, to be taken in one go.
        # Frozen only once idle: stopped inside a write (its relay marking the follows' events
        # sent, woken by the server), it would hold SQLite's lock and every post would wait.
        await eventually(lambda: pipeline_idle(redis), CATCH_UP_S)
        first.proc.send_signal(signal.SIGSTOP)
        posted = [(await post(http, alice, f"@bob number {n}"))["id"] for n in range(POSTS)]
        held = await kill_mid_batch(redis, first)
        assert first.proc.returncode == -signal.SIGKILL

        second = launcher.worker(**env)
        wait_for_log(second, WORKER_READY)

        async def caught_up() -> None:
            for follower in followers:
                assert await home(http, follower) == newest_first(posted)
            assert await mention_counts(http, bob) == Counter(posted)  # each exactly once
            for group in await redis.xinfo_groups(KEYS.stream):
                assert (group["pending"], group["lag"]) == (0, 0), group
            # At least once: a `streaming` entry handled but not acked by the dead worker is
            # published again by the one that claims it (clients dedupe by status id).
            socket.assert_delivered("update", set(posted), copies=2)

        await eventually(caught_up, CATCH_UP_S)
        assert await pending_of(redis, first) == {}, f"never claimed from the dead worker: {held}"
        for group in GROUPS:
            assert await redis.xlen(KEYS.dead_letters(group)) == 0
        r = await http.get("/api/v1/notifications", headers=alice.auth)
        assert sorted(n["account"]["id"] for n in r.json()) == sorted(f.id for f in followers)
        await socket.close()
    assert "Traceback" not in second.output(), second.output()
