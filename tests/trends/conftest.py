"""A real server on a loopback port with an admin in it, and the Chromium that drives it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import fresh_with_admin, serving
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
    asyncio.run(fresh_with_admin(database_url, redis_url, "boss"))
    settings = {"ratelimit_scale": 1000.0, "trend_min_accounts": 3}
    with serving(database_url, redis_url, tmp_path, **settings) as url:
        yield LiveServer(url, "boss", PASSWORD)
