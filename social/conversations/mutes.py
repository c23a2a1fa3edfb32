"""Muted threads: no notifications from a thread (conversation) you muted, and its statuses
carry `muted: true` for you (Mastodon's `mute_conversation!`). Any status the account may see
names its thread: Mastodon's documentation asks that you take part in it, its controller does
not check, and neither do we."""

from __future__ import annotations

from social.conversations.muted import forget
from social.platform.context import AppContext
from social.platform.db.models import ConversationMute, Status
from social.platform.db.toggle import toggle
from social.platform.errors import Invalid, NotFound
from social.statuses.service import may_see_row


async def set_thread_mute(ctx: AppContext, account_id: int, status_id: int, on: bool) -> None:
    """Mute (`on`) or unmute the thread of `status_id`, one the account may see (idempotent)."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None or not await may_see_row(ctx, db, status, account_id):
            raise NotFound()
        thread = status.conversation_id
        if thread is None:
            raise Invalid("Validation failed: this status belongs to no conversation")
        changed = await toggle(
            db, on, ConversationMute, account_id=account_id, conversation_id=thread
        )
        await db.commit()
    if changed:
        await forget(ctx, account_id)
