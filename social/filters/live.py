"""A streaming listener's filters. Live events are rendered once for every listener of a
channel; each listener's `update`s pass its own viewer's filters on the way to its socket.

The filters are asked for at every event: from the near cache (no I/O: a filter written in any
process drops the entry there, so the next event sees it), else from Redis or the database,
while that listener's later events wait behind, in order (`Subscription` holds them)."""

from __future__ import annotations

from social.filters.apply import screen_payload
from social.filters.match import Screen
from social.filters.screen import known_screen, screen_of
from social.platform.context import AppContext

SCREENED_EVENTS = frozenset({"update", "status.update"})


class LiveFilters:
    __slots__ = ("ctx", "viewer_id")

    def __init__(self, ctx: AppContext, viewer_id: int) -> None:
        self.ctx = ctx
        self.viewer_id = viewer_id

    def now(self) -> Screen | None:
        """The viewer's filters if known without I/O."""
        return known_screen(self.ctx, self.viewer_id)

    async def load(self) -> Screen:
        return await screen_of(self.ctx, self.viewer_id)

    @staticmethod
    def payload(screen: Screen, context: str, payload: str) -> str | None:
        """The listener's payload: None when its filters hide the status."""
        return screen_payload(screen, context, payload)
