"""Media attachments: upload (processed at once or as a `media.uploaded` job), show, describe,
delete, attach to a status, and the cleanup of what was never attached.

Files are written before the row that names them commits and removed after the row that named
them is gone, so a crash can leave an unnamed file behind but never a row naming no file.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import orjson
from pydantic import AfterValidator, Field
from redis.exceptions import RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.media import processing
from social.media.processing import Processed, Refused
from social.media.storage import Storage, new_key, storage_of
from social.platform.context import AppContext
from social.platform.db.models import MediaAttachment
from social.platform.db.types import utcnow
from social.platform.errors import Invalid, NotFound
from social.platform.events.topics import MediaUploaded, publish
from social.platform.ids import next_id
from social.platform.paging import PageQuery, paged

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 4
MAX_DESCRIPTION_CHARS = 1500

PROCESSING_FAILED = "Error processing thumbnail for uploaded media"
IN_USE = "Media attachment is currently used by a status"
CLEANUP_KIND = "media.cleanup"
UNATTACHED_TTL = timedelta(days=1)
"""An upload no status holds is deleted this long after it was made or let go (Mastodon's
MediaCleanupScheduler; its "delete and redraft" keeps a deleted status's media as long)."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    description: str = ""
    focus: tuple[float, float] | None = None


def storage(ctx: AppContext) -> Storage:
    return storage_of(ctx.settings.media_dir)


def check_size(ctx: AppContext, size: int) -> None:
    limit = ctx.settings.media_max_bytes
    if size > limit:
        raise Invalid(
            f"Validation failed: File file size must be less than {limit // (1024 * 1024)} MB",
            {"file": [{"error": "ERR_TOO_LARGE", "description": "is too large"}]},
        )


async def upload(ctx: AppContext, account_id: int, new: Upload, *, inline: bool) -> MediaAttachment:
    """Store an upload. `inline`: processed in this call when small enough (the v1 route always
    is); otherwise stored as uploaded and left to the `media` consumer group."""
    check_size(ctx, len(new.data))
    try:
        found = await asyncio.to_thread(processing.probe, new.data, ctx.settings.media_max_pixels)
    except Refused as exc:
        raise exc.invalid() from None
    media_id = next_id()
    row = MediaAttachment(
        id=media_id,
        account_id=account_id,
        type="image",
        state="processing",
        position=0,
        meta="{}",
        description=new.description,
        focus_x=new.focus[0] if new.focus else None,
        focus_y=new.focus[1] if new.focus else None,
        file_size=len(new.data),
    )
    store = storage(ctx)
    if inline or found.pixels <= ctx.settings.media_inline_max_pixels:
        try:
            done = await asyncio.to_thread(
                processing.process, new.data, ctx.settings.media_max_pixels, new.focus
            )
        except Refused as exc:
            raise exc.invalid() from None
        keys = await _store_processed(store, media_id, done)
        _fill(row, keys, done)
        written = list(keys)
    else:
        row.upload_key = new_key("uploads", media_id, "bin")
        await store.put(row.upload_key, new.data)
        written = [row.upload_key]
    try:
        async with ctx.db() as db:
            db.add(row)
            if row.state == "processing":
                publish(db, MediaUploaded(media_id=media_id, account_id=account_id))
            await db.commit()
            await db.refresh(row)
    except BaseException:
        await store.delete(*written)
        raise
    if row.state == "processing":
        ctx.events.wake()
    await clean_later(ctx, [media_id], row.created_at.timestamp())
    return row


async def _store_processed(store: Storage, media_id: int, done: Processed) -> tuple[str, str]:
    original = new_key("original", media_id, done.ext)
    small = new_key("small", media_id, done.small_ext)
    try:
        await store.put(original, done.original)
        await store.put(small, done.small)
    except BaseException:
        await store.delete(original, small)
        raise
    return original, small


def _fill(row: MediaAttachment, keys: tuple[str, str], done: Processed) -> None:
    row.state = "ready"
    row.file_key, row.preview_key = keys
    row.content_type = processing.MIME_TYPES[processing.FORMATS.index(_format_of(done.ext))]
    row.file_size = len(done.original)
    row.blurhash = done.blurhash
    row.meta = orjson.dumps(done.meta).decode()
    row.processed_at = utcnow()


def _format_of(ext: str) -> str:
    return {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[ext]


async def process_upload(ctx: AppContext, media_id: int) -> None:
    """The `media` group's job: process a stored upload. Idempotent: a row already processed,
    failed or deleted is left alone; of two workers racing, the one that writes the row second
    removes its own files. A file Pillow cannot process fails the row at once (a retry would
    fail alike); anything else (storage, database) raises, to be retried."""
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, media_id)
        if row is None or row.state != "processing" or row.upload_key is None:
            return
        upload_key, focus = row.upload_key, _focus(row)
    store = storage(ctx)
    data = await store.get(upload_key)
    if data is None:
        await mark_failed(ctx, media_id, "the uploaded file is missing")
        return
    try:
        done = await asyncio.to_thread(
            processing.process, data, ctx.settings.media_max_pixels, focus
        )
    except Refused as exc:
        await mark_failed(ctx, media_id, exc.invalid().message)
        return
    keys = await _store_processed(store, media_id, done)
    try:
        async with ctx.db() as db:
            values = MediaAttachment(id=media_id)
            _fill(values, keys, done)
            result = await db.execute(
                update(MediaAttachment)
                .where(MediaAttachment.id == media_id, MediaAttachment.state == "processing")
                .values(
                    state=values.state,
                    file_key=values.file_key,
                    preview_key=values.preview_key,
                    content_type=values.content_type,
                    file_size=values.file_size,
                    blurhash=values.blurhash,
                    meta=values.meta,
                    processed_at=values.processed_at,
                    upload_key=None,
                )
            )
            await db.commit()
    except BaseException:
        await store.delete(*keys)
        raise
    if rowcount(result) == 0:  # deleted, or finished by another worker, meanwhile
        await store.delete(*keys)
        return
    await store.delete(upload_key)


def parse_focus(raw: str | None) -> tuple[float, float] | None:
    """A `focus` parameter, "x,y" each from -1.0 to 1.0; ValueError otherwise."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise ValueError("must be two numbers, x,y") from None
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise ValueError("must be between -1.0 and 1.0")
    return (x, y)


def _checked_focus(value: str | None) -> str | None:
    parse_focus(value)
    return value


Focus = Annotated[
    str | None,
    AfterValidator(_checked_focus),
    Field(description='"x,y", each from -1.0 to 1.0 (the point to keep in crops)'),
]
"""A form's `focus`, checked as `parse_focus` reads it."""
Description = Annotated[str | None, Field(max_length=MAX_DESCRIPTION_CHARS, description="alt text")]


def rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _focus(row: MediaAttachment) -> tuple[float, float] | None:
    if row.focus_x is None or row.focus_y is None:
        return None
    return (row.focus_x, row.focus_y)


async def mark_failed(ctx: AppContext, media_id: int, error: str) -> None:
    """The job gave up: the row says so (GET answers 422) and the upload's file goes."""
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, media_id)
        if row is None or row.state != "processing":
            return
        upload_key = row.upload_key
        await db.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id == media_id, MediaAttachment.state == "processing")
            .values(state="failed", error=error[:1000], upload_key=None)
        )
        await db.commit()
    await storage(ctx).delete(upload_key)


async def jobs_page(
    ctx: AppContext, states: tuple[str, ...], page: PageQuery
) -> list[MediaAttachment]:
    """Uploads in `states`, newest first (the admin's view of the media jobs)."""
    query = select(MediaAttachment).where(MediaAttachment.state.in_(states))
    async with ctx.db() as db:
        rows = list((await db.execute(paged(query, MediaAttachment.id, page))).scalars())
    return sorted(rows, key=lambda r: r.id, reverse=True)


async def own_unattached(ctx: AppContext, account_id: int, media_id: int) -> MediaAttachment:
    """As Mastodon's `set_media_attachment`: the caller's, not attached to a status."""
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, media_id)
    if row is None or row.account_id != account_id or row.status_id is not None:
        raise NotFound()
    return row


async def describe(
    ctx: AppContext,
    account_id: int,
    media_id: int,
    description: str | None,
    focus: tuple[float, float] | None,
) -> MediaAttachment:
    """Change the description or focus of an unattached upload (Mastodon's PUT)."""
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, media_id)
        if row is None or row.account_id != account_id or row.status_id is not None:
            raise NotFound()
        if description is not None:
            row.description = description
        if focus is not None:
            row.focus_x, row.focus_y = focus
        await db.commit()
        await db.refresh(row)
    return row


async def delete_upload(ctx: AppContext, account_id: int, media_id: int) -> None:
    """Delete an upload of the caller's; one attached to a status is refused (422)."""
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, media_id)
        if row is None or row.account_id != account_id:
            raise NotFound()
        if row.status_id is not None:
            raise Invalid(IN_USE)
        keys = keys_of(row)
        await db.delete(row)
        await db.commit()
    await storage(ctx).delete(*keys)


def keys_of(row: MediaAttachment) -> list[str | None]:
    return [row.upload_key, row.file_key, row.preview_key]


def _refused_media(message: str) -> Invalid:
    """Mastodon's message for a bad `media_ids[]` (no "Validation failed" there), with the
    field named in `details` as the app's other 422s."""
    return Invalid(message, {"media_ids": [{"error": "ERR_INVALID", "description": message}]})


def media_ids_of(raw: list[str | int]) -> tuple[int, ...]:
    """`media_ids[]` as ids; more than four, or one that is no id, refused as Mastodon does."""
    if len(raw) > MAX_ATTACHMENTS:
        raise _refused_media(f"Cannot attach more than {MAX_ATTACHMENTS} files")
    bad = [str(i) for i in raw if not (str(i).isascii() and str(i).isdigit() and len(str(i)) < 20)]
    if bad:
        raise _refused_media(
            f"Media {', '.join(bad)} not found or already attached to another post"
        )
    return tuple(int(i) for i in raw)


async def _ready_uploads(
    db: AsyncSession, account_id: int, media_ids: tuple[int, ...]
) -> list[int]:
    """The ids, once each in their order, if every one is the author's processed upload that
    no status or scheduled status holds; else Mastodon's refusal (validate_media!)."""
    if len(media_ids) > MAX_ATTACHMENTS:
        raise _refused_media(f"Cannot attach more than {MAX_ATTACHMENTS} files")
    rows = {
        row.id: row
        for row in (
            await db.execute(
                select(MediaAttachment).where(
                    MediaAttachment.id.in_(media_ids),
                    MediaAttachment.account_id == account_id,
                    MediaAttachment.status_id.is_(None),
                    MediaAttachment.scheduled_status_id.is_(None),
                )
            )
        ).scalars()
    }
    missing = [str(i) for i in dict.fromkeys(media_ids) if i not in rows]
    if missing:
        raise _refused_media(
            f"Media {', '.join(missing)} not found or already attached to another post"
        )
    if any(row.state != "ready" for row in rows.values()):
        raise _refused_media(
            "Cannot attach files that have not finished processing. Try again in a moment!"
        )
    return list(dict.fromkeys(media_ids))


async def attach(
    db: AsyncSession, account_id: int, media_ids: tuple[int, ...], status_id: int
) -> None:
    """In the status's transaction: attach the author's processed, unattached uploads in the
    order given, with Mastodon's refusals (PostStatusService#validate_media!)."""
    await _take(db, account_id, media_ids, status_id=status_id)


async def reserve(
    db: AsyncSession, account_id: int, media_ids: tuple[int, ...], scheduled_id: int
) -> None:
    """In a scheduled status's transaction: its media held for it (as Mastodon's
    `scheduled_status_id`), by the same rules as attaching, so they are checked now, taken
    by no other post and left alone by the cleanup until it is published or cancelled."""
    await _take(db, account_id, media_ids, scheduled_status_id=scheduled_id)


async def _take(
    db: AsyncSession, account_id: int, media_ids: tuple[int, ...], **holder: int
) -> None:
    """The uploads given to `holder` (a status or a scheduled status), in their order."""
    if not media_ids:
        return
    for position, media_id in enumerate(await _ready_uploads(db, account_id, media_ids)):
        result = await db.execute(
            update(MediaAttachment)
            .where(
                MediaAttachment.id == media_id,
                MediaAttachment.status_id.is_(None),
                MediaAttachment.scheduled_status_id.is_(None),
            )
            .values(position=position, **holder)
        )
        if rowcount(result) != 1:  # taken by a concurrent post meanwhile
            raise _refused_media(f"Media {media_id} not found or already attached to another post")


async def release(db: AsyncSession, scheduled_id: int) -> list[int]:
    """In the transaction that publishes or cancels a scheduled status: its media let go (to
    be attached to the status made from it, or cleaned up); their ids."""
    query = select(MediaAttachment.id).where(MediaAttachment.scheduled_status_id == scheduled_id)
    held = list((await db.execute(query)).scalars())
    if held:
        await db.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id.in_(held))
            .values(scheduled_status_id=None)
        )
    return held


async def reattach(
    db: AsyncSession,
    account_id: int,
    status_id: int,
    media_ids: tuple[int, ...],
    described: dict[int, tuple[str | None, tuple[float, float] | None]],
) -> tuple[bool, list[int]]:
    """An edit's media (Mastodon's UpdateStatusService#update_media_attachments!): the
    author's processed uploads, unattached or already this status's, in the order given;
    those it leaves out are detached (the cleanup takes them). `described`: new descriptions
    and focus points by id (`media_attributes[]`). Whether the media changed, and those
    detached."""
    if len(media_ids) > MAX_ATTACHMENTS:
        raise _refused_media(f"Cannot attach more than {MAX_ATTACHMENTS} files")
    wanted = list(dict.fromkeys(media_ids))
    current_query = (
        select(MediaAttachment.id)
        .where(MediaAttachment.status_id == status_id)
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    current = list((await db.execute(current_query)).scalars())
    rows = {
        row.id: row
        for row in (
            await db.execute(
                select(MediaAttachment).where(
                    MediaAttachment.id.in_(wanted),
                    MediaAttachment.account_id == account_id,
                    (MediaAttachment.status_id == status_id) | MediaAttachment.status_id.is_(None),
                    MediaAttachment.scheduled_status_id.is_(None),
                )
            )
        ).scalars()
    }
    missing = [str(i) for i in wanted if i not in rows]
    if missing:
        raise _refused_media(
            f"Media {', '.join(missing)} not found or already attached to another post"
        )
    if any(row.state != "ready" for row in rows.values()):
        raise _refused_media(
            "Cannot attach files that have not finished processing. Try again in a moment!"
        )
    changed = wanted != current
    for media_id, (description, focus) in described.items():
        row = rows.get(media_id)
        if row is None:
            continue  # not among the status's media: Mastodon ignores it too
        if description is not None and description != row.description:
            row.description, changed = description, True
        if focus is not None and focus != _focus(row):
            (row.focus_x, row.focus_y), changed = focus, True
    gone = [i for i in current if i not in wanted]
    if wanted != current:
        if gone:
            await db.execute(
                update(MediaAttachment).where(MediaAttachment.id.in_(gone)).values(status_id=None)
            )
        for position, media_id in enumerate(wanted):
            result = await db.execute(
                update(MediaAttachment)
                .where(
                    MediaAttachment.id == media_id,
                    (MediaAttachment.status_id == status_id) | MediaAttachment.status_id.is_(None),
                )
                .values(status_id=status_id, position=position)
            )
            if rowcount(result) != 1:  # attached by a concurrent post meanwhile
                raise _refused_media(
                    f"Media {media_id} not found or already attached to another post"
                )
    return changed, gone


async def versions_of(db: AsyncSession, status_id: int) -> list[dict[str, object]]:
    """The status's media as a version keeps them: ids and descriptions, in their order."""
    rows = await db.execute(
        select(MediaAttachment.id, MediaAttachment.description)
        .where(MediaAttachment.status_id == status_id)
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    return [{"id": media_id, "description": text} for media_id, text in rows]


async def detach_or_delete(
    db: AsyncSession, status_id: int, *, delete_files: bool
) -> tuple[list[str], list[int]]:
    """In the status deletion's transaction: its media detached (kept for "delete and redraft";
    the cleanup takes them a day later), or with `delete_files` deleted; the keys to remove
    once committed, and the media detached."""
    if not delete_files:
        query = select(MediaAttachment.id).where(MediaAttachment.status_id == status_id)
        detached = list((await db.execute(query)).scalars())
        if detached:
            await db.execute(
                update(MediaAttachment)
                .where(MediaAttachment.id.in_(detached))
                .values(status_id=None)
            )
        return [], detached
    rows = list(
        (
            await db.execute(select(MediaAttachment).where(MediaAttachment.status_id == status_id))
        ).scalars()
    )
    if rows:
        await db.execute(delete(MediaAttachment).where(MediaAttachment.status_id == status_id))
    return [k for row in rows for k in keys_of(row) if k], []


async def clean_later(ctx: AppContext, media_ids: list[int], since_s: float) -> None:
    """Each upload's cleanup, a day after `since_s` (made, or detached from its status), on
    the scheduler; after the commit. Should Redis fail, the scheduler's next rebuild finds
    them in the database (due a day after they were made)."""
    if not media_ids:
        return
    try:
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for media_id in media_ids:
                due_s = since_s + UNATTACHED_TTL.total_seconds()
                ctx.scheduler.schedule_in(pipe, CLEANUP_KIND, str(media_id), due_s)
            await pipe.execute()
    except RedisError as exc:
        log.warning("scheduling the cleanup of %s failed: %r", media_ids, exc)


async def remove_files(ctx: AppContext, keys: list[str]) -> None:
    if keys:
        await storage(ctx).delete(*keys)
