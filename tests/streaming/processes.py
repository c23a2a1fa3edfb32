"""`social serve` as a real child process: waiting for it, stopping it."""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


@dataclass
class Process:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/streaming"


def wait_healthy(process: Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.proc.poll() is None, process.log.read_text()
        try:
            if httpx.get(f"{process.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not come up:\n" + process.log.read_text()
        time.sleep(0.1)


def stop(process: Process) -> int:
    if process.proc.poll() is None:
        process.proc.send_signal(signal.SIGTERM)
        try:
            process.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.proc.kill()
            process.proc.wait()
    return process.proc.returncode
