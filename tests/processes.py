"""`social serve` and `social worker` as real child processes: started, waited for, stopped or
killed, and never left behind (each dies with the test process, even one killed outright)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import empty_database, free_port

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
PR_SET_PDEATHSIG = 1
WORKER_READY = "consumer groups running"  # what `social worker` logs once it works


@dataclass
class Process:
    url: str
    """The HTTP base URL of a server; empty for a worker."""
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/streaming"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _die_with_parent() -> None:
    """In the child: SIGKILL when the thread that started it ends (Linux), so a test process
    that dies without cleaning up leaves no server behind."""
    with_libc = ctypes.CDLL(None, use_errno=True)
    with_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def social_command(*args: str) -> list[str]:
    """The `social` console script of this interpreter's environment, as an operator runs it."""
    script = Path(sys.executable).parent / "social"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "social", *args]


def spawn(args: list[str], *, env: Mapping[str, str], cwd: Path, log: Path, url: str) -> Process:
    """Start `social <args>` (from the test's main thread: see `_die_with_parent`)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            social_command(*args),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    return Process(url, proc, log)


def assert_no_bug(process: Process) -> None:
    """Nothing answered 500 and nothing escaped unhandled (outages may log tracebacks: a
    handler that failed for want of Redis is retried, and says why)."""
    out = process.output()
    assert '" 500 ' not in out, out
    assert "unhandled error" not in out, out


def wait_healthy(process: Process, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.proc.poll() is None, process.output()
        try:
            if httpx.get(f"{process.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not come up:\n" + process.output()
        time.sleep(0.1)


def wait_for_log(process: Process, text: str, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in process.output():
        assert process.proc.poll() is None, process.output()
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n" + process.output()
        time.sleep(0.05)


def stop(process: Process) -> int:
    """SIGTERM, then SIGKILL if it has not exited within `STOP_TIMEOUT_S`; the exit code."""
    if process.proc.poll() is None:
        process.proc.send_signal(signal.SIGTERM)
        try:
            process.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.proc.kill()
            process.proc.wait()
    return process.proc.returncode


def kill(process: Process) -> None:
    """SIGKILL (a stopped process too, without running again), as a crash or the OOM killer
    would; reaped before returning."""
    if process.proc.poll() is None:
        process.proc.kill()
    process.proc.wait(timeout=STOP_TIMEOUT_S)


class Launcher:
    """Starts `social serve` and `social worker` with one base environment (`overrides` per
    process); `close()` stops whatever is still running."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.env = {**os.environ, **env}
        self.started: list[Process] = []

    def serve(self, *, port: int | None = None, **overrides: str) -> Process:
        """Not yet waited for: see `wait_healthy`."""
        port = port or free_port()
        env = {"SOCIAL_DOMAIN": f"127.0.0.1:{port}", **self.env, **overrides}
        return self._spawn(["serve", "--port", str(port)], env, "serve", f"http://127.0.0.1:{port}")

    def worker(self, **overrides: str) -> Process:
        """Not yet waited for: see `wait_for_log(process, WORKER_READY)`."""
        return self._spawn(["worker"], {**self.env, **overrides}, "worker", "")

    def _spawn(self, args: list[str], env: dict[str, str], kind: str, url: str) -> Process:
        log = self.workdir / f"{len(self.started)}-{kind}.log"
        process = spawn(args, env=env, cwd=self.workdir, log=log, url=url)
        self.started.append(process)
        return process

    def close(self) -> None:
        for process in self.started:
            if process.proc.poll() is None:
                process.proc.send_signal(signal.SIGCONT)  # in case a test froze it
        for process in self.started:
            stop(process)


@contextlib.asynccontextmanager
async def launching(database_url: str, redis_url: str, workdir: Path) -> AsyncIterator[Launcher]:
    """A launcher on the test database (emptied first) and Redis; everything stopped after."""
    await empty_database(database_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SOCIAL_DATA_DIR": str(workdir / "data"),
        "SOCIAL_RATELIMIT_SCALE": "1000",
        "SOCIAL_LOG_LEVEL": "info",
    }
    launcher = Launcher(workdir, env)
    try:
        yield launcher
    finally:
        launcher.close()
