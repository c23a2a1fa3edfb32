"""`SessionStore`: server-side sessions and opaque tokens in Redis."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import SessionStoreError
from .index import UserIndex
from .keys import Keys, index_member, split_member
from .models import IssuedToken, Session, data_fields, idle_ms, parse_session
from .scripts import Batch, Scripts, call
from .tokens import looks_like_token, new_session_id, new_token, token_hash
from .types import AnyRedis


def _positive(name: str, value: int) -> int:
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class SessionStore:
    """Sessions keyed by the SHA-256 of an opaque token, with idle and absolute expiry enforced
    on the Redis clock, and a per-user index to list, revoke and cap them.

    The session key alone decides whether a token is valid; the index is pruned lazily.
    """

    def __init__(
        self,
        redis: AnyRedis,
        *,
        prefix: str = "",
        namespace: str = "sess",
        idle_ttl_s: int = 14 * 86400,
        absolute_ttl_s: int = 90 * 86400,
        max_per_user: int = 10,
    ) -> None:
        self.redis = redis
        self.keys = Keys(prefix, namespace)
        self.idle_ttl_s = _positive("idle_ttl_s", idle_ttl_s)
        self.absolute_ttl_s = _positive("absolute_ttl_s", absolute_ttl_s)
        self.max_per_user = _positive("max_per_user", max_per_user)
        self._scripts = Scripts(redis)
        self._index = UserIndex(redis, self.keys, self._scripts, self.max_per_user)

    async def create(
        self,
        user_id: str,
        data: Mapping[str, str] | None = None,
        *,
        idle_ttl_s: int | None = None,
        absolute_ttl_s: int | None = None,
    ) -> IssuedToken:
        """A new session for `user_id`; evicts the user's oldest sessions beyond the cap."""
        if not user_id:
            raise ValueError("user_id must not be empty")
        idle = _ms(_positive("idle_ttl_s", self.idle_ttl_s if idle_ttl_s is None else idle_ttl_s))
        absolute = _ms(
            _positive(
                "absolute_ttl_s", self.absolute_ttl_s if absolute_ttl_s is None else absolute_ttl_s
            )
        )
        fields = data_fields(data or {})
        token, session_id = new_token(), new_session_id()
        digest = token_hash(token)
        batch = Batch(self.redis)
        batch.script(
            self._scripts.create,
            [self.keys.session(digest)],
            [user_id, session_id, idle, absolute, "", "", *fields],
        )
        batch.script(
            self._scripts.index_add,
            [self.keys.user_index(user_id)],
            [index_member(session_id, digest), absolute, self.max_per_user, ""],
        )
        created, over_cap = await batch.execute()
        if not created:
            raise SessionStoreError("a session with this token already exists")
        now_ms, created_ms, expires_ms = created
        session = Session(
            id=session_id,
            user_id=user_id,
            data=dict(data or {}),
            created_at=created_ms / 1000,
            last_seen_at=now_ms / 1000,
            expires_at=expires_ms / 1000,
            idle_expires_at=(now_ms + idle) / 1000,
        )
        if over_cap:
            # Over the cap: one round trip to learn which entries are live, one to evict.
            await self._index.enforce_cap(user_id, [m.decode() for m in over_cap])
        return IssuedToken(token, session)

    async def resolve(self, token: str, *, touch: bool = True) -> Session | None:
        """The live session of `token`, or None; touching slides the idle expiry.

        One round trip: a script reads, checks both expiries, touches and sets the key TTL.
        """
        found = await self._lookup(token, touch=touch)
        return found[0] if found is not None else None

    async def peek(self, token: str) -> tuple[Session, float] | None:
        """The live session of `token` without touching it, and the Redis clock (Unix
        seconds) when it was read: for a caller that keeps the session a while (compare the
        session's times with that clock, not the local one). One round trip."""
        return await self._lookup(token, touch=False)

    def session_key(self, token: str) -> str | None:
        """The key that holds `token`'s session (None: the token cannot be valid)."""
        return self.keys.session(token_hash(token)) if looks_like_token(token) else None

    async def _lookup(self, token: str, *, touch: bool) -> tuple[Session, float] | None:
        key = self.session_key(token)
        if key is None:
            return None
        reply = await call(self._scripts.resolve, [key], ["1" if touch else "0"])
        session = parse_session(reply[1:]) if reply else None
        return None if session is None else (session, int(reply[0]) / 1000)

    async def update(self, token: str, data: Mapping[str, str]) -> bool:
        """Merge `data` into a live session (without touching it); False if there is none."""
        fields = data_fields(data)
        key = self.session_key(token)
        if key is None:
            return False
        return bool(await call(self._scripts.resolve, [key], ["0", *fields]))

    async def rotate(self, token: str, data: Mapping[str, str] | None = None) -> IssuedToken | None:
        """Replace `token` by a new one for the same session (same id, user, created_at and
        absolute expiry; `data` merged in); the old token stops working. None if it was not
        valid."""
        fields = data_fields(data or {})
        if not looks_like_token(token):
            return None
        old_digest = token_hash(token)
        taken = await call(self._scripts.take, [self.keys.session(old_digest)], [""])
        old = parse_session(taken) if taken else None
        if old is None:
            return None
        new = new_token()
        digest = token_hash(new)
        expires_ms, last_seen_ms = _ms(old.expires_at), _ms(old.last_seen_at)
        # Second round trip: the new session copies what the first one took from the old key.
        batch = Batch(self.redis)
        batch.script(
            self._scripts.create,
            [self.keys.session(digest)],
            [
                *(old.user_id, old.id, idle_ms(old), 0, _ms(old.created_at), expires_ms),
                *data_fields(old.data),
                *fields,
            ],
        )
        batch.script(
            self._scripts.index_add,
            [self.keys.user_index(old.user_id)],
            [
                index_member(old.id, digest),
                max(1, expires_ms - last_seen_ms),
                self.max_per_user,
                index_member(old.id, old_digest),
            ],
        )
        created, _ = await batch.execute()
        if not created:
            return None
        now_ms = created[0]
        session = Session(
            id=old.id,
            user_id=old.user_id,
            data={**old.data, **(data or {})},
            created_at=old.created_at,
            last_seen_at=now_ms / 1000,
            expires_at=old.expires_at,
            idle_expires_at=(now_ms + idle_ms(old)) / 1000,
        )
        return IssuedToken(new, session)

    async def revoke(self, token: str) -> bool:
        """End the session of `token` (logout); False if it was not live."""
        if not looks_like_token(token):
            return False
        digest = token_hash(token)
        taken = await call(self._scripts.take, [self.keys.session(digest)], [""])
        session = parse_session(taken) if taken else None
        if session is not None:
            # Second round trip: the index key is known only from the session just taken.
            await self._index.remove(session.user_id, index_member(session.id, digest))
        return bool(taken)

    async def revoke_id(self, user_id: str, session_id: str) -> bool:
        """End the session with public id `session_id` if it belongs to `user_id`."""
        members = await self._index.members(user_id)
        # Second round trip: the session key is named by the index entry read first.
        matching = [m for m in members if split_member(m)[0] == session_id]
        return await self._index.take_all(user_id, matching) > 0

    async def revoke_all(self, user_id: str) -> int:
        """End every session of `user_id`; the number of live sessions ended."""
        members = await self._index.members(user_id)
        # Second round trip: the session keys are named by the index entries read first.
        return await self._index.take_all(user_id, members)

    async def list(self, user_id: str) -> list[Session]:
        """The live sessions of `user_id`, newest first (dead index entries are pruned).

        Two round trips (the index, then its sessions), three when there are dead entries.
        """
        return await self._index.sessions(user_id)
