"""Every Redis key name of this package is built here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """`{prefix}{namespace}:{<token hash>}` per session, `...:user:{<user id>}` per user.

    The braces are Redis Cluster hash tags: a session key and a user index live in different
    slots, so every script touches exactly one of them.
    """

    prefix: str = ""
    namespace: str = "sess"

    def __post_init__(self) -> None:
        for part in (self.prefix, self.namespace):
            if "{" in part or "}" in part:
                raise ValueError("prefix and namespace must not contain braces")
        if not self.namespace:
            raise ValueError("namespace must not be empty")

    def session(self, token_hash: str) -> str:
        return f"{self.prefix}{self.namespace}:{{{token_hash}}}"

    @property
    def session_prefix(self) -> str:
        """What every session key (and no index key) starts with: for client-side caching."""
        return f"{self.prefix}{self.namespace}:{{"

    def user_index(self, user_id: str) -> str:
        return f"{self.prefix}{self.namespace}:user:{{{user_id}}}"


def index_member(session_id: str, token_hash: str) -> str:
    """An entry of a user index: the public id and where its session lives."""
    return f"{session_id}:{token_hash}"


def split_member(member: bytes | str) -> tuple[str, str]:
    text = member.decode() if isinstance(member, bytes) else member
    session_id, _, token_hash = text.partition(":")
    return session_id, token_hash
