"""The scheduler on a real Redis: claims are atomic, a dead runner's job is taken over after
its lease, failures are retried then recorded dead, the queues are rebuilt from what the
database lists (after a flush too), and what fell due while nobody ran runs at once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from social.platform.context import AppContext
from social.platform.events.keys import SchedulerKeys
from social.platform.events.scheduler import Scheduler, SchedulerSettings
from social.platform.redis.client import AnyRedis, client_from_url, flush_all
from tests.platform.events.conftest import eventually

KEYS = SchedulerKeys("test:")
FAST = SchedulerSettings(lease_s=0.3, poll_s=0.05, retry_base_s=0.05, max_attempts=3)


class Jobs:
    """A job kind whose runs are recorded; `pending` stands for what a database would list."""

    def __init__(self, *, fail_times: int = 0, always_fail: bool = False) -> None:
        self.runs: list[str] = []
        self.pending: dict[str, float] = {}
        self.fail_times = fail_times
        self.always_fail = always_fail

    async def run(self, _ctx: AppContext, key: str) -> None:
        self.runs.append(key)
        if self.always_fail:
            raise RuntimeError(f"cannot do {key}")
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("transient")
        self.pending.pop(key, None)

    async def due_from_db(self, _ctx: AppContext) -> list[tuple[str, float]]:
        return list(self.pending.items())


@pytest.fixture
async def ctx(app: Starlette) -> AppContext:
    context: AppContext = app.state.ctx
    return context


def scheduler(redis: AnyRedis, jobs: Jobs, **settings: float) -> Scheduler:
    made = Scheduler(redis, KEYS, SchedulerSettings(**{**FAST.__dict__, **settings}))
    made.register("test", jobs.run, jobs.due_from_db)
    return made


@pytest.fixture
async def clients(redis_url: str, redis: AnyRedis) -> AsyncIterator[list[AnyRedis]]:
    """Four connections of their own, as four processes would have."""
    made = [client_from_url(redis_url, socket_timeout=30) for _ in range(4)]
    yield made
    for client in made:
        await client.aclose()


async def test_a_job_due_in_the_past_runs_at_once_and_a_future_one_waits(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    s = scheduler(redis, jobs)
    await s.schedule("test", "late", time.time() - 3600)
    await s.schedule("test", "later", time.time() + 3600)

    assert await s.run_once(ctx) == 1
    assert await s.run_once(ctx) == 0

    assert jobs.runs == ["late"]
    stats = (await s.stats())["kinds"]["test"]
    assert (stats["pending"], stats["due"], stats["dead"]) == (1, 0, 0)


async def test_many_claimers_run_each_job_exactly_once(
    ctx: AppContext, clients: list[AnyRedis]
) -> None:
    jobs = Jobs()
    schedulers = [scheduler(c, jobs, batch=7) for c in clients for _ in range(2)]
    keys = [str(n) for n in range(300)]
    for key in keys:
        await schedulers[0].schedule("test", key, time.time() - 1)

    async def drain(s: Scheduler) -> None:
        while await s.run_once(ctx):
            pass

    await asyncio.gather(*(drain(s) for s in schedulers))

    assert Counter(jobs.runs) == Counter(keys)
    assert (await schedulers[0].stats())["kinds"]["test"]["pending"] == 0


async def test_a_job_whose_runner_died_is_taken_over_after_the_lease(
    ctx: AppContext, clients: list[AnyRedis]
) -> None:
    started, never = asyncio.Event(), asyncio.Event()
    takeover = Jobs()

    async def hangs(_ctx: AppContext, _key: str) -> None:
        started.set()
        await never.wait()

    dying = Scheduler(clients[0], KEYS, FAST)
    dying.register("test", hangs, takeover.due_from_db)
    other = scheduler(clients[1], takeover)
    await dying.schedule("test", "job", time.time() - 1)

    runner = asyncio.create_task(dying.run_once(ctx))
    await asyncio.wait_for(started.wait(), 5)
    runner.cancel()  # the process dies mid-job: its claim stays until the lease ends
    assert await other.run_once(ctx) == 0

    async def taken_over() -> bool:
        return await other.run_once(ctx) == 1

    await eventually(taken_over)
    assert takeover.runs == ["job"]
    assert (await other.stats())["kinds"]["test"]["pending"] == 0


async def test_a_failing_job_is_retried_then_recorded_dead(
    ctx: AppContext, redis: AnyRedis
) -> None:
    broken, flaky = Jobs(always_fail=True), Jobs(fail_times=1)
    s = Scheduler(redis, KEYS, FAST)
    s.register("broken", broken.run, broken.due_from_db)
    s.register("flaky", flaky.run, flaky.due_from_db)
    await s.schedule("broken", "b", time.time() - 1)
    await s.schedule("flaky", "f", time.time() - 1)

    async def settled() -> bool:
        await s.run_once(ctx)
        kinds = (await s.stats())["kinds"]
        return kinds["broken"]["pending"] == 0 and kinds["flaky"]["pending"] == 0

    await eventually(settled)

    assert broken.runs == ["b"] * FAST.max_attempts
    assert flaky.runs == ["f", "f"]
    dead = await s.dead("broken")
    assert list(dead) == ["b"]
    assert dead["b"]["attempts"] == FAST.max_attempts
    assert dead["b"]["error"] == "RuntimeError: cannot do b"
    kinds = (await s.stats())["kinds"]
    assert (kinds["broken"]["dead"], kinds["flaky"]["dead"]) == (1, 0)

    broken.always_fail = False  # fixed; the database still lists it: a rebuild queues it
    broken.pending["b"] = time.time() - 1
    await s.rebuild(ctx)
    assert await s.run_once(ctx) == 1
    assert await s.dead("broken") == {}
    assert (await s.stats())["kinds"]["broken"] == {"pending": 0, "due": 0, "dead": 0}


async def test_a_job_that_keeps_killing_its_runner_ends_dead(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    attempts = 0

    async def crashes(_ctx: AppContext, _key: str) -> None:
        nonlocal attempts
        attempts += 1
        await asyncio.Event().wait()

    s = Scheduler(redis, KEYS, FAST)
    s.register("test", crashes, jobs.due_from_db)
    await s.schedule("test", "poison", time.time() - 1)

    async def dead() -> bool:
        runner = asyncio.create_task(s.run_once(ctx))
        await asyncio.sleep(0.05)
        runner.cancel()
        return bool(await s.dead("test"))

    await eventually(dead)
    assert attempts == FAST.max_attempts
    assert "lease expired" in (await s.dead("test"))["poison"]["error"]


async def test_scheduling_again_moves_a_job_even_while_it_runs(
    ctx: AppContext, redis: AnyRedis
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    jobs = Jobs()

    async def slow(_ctx: AppContext, key: str) -> None:
        started.set()
        await release.wait()
        jobs.runs.append(key)

    s = Scheduler(redis, KEYS, FAST)
    s.register("test", slow, jobs.due_from_db)
    await s.schedule("test", "job", time.time() - 1)
    runner = asyncio.create_task(s.run_once(ctx))
    await asyncio.wait_for(started.wait(), 5)
    later = time.time() + 3600
    await s.schedule("test", "job", later)
    release.set()
    assert await runner == 1

    due = await s.due_at("test", "job")  # the run's end did not remove the new schedule
    assert due == pytest.approx(later, abs=0.01)
    await s.cancel("test", "job")
    assert await s.due_at("test", "job") is None


async def test_rebuild_adds_what_the_database_lists_and_keeps_what_is_queued(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    s = scheduler(redis, jobs)
    now = time.time()
    jobs.pending = {"old": now - 60, "soon": now + 60, "moved": now + 120}
    await s.schedule("test", "moved", now + 600)  # Redis knows better: it stays

    assert await s.rebuild(ctx) == 3

    assert await s.due_at("test", "soon") == pytest.approx(now + 60, abs=0.01)
    assert await s.due_at("test", "moved") == pytest.approx(now + 600, abs=0.01)
    assert await s.run_once(ctx) == 1
    assert jobs.runs == ["old"]


async def test_a_running_scheduler_rebuilds_after_redis_is_flushed(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    s = scheduler(redis, jobs)
    jobs.pending = {"a": time.time() + 3600}
    await s.start(ctx)
    try:

        async def built() -> bool:
            return await s.due_at("test", "a") is not None

        await eventually(built)
        await flush_all(redis)  # Redis lost everything: the job is only in the database now
        jobs.pending["b"] = time.time() - 1  # and one fell due meanwhile

        async def caught_up() -> bool:
            return jobs.runs == ["b"] and await s.due_at("test", "a") is not None

        await eventually(caught_up)
    finally:
        await s.stop()
    assert (await s.stats())["built"] is True


async def test_a_job_due_while_no_scheduler_ran_runs_when_one_starts(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    jobs.pending = {"missed": time.time() - 7200}
    s = scheduler(redis, jobs)
    await s.start(ctx)
    try:

        async def ran() -> bool:
            return jobs.runs == ["missed"]

        await eventually(ran)
    finally:
        await s.stop()


def test_kind_names_are_checked(redis: AnyRedis) -> None:
    jobs = Jobs()
    s = scheduler(redis, jobs)
    with pytest.raises(ValueError, match="already registered"):
        s.register("test", jobs.run, jobs.due_from_db)
    with pytest.raises(ValueError, match="no braces"):
        s.register("a:b", jobs.run, jobs.due_from_db)


async def test_scheduled_and_cancelled_inside_a_pipeline_of_ones_own(
    ctx: AppContext, redis: AnyRedis
) -> None:
    jobs = Jobs()
    s = scheduler(redis, jobs)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.set("test:other", "1")
        s.schedule_in(pipe, "test", "a", time.time() - 1)
        s.schedule_in(pipe, "test", "b", time.time() - 1)
        await pipe.execute()
    async with redis.pipeline(transaction=False) as pipe:
        s.cancel_in(pipe, "test", "b")
        await pipe.execute()

    assert await s.run_once(ctx) == 1
    assert jobs.runs == ["a"]
