"""`Settler`: scores what was recorded soon after, at most once per interval under load."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .engine import TrendEngine
from .errors import TrendStoreError

log = logging.getLogger(__name__)


class Settler:
    """Call `poke()` after recording. Scorings begin at least `interval_s` apart, in a task of
    its own: a poke after a quiet interval is served at once, the pokes that come while a
    scoring runs or waits its turn are served together by the next. So at a trickle of uses
    each is ranked within a moment, and under load a tag is scored once an interval however
    many uses it gets.

    A failed scoring is logged and left: the tags stay marked in Redis, and the next poke
    scores them.
    """

    def __init__(self, engine: TrendEngine, interval_s: float = 1.0) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._last = -float("inf")  # when the last scoring began (loop time)

    def poke(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        else:
            self._again = True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait_s = self._last + self.interval_s - loop.time()
            if wait_s > 0:
                await asyncio.sleep(wait_s)
            self._again = False  # what was poked until now, this scoring covers
            self._last = loop.time()
            try:
                await self.engine.settle()
            except TrendStoreError as exc:
                log.warning("scoring trends failed (the next poke retries): %s", exc)
            if not self._again:
                return

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
