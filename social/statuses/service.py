"""Writing statuses: one transaction for the status, its tags, mentions, counters and the outbox
event; then the caches. Deleting and favouriting likewise."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

import orjson
from redis.exceptions import RedisError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.render import account_bytes
from social.accounts.service import posting_defaults
from social.media import service as media
from social.platform.cache import write_together
from social.platform.context import AppContext
from social.platform.db.models import Account, Favourite, Mention, Status, StatusTag, Tag
from social.platform.db.toggle import toggle
from social.platform.db.types import utcnow
from social.platform.errors import Invalid, NotFound, invalid
from social.platform.events.topics import (
    FavouriteCreated,
    FavouriteDeleted,
    StatusCreated,
    StatusDeleted,
    StatusEvent,
    publish,
)
from social.platform.ids import next_id
from social.polls.rules import EXPIRY_KIND, add_poll
from social.search.index import index_tags
from social.statuses import marks, text
from social.statuses.audience import filter_visible
from social.statuses.boost_rows import boosts_of, delete_boosts
from social.statuses.render import CachedStatus, cached_form, cached_statuses

S = TypeVar("S", bound=StatusEvent)
by_id = attrgetter("id")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewPoll:
    """A poll to post with a status (Mastodon's `poll[...]` parameters)."""

    options: tuple[str, ...]
    expires_in_s: int
    multiple: bool = False
    hide_totals: bool = False


@dataclass(frozen=True)
class NewStatus:
    """A status to post; `None` for visibility, sensitive or language: the author's default.
    The one shape of a post, posted now or scheduled (its fields are what a scheduled
    status keeps as its `params`)."""

    text: str
    spoiler_text: str = ""
    sensitive: bool | None = None
    visibility: str | None = None
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: tuple[int, ...] = ()
    """Uploads to attach, in this order (the author's own, processed, not yet attached)."""
    poll: NewPoll | None = None


async def _mentioned_accounts(
    db: AsyncSession, ctx: AppContext, parsed: text.Parsed
) -> list[Account]:
    local = [
        name.lower()
        for name, domain in parsed.mentions
        if domain is None or domain.lower() == ctx.settings.domain.lower()
    ]
    if not local:
        return []
    query = select(Account).where(func.lower(Account.username).in_(local), ~Account.suspended)
    return list((await db.execute(query)).scalars())


async def _tags(db: AsyncSession, names: dict[str, str]) -> list[Tag]:
    if not names:
        return []
    existing = {
        t.name: t for t in (await db.execute(select(Tag).where(Tag.name.in_(names)))).scalars()
    }
    for name, shown in names.items():
        if name not in existing:
            try:
                async with db.begin_nested():
                    tag = Tag(name=name, display_name=shown)
                    db.add(tag)
                existing[name] = tag
            except IntegrityError:  # created concurrently
                found = (await db.execute(select(Tag).where(Tag.name == name))).scalar_one()
                existing[name] = found
    return [existing[name] for name in names]


async def compose(
    ctx: AppContext, db: AsyncSession, written: str
) -> tuple[str, list[Account], list[Tag]]:
    """What a status's text makes: its HTML, the local accounts it mentions, its tags (created
    if new): for a post and an edit alike."""
    parsed = text.parse(written)
    mentioned = await _mentioned_accounts(db, ctx, parsed)
    by_name = {a.username.lower(): a for a in mentioned}
    base = ctx.settings.base_url
    content = text.render(
        written,
        text.Links(
            base,
            lambda u: f"{base}/@{by_name[u.lower()].username}" if u.lower() in by_name else None,
        ),
    )
    return content, mentioned, await _tags(db, parsed.tags)


async def create_status(
    ctx: AppContext,
    author_id: int,
    new: NewStatus,
    *,
    within: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> int:
    """`within` runs first in the status's transaction: what it writes commits with the
    status, what it raises rolls both back (a scheduled status deletes its row there, so it
    is published once)."""
    async with ctx.db() as db:
        if within is not None:
            await within(db)
        reply_to = None
        if new.in_reply_to_id is not None:
            reply_to = await db.get(Status, new.in_reply_to_id)
            if reply_to is None or not await may_see_row(ctx, db, reply_to, author_id):
                raise invalid("in_reply_to_id", "does not exist")
        content, mentioned, tags = await compose(ctx, db, new.text)
        visibility, sensitive, language = new.visibility, new.sensitive, new.language
        if visibility is None or sensitive is None or language is None:
            defaults = await posting_defaults(db, author_id)
            visibility = visibility or defaults[0]
            sensitive = defaults[1] if sensitive is None else sensitive
            language = language or defaults[2]
        status_id = next_id()
        status = Status(
            id=status_id,
            account_id=author_id,
            text=new.text,
            content=content,
            spoiler_text=new.spoiler_text,
            sensitive=sensitive or bool(new.spoiler_text),
            visibility=visibility,
            language=language,
            in_reply_to_id=reply_to.id if reply_to else None,
            in_reply_to_account_id=reply_to.account_id if reply_to else None,
            # a thread is named by the status it began with
            conversation_id=(reply_to.conversation_id or reply_to.id) if reply_to else status_id,
        )
        db.add(status)
        await db.flush()
        await media.attach(db, author_id, new.media_ids, status_id)
        poll_id = None
        if new.poll is not None:
            poll_id = await add_poll(db, status.id, author_id, new.poll, status.created_at)
        if tags:
            await db.execute(
                insert(StatusTag), [{"status_id": status.id, "tag_id": t.id} for t in tags]
            )
        if mentioned:
            await db.execute(
                insert(Mention), [{"status_id": status.id, "account_id": a.id} for a in mentioned]
            )
        author = await db.scalar(
            update(Account)
            .where(Account.id == author_id)
            .values(statuses_count=Account.statuses_count + 1, last_status_at=utcnow())
            .returning(Account),
            execution_options={"populate_existing": True},
        )
        if reply_to is not None:
            await db.execute(
                update(Status)
                .where(Status.id == reply_to.id)
                .values(replies_count=Status.replies_count + 1)
            )
        publish(
            db,
            status_event(StatusCreated, status, [t.name for t in tags], [a.id for a in mentioned]),
        )
        await db.commit()
    ctx.events.wake()
    fresh = {}
    if author is not None and not new.media_ids and poll_id is None:  # what the response shows
        # tags and mentions in the order a load from the database gives them
        in_order = sorted(tags, key=by_id), sorted(mentioned, key=by_id)
        form = cached_form(status, author.username, *in_order, ctx.settings.base_url)
        fresh[status_id] = form.encode()
    await _refresh_caches(ctx, author, [reply_to.id] if reply_to else [], fresh)
    if tags:  # a new tag becomes findable (a known one is already there: a no-op)
        await index_tags(ctx, tags)
    if poll_id is not None and new.poll is not None:  # its end, told by the scheduler
        ends_s = status.created_at.timestamp() + new.poll.expires_in_s
        await schedule_job(ctx, EXPIRY_KIND, poll_id, ends_s)
    return status.id


async def schedule_job(ctx: AppContext, kind: str, key: int, due_s: float) -> None:
    """After the commit; should Redis fail, the scheduler's next rebuild (every process start,
    and whenever its queue was lost) finds the job in the database."""
    try:
        await ctx.scheduler.schedule(kind, str(key), due_s)
    except RedisError as exc:
        log.warning("scheduling %s %s failed: %r", kind, key, exc)


def status_event(
    kind: type[S], status: Status, tags: Iterable[str], mention_ids: Iterable[int]
) -> S:
    """The event of a status written or deleted: what its consumers need of it, built here
    for both."""
    return kind(
        status_id=status.id,
        account_id=status.account_id,
        visibility=status.visibility,
        created_at=status.created_at.timestamp(),
        in_reply_to_id=status.in_reply_to_id,
        in_reply_to_account_id=status.in_reply_to_account_id,
        mention_ids=tuple(mention_ids),
        tags=tuple(tags),
        language=status.language,
        conversation_id=status.conversation_id,
    )


async def seen_by(
    ctx: AppContext, db: AsyncSession, status_id: int, viewer: int
) -> CachedStatus | None:
    """The status's cached form if `viewer` may see it (the one rule), else None."""
    cached = (await cached_statuses(ctx, [status_id])).get(status_id)
    if cached is None or not await filter_visible(db, [(status_id, cached)], viewer):
        return None
    return cached


async def may_see_row(ctx: AppContext, db: AsyncSession, status: Status, viewer: int) -> bool:
    """Whether `viewer` may see `status`, a row of `db`'s."""
    return await seen_by(ctx, db, status.id, viewer) is not None


async def _refresh_caches(
    ctx: AppContext,
    author: Account | None,
    stale: list[int],
    fresh: dict[int, bytes] | None = None,
    boosters: Collection[int] = (),
) -> None:
    """After a commit, in one round trip: the author's fresh account, the `fresh` statuses
    written, the `stale` ones and the `boosters`' accounts dropped."""
    accounts = {author.id: account_bytes(author, ctx.settings.base_url)} if author else {}
    await write_together(
        [(ctx.accounts, accounts), (ctx.statuses, fresh or {})],
        [(ctx.statuses, stale), (ctx.accounts, boosters)],
    )


async def delete_status(
    ctx: AppContext, author_id: int, status_id: int, *, delete_media: bool = False
) -> dict[str, Any]:
    """Delete one of the author's statuses; returns what Mastodon returns (with `text`). Its
    media are detached (kept for a redraft), or with `delete_media` deleted with their files."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None or status.account_id != author_id:
            raise NotFound()
        source = {"text": status.text, "spoiler_text": status.spoiler_text}
        if status.reblog_of_id is not None:  # a boost: taken back
            original = status.reblog_of_id
            await delete_boosts(db, [status])
            await db.commit()
            author = await db.get(Account, author_id, populate_existing=True)
            ctx.events.wake()
            await _refresh_caches(ctx, author, [status_id, original])
            await marks.changed(ctx, marks.REBLOGS, author_id, original, False)
            return source
        boosts = await boosts_of(db, status_id)
        await delete_boosts(db, boosts)  # the boosts go first, each with its event
        tags = list(
            (
                await db.execute(
                    select(Tag.name).join(StatusTag).where(StatusTag.status_id == status_id)
                )
            ).scalars()
        )
        mention_ids = list(
            (
                await db.execute(select(Mention.account_id).where(Mention.status_id == status_id))
            ).scalars()
        )
        event = status_event(StatusDeleted, status, tags, mention_ids)
        reply_to = status.in_reply_to_id
        media_files, detached = await media.detach_or_delete(
            db, status_id, delete_files=delete_media
        )
        await db.delete(status)
        author = await db.scalar(
            update(Account)
            .where(Account.id == author_id, Account.statuses_count > 0)
            .values(statuses_count=Account.statuses_count - 1)
            .returning(Account),
            execution_options={"populate_existing": True},
        )
        if reply_to is not None:
            await db.execute(
                update(Status)
                .where(Status.id == reply_to, Status.replies_count > 0)
                .values(replies_count=Status.replies_count - 1)
            )
        publish(db, event)
        await db.commit()
        if author is None:  # its count was 0 already: unchanged, but the cache is refreshed
            author = await db.get(Account, author_id)
    ctx.events.wake()
    await media.remove_files(ctx, media_files)
    await media.clean_later(ctx, detached, time.time())
    gone = [status_id, *(b.id for b in boosts), *([reply_to] if reply_to else [])]
    # the boosters' counts changed too
    await _refresh_caches(ctx, author, gone, boosters={b.account_id for b in boosts})
    return source


async def set_favourite(
    ctx: AppContext, account_id: int, status_id: int, on: bool
) -> dict[int, bytes] | None:
    """Favourite or unfavourite (idempotent); the status counter moves in the same transaction.
    When it moved, returns the status's cached form with the new count, for the response
    (what the cache held is dropped, not overwritten: a concurrent count may be newer)."""
    async with ctx.db() as db:
        seen = await seen_by(ctx, db, status_id, account_id)
        if seen is None:
            raise NotFound()
        changed = await toggle(db, on, Favourite, account_id=account_id, status_id=status_id)
        count = None
        if changed:
            count = await db.scalar(
                update(Status)
                .where(Status.id == status_id)
                .values(favourites_count=Status.favourites_count + changed)
                .returning(Status.favourites_count)
            )
            if count is None:  # deleted meanwhile
                raise NotFound()
        if changed > 0:
            publish(db, FavouriteCreated(account_id, status_id, seen.account_id))
        elif changed < 0:
            publish(db, FavouriteDeleted(account_id, status_id, seen.account_id))
        await db.commit()
    if count is None:
        return None
    ctx.events.wake()
    await ctx.statuses.invalidate([status_id])
    await marks.changed(ctx, marks.FAVOURITES, account_id, status_id, on)
    return {status_id: with_count(seen, "favourites_count", count)}


def with_count(cached: CachedStatus, name: str, count: int) -> bytes:
    """`cached` with one of its counts replaced, encoded."""
    public = orjson.loads(cached.public)
    public[name] = count
    return cached._replace(public=orjson.dumps(public)).encode()


def check_text(new: NewStatus, max_chars: int) -> None:
    if not new.text.strip() and not new.media_ids:  # media alone make a status (Mastodon)
        raise invalid("text", "can't be blank", "ERR_BLANK")
    length = text.counted_length(new.text) + len(new.spoiler_text)
    if length > max_chars:
        raise Invalid(
            f"Validation failed: Text character limit of {max_chars} exceeded",
            {"text": [{"error": "ERR_TOO_LONG", "description": "is too long"}]},
        )
