"""Counting Redis round trips: writes on a client's pooled connections and on the shared
multiplexed connection (one per command, pipeline or batch sent), as the tests count them."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from social.platform.redis.link import Link as _Link


class RoundTrips:
    def __init__(self, redis: Any) -> None:
        self.sends = 0
        self._cls: Any = redis.connection_pool.connection_class
        self._pooled = self._cls.send_packed_command
        self._shared = _Link.send

    def __enter__(self) -> RoundTrips:
        pooled, shared = self._pooled, self._shared

        async def counting(conn: Any, *args: Any, **kwargs: Any) -> None:
            self.sends += 1
            await pooled(conn, *args, **kwargs)

        def counting_shared(link: Any, *args: Any, **kwargs: Any) -> Any:
            self.sends += 1
            return shared(link, *args, **kwargs)

        self._cls.send_packed_command = counting
        _Link.send = counting_shared  # type: ignore[method-assign]
        return self

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._cls.send_packed_command = self._pooled
        _Link.send = self._shared  # type: ignore[method-assign]
