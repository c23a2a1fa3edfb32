"""Status JSON: the viewer-independent part cached in Redis, accounts and the viewer's flags
added per request. Batch reads: one round trip for statuses, one for their accounts."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any, NamedTuple

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.render import accounts_json
from social.conversations import muted as threads
from social.media.render import attachments_of
from social.platform.cache import EntityCache, get_together
from social.platform.context import AppContext
from social.platform.db.models import Account, Mention, Poll, Status, StatusTag, Tag
from social.platform.errors import NotFound
from social.platform.paging import PageQuery
from social.platform.times import iso
from social.polls import render as polls
from social.statuses import marks
from social.statuses.audience import OPEN, filter_visible
from social.statuses.marks import COMPLETE

log = logging.getLogger(__name__)


class CachedStatus(NamedTuple):
    """What the status cache holds: who may see it, and its finished public JSON (everything
    but the account and the viewer's flags), so a timeline is spliced, not re-serialised;
    a status with a poll, its poll's state too (rendered per viewer, `POLL_MARK`).
    (A tuple: twenty are decoded a timeline page, and a frozen dataclass costs twice as much
    to build.)"""

    account_id: int
    mention_ids: tuple[int, ...]
    visibility: str
    public: bytes
    poll: polls.State | None = None

    def encode(self) -> bytes:
        meta: list[Any] = [self.account_id, list(self.mention_ids), self.visibility]
        if self.poll is not None:
            meta.append(self.poll)  # last, so the metadata line ends in `}]` (`poll_state`)
        return orjson.dumps(meta) + b"\n" + self.public

    @classmethod
    def decode(cls, raw: bytes) -> CachedStatus:
        meta, _, public = raw.partition(b"\n")
        account_id, mention_ids, visibility, *poll = orjson.loads(meta)
        return cls(account_id, tuple(mention_ids), visibility, public, poll[0] if poll else None)


POLL_OF = "poll:per-viewer"  # a cached status's "poll" when it has one
POLL_MARK = b'"poll":"' + POLL_OF.encode() + b'"'


def poll_state(raw: bytes) -> polls.State | None:
    """The poll state in a cached status (`meta\\npublic`), read only when there is one: the
    metadata line then ends in `}]`, which a glance tells."""
    end = raw.find(b"\n")
    if raw[end - 2 : end] != b"}]":
        return None
    return CachedStatus.decode(raw).poll


def cached_form(
    status: Status,
    username: str,
    tags: list[Tag],
    mentioned: list[Account],
    base: str,
    media: list[dict[str, Any]] | None = None,
    silent: tuple[int, ...] = (),
    poll: polls.State | None = None,
) -> CachedStatus:
    """`silent`: accounts an edit no longer mentions, who still see the status."""
    public = {
        "id": str(status.id),
        # first, so that a boost is known by a glance at its head (`REBLOG_MARK`): its
        # original is rendered for each reader and spliced in (`_with_originals`)
        "reblog": f"{REBLOG_OF}{status.reblog_of_id}" if status.reblog_of_id else None,
        "uri": f"{base}/users/{username}/statuses/{status.id}",
        "url": f"{base}/@{username}/{status.id}",
        "created_at": iso(status.created_at),
        "edited_at": iso(status.edited_at) if status.edited_at else None,
        "content": status.content,
        "visibility": status.visibility,
        "sensitive": status.sensitive,
        "spoiler_text": status.spoiler_text,
        "language": status.language,
        "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
        "in_reply_to_account_id": str(status.in_reply_to_account_id)
        if status.in_reply_to_account_id
        else None,
        "replies_count": status.replies_count,
        "reblogs_count": status.reblogs_count,
        "favourites_count": status.favourites_count,
        "media_attachments": media or [],
        "mentions": [
            {
                "id": str(a.id),
                "username": a.username,
                "url": f"{base}/@{a.username}",
                "acct": a.username,
            }
            for a in mentioned
        ],
        "tags": [{"name": t.name, "url": f"{base}/tags/{t.name}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None if poll is None else POLL_OF,
    }
    audience = tuple(a.id for a in mentioned) + silent
    return CachedStatus(
        status.account_id,
        audience,
        status.visibility,
        orjson.dumps(public),
        poll,
    )


async def load_cached_forms(db: AsyncSession, ids: list[int], base: str) -> dict[int, bytes]:
    """Render statuses from the database: four queries whatever the number (a fifth for
    the tallies when some status has a poll)."""
    query = (
        select(Status, Account.username, Poll)
        .join(Account, Account.id == Status.account_id)
        .outerjoin(Poll, Poll.status_id == Status.id)
        .where(Status.id.in_(ids))
    )
    rows = []
    with_polls: dict[int, Poll] = {}
    for status, username, poll in await db.execute(query):
        rows.append((status, username))
        if poll is not None:
            with_polls[status.id] = poll
    if not rows:
        return {}
    found = [status.id for status, _ in rows]
    tallies = await polls.tallies_of(db, [p.id for p in with_polls.values()])
    poll_states = {
        i: polls.state_of(p, tallies.get(p.id, {}), iso(p.expires_at))
        for i, p in with_polls.items()
    }
    tags: dict[int, list[Tag]] = defaultdict(list)
    for status_id, tag in await db.execute(
        select(StatusTag.status_id, Tag)
        .join(Tag)
        .where(StatusTag.status_id.in_(found))
        .order_by(Tag.id)
    ):
        tags[status_id].append(tag)
    mentioned: dict[int, list[Account]] = defaultdict(list)
    silent: dict[int, tuple[int, ...]] = defaultdict(tuple)
    for status_id, quiet, account in await db.execute(
        select(Mention.status_id, Mention.silent, Account)
        .join(Account)
        .where(Mention.status_id.in_(found))
        .order_by(Account.id)
    ):
        if quiet:
            silent[status_id] += (account.id,)
        else:
            mentioned[status_id].append(account)
    media = await attachments_of(db, found, base)
    return {
        s.id: cached_form(
            s,
            name,
            tags[s.id],
            mentioned[s.id],
            base,
            media.get(s.id),
            silent[s.id],
            poll_states.get(s.id),
        ).encode()
        for s, name in rows
    }


async def cached_statuses(
    ctx: AppContext, ids: list[int], *, cached: dict[int, bytes] | None = None
) -> dict[int, CachedStatus]:
    found = dict(cached) if cached is not None else await ctx.statuses.get_many(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        async with ctx.db() as db:
            loaded = await load_cached_forms(db, missing, ctx.settings.base_url)
        await ctx.statuses.fill(loaded)
        found.update(loaded)
    return {i: CachedStatus.decode(raw) for i, raw in found.items()}


PINNABLE = frozenset(("public", "unlisted", "private"))  # as Mastodon's `pinnable?`


def _tail(code: int) -> bytes:
    """The viewer's flags closing a Status: `code` = favourited | bookmarked << 1 |
    reblogged << 2 | pin << 3 (+ MUTED), pin 0 when the viewer could not pin it (Mastodon
    leaves `pinned` out), 1 not pinned, 2 pinned."""
    muted, code = divmod(code, MUTED)
    favourited, bookmarked, reblogged, pin = code & 1, code >> 1 & 1, code >> 2 & 1, code >> 3
    pinned = b"" if pin == 0 else b',"pinned":' + (b"true" if pin == 2 else b"false")
    return b',"favourited":%s,"reblogged":%s,"muted":%s,"bookmarked":%s%s}' % (
        (b"false", b"true")[favourited],
        (b"false", b"true")[reblogged],
        (b"false", b"true")[muted],
        (b"false", b"true")[bookmarked],
        pinned,
    )


ACCOUNT = b',"account":'
BOOSTED = 4  # the reblogged part of a code
UNPINNED, PINNED = 8, 16  # the pin part of a code
MUTED = 24  # added to a code: the status is in a thread the viewer muted
TAILS = tuple(_tail(code) for code in range(2 * MUTED))
REBLOG_OF = "reblog-of:"  # a boost's cached "reblog": its original's id, rendered per read
REBLOG_MARK = b'"reblog":"' + REBLOG_OF.encode()
HEAD_SPAN = 48  # `{"id":"<19 digits>","reblog":` and the mark fit in it


def _own_visibility(cached: bytes) -> str:
    """The visibility in the metadata line of a cached status (`meta\\npublic`)."""
    visibility: str = orjson.loads(cached.partition(b"\n")[0])[2]
    return visibility


async def render_raw(
    ctx: AppContext,
    ids: list[int],
    viewer_id: int | None,
    *,
    check_visibility: bool = True,
    authors: list[int] | None = None,
    known: dict[int, bytes] | None = None,
) -> list[bytes]:
    """Status entities (JSON) for `ids`, in that order, leaving out deleted and invisible
    ones. Given the `authors` too (home feeds know them), statuses, accounts and the viewer's
    marks (favourites, bookmarks, and pins when some status is the viewer's) are read in one
    round trip; otherwise the accounts take a second. `known`: cached forms a write has just
    made (the status cache is not asked for those)."""
    if not ids:
        return []
    kinds: list[marks.Kind] = []
    if viewer_id:
        kinds = [marks.FAVOURITES, marks.BOOKMARKS, marks.REBLOGS]
        if authors is None or viewer_id in authors:
            kinds.append(marks.PINS)
    asked: list[str | int] = [COMPLETE, *ids]
    asked_ids = [i for i in ids if i not in known] if known else ids
    lookups: list[tuple[EntityCache, list[int]]] = [(ctx.statuses, asked_ids)]
    if authors is not None:
        lookups.append((ctx.accounts, authors))
    sets = [(kind.key(ctx.keys, viewer_id or 0), asked) for kind in kinds]
    if viewer_id:
        sets.append((ctx.keys.muted_threads(viewer_id), threads.ASKED))
    found, flags = await get_together(lookups, sets=sets)
    if known:
        found[0].update(known)
    thread_flags = flags.pop() if viewer_id else None
    unmuted = not viewer_id or threads.nothing_muted(thread_flags)
    cached_accounts = found[1] if authors is not None else None
    held = [marks.members(f, ids) for f in flags]
    statuses: list[tuple[int, int, bytes, bool]]  # id, author, JSON without "}", pinnable
    if authors is not None and not check_visibility and len(found[0]) == len(set(ids)):
        # A home page, every status cached: the feed names the authors and chose what the
        # viewer sees when it was written, so only the JSON is needed, not the metadata (but
        # the visibility of the viewer's own, which says whether they may pin them).
        cached = found[0]
        cut = _public_head if ctx.near is not None and ctx.near.enabled else _cut_head
        accounts = cached_accounts
        if (
            len(held) == 3
            and None not in held
            and unmuted
            and accounts is not None
            and accounts.keys() >= set(authors)
        ):
            # none is the viewer's, and every account and flag known: spliced at once
            liked, kept, boosted = held[0] or (), held[1] or (), held[2] or ()
            spliced = [
                b"".join(
                    (
                        cut(i, cached[i]),
                        ACCOUNT,
                        accounts[a],
                        TAILS[(i in liked) | (i in kept) << 1 | (i in boosted) << 2],
                    )
                )
                for i, a in zip(ids, authors, strict=True)
            ]
            spliced = await _with_polls(ctx, spliced, _polls_in(cached, ids), viewer_id)
            return await _with_originals(ctx, spliced, viewer_id, check_visibility)
        poll_of = _polls_in(cached, ids)
        statuses = [
            (
                i,
                author,
                cut(i, cached[i]),
                author == viewer_id and _own_visibility(cached[i]) in PINNABLE,
            )
            for i, author in zip(ids, authors, strict=True)
        ]
        author_ids: list[int] = authors
    else:
        by_id = await cached_statuses(ctx, ids, cached=found[0])
        visible = [(i, by_id[i]) for i in ids if i in by_id]
        if (
            check_visibility
            and visible
            and (viewer_id is not None or any(s.visibility not in OPEN for _, s in visible))
        ):
            async with ctx.db() as db:
                visible = await filter_visible(db, visible, viewer_id)
        statuses = [
            (i, s.account_id, s.public[:-1], s.account_id == viewer_id and s.visibility in PINNABLE)
            for i, s in visible
        ]
        poll_of = {i: s.poll for i, s in visible if s.poll is not None}
        author_ids = list({author for _, author, _, _ in statuses})
    if viewer_id is not None and None in held:
        await _marks_from_database(ctx, viewer_id, kinds, held, statuses)
    muted: set[int] = set()
    if viewer_id and not unmuted:
        muted = await _muted_threads(ctx, viewer_id, [i for i, _, _, _ in statuses], thread_flags)
    accounts = await accounts_json(ctx, author_ids, cached=cached_accounts)
    liked, kept, boosted = (held[0] or (), held[1] or (), held[2] or ()) if held else ((), (), ())
    pinned = (held[3] or ()) if len(held) > 3 else ()
    rendered = []
    for status_id, author, head, pinnable in statuses:
        account = accounts.get(author)
        if account is None:
            continue  # suspended or gone
        pin = (PINNED if status_id in pinned else UNPINNED) if pinnable else 0
        code = (status_id in liked) | (status_id in kept) << 1 | (status_id in boosted) << 2
        code |= pin
        code += MUTED if status_id in muted else 0
        rendered.append(b"".join((head, ACCOUNT, account, TAILS[code])))
    rendered = await _with_polls(ctx, rendered, poll_of, viewer_id)
    return await _with_originals(ctx, rendered, viewer_id, check_visibility)


def _polls_in(cached: dict[int, bytes], ids: list[int]) -> dict[int, polls.State]:
    found = {}
    for i in ids:
        state = poll_state(cached[i])
        if state is not None:
            found[i] = state
    return found


async def _with_polls(
    ctx: AppContext, rendered: list[bytes], states: dict[int, polls.State], viewer_id: int | None
) -> list[bytes]:
    """Each status's poll rendered for the viewer and the moment, spliced in. A page without
    a poll costs nothing; one with polls, for the signed-in, one query for their votes in
    all of them (none when every poll is their own: they cannot vote in those)."""
    if not states:
        return rendered
    own: dict[int, list[int]] = {}
    others = [s["id"] for s in states.values() if s["account_id"] != viewer_id]
    if viewer_id is not None and others:
        async with ctx.db() as db:
            own = await polls.own_votes(db, viewer_id, others)
    now_s = time.time()
    spliced = []
    for raw in rendered:
        state = states.get(_status_id(raw))
        if state is not None:
            poll = polls.entity(state, viewer_id, own.get(state["id"], []), now_s)
            raw = raw.replace(POLL_MARK, b'"poll":' + orjson.dumps(poll), 1)
        spliced.append(raw)
    return spliced


def _original_of(rendered: bytes) -> int | None:
    """The original's id if `rendered` is a boost (its mark sits in the head)."""
    start = rendered.find(REBLOG_MARK, 0, HEAD_SPAN + len(REBLOG_MARK))
    if start < 0:
        return None
    start += len(REBLOG_MARK)
    return int(rendered[start : rendered.index(b'"', start)])


async def _with_originals(
    ctx: AppContext, rendered: list[bytes], viewer_id: int | None, check_visibility: bool
) -> list[bytes]:
    """Boosts with their originals, each rendered for the viewer, spliced in; a boost whose
    original the viewer may not see (or is gone) is left out. One more render, only when
    the page holds a boost."""
    originals = [_original_of(r) for r in rendered]
    wanted = list(dict.fromkeys(o for o in originals if o is not None))
    if not wanted:
        return rendered
    shown = await render_raw(ctx, wanted, viewer_id, check_visibility=check_visibility)
    by_id = {_status_id(r): r for r in shown}
    spliced = []
    for raw, original in zip(rendered, originals, strict=True):
        if original is None:
            spliced.append(raw)
        elif (inner := by_id.get(original)) is not None:
            mark = b'"' + REBLOG_OF.encode() + str(original).encode() + b'"'
            spliced.append(raw.replace(mark, inner, 1))
    return spliced


def _status_id(rendered: bytes) -> int:
    """The id of a rendered status (its first key)."""
    return int(rendered[7 : rendered.index(b'"', 7)])  # {"id":"


async def marked_page(
    ctx: AppContext, kind: marks.Kind, viewer_id: int, page: PageQuery
) -> tuple[list[int], list[bytes]]:
    """A page of the statuses the viewer marked (favourited, bookmarked), most recently marked
    first: the page's cursors (the marks' ids), and the Status JSON of those still visible."""
    rows = await marks.page_of(ctx, kind, viewer_id, page)
    return [mark for mark, _ in rows], await render_raw(ctx, [s for _, s in rows], viewer_id)


async def _marks_from_database(
    ctx: AppContext,
    viewer_id: int,
    kinds: list[marks.Kind],
    held: list[set[int] | None],
    statuses: list[tuple[int, int, bytes, bool]],
) -> None:
    """The marks Redis could not tell (`None` in `held`), read from the database for these
    statuses (pins only for those the viewer could pin); the sets filled after the response."""
    unknown = [n for n, marked in enumerate(held) if marked is None]
    async with ctx.db() as db:
        for n in unknown:
            kind = kinds[n]
            ids = (i for i, _, _, pinnable in statuses if pinnable or kind is not marks.PINS)
            held[n] = await marks.marked_among(db, kind, viewer_id, ids)
    ctx.spawn(marks.fill(ctx, viewer_id, [kinds[n] for n in unknown]))


async def _muted_threads(
    ctx: AppContext, viewer_id: int, ids: list[int], flags: list[bool] | None
) -> set[int]:
    """Of `ids`, those in a thread the viewer muted: asked of the database only when the
    viewer's set says they muted some thread, or cannot say (then filled after the response)."""
    async with ctx.db() as db:
        found = await threads.muted_among(db, viewer_id, ids)
    if not flags or not flags[0]:
        ctx.spawn(threads.fill(ctx, viewer_id))
    return found


_HEADS: dict[int, tuple[bytes, bytes]] = {}
HEADS_KEPT = 10_000


def _public_head(status_id: int, cached: bytes) -> bytes:
    """The public JSON of a cached status (`meta\\npublic`) without its closing brace, ready
    to splice. Cut once per cached value: the near cache hands out the same object on every
    read, so the cut is remembered with that very object (`is`: never a stale one) and only
    that object's reads skip the two copies. Cleared when `HEADS_KEPT` statuses are held."""
    entry = _HEADS.get(status_id)
    if entry is not None and entry[0] is cached:
        return entry[1]
    if len(_HEADS) >= HEADS_KEPT:
        _HEADS.clear()
    head = _cut_head(status_id, cached)
    _HEADS[status_id] = (cached, head)
    return head


def _cut_head(status_id: int, cached: bytes) -> bytes:
    return cached.partition(b"\n")[2][:-1]


async def render_statuses(
    ctx: AppContext, ids: list[int], viewer_id: int | None, **options: Any
) -> list[dict[str, Any]]:
    return [orjson.loads(raw) for raw in await render_raw(ctx, ids, viewer_id, **options)]


async def render_one(
    ctx: AppContext, status_id: int, viewer_id: int | None, **options: Any
) -> dict[str, Any]:
    found = await render_statuses(ctx, [status_id], viewer_id, **options)
    if not found:
        raise NotFound()
    return found[0]
