"""A figure counted in the database, kept in the process for a while: one per database (tests
build many apps in one process), one computation at a time however many ask."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from social.platform.context import AppContext

T = TypeVar("T")


class Memo(Generic[T]):
    def __init__(self, compute: Callable[[AppContext], Awaitable[T]], *, ttl_s: float) -> None:
        self._compute = compute
        self.ttl_s = ttl_s
        self._kept: weakref.WeakKeyDictionary[AsyncEngine, tuple[float, asyncio.Future[T]]] = (
            weakref.WeakKeyDictionary()
        )

    async def get(self, ctx: AppContext) -> T:
        now = time.monotonic()
        kept = self._kept.get(ctx.engine)
        if kept is None or now - kept[0] > self.ttl_s or _failed(kept[1]):
            kept = (now, asyncio.ensure_future(self._compute(ctx)))
            self._kept[ctx.engine] = kept
        # shielded: a caller that goes away does not cancel what the others wait for
        return await asyncio.shield(kept[1])


def _failed(future: asyncio.Future[Any]) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)
