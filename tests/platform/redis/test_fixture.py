from social.platform.redis.client import AnyRedis, redacted


async def test_keyspace_starts_empty_and_is_writable(redis: AnyRedis) -> None:
    assert await redis.dbsize() == 0
    await redis.set("k", "v")
    assert await redis.get("k") == b"v"


def test_redacted_hides_password() -> None:
    assert redacted("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert redacted("redis://:secret@host") == "redis://***@host"
    assert redacted("redis://host:6379") == "redis://host:6379"


async def test_hiredis_packing_speaks_the_same_protocol(redis_url: str) -> None:
    from social.platform.redis.client import client_from_url, is_cluster_url

    client = client_from_url(redis_url)
    try:
        if not is_cluster_url(redis_url):
            assert "HiredisPacked" in client.connection_pool.connection_class.__name__
        await client.set("packed", "é✓ \x00 binary", ex=60)
        assert await client.get("packed") == "é✓ \x00 binary".encode()
        await client.zadd("packed:z", {"a": 1.5, "b": 123456789012345678})
        assert await client.zrange("packed:z", 0, -1, withscores=True) == [
            (b"a", 1.5),
            (b"b", 123456789012345678.0),
        ]
        assert await client.config_get("maxmemory")  # a two-word command name
    finally:
        await client.aclose()
