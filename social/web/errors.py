"""Mastodon-style JSON errors: `{"error": "...", "details": ...}`; a 5xx only for real bugs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from social.platform.errors import (
    Conflict,
    DomainError,
    Forbidden,
    GrantError,
    Invalid,
    NotFound,
    Unavailable,
)
from social.web.responses import json_response

RETRY_AFTER_S = 5

HTTP_MESSAGES = {
    400: "Bad request",
    401: "The access token is invalid",
    403: "This action is not allowed",
    404: "Record not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request entity too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    503: "Service temporarily unavailable",
}


class ApiError(Exception):
    """An error the client caused (or may retry), rendered as JSON."""

    def __init__(
        self,
        status: int,
        error: str | None = None,
        *,
        details: Any = None,
        description: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.error = error or HTTP_MESSAGES.get(status, "Error")
        self.details = details
        self.description = description
        self.headers = dict(headers or {})
        super().__init__(self.error)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error}
        if self.description is not None:
            body["error_description"] = self.description
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found() -> ApiError:
    return ApiError(404, "Record not found")


def unavailable() -> ApiError:
    return ApiError(503, headers={"Retry-After": str(RETRY_AFTER_S)})


DOMAIN_STATUSES: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 422,
    Unavailable: 503,
}


def from_domain(exc: DomainError) -> ApiError:
    """What a refusal of the rules answers over HTTP."""
    if isinstance(exc, GrantError):  # RFC 6749's shape: `error` is the code
        return ApiError(exc.status, exc.code, description=exc.message)
    status = next((s for kind, s in DOMAIN_STATUSES.items() if isinstance(exc, kind)), 403)
    if isinstance(exc, Unavailable):
        return unavailable()
    details = exc.details if isinstance(exc, Invalid) else None
    return ApiError(status, exc.message, details=details)


def error_response(exc: ApiError) -> Response:
    return json_response(exc.body(), status_code=exc.status, headers=exc.headers)


def from_http(exc: HTTPException) -> ApiError:
    """Starlette's own refusals (no route, wrong method), in Mastodon's words."""
    message = HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
    return ApiError(exc.status_code, message, headers=exc.headers)
