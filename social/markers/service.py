"""Read markers: where a person stopped reading each timeline, for all their apps. Kept in the
database, cached in Redis as a hash per account, read in one round trip when warm.

A save is one upsert that raises the version in the database itself (`version + 1`), so saves
racing from several apps each get a version of their own and nothing is lost between a read
and a write. Saves and fills store the cache through one script that keeps, per timeline, the
newer version: a reader that loaded rows before a save can never put the older marker back.
Redis failures are absorbed: reads fall back to the database (a save's cache write that
fails leaves the older marker cached until its TTL)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from social.markers.render import marker_json
from social.platform.context import AppContext
from social.platform.db.models.markers import TIMELINES, Marker
from social.platform.db.types import utcnow
from social.platform.redis.scripts import Script

log = logging.getLogger(__name__)

MARKERS_TTL_S = 3600
COMPLETE = "complete"  # the field saying that the hash holds every marker of the account
store_script = Script(Path(__file__).with_name("markers_store.lua"))

Stored = dict[str, tuple[int, bytes]]  # timeline -> (version, Marker JSON)


async def markers_of(
    ctx: AppContext, account_id: int, timelines: Sequence[str]
) -> dict[str, bytes]:
    """The Marker JSON of each timeline asked that has one (unknown names are none)."""
    wanted = [t for t in dict.fromkeys(timelines) if t in TIMELINES]
    if not wanted:
        return {}
    key = ctx.keys.markers(account_id)
    held: list[bytes | str | None] | None
    try:
        held = await ctx.redis.hmget(key, [COMPLETE, *wanted])
    except RedisError as exc:
        _absorb(ctx, "get", exc)
        held = None
    if held is not None and held[0] is not None:
        return {t: v for t, v in zip(wanted, held[1:], strict=True) if isinstance(v, bytes)}
    loaded = await _load(ctx, account_id)
    if held is not None:  # Redis answered, and lacks them: filled after the response
        ctx.spawn(_store(ctx, key, loaded, complete=True))
    return {t: loaded[t][1] for t in wanted if t in loaded}


async def last_read_id(ctx: AppContext, account_id: int, timeline: str) -> int | None:
    found = (await markers_of(ctx, account_id, [timeline])).get(timeline)
    return int(orjson.loads(found)["last_read_id"]) if found is not None else None


async def save(ctx: AppContext, account_id: int, positions: Mapping[str, int]) -> dict[str, bytes]:
    """Set each timeline's last read id (one statement: all or nothing); the Marker JSON of
    each, in the order given."""
    if not positions:
        return {}
    now = utcnow()
    insert = pg_insert if ctx.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Marker).values(
        [
            {
                "account_id": account_id,
                "timeline": timeline,
                "last_read_id": last_read,
                "version": 1,
                "updated_at": now,
            }
            for timeline, last_read in positions.items()
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[Marker.account_id, Marker.timeline],
        set_={
            "last_read_id": stmt.excluded.last_read_id,
            "version": Marker.version + 1,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    returning = stmt.returning(
        Marker.timeline, Marker.last_read_id, Marker.version, Marker.updated_at
    )
    async with ctx.db() as db:
        rows = (await db.execute(returning)).all()
        await db.commit()
    saved: Stored = {
        r.timeline: (r.version, marker_json(r.last_read_id, r.version, r.updated_at)) for r in rows
    }
    await _store(ctx, ctx.keys.markers(account_id), saved, complete=False)
    return {timeline: saved[timeline][1] for timeline in positions}


async def _load(ctx: AppContext, account_id: int) -> Stored:
    async with ctx.db() as db:
        rows = (await db.execute(select(Marker).where(Marker.account_id == account_id))).scalars()
        return {
            m.timeline: (m.version, marker_json(m.last_read_id, m.version, m.updated_at))
            for m in rows
        }


async def _store(ctx: AppContext, key: str, markers: Stored, *, complete: bool) -> None:
    args: list[str | int | bytes] = [MARKERS_TTL_S, "1" if complete else "0"]
    for timeline, (version, rendered) in markers.items():
        args += [timeline, version, rendered]
    try:
        await store_script.call(ctx.redis, [key], args)
    except RedisError as exc:
        _absorb(ctx, "store", exc)


def _absorb(ctx: AppContext, op: str, exc: RedisError) -> None:
    ctx.metrics.redis_errors.labels(f"cache.markers.{op}").inc()
    log.warning("markers cache %s failed: %r", op, exc)
