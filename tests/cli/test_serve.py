"""`social serve` as a newcomer runs it: no REDIS_URL, no DATABASE_URL, data under ./data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.helpers import PASSWORD

SOCIAL = [sys.executable, "-m", "social"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env["SOCIAL_LOG_LEVEL"] = "info"
    return env


@contextmanager
def serving(cwd: Path, port: int, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*SOCIAL, "serve", "--port", str(port)], cwd=cwd, env=_env(), stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _register(base: str) -> str:
    app = httpx.post(f"{base}/api/v1/apps", data={"client_name": "cli", "scopes": "read write"})
    creds = app.json()
    token = httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "scope": "read write",
        },
    ).json()["access_token"]
    r = httpx.post(
        f"{base}/api/v1/accounts",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "username": "newcomer",
            "email": "new@example.com",
            "password": PASSWORD,
            "agreement": "true",
        },
    )
    assert r.status_code == 200, r.text
    access: str = r.json()["access_token"]
    return access


def test_serve_on_embedded_defaults_and_sessions_survive_a_restart(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with serving(tmp_path, port, log) as (base, proc):
        instance = httpx.get(f"{base}/api/v1/instance")
        assert instance.status_code == 200
        assert "compatible; social" in instance.json()["version"]
        token = _register(base)
    out = log.read_text()
    assert proc.returncode == 0, out
    assert "embedded Valkey started" in out
    assert "embedded Valkey stopped" in out
    assert "database sqlite" in out
    assert (tmp_path / "data" / "social.platform.db").exists()
    assert any((tmp_path / "data" / "redis").rglob("*.aof")), "AOF persistence is off"

    with serving(tmp_path, port, log) as (base, proc):
        me = httpx.get(
            f"{base}/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "newcomer"
    assert proc.returncode == 0
    assert token not in log.read_text()
    assert PASSWORD not in log.read_text()


def test_admin_create_and_migrate(tmp_path: Path) -> None:
    env = _env()
    migrate = subprocess.run(
        [*SOCIAL, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    created = subprocess.run(
        [*SOCIAL, "admin", "create", "boss", "--email", "boss@example.com", "--password", PASSWORD],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    assert "admin boss created" in created.stdout
    again = subprocess.run(
        [*SOCIAL, "admin", "create", "boss", "--email", "b2@example.com", "--password", PASSWORD],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1
    assert "username is already taken" in again.stderr
    weak = subprocess.run(
        [*SOCIAL, "admin", "create", "boss2", "--email", "b3@example.com", "--password", "short"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert weak.returncode == 2
    assert "password is too short" in weak.stderr


def test_serve_replaces_a_server_left_by_a_crash(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with serving(tmp_path, port, log) as (base, proc):
        token = _register(base)
        proc.kill()  # SIGKILL: no shutdown, the embedded server is orphaned
        proc.wait()
    with serving(tmp_path, port, log) as (base, proc):
        me = httpx.get(
            f"{base}/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert me.status_code == 200
    assert "leftover embedded Valkey" in log.read_text()
    pidfile = tmp_path / "data" / "redis" / "valkey.pid"
    assert not pidfile.exists()
