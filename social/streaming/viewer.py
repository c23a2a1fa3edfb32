"""Who is listening on a stream, and what their token lets them hear."""

from __future__ import annotations

from dataclasses import dataclass

from social.platform import scopes
from social.streaming.protocol import LIST_SCOPES, USER_STREAMS, StreamError, StreamSpec


@dataclass(frozen=True)
class Viewer:
    account_id: int | None = None
    session_id: str | None = None
    scopes: tuple[str, ...] = ()
    subprotocol: str | None = None

    def check(self, spec: StreamSpec) -> None:
        if not spec.needs_user:
            return
        if self.account_id is None:
            raise StreamError(401, "Missing access token")
        needed = USER_STREAMS.get(spec.name)
        allowed = (needed,) if needed else LIST_SCOPES
        if not any(scopes.allows(self.scopes, scope) for scope in allowed):
            raise StreamError(403, "Access token does not have the required scopes")
