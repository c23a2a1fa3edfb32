"""Coalescing: script calls made in the same event-loop tick share one pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ratelimit.errors import StoreError

C = TypeVar("C")
Send = Callable[[list[C]], Awaitable[list[Any]]]
"""Sends calls in one round trip: one reply (or exception) per call, in order."""


@dataclass(slots=True)
class _Waiting(Generic[C]):
    calls: Sequence[C]
    future: asyncio.Future[list[Any] | StoreError]


class Coalescer(Generic[C]):
    """The first `run` of a tick schedules a flush for the loop's next iteration (before it
    polls for I/O); every `run` of the same tick joins that batch. A lone call is sent one
    iteration later, not after any I/O or timer, so it waits for nothing.

    The batch is sent by a task of its own, so a cancelled or timed-out caller affects only
    itself. A failure of the whole batch reaches each caller as its own `StoreError`.
    """

    def __init__(
        self, send: Send[C], *, timeout_s: float, wrap: Callable[[BaseException], StoreError]
    ):
        self._send = send
        self.timeout_s = timeout_s
        self._wrap = wrap
        self._batches: dict[asyncio.AbstractEventLoop, list[_Waiting[C]]] = {}
        self._flushing: set[asyncio.Task[None]] = set()

    async def run(self, calls: Sequence[C]) -> list[Any]:
        """Replies (or exceptions) for `calls`, sent with the rest of this tick's calls."""
        loop = asyncio.get_running_loop()
        batch = self._batches.get(loop)
        if batch is None:
            batch = self._batches[loop] = []
            task = loop.create_task(self._flush(loop))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        waiting = _Waiting(calls, loop.create_future())
        batch.append(waiting)
        result = await waiting.future
        if isinstance(result, StoreError):
            raise result
        return result

    async def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._batches.pop(loop)
        calls = [call for waiting in batch for call in waiting.calls]
        try:
            async with asyncio.timeout(self.timeout_s):
                replies = await self._send(calls)
        except BaseException as exc:
            for waiting in batch:
                if not waiting.future.done():
                    waiting.future.set_result(self._wrap(exc))
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for waiting in batch:
            end = start + len(waiting.calls)
            if not waiting.future.done():  # its caller may have timed out or gone away
                waiting.future.set_result(replies[start:end])
            start = end
