"""Shared by the benchmarks: a Redis and a database for the run, uvicorn and wrk."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx

from social.cli import WS_PROTOCOL
from social.platform.db.migrate import upgrade
from social.platform.db.types import utcnow
from social.platform.redis.embedded import EmbeddedRedis
from tests.scratch import scratch_database


@dataclass
class Backends:
    redis_url: str
    database_url: str


def account_row(
    id_: int, name: str, *, followers: int = 0, now: datetime | None = None
) -> dict[str, object]:
    """An `accounts` row for a bulk insert (the API would spend minutes hashing passwords)."""
    now = now or utcnow()
    return {
        "id": id_,
        "username": name,
        "display_name": "",
        "note": "",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "silenced": False,
        "suspended": False,
        "statuses_count": 0,
        "followers_count": followers,
        "following_count": 1,
        "created_at": now,
        "updated_at": now,
    }


@contextlib.contextmanager
def backends() -> Iterator[Backends]:
    """REDIS_URL (its keyspace is used: point it at a spare database number) and a throwaway
    database on DATABASE_URL's server when set, else an embedded Valkey and a SQLite file."""
    with tempfile.TemporaryDirectory(prefix="social-bench-") as tmp:
        server = None
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            server = EmbeddedRedis(os.path.join(tmp, "valkey"), persist=False)
            redis_url = server.start()
        given = os.environ.get("DATABASE_URL")
        with contextlib.ExitStack() as stack:
            if given:  # a throwaway database on that server, never the given one
                database_url = stack.enter_context(scratch_database(given, "social_bench"))
            else:
                database_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            try:
                upgrade(database_url)
                yield Backends(redis_url, database_url)
            finally:
                if server is not None:
                    server.stop()


def server_pid(base: str) -> int:
    """The pid of the uvicorn process serving `base` (started by `uvicorn` below)."""
    import psutil

    port = base.rsplit(":", 1)[1]
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "uvicorn" in " ".join(cmd) and port in cmd:
            return int(proc.pid)
    raise RuntimeError(f"no server on {base}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def uvicorn(app: str, env: dict[str, str], *, factory: bool = False) -> Iterator[str]:
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--ws",
        WS_PROTOCOL,
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if factory:
        args.append("--factory")
    proc = subprocess.Popen(args, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/", timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{app} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, connections: int, seconds: int, headers: dict[str, str]) -> WrkResult:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+([\d.]+\w+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+([\d.]+\w+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, out):
        errors += sum(int(g) for g in match.groups())
    return WrkResult(rps, p50, p99, errors)
