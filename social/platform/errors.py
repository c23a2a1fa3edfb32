"""What the rules refuse, said without HTTP: `social.web.errors` answers each kind as Mastodon
does (404, 403, 409, 422 with per-field details, 503 with Retry-After)."""

from __future__ import annotations

Details = dict[str, list[dict[str, str]]]


class DomainError(Exception):
    """A request the rules refuse; `message` is what the person is told."""

    default = "This action is not allowed"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default
        super().__init__(self.message)


class NotFound(DomainError):
    """There is no such thing, or the caller may not know it exists."""

    default = "Record not found"


class Forbidden(DomainError):
    default = "This action is not allowed"


class Conflict(DomainError):
    """The same request is already under way."""

    default = "Conflict"


class Unavailable(DomainError):
    """A dependency is down for now; the caller may retry."""

    default = "Service temporarily unavailable"


class Invalid(DomainError):
    """Input the rules refuse, with what is wrong per field."""

    default = "Validation failed"

    def __init__(self, message: str | None = None, details: Details | None = None) -> None:
        super().__init__(message)
        self.details = details


class GrantError(DomainError):
    """An OAuth 2 refusal (RFC 6749 section 5.2): its error code (`invalid_grant`, ...), what
    is wrong, and the status it answers with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def invalid(field: str, problem: str, code: str = "ERR_INVALID") -> Invalid:
    """One field's problem, as Mastodon words it: `Validation failed: text can't be blank`."""
    return Invalid(
        f"Validation failed: {field} {problem}",
        {field: [{"error": code, "description": problem}]},
    )
