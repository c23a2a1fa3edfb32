"""No token in the access log, whatever the client puts in the query string."""

from __future__ import annotations

import logging

import pytest

from social.platform.logs import RedactSecrets, install, redact


def test_redacts_credential_parameters() -> None:
    line = "GET /api/v1/streaming?stream=user&access_token=abc.DEF-123 HTTP/1.1"
    assert redact(line) == "GET /api/v1/streaming?stream=user&access_token=[redacted] HTTP/1.1"
    assert "s3cret" not in redact("/oauth/token?password=s3cret&client_secret=s3cret")
    assert redact("/api/v1/timelines/home?max_id=5") == "/api/v1/timelines/home?max_id=5"


def test_uvicorn_access_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install()
    install()  # idempotent
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactSecrets) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/api/v1/streaming?access_token=TOPSECRET",
            "1.1",
            101,
        )
    assert "TOPSECRET" not in caplog.text
    assert "access_token=[redacted]" in caplog.text


def test_a_credential_in_the_format_string_keeps_the_line_whole(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install()
    error_log = logging.getLogger("uvicorn.error")
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        error_log.info("refused token=%s from %s", "TOPSECRET", "127.0.0.1")
    assert "TOPSECRET" not in caplog.text
    assert "refused token=[redacted] from 127.0.0.1" in caplog.text


def test_uvicorns_access_formatter_still_formats_redacted_records() -> None:
    """uvicorn's AccessFormatter unpacks the record's five arguments (a traceback per request
    otherwise, as `social serve` printed for a while)."""
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/streaming?access_token=TOPSECRET", "1.1", 101), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    line = AccessFormatter(use_colors=False).format(record)
    assert "access_token=[redacted]" in line
    assert "TOPSECRET" not in line
