"""SessionStore against real Redis (plain and cluster): issuing, resolving, rotating, revoking."""

from __future__ import annotations

import hashlib
import string
from typing import Any

import pytest

from sessions import AnyRedis, SessionStore

from .conftest import StoreFactory

URLSAFE = set(string.ascii_letters + string.digits + "-_")


async def all_stored_bytes(client: AnyRedis) -> list[Any]:
    """Every key name, field and value in the keyspace."""
    found: list[Any] = []
    async for key in client.scan_iter(count=1000):
        found.append(key)
        kind = await client.type(key)
        if kind == b"hash":
            for field, value in (await client.hgetall(key)).items():
                found += [field, value]
        elif kind == b"zset":
            found += await client.zrange(key, 0, -1)
        else:
            found.append(await client.dump(key))
    return found


async def test_create_then_resolve_gives_the_session(store: SessionStore) -> None:
    issued = await store.create("42", {"scopes": "read write", "app": "Tusky"})
    session = await store.resolve(issued.token)
    assert session is not None
    assert session.user_id == "42"
    assert session.id == issued.session.id
    assert session.data == {"scopes": "read write", "app": "Tusky"}
    assert session.created_at == issued.session.created_at
    assert session.expires_at == pytest.approx(session.created_at + 90 * 86400, abs=0.01)
    assert session.idle_expires_at == pytest.approx(session.last_seen_at + 14 * 86400, abs=0.01)
    assert session.last_seen_at >= session.created_at


async def test_redis_never_holds_the_raw_token(client: AnyRedis, store: SessionStore) -> None:
    issued = await store.create("42", {"csrf": "c"})
    stored = await all_stored_bytes(client)
    digest = hashlib.sha256(issued.token.encode()).hexdigest().encode()
    assert any(digest in item for item in stored)
    assert not any(issued.token.encode() in item for item in stored)
    assert issued.token not in repr(issued)


async def test_tokens_are_43_urlsafe_chars_and_distinct(store: SessionStore) -> None:
    issued = [await store.create(str(i)) for i in range(1000)]
    tokens = {i.token for i in issued}
    assert len(tokens) == 1000
    assert all(len(t) == 43 and set(t) <= URLSAFE for t in tokens)
    assert len({i.session.id for i in issued}) == 1000


async def test_session_id_is_not_derived_from_the_token(store: SessionStore) -> None:
    issued = await store.create("42")
    assert issued.session.id not in issued.token
    assert issued.session.id not in hashlib.sha256(issued.token.encode()).hexdigest()


@pytest.mark.parametrize(
    "token",
    ["", "x", "not a token", "A" * 43, "é" * 43, "A" * 44, "../../etc/passwd", "*", "{x}"],
)
async def test_unknown_and_garbage_tokens_resolve_to_none(store: SessionStore, token: str) -> None:
    await store.create("42")
    assert await store.resolve(token) is None
    assert await store.rotate(token) is None
    assert await store.revoke(token) is False
    assert await store.update(token, {"a": "b"}) is False


async def test_a_tampered_token_is_refused(store: SessionStore) -> None:
    issued = await store.create("42")
    last = issued.token[-1]
    tampered = issued.token[:-1] + ("A" if last != "A" else "B")
    assert await store.resolve(tampered) is None
    assert await store.resolve(issued.token) is not None


async def test_invalid_arguments_raise_value_error(client: AnyRedis, store: SessionStore) -> None:
    with pytest.raises(ValueError, match="user_id"):
        await store.create("")
    with pytest.raises(ValueError, match="idle_ttl_s"):
        await store.create("42", idle_ttl_s=0)
    with pytest.raises(ValueError, match="absolute_ttl_s"):
        await store.create("42", absolute_ttl_s=-5)
    with pytest.raises(ValueError, match="data"):
        await store.create("42", {"": "x"})
    for bad in ({"idle_ttl_s": 0}, {"absolute_ttl_s": 0}, {"max_per_user": 0}, {"prefix": "{a}"}):
        with pytest.raises(ValueError, match=r"\w"):
            SessionStore(client, **bad)
    with pytest.raises(ValueError, match="user_id"):
        await store.list("")
    assert await client.dbsize() == 0


async def test_update_merges_data_into_a_live_session(store: SessionStore) -> None:
    issued = await store.create("42", {"scopes": "read", "app": "Tusky"})
    assert await store.update(issued.token, {"scopes": "read write", "mfa": "ok"})
    session = await store.resolve(issued.token)
    assert session is not None
    assert session.data == {"scopes": "read write", "app": "Tusky", "mfa": "ok"}


async def test_rotate_replaces_the_token_and_keeps_the_session(store: SessionStore) -> None:
    issued = await store.create("42", {"scopes": "read", "app": "Tusky"}, absolute_ttl_s=3600)
    rotated = await store.rotate(issued.token, {"scopes": "read write"})
    assert rotated is not None
    assert rotated.token != issued.token
    assert await store.resolve(issued.token) is None
    session = await store.resolve(rotated.token, touch=False)
    assert session is not None
    assert (session.id, session.user_id) == (issued.session.id, "42")
    assert session.data == {"scopes": "read write", "app": "Tusky"}
    assert session.created_at == issued.session.created_at
    assert session.expires_at == issued.session.expires_at
    assert rotated.session == session
    assert [s.id for s in await store.list("42")] == [issued.session.id]
    assert await store.rotate(issued.token) is None


async def test_revoke_ends_only_that_session(store: SessionStore) -> None:
    first, second = await store.create("42"), await store.create("42")
    assert await store.revoke(first.token) is True
    assert await store.resolve(first.token) is None
    assert await store.resolve(second.token) is not None
    assert await store.revoke(first.token) is False
    assert [s.id for s in await store.list("42")] == [second.session.id]


async def test_revoke_id_needs_the_owner(store: SessionStore) -> None:
    mine, theirs = await store.create("42"), await store.create("7")
    assert await store.revoke_id("42", theirs.session.id) is False
    assert await store.resolve(theirs.token) is not None
    assert await store.revoke_id("42", "no-such-id") is False
    assert await store.revoke_id("42", mine.session.id) is True
    assert await store.resolve(mine.token) is None
    assert await store.list("42") == []


async def test_revoke_all_ends_every_session_of_the_user(store: SessionStore) -> None:
    tokens = [(await store.create("42")).token for _ in range(3)]
    other = await store.create("7")
    assert await store.revoke_all("42") == 3
    assert [await store.resolve(t) for t in tokens] == [None, None, None]
    assert await store.resolve(other.token) is not None
    assert await store.revoke_all("42") == 0


async def test_list_is_newest_first_and_prunes_dead_entries(
    client: AnyRedis, store: SessionStore
) -> None:
    issued = [await store.create("42", {"n": str(i)}) for i in range(4)]
    await client.delete(store.keys.session(hashlib.sha256(issued[1].token.encode()).hexdigest()))
    index = store.keys.user_index("42")
    assert await client.zcard(index) == 4
    listed = await store.list("42")
    assert [s.data["n"] for s in listed] == ["3", "2", "0"]
    assert await client.zcard(index) == 3
    assert await store.list("nobody") == []


async def test_the_cap_evicts_the_oldest_sessions(make_store: StoreFactory) -> None:
    store = make_store(max_per_user=3)
    issued = [await store.create("42") for _ in range(5)]
    assert [await store.resolve(i.token) is not None for i in issued] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert [s.id for s in await store.list("42")] == [i.session.id for i in reversed(issued[2:])]


async def test_the_cap_counts_only_live_sessions(
    client: AnyRedis, make_store: StoreFactory
) -> None:
    store = make_store(max_per_user=3)
    issued = [await store.create("42") for _ in range(3)]
    await client.delete(store.keys.session(hashlib.sha256(issued[2].token.encode()).hexdigest()))
    fourth = await store.create("42")
    assert [await store.resolve(i.token) is not None for i in [*issued[:2], fourth]] == [True] * 3
    assert await client.zcard(store.keys.user_index("42")) == 3


async def test_stores_with_other_namespaces_do_not_see_each_other(
    make_store: StoreFactory,
) -> None:
    api, web = make_store(namespace="tok"), make_store(namespace="web")
    issued = await api.create("42")
    assert await web.resolve(issued.token) is None
    assert await web.list("42") == []
    assert await api.resolve(issued.token) is not None


async def test_peek_gives_the_session_untouched_with_the_redis_clock(
    store: SessionStore, client: AnyRedis
) -> None:
    """For callers that keep a session a while (the app's in-process cache of tokens)."""
    issued = await store.create("42", {"scopes": "read"})
    key = store.session_key(issued.token)
    assert key is not None
    before = await client.hget(key, "last_seen_ms")
    found = await store.peek(issued.token)
    assert found is not None
    session, now_s = found
    assert (session.id, session.user_id, session.data) == (
        issued.session.id,
        "42",
        {"scopes": "read"},
    )
    assert await client.hget(key, "last_seen_ms") == before  # not touched
    seconds, micros = await client.time()
    assert abs(seconds + micros / 1e6 - now_s) < 5  # the server's clock
    assert await store.peek("not a token") is None
    await store.revoke(issued.token)
    assert await store.peek(issued.token) is None
