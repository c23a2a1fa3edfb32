"""Logging that never carries a secret: access-log lines lose their credential parameters."""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = re.compile(
    r"((?:access_token|refresh_token|client_secret|password|token|code)=)[^&\s\"']+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    return SECRET_PARAMS.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    """For uvicorn's access log: its record args hold the path with the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # its formatter takes the five arguments apart: the path is one of them
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        else:
            # the finished line: redacting the format string would eat a placeholder
            # ("token=%s") and leave the record unformattable
            record.msg = redact(record.getMessage())
            record.args = ()
        return True


def install() -> None:
    for name in ("uvicorn.access", "uvicorn.error"):
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())
