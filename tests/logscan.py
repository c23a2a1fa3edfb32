"""A pytest plugin: no token, password or session id in any log line of the run.

Every record a logger creates during the session is kept, formatted after the test that made
it, and scanned when the session ends for the secrets the suite saw: tokens, session ids and
CSRF tokens as `sessions` makes them, passwords as the server hashes or checks them, client
secrets as the test helpers receive them (`remember`), and anything shaped like one of our
tokens. The `*.log` files that child servers wrote under pytest's temporary directory are
scanned too. A leak fails the run; the report names the line, with the secret masked.

Records come from a log-record factory rather than a handler: a handler on the root logger
never sees `uvicorn` and `uvicorn.access` (they do not propagate), and one on those loggers
is dropped whenever a test starts uvicorn (its `dictConfig` replaces their handlers). The
factory sees every record that passes its logger's level; formatting waits until the test is
over, so filters (the access-log redaction) have had their say. The project's own loggers
are opened to DEBUG for the run, so everything they could ever say is scanned.

Disable with `-p no:tests.logscan`.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

RUN = re.compile(r"[A-Za-z0-9_-]+")
TOKEN_CHARS = 43  # `sessions.tokens.new_token`: 32 random bytes, urlsafe base64, no padding
MIN_SECRET_CHARS = 12  # shorter values ("password") occur in ordinary text
PROJECT_LOGGERS = ("social", "sessions", "ratelimit", "trending")
SELFTEST_LOGGER = "tests.logscan.selftest"  # the scanner's own tests; never scanned
REPORT_MAX = 20


def token_shaped(run: str) -> bool:
    """43 urlsafe characters mixing upper case, lower case and digits: a random token lacks
    one of the three with probability below 1e-3, a long identifier has no upper case."""
    return (
        len(run) == TOKEN_CHARS
        and any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
    )


def mask(line: str, secret: str) -> str:
    return line.replace(secret, secret[:4] + "…")


@dataclass(frozen=True)
class Leak:
    source: str
    line: str
    kind: str


class Secrets:
    """Values that must never be logged. Urlsafe values (tokens, ids) are found inside any
    urlsafe run of a line; others (passphrases) as substrings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exact: set[str] = set()
        self._lengths: set[int] = set()
        self._phrases: set[str] = set()

    def remember(self, *values: str | None) -> None:
        with self._lock:
            for value in values:
                if not value or len(value) < MIN_SECRET_CHARS:
                    continue
                if RUN.fullmatch(value):
                    self._exact.add(value)
                    self._lengths.add(len(value))
                else:
                    self._phrases.add(value)

    def __contains__(self, value: object) -> bool:
        return value in self._exact or value in self._phrases

    def __len__(self) -> int:
        return len(self._exact) + len(self._phrases)

    def in_line(self, line: str) -> Iterator[tuple[str, str]]:
        """(kind, secret) for each secret in `line`."""
        with self._lock:
            lengths, phrases = sorted(self._lengths), list(self._phrases)
        for run in RUN.findall(line):
            found = {
                run[i : i + n]
                for n in lengths
                if n <= len(run)
                for i in range(len(run) - n + 1)
                if run[i : i + n] in self._exact
            }
            for secret in found:
                yield "a secret the suite used", secret
            if not found and token_shaped(run):
                yield "a token-shaped string", run
        for phrase in phrases:
            if phrase in line:
                yield "a password the suite used", phrase


def scan(secrets: Secrets, lines: Iterable[tuple[str, str]]) -> list[Leak]:
    """The leaks among (source, line) pairs."""
    leaks = []
    for source, line in lines:
        found = list(secrets.in_line(line))
        masked = line
        for _, secret in found:
            masked = mask(masked, secret)
        if found:
            leaks.append(Leak(source, masked, ", ".join(sorted({kind for kind, _ in found}))))
    return leaks


def file_lines(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        text = path.read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            yield f"{path}:{number}", line


class LogCapture:
    """Every record any logger creates while installed; `take()` formats and forgets them."""

    def __init__(self, *, ignore: str = "") -> None:
        self._ignore = ignore
        self._lock = threading.Lock()
        self._records: list[logging.LogRecord] = []
        self._previous: Callable[..., logging.LogRecord] | None = None
        self._formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def install(self) -> None:
        previous = self._previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            with self._lock:
                self._records.append(record)
            return record

        logging.setLogRecordFactory(factory)

    def uninstall(self) -> None:
        if self._previous is not None:
            logging.setLogRecordFactory(self._previous)
            self._previous = None

    def take(self) -> list[str]:
        with self._lock:
            records, self._records = self._records, []
        return [
            self._format(r)
            for r in records
            if not (self._ignore and str(r.name).startswith(self._ignore))
        ]

    def _format(self, record: logging.LogRecord) -> str:
        try:
            return self._formatter.format(record)
        except Exception:  # a malformed logging call still gets scanned
            return f"{record.levelname} {record.name}: {record.msg!r} {record.args!r}"


SECRETS = Secrets()


def remember(*values: str | None) -> None:
    """Register secrets the suite handles (the test helpers call this)."""
    SECRETS.remember(*values)


def watch_sources() -> Callable[[], None]:
    """Wrap where secrets are made or received, so every one of them is remembered; returns
    the undo. The wrapped functions behave exactly as before."""
    import sessions.store
    import social.accounts.service
    import social.admin.http.session

    undo: list[tuple[object, str, object]] = []

    def made(module: object, name: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = original(*args, **kwargs)
            SECRETS.remember(value)
            return value

        undo.append((module, name, original))
        setattr(module, name, wrapper)

    def received(module: object, name: str) -> None:
        original = getattr(module, name)
        signature = inspect.signature(original)

        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            SECRETS.remember(signature.bind(*args, **kwargs).arguments["password"])
            return await original(*args, **kwargs)

        undo.append((module, name, original))
        setattr(module, name, wrapper)

    made(sessions.store, "new_token")
    made(sessions.store, "new_session_id")
    made(social.admin.http.session, "new_csrf_token")
    received(social.accounts.service, "hash_password")
    received(social.accounts.service, "verify_password")

    def restore() -> None:
        for module, name, original in reversed(undo):
            setattr(module, name, original)

    return restore


class LogScan:
    """The plugin: capture for the whole session, scan at its end, fail it on a leak."""

    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self.capture = LogCapture(ignore=SELFTEST_LOGGER)
        self.lines: list[tuple[str, str]] = []
        self.log_dirs: list[Path] = []
        self.files: list[Path] = []
        self.leaks: list[Leak] = []
        self._levels: dict[str, int] = {}
        self._unwatch: Callable[[], None] = lambda: None

    def start(self) -> None:
        for name in PROJECT_LOGGERS:
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET:
                self._levels[name] = logger.level
                logger.setLevel(logging.DEBUG)
        self._unwatch = watch_sources()
        self.capture.install()

    def stop(self) -> None:
        self.capture.uninstall()
        self._unwatch()
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)

    def collect(self, source: str) -> None:
        self.lines += [(source, line) for line in self.capture.take()]

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.collect(nodeid)

    @pytest.hookimpl(trylast=True)  # after session fixtures are torn down
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.collect("session")
        self.files = sorted({p for d in self.log_dirs if d.exists() for p in d.rglob("*.log")})
        self.leaks = scan(self.secrets, [*self.lines, *file_lines(self.files)])
        if self.leaks and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        scanned = (
            f"{len(self.lines)} log records and {len(self.files)} log files "
            f"against {len(self.secrets)} secrets"
        )
        if not self.leaks:
            terminalreporter.write_line(f"logscan: {scanned}: no secret logged")
            return
        terminalreporter.section("logscan: secrets in the logs", red=True)
        terminalreporter.write_line(f"{len(self.leaks)} log lines carry a secret ({scanned}):")
        for leak in self.leaks[:REPORT_MAX]:
            terminalreporter.write_line(f"  {leak.source}: {leak.kind}: {leak.line[:300]}")
        if len(self.leaks) > REPORT_MAX:
            terminalreporter.write_line(f"  ... and {len(self.leaks) - REPORT_MAX} more")


PLUGIN = LogScan(SECRETS)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(PLUGIN, "logscan")
    PLUGIN.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    PLUGIN.stop()


@pytest.fixture(scope="session", autouse=True)
def _logscan_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where the tests' child servers write their logs (under this run's temporary dir)."""
    PLUGIN.log_dirs.append(tmp_path_factory.getbasetemp())
