from social.redis import AnyRedis, redacted


async def test_keyspace_starts_empty_and_is_writable(redis: AnyRedis) -> None:
    assert await redis.dbsize() == 0
    await redis.set("k", "v")
    assert await redis.get("k") == b"v"


def test_redacted_hides_password() -> None:
    assert redacted("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert redacted("redis://:secret@host") == "redis://***@host"
    assert redacted("redis://host:6379") == "redis://host:6379"
