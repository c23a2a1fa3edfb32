"""Mastodon's Relationship: everything one account keeps about others, read for many at once."""

from __future__ import annotations

from sqlalchemy import Select, literal, select, union_all

from social.platform.context import AppContext
from social.platform.db.models import (
    Account,
    AccountNote,
    AccountPin,
    Block,
    Follow,
    FollowRequest,
    Mute,
)
from social.relations import entities
from social.relations.hidden import muted_by_viewer


async def relationships(
    ctx: AppContext, viewer_id: int, target_ids: list[int]
) -> list[entities.Relationship]:
    """The viewer's relationships with `target_ids` (unknown accounts left out), in order."""
    targets = list(dict.fromkeys(target_ids))
    if not targets:
        return []
    v = viewer_id

    def mine(
        model: type[Follow | FollowRequest | Block | AccountPin], kind: str
    ) -> Select[str, int]:
        return select(literal(kind), model.target_account_id).where(
            model.account_id == v, model.target_account_id.in_(targets)
        )

    def theirs(model: type[Follow | FollowRequest | Block], kind: str) -> Select[str, int]:
        return select(literal(kind), model.account_id).where(
            model.target_account_id == v, model.account_id.in_(targets)
        )

    flags = union_all(
        mine(FollowRequest, "requested"),
        theirs(Follow, "followed_by"),
        theirs(FollowRequest, "requested_by"),
        mine(Block, "blocking"),
        mine(AccountPin, "endorsed"),
        theirs(Block, "blocked_by"),
        select(literal("exists"), Account.id).where(Account.id.in_(targets)),
    )
    async with ctx.db() as db:
        found: dict[str, set[int]] = {}
        for kind, account_id in await db.execute(flags):
            found.setdefault(kind, set()).add(account_id)
        follows = {
            row.target_account_id: row
            for row in (
                await db.execute(
                    select(Follow).where(
                        Follow.account_id == v, Follow.target_account_id.in_(targets)
                    )
                )
            ).scalars()
        }
        muted = muted_by_viewer(v).where(Mute.target_account_id.in_(targets))
        rows = await db.execute(
            muted.with_only_columns(Mute.target_account_id, Mute.hide_notifications)
        )
        mutes: dict[int, bool] = {target: hide for target, hide in rows}  # noqa: C416
        note_rows = await db.execute(
            select(AccountNote.target_account_id, AccountNote.comment).where(
                AccountNote.account_id == v, AccountNote.target_account_id.in_(targets)
            )
        )
        notes: dict[int, str] = {target: comment for target, comment in note_rows}  # noqa: C416
    existing = found.get("exists", set())
    return [
        entities.Relationship(
            id=str(t),
            following=(follow := follows.get(t)) is not None,
            showing_reblogs=follow is not None and follow.show_reblogs,
            notifying=follow is not None and follow.notify,
            languages=follow.languages.split(",") if follow and follow.languages else None,
            followed_by=t in found.get("followed_by", ()),
            blocking=t in found.get("blocking", ()),
            blocked_by=t in found.get("blocked_by", ()),
            muting=t in mutes,
            muting_notifications=mutes.get(t, False),
            requested=t in found.get("requested", ()),
            requested_by=t in found.get("requested_by", ()),
            endorsed=t in found.get("endorsed", ()),
            note=notes.get(t, ""),
        )
        for t in targets
        if t in existing
    ]


async def relationship_with(
    ctx: AppContext, viewer_id: int, target_id: int
) -> entities.Relationship:
    """The viewer's relationship with one account (which the caller knows exists)."""
    (found,) = await relationships(ctx, viewer_id, [target_id])
    return found
