"""What the store hands out: sessions, and a freshly issued token with its session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DATA_PREFIX = "data:"


@dataclass(frozen=True)
class Session:
    """A live session as Redis holds it; times are unix seconds on the Redis clock.

    It ends at `min(expires_at, idle_expires_at)`; each touch moves `idle_expires_at`.
    """

    id: str
    user_id: str
    data: dict[str, str]
    created_at: float
    last_seen_at: float
    expires_at: float
    idle_expires_at: float


@dataclass(frozen=True)
class IssuedToken:
    """A new token, shown once to its owner; only its hash is stored."""

    token: str = field(repr=False)
    session: Session


def data_fields(data: Mapping[str, str]) -> list[str]:
    """`data` as flat hash field/value arguments."""
    flat: list[str] = []
    for name, value in data.items():
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise ValueError("session data must map non-empty strings to strings")
        flat += [DATA_PREFIX + name, value]
    return flat


def parse_session(flat: Sequence[bytes]) -> Session | None:
    """A session from a flat `HGETALL`-style reply; None if a field is missing or malformed."""
    raw = {flat[i].decode(): flat[i + 1].decode() for i in range(0, len(flat) - 1, 2)}
    try:
        last_seen_ms = int(raw["last_seen_ms"])
        return Session(
            id=raw["id"],
            user_id=raw["user_id"],
            data={k[len(DATA_PREFIX) :]: v for k, v in raw.items() if k.startswith(DATA_PREFIX)},
            created_at=int(raw["created_ms"]) / 1000,
            last_seen_at=last_seen_ms / 1000,
            expires_at=int(raw["expires_ms"]) / 1000,
            idle_expires_at=(last_seen_ms + int(raw["idle_ms"])) / 1000,
        )
    except (KeyError, ValueError):
        return None


def idle_ms(session: Session) -> int:
    return round((session.idle_expires_at - session.last_seen_at) * 1000)
