"""`python scripts/probe.py REDIS_URL DATABASE_URL`: exit 0 when both answer (used by CI)."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from social.platform.redis.client import client_from_url


async def _probe(redis_url: str, database_url: str) -> bool:
    client = client_from_url(redis_url, socket_connect_timeout=2)
    engine = create_async_engine(database_url, connect_args={"timeout": 2})
    try:
        await client.ping()
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        print(f"probe failed: {exc!r}", file=sys.stderr)
        return False
    finally:
        await client.aclose()
        await engine.dispose()


def main() -> None:
    sys.exit(0 if asyncio.run(_probe(sys.argv[1], sys.argv[2])) else 1)


if __name__ == "__main__":
    main()
