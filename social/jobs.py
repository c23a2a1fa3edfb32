"""The kinds of timed work on the context's scheduler, and the functions that run them."""

from __future__ import annotations

from social.media import cleanup
from social.platform.context import AppContext
from social.polls import expiry
from social.relations import blocks
from social.scheduled import publish
from social.scheduled import service as scheduled


def register_jobs(ctx: AppContext) -> None:
    ctx.scheduler.register(scheduled.KIND, publish.publish, publish.pending)
    ctx.scheduler.register(blocks.MUTE_EXPIRY, blocks.expire_mute, blocks.timed_mutes)
    ctx.scheduler.register(expiry.KIND, expiry.run, expiry.due_from_db)
    ctx.scheduler.register(cleanup.KIND, cleanup.run, cleanup.due_from_db)
