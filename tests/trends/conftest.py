"""A real server on a loopback port with an admin in it, and the Chromium that drives it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from social.app import create_app
from social.config import Settings
from tests.conftest import free_port, fresh_with_admin, running
from tests.helpers import PASSWORD

SCREENSHOTS: list[Path] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The browser test's screenshots, in the run's output even when it passes."""
    for path in SCREENSHOTS:
        terminalreporter.write_line(f"dashboard screenshot: {path}")


@dataclass(frozen=True)
class LiveServer:
    url: str
    admin: str
    password: str


@pytest.fixture
def live_server(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """uvicorn in a thread with its lifespan, so the event pipeline (and the `trending`
    consumer) runs in-process; three distinct authors are enough for a tag to trend."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        data_dir=str(tmp_path),
        domain=f"127.0.0.1:{port}",
        ratelimit_scale=1000.0,
        trend_min_accounts=3,
    )
    asyncio.run(fresh_with_admin(database_url, redis_url, "boss"))
    with running(create_app(settings), port) as url:
        yield LiveServer(url, "boss", PASSWORD)
