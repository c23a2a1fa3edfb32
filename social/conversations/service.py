"""Direct conversations as each participant sees them (Mastodon's AccountConversation): one
entry per account, thread and set of other participants, naming its last status and whether
it is unread. Written by the `conversations` consumer from direct statuses; read, marked read
and deleted by their owner.

An entry keeps only its last status, not the list of them Mastodon keeps: a deleted last status
gives way to the newest one left in the thread that has the same participants, read again from
the statuses (`remove_status`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from social.conversations.muted import muters_of
from social.platform.context import AppContext
from social.platform.db.models import Account, AccountConversation, Mention, Status
from social.platform.errors import NotFound
from social.platform.events.topics import StatusEvent
from social.platform.ids import next_id
from social.platform.paging import PageQuery, paged
from social.relations.hidden import Hidden, readers_hiding

THREAD_SCAN_MAX = 200  # statuses of a thread looked through for a deleted last one's successor


def participants_of(account_id: int, author_id: int, mention_ids: Iterable[int]) -> str:
    """The others in a status, as `account_id` sees it: its author and the mentioned, sorted,
    comma-separated (Mastodon's `participants_from_status`)."""
    return ",".join(str(i) for i in sorted({author_id, *mention_ids} - {account_id}))


def participant_ids(entry: AccountConversation) -> list[int]:
    return [int(i) for i in entry.participant_ids.split(",") if i]


async def add_status(ctx: AppContext, event: StatusEvent) -> list[int]:
    """A direct status into the conversation of its author (read) and of each mentioned
    account (unread), but those who hide it (a block either way, a mute of its author or of
    someone it mentions) or muted its thread: as Mastodon, which adds it where it notifies the
    mention. Returns the accounts whose entry changed. Idempotent: an entry already naming this
    status (or a later one) is left as it is."""
    author, thread = event.account_id, event.conversation_id
    if thread is None:
        return []
    async with ctx.db() as db:
        if await db.get(Status, event.status_id) is None:
            return []  # deleted since
        recipients = set(event.mention_ids) - {author}
        recipients -= await readers_hiding(db, author, event.mention_ids)
        recipients -= await muters_of(db, thread, recipients)
        accounts = {author, *recipients}
        existing = select(Account.id).where(Account.id.in_(accounts), Account.suspended.is_(False))
        accounts &= set((await db.execute(existing)).scalars())
        changed = [a for a in sorted(accounts) if await _upsert(ctx, db, a, event)]
        await db.commit()
    return changed


async def _upsert(ctx: AppContext, db: AsyncSession, account_id: int, event: StatusEvent) -> bool:
    assert event.conversation_id is not None
    unread = account_id != event.account_id
    key = {
        "account_id": account_id,
        "conversation_id": event.conversation_id,
        "participant_ids": participants_of(account_id, event.account_id, event.mention_ids),
    }
    insert = pg_insert if ctx.engine.dialect.name == "postgresql" else sqlite_insert
    inserted = await db.execute(
        insert(AccountConversation)
        .values(id=next_id(), last_status_id=event.status_id, unread=unread, **key)
        .on_conflict_do_nothing()
        .returning(AccountConversation.id)
    )
    if inserted.first() is not None:
        return True
    bumped = await db.execute(
        update(AccountConversation)
        .where(
            *(getattr(AccountConversation, k) == v for k, v in key.items()),
            or_(
                AccountConversation.last_status_id.is_(None),
                AccountConversation.last_status_id < event.status_id,
            ),
        )
        .values(last_status_id=event.status_id, unread=unread)
    )
    return bool(bumped.rowcount)  # type: ignore[attr-defined]


async def remove_status(ctx: AppContext, event: StatusEvent) -> list[int]:
    """A deleted direct status leaves the conversations it was the last of: each then names the
    newest status left in the thread with the same participants that its owner still sees, or
    is deleted when there is none (Mastodon's `remove_status`). Returns the accounts whose
    entry was changed, not deleted."""
    thread = event.conversation_id
    if thread is None:
        return []
    changed: list[int] = []
    async with ctx.db() as db:
        candidates = await _thread_statuses(db, thread, event.status_id)
        for account_id in sorted({event.account_id, *event.mention_ids}):
            participants = participants_of(account_id, event.account_id, event.mention_ids)
            mine = (
                AccountConversation.account_id == account_id,
                AccountConversation.conversation_id == thread,
                AccountConversation.participant_ids == participants,
                or_(
                    AccountConversation.last_status_id.is_(None),
                    AccountConversation.last_status_id == event.status_id,
                ),
            )
            entry = (await db.execute(select(AccountConversation).where(*mine))).scalar()
            if entry is None:
                continue  # another status is its last, or it is gone
            hidden = await Hidden.load(db, account_id)
            previous = next(
                (
                    status_id
                    for status_id, author, mentioned in candidates
                    if account_id in {author, *mentioned}
                    and participants_of(account_id, author, mentioned) == participants
                    and not hidden.hides([author], mentioned)
                ),
                None,
            )
            if previous is None:
                await db.execute(delete(AccountConversation).where(*mine))
            else:
                await db.execute(
                    update(AccountConversation).where(*mine).values(last_status_id=previous)
                )
                changed.append(account_id)
        await db.commit()
    return changed


async def _thread_statuses(
    db: AsyncSession, thread: int, deleted_id: int
) -> list[tuple[int, int, tuple[int, ...]]]:
    """The thread's direct statuses older than `deleted_id`, newest first: (id, author,
    mentioned)."""
    rows = list(
        await db.execute(
            select(Status.id, Status.account_id)
            .where(
                Status.conversation_id == thread,
                Status.visibility == "direct",
                Status.id < deleted_id,
            )
            .order_by(Status.id.desc())
            .limit(THREAD_SCAN_MAX)
        )
    )
    mentioned: dict[int, list[int]] = defaultdict(list)
    if rows:
        query = select(Mention.status_id, Mention.account_id).where(
            Mention.status_id.in_([r[0] for r in rows])
        )
        for status_id, account_id in await db.execute(query):
            mentioned[status_id].append(account_id)
    return [(i, author, tuple(mentioned[i])) for i, author in rows]


async def entry_for(
    ctx: AppContext, account_id: int, event: StatusEvent
) -> AccountConversation | None:
    """The account's entry that a status went into (to announce it on the `direct` stream)."""
    participants = participants_of(account_id, event.account_id, event.mention_ids)
    async with ctx.db() as db:
        query = select(AccountConversation).where(
            AccountConversation.account_id == account_id,
            AccountConversation.conversation_id == event.conversation_id,
            AccountConversation.participant_ids == participants,
            AccountConversation.last_status_id.is_not(None),
        )
        return (await db.execute(query)).scalar()


async def page_of(ctx: AppContext, account_id: int, page: PageQuery) -> list[AccountConversation]:
    """A page of the account's conversations, the most recently active first, paged by their
    last status's id (as Mastodon)."""
    query = select(AccountConversation).where(
        AccountConversation.account_id == account_id,
        AccountConversation.last_status_id.is_not(None),
    )
    cursor = cast(InstrumentedAttribute[int], AccountConversation.last_status_id)
    async with ctx.db() as db:
        rows = list((await db.execute(paged(query, cursor, page))).scalars())
    return sorted(rows, key=lambda e: e.last_status_id or 0, reverse=True)


async def mark_read(ctx: AppContext, account_id: int, entry_id: int) -> AccountConversation:
    async with ctx.db() as db:
        entry = await _own(db, account_id, entry_id)
        entry.unread = False
        await db.commit()
        await db.refresh(entry)
        return entry


async def remove(ctx: AppContext, account_id: int, entry_id: int) -> None:
    """Delete the account's entry (the statuses stay; a new one in it makes it again)."""
    async with ctx.db() as db:
        await db.delete(await _own(db, account_id, entry_id))
        await db.commit()


async def _own(db: AsyncSession, account_id: int, entry_id: int) -> AccountConversation:
    entry = await db.get(AccountConversation, entry_id)
    if entry is None or entry.account_id != account_id or entry.last_status_id is None:
        raise NotFound()
    return entry
