"""Mixed load: 80% home timelines, 10% posts, 5% profiles, 5% trends at a fixed concurrency, with
one WebSocket per account on its `user` stream, against 1 and then 2 server processes.

    python -m bench.load [--users 1000] [--sockets 1000] [--concurrency 64] [--seconds 30]
        [--warmup-s 5] [--processes 1 2] [--worker separate|in-process] [--no-baseline]

Seeds accounts (each following `--follows` others), statuses, a token each, built home feeds and
approved trending tags (`bench.load.seed`); then, for each server count, starts that many server
processes (uvicorn with the app factory, uvloop, httptools, one port each) and the relay and
consumer groups (one `social worker`, or in each server), connects the sockets
(`bench.load.sockets`, round-robin over the servers) and drives the mix from another process
(`bench.load.http`, its connections round-robin). Prints requests/s, p50/p99 overall and per
kind, errors (any non-2xx or transport error), post -> receipt on the sockets (p50/p99/max,
delivered/expected), where the CPU went (`bench.load.meter`), and the ratio of the last server
count to the first. Before each mixed run the same generator sends home reads only for as long,
to the same servers with the same sockets open: the baseline the mixed requests/s are held to.
Uses REDIS_URL / DATABASE_URL when set (REDIS_URL's keyspace is flushed: point it at a spare
database number), else an embedded Valkey and a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

import orjson

from bench.common import Backends, backends, server_pid, uvicorn
from bench.load.http import MIX
from bench.load.meter import CpuMeter, backlog
from bench.load.report import Run, compare, deliveries, report
from bench.load.seed import Seeded, seed


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def _line(stream: IO[str] | None, expected: str, who: str) -> None:
    assert stream is not None
    line = stream.readline().strip()
    if line != expected:
        raise RuntimeError(f"{who}: expected {expected!r}, got {line!r}")


def measure(b: Backends, plan: str, workdir: str, processes: int, args: argparse.Namespace) -> Run:
    env = {
        "REDIS_URL": b.redis_url,
        "DATABASE_URL": b.database_url,
        # The limiter runs on every request as in production, with limits out of reach.
        "SOCIAL_RATELIMIT_SCALE": "1000000",
        "SOCIAL_LOG_LEVEL": "warning",
        "SOCIAL_IN_PROCESS_WORKERS": "true" if args.worker == "in-process" else "false",
    }
    sockets_out = os.path.join(workdir, f"sockets-{processes}.json")
    http_out = os.path.join(workdir, f"http-{processes}.json")
    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(uvicorn("social.app:app_factory", env, factory=True))
            for _ in range(processes)
        ]
        workers = []
        if args.worker == "separate":
            worker = subprocess.Popen(
                [sys.executable, "-m", "social", "worker"], env={**os.environ, **env}
            )
            stack.callback(stop, worker)
            workers.append(worker.pid)
        common = ["--urls", *bases, "--run", str(processes)]
        sockets_args = [plan, sockets_out, b.redis_url, *common, "--sockets", str(args.sockets)]
        listeners = subprocess.Popen(
            [sys.executable, "-m", "bench.load.sockets", *sockets_args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(listeners.kill)
        _line(listeners.stdout, "ready", "sockets")
        load = [
            *("--concurrency", str(args.concurrency), "--seconds", str(args.seconds)),
            *("--warmup-s", str(args.warmup_s)),
        ]
        home_only = None
        if args.baseline:
            home_out = os.path.join(workdir, f"home-{processes}.json")
            home_args = [plan, home_out, *common, *load, "--mix", "home"]
            subprocess.run(
                [sys.executable, "-m", "bench.load.http", *home_args],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            with open(home_out, "rb") as f:
                home = orjson.loads(f.read())
            home_only = len(home["latencies_ms"]["timeline"]) / float(home["seconds"])
        generator = subprocess.Popen(
            [sys.executable, "-m", "bench.load.http", plan, http_out, *common, *load],
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(generator.kill)
        meter = CpuMeter(
            {
                "servers": [server_pid(u) for u in bases],
                "worker": workers,
                "generator": [generator.pid],
                "sockets": [listeners.pid],
            },
            b,
        )
        _line(generator.stdout, "measuring", "generator")
        meter.begin()
        _line(generator.stdout, "done", "generator")
        cpu = meter.end()
        behind = backlog(b.redis_url)
        if generator.wait(timeout=60) != 0:
            raise RuntimeError("the load generator failed")
        assert listeners.stdin is not None
        listeners.stdin.write("stop\n")
        listeners.stdin.flush()
        if listeners.wait(timeout=120) != 0:
            raise RuntimeError("the socket process failed")
    with open(http_out, "rb") as f:
        http = orjson.loads(f.read())
    with open(sockets_out, "rb") as f:
        heard = orjson.loads(f.read())
    with open(plan, "rb") as f:
        seeded = Seeded.from_json(orjson.loads(f.read()))
    delivered, expected = deliveries(seeded, args.sockets, http["posts"], heard["receipts"])
    return Run(
        processes=processes,
        seconds=float(http["seconds"]),
        latencies_ms=http["latencies_ms"],
        statuses={k: {int(c): n for c, n in v.items()} for k, v in http["statuses"].items()},
        transport_errors=http["transport_errors"],
        error_bodies=http["error_bodies"],
        delivered=delivered,
        expected=expected,
        closed_early=len(heard["closed_early"]),
        duplicates=len(heard["receipts"]) - len({(r[0], r[1]) for r in heard["receipts"]}),
        cpu_percent=cpu,
        backlog=behind,
        home_only_per_s=home_only,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--follows", type=int, default=20, help="accounts each one follows")
    parser.add_argument("--statuses", type=int, default=10, help="seeded statuses per account")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup-s", type=float, default=5)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the home-only run the mixed requests/s are held to (issue 19: >= 0.5x)",
    )
    parser.add_argument(
        "--worker",
        choices=["in-process", "separate"],
        default="separate",
        help="relay and consumer groups in one `social worker` process beside the servers "
        "(default), or in each server process (as `social serve` runs them by default)",
    )
    args = parser.parse_args()
    if args.sockets > args.users:
        parser.error("--sockets cannot exceed --users (one socket per account)")
    raise_fd_limit()
    started = time.monotonic()
    with backends() as b, tempfile.TemporaryDirectory(prefix="social-load-") as workdir:
        seeded = asyncio.run(
            seed(
                b.redis_url,
                b.database_url,
                users=args.users,
                follows=args.follows,
                statuses=args.statuses,
                tags=10,
                rng=random.Random(7),
            )
        )
        where = {"separate": "in one `social worker`", "in-process": "in each server"}
        plan = os.path.join(workdir, "plan.json")
        with open(plan, "wb") as f:
            f.write(orjson.dumps(seeded.to_json()))
        print(
            f"{args.users} accounts following {args.follows} each, {args.statuses} statuses each, "
            f"{args.sockets} sockets; mix {', '.join(f'{k} {w:.0%}' for k, w in MIX.items())}; "
            f"{args.concurrency} connections, {args.warmup_s:g} s warm-up + {args.seconds:g} s; "
            f"relay and consumers {where[args.worker]}; "
            f"database {b.database_url.split(':')[0]}, seeded in {time.monotonic() - started:.0f} s"
        )
        runs = [measure(b, plan, workdir, n, args) for n in args.processes]
    for run in runs:
        report(run, args.concurrency)
    compare(runs)
    errors = sum(r.errors() for r in runs)
    missing = sum(r.expected - len(r.delivered) for r in runs)
    print(
        f"errors: {errors}, undelivered: {missing} (both must be 0); "
        f"total {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
