"""Private notes one account keeps on another (Mastodon's `AccountNote`)."""

from __future__ import annotations

from sqlalchemy import delete, update

from social.platform.context import AppContext
from social.platform.db.models import Account, AccountNote
from social.platform.db.toggle import toggle
from social.platform.errors import NotFound


async def set_note(ctx: AppContext, account_id: int, target_id: int, comment: str) -> None:
    """Keep `comment` on `target_id` (an empty one deletes the note)."""
    async with ctx.db() as db:
        target = await db.get(Account, target_id)
        if target is None or target.suspended:
            raise NotFound()
        mine = (AccountNote.account_id == account_id, AccountNote.target_account_id == target_id)
        if not comment.strip():
            await db.execute(delete(AccountNote).where(*mine))
        elif not (
            await db.execute(update(AccountNote).where(*mine).values(comment=comment))
        ).rowcount:  # type: ignore[attr-defined]
            await toggle(
                db,
                True,
                AccountNote,
                account_id=account_id,
                target_account_id=target_id,
                comment=comment,
            )
        await db.commit()
