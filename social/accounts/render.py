"""Mastodon's Account entity: rendered from rows, cached as JSON, read in batches."""

from __future__ import annotations

import html
import re

import orjson
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import Select

from social.accounts import entities
from social.media.render import file_url
from social.platform.context import AppContext
from social.platform.db.models import Account, User
from social.platform.errors import NotFound
from social.platform.paging import PageQuery, paged


def note_html(note: str) -> str:
    paragraphs = [p for p in re.split(r"\n{2,}", note.strip()) if p]
    return "".join(
        "<p>" + "<br />".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def render_account(account: Account, base: str) -> entities.Account:
    # still images both (an animated upload keeps its first frame), so static is the same
    avatar = file_url(base, account.avatar_key) or f"{base}/avatars/original/missing.png"
    header = file_url(base, account.header_key) or f"{base}/headers/original/missing.png"
    return entities.Account(
        id=str(account.id),
        username=account.username,
        acct=account.username,
        display_name=account.display_name,
        locked=account.locked,
        bot=account.bot,
        discoverable=account.discoverable,
        indexable=account.indexable,
        group=False,
        noindex=False,
        hide_collections=False,
        created_at=account.created_at.strftime("%Y-%m-%dT00:00:00.000Z"),
        note=note_html(account.note),
        url=f"{base}/@{account.username}",
        uri=f"{base}/users/{account.username}",
        avatar=avatar,
        avatar_static=avatar,
        header=header,
        header_static=header,
        followers_count=account.followers_count,
        following_count=account.following_count,
        statuses_count=account.statuses_count,
        last_status_at=account.last_status_at.strftime("%Y-%m-%d")
        if account.last_status_at
        else None,
        emojis=[],
        fields=[],
    )


def render_credential_account(
    account: Account, user: User, base: str, *, follow_requests_count: int = 0
) -> entities.CredentialAccount:
    public = render_account(account, base)
    return entities.CredentialAccount(
        **public.model_dump(),
        source=entities.Source(
            privacy=visibility(user.default_privacy),
            sensitive=user.default_sensitive,
            language=user.default_language,
            note=account.note,
            fields=[],
            follow_requests_count=follow_requests_count,
            hide_collections=False,
            discoverable=account.discoverable,
            indexable=account.indexable,
        ),
        role=entities.Role(
            id="3" if user.is_admin else "-99",
            name="Admin" if user.is_admin else "",
            color="",
            permissions="1" if user.is_admin else "0",
            highlighted=user.is_admin,
        ),
    )


def visibility(stored: str) -> entities.Visibility:
    return stored if stored in ("unlisted", "private", "direct") else "public"  # type: ignore[return-value]


def render_preferences(user: User) -> dict[str, object]:
    """Mastodon's Preferences: the posting defaults a person set (`update_credentials`'
    `source`); reading ones are Mastodon's defaults, which only its web settings change."""
    return {
        "posting:default:visibility": visibility(user.default_privacy),
        "posting:default:sensitive": user.default_sensitive,
        "posting:default:language": user.default_language,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def account_bytes(account: Account, base: str) -> bytes:
    return orjson.dumps(render_account(account, base).model_dump(mode="json"))


async def accounts_json(
    ctx: AppContext, ids: list[int], *, cached: dict[int, bytes] | None = None
) -> dict[int, bytes]:
    """Rendered Account JSON for `ids`: one cache round trip (none when `cached` holds what
    the caller already read, then `cached` itself), misses from the database."""
    if cached is not None and cached.keys() >= set(ids):
        return cached  # a home page: its accounts came with its statuses
    found = dict(cached) if cached is not None else await ctx.accounts.get_many(ids)
    missing = [id_ for id_ in ids if id_ not in found]
    if missing:
        async with ctx.db() as db:
            rows = (await db.execute(select(Account).where(Account.id.in_(missing)))).scalars()
            base = ctx.settings.base_url
            loaded = {row.id: account_bytes(row, base) for row in rows if not row.suspended}
        await ctx.accounts.fill(loaded)
        found.update(loaded)
    return found


async def account_or_404(ctx: AppContext, account_id: int) -> bytes:
    found = await accounts_json(ctx, [account_id])
    if account_id not in found:
        raise NotFound()
    return found[account_id]


async def accounts_page(
    ctx: AppContext, query: Select[int, int], cursor: InstrumentedAttribute[int], page: PageQuery
) -> tuple[list[int], list[bytes]]:
    """The accounts of a page of edges (follows, favourites): `query` selects an edge's id,
    the page's cursor, and the account's. Returns the page's cursors, newest first, and the
    Account JSON of those accounts still there."""
    async with ctx.db() as db:
        rows = sorted((await db.execute(paged(query, cursor, page))).all(), reverse=True)
    accounts = await accounts_json(ctx, [account for _, account in rows])
    return [edge for edge, _ in rows], [accounts[a] for _, a in rows if a in accounts]
