"""The per-user index: a sorted set of `<session id>:<token hash>` by creation order.

It lives in another slot than the sessions it names, so reading it and then the sessions is
two round trips; it is only needed to list, revoke and cap, never to resolve a token.
"""

from __future__ import annotations

from typing import Any

from .keys import Keys, split_member
from .models import Session, parse_session
from .scripts import Batch, Scripts, store_errors
from .types import AnyRedis


class UserIndex:
    def __init__(self, redis: AnyRedis, keys: Keys, scripts: Scripts, max_per_user: int) -> None:
        self.redis = redis
        self.keys = keys
        self.scripts = scripts
        self.max_per_user = max_per_user

    async def members(self, user_id: str, *, newest_first: bool = False) -> list[str]:
        if not user_id:
            raise ValueError("user_id must not be empty")
        with store_errors():
            raw: list[Any] = await self.redis.zrange(
                self.keys.user_index(user_id), 0, -1, desc=newest_first
            )
        return [m.decode() for m in raw]

    async def remove(self, user_id: str, *members: str) -> None:
        with store_errors():
            await self.redis.zrem(self.keys.user_index(user_id), *members)

    async def sessions(self, user_id: str) -> list[Session]:
        members = await self.members(user_id, newest_first=True)
        if not members:
            return []
        batch = Batch(self.redis)
        for member in members:
            batch.script(self.scripts.resolve, [self._session_key(member)], ["0"])
        sessions: list[Session] = []
        dead: list[str] = []
        for member, reply in zip(members, await batch.execute(), strict=True):
            session = parse_session(reply[1:]) if reply else None
            if session and (session.user_id, session.id) == (user_id, split_member(member)[0]):
                sessions.append(session)
            else:
                dead.append(member)
        if dead:
            await self.remove(user_id, *dead)
        return sessions

    async def take_all(self, user_id: str, members: list[str]) -> int:
        """Delete the sessions of `members` and their entries; how many of them were live."""
        if not members:
            return 0
        batch = Batch(self.redis)
        for member in members:
            batch.script(self.scripts.take, [self._session_key(member)], [user_id])
        batch.command("ZREM", self.keys.user_index(user_id), *members)
        results = await batch.execute()
        return sum(1 for taken in results[:-1] if taken)

    async def enforce_cap(self, user_id: str, members: list[str]) -> None:
        """Evict the oldest live sessions beyond the cap and prune dead entries."""
        check = Batch(self.redis)
        for member in members:
            check.command("EXISTS", self._session_key(member))
        alive = await check.execute()
        live = [m for m, exists in zip(members, alive, strict=True) if exists]
        dead = [m for m, exists in zip(members, alive, strict=True) if not exists]
        evicted = live[: max(0, len(live) - self.max_per_user)]
        if not evicted and not dead:
            return
        batch = Batch(self.redis)
        for member in evicted:
            batch.command("DEL", self._session_key(member))
        batch.command("ZREM", self.keys.user_index(user_id), *evicted, *dead)
        await batch.execute()

    def _session_key(self, member: str) -> str:
        return self.keys.session(split_member(member)[1])
