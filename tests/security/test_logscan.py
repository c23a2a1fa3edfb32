"""The log scanner (tests/logscan.py) catches what it must. Its fake secrets go to a registry
and a capture of their own, and its logger is one the session's scan skips: proving the scanner
does not fail the run."""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from sessions import COOKIE_NAME
from social.platform.logs import RedactSecrets
from tests import logscan
from tests.helpers import password_login
from tests.logscan import SELFTEST_LOGGER, LogCapture, LogScan, Secrets, file_lines, scan
from tests.security.world import World


@pytest.fixture
def quiet() -> logging.Logger:
    """A logger like `uvicorn.access` after uvicorn configured it: no propagation, so no
    handler on the root logger would ever see its records."""
    logger = logging.getLogger(f"{SELFTEST_LOGGER}.access")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


@pytest.fixture
def session_scan(pytestconfig: pytest.Config) -> LogScan:
    """The plugin as this run installed it."""
    if not pytestconfig.pluginmanager.has_plugin("logscan"):
        pytest.skip("the logscan plugin is disabled (-p no:tests.logscan)")
    return logscan.PLUGIN


def test_a_secret_in_any_record_is_found(quiet: logging.Logger) -> None:
    known, unknown = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    password = "a fake passphrase for the scanner"
    found = Secrets()
    found.remember(known, password, "short one")
    redacted = logging.getLogger(f"{SELFTEST_LOGGER}.redacted")
    redacted.addFilter(RedactSecrets())
    capture = LogCapture()
    capture.install()
    try:
        quiet.info("GET /api/v1/streaming?stream=user&access_token=%s", known)
        quiet.warning("login failed for %r", password)
        try:
            raise ValueError(f"no session for {unknown}")
        except ValueError:
            quiet.exception("resolving failed")
        quiet.info("fine: %s %s", "short one", "a_quite_long_test_function_name_of_43_chars")
        access = f"/api/v1/streaming?access_token={known}"
        redacted.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", access, "1.1", 101)
        lines = [line for line in capture.take() if SELFTEST_LOGGER in line]
    finally:
        capture.uninstall()
        redacted.filters.clear()

    leaks = scan(found, [("selftest", line) for line in lines])
    assert [leak.kind for leak in leaks] == [
        "a secret the suite used",
        "a password the suite used",
        "a token-shaped string",  # in the traceback
    ]
    assert not any(known in leak.line or unknown in leak.line for leak in leaks)  # masked
    assert leaks[0].line.endswith(f"access_token={known[:4]}…")
    assert len(lines) == 5  # the redacted and the harmless lines were read, and are clean


def test_log_files_of_child_servers_are_scanned() -> None:
    known = secrets.token_urlsafe(32)
    found = Secrets()
    found.remember(known)
    with tempfile.TemporaryDirectory() as elsewhere:  # not under tmp_path: the session scans that
        log = Path(elsewhere) / "serve.log"
        log.write_text(f'INFO: started\nINFO: 127.0.0.1 - "GET /?access_token={known} HTTP/1.1"\n')
        (leak,) = scan(found, file_lines([log]))
    assert leak.source == f"{log}:2"


def test_a_leak_fails_the_session() -> None:
    known = secrets.token_urlsafe(32)
    found = Secrets()
    found.remember(known)
    plugin = LogScan(found)  # never installed: only what is put in `lines` is scanned
    session = SimpleNamespace(exitstatus=pytest.ExitCode.OK)
    plugin.pytest_sessionfinish(session)  # type: ignore[arg-type]
    assert session.exitstatus == pytest.ExitCode.OK

    plugin.lines.append(("tests/x.py::test_y", f"DEBUG social: token {known}"))
    plugin.pytest_sessionfinish(session)  # type: ignore[arg-type]
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    written: list[str] = []
    reporter = SimpleNamespace(
        section=lambda *a, **k: written.append(a[0]), write_line=written.append
    )
    plugin.pytest_terminal_summary(reporter)  # type: ignore[arg-type]
    assert "secrets in the logs" in written[0]
    assert "tests/x.py::test_y" in written[2]
    assert known not in "\n".join(written)


async def test_the_session_remembers_every_secret_it_meets(
    world: World, session_scan: LogScan
) -> None:
    alice = world.alice
    session = await world.ctx.tokens.resolve(alice.token, touch=False)
    assert session is not None
    assert alice.client is not None
    wrong = "not alice's passphrase at all"
    assert (await password_login(world.api, alice.client, "alice", wrong)).status_code == 400
    for value in (
        alice.token,
        alice.refresh_token,
        session.id,
        alice.password,
        wrong,
        alice.credentials["client_secret"],
        world.csrf,
        world.browser.cookies[COOKIE_NAME],
    ):
        assert value in session_scan.secrets


def test_the_session_capture_sees_loggers_that_do_not_propagate(session_scan: LogScan) -> None:
    probe = f"logscan probe {secrets.token_hex(8)}"  # not a secret
    for name in ("uvicorn.access", "uvicorn.error", "social"):
        logging.getLogger(name).error(probe)
    session_scan.collect("selftest")
    seen = [line for _, line in session_scan.lines if probe in line]
    assert seen == [
        f"ERROR {name}: {probe}" for name in ("uvicorn.access", "uvicorn.error", "social")
    ]
