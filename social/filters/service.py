"""A person's filters (Mastodon's CustomFilter and its keywords and statuses): the rules and the
storage, no HTTP. Every write is one transaction, validated before anything is written, and
ends by dropping the cached blob the read paths match with (`screen.changed`).

Validation failures say what Mastodon (Rails) says: `Validation failed: Title can't be blank`.
Someone else's filter, keyword or status entry is not found, as Mastodon."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.filters import screen
from social.filters.match import CONTEXTS
from social.platform.context import AppContext
from social.platform.db.models import Status
from social.platform.db.models.filters import (
    ACTIONS,
    CustomFilter,
    CustomFilterKeyword,
    CustomFilterStatus,
)
from social.platform.db.types import utcnow
from social.platform.errors import Invalid, NotFound

BLANK = "can't be blank"
BAD_CONTEXT = "None or invalid context supplied"
MULTIPLE_KEYWORDS = (
    "These parameters cannot be changed from this application because they apply to more "
    "than one filter keyword. Use a more recent application or the web interface."
)


@dataclass(frozen=True)
class KeywordChange:
    """One entry of `keywords_attributes`: a new keyword (no id), a change, or a removal."""

    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


@dataclass(frozen=True)
class FilterChange:
    """What a create or update sets; None: not given (an update keeps it)."""

    title: str | None = None
    context: list[str] | None = None
    action: str | None = None
    expires_given: bool = False
    expires_in_s: int | None = None
    keywords: list[KeywordChange] = field(default_factory=list)


@dataclass
class FilterBundle:
    row: CustomFilter
    keywords: list[CustomFilterKeyword]
    statuses: list[CustomFilterStatus]


def validation_failed(*problems: str) -> Invalid:
    return Invalid(f"Validation failed: {', '.join(problems)}")


def _apply(row: CustomFilter, change: FilterChange, now: datetime) -> None:
    """Set what `change` gives on `row`, then check the whole row as Mastodon's model does."""
    if change.title is not None:
        row.title = change.title.strip()
    if change.context is not None:
        row.context = ",".join(dict.fromkeys(c.strip() for c in change.context if c.strip()))
    if change.action is not None:
        row.action = change.action
    if change.expires_given:
        row.expires_at = (
            now + timedelta(seconds=change.expires_in_s)
            if change.expires_in_s is not None
            else None
        )
    problems = []
    if not row.title:
        problems.append(f"Title {BLANK}")
    contexts = [c for c in (row.context or "").split(",") if c]
    if not contexts:
        problems.append(f"Context {BLANK}")
    if not contexts or any(c not in CONTEXTS for c in contexts):
        problems.append(f"Context {BAD_CONTEXT}")
    if row.action not in ACTIONS:
        problems.append("Filter action is not included in the list")
    if problems:
        raise validation_failed(*problems)


def _nested_keywords(
    row: CustomFilter, held: list[CustomFilterKeyword], changes: Sequence[KeywordChange]
) -> tuple[list[CustomFilterKeyword], list[CustomFilterKeyword]]:
    """Rails' nested attributes: (keywords to save, keywords to delete). An entry with only
    blank values is ignored (`reject_if: :all_blank`); an id that is not this filter's is not
    found."""
    by_id = {k.id: k for k in held}
    save: list[CustomFilterKeyword] = []
    drop: list[CustomFilterKeyword] = []
    for change in changes:
        if change.id is None:
            if change.destroy or (not change.keyword and not change.whole_word):
                continue
            keyword = CustomFilterKeyword(
                custom_filter_id=row.id,
                keyword=change.keyword or "",
                whole_word=True if change.whole_word is None else change.whole_word,
            )
        else:
            found = by_id.get(change.id)
            if found is None:
                raise NotFound()
            if change.destroy:
                drop.append(found)
                continue
            keyword = found
            if change.keyword is not None:
                keyword.keyword = change.keyword
            if change.whole_word is not None:
                keyword.whole_word = change.whole_word
        if not keyword.keyword.strip():
            raise validation_failed(f"Keywords keyword {BLANK}")
        save.append(keyword)
    return save, drop


async def _own_filter(db: AsyncSession, account_id: int, filter_id: int) -> CustomFilter:
    row = await db.get(CustomFilter, filter_id)
    if row is None or row.account_id != account_id:
        raise NotFound()
    return row


async def _bundles(db: AsyncSession, rows: list[CustomFilter]) -> list[FilterBundle]:
    ids = [r.id for r in rows]
    keywords: dict[int, list[CustomFilterKeyword]] = defaultdict(list)
    statuses: dict[int, list[CustomFilterStatus]] = defaultdict(list)
    if ids:
        for k in (
            await db.execute(
                select(CustomFilterKeyword)
                .where(CustomFilterKeyword.custom_filter_id.in_(ids))
                .order_by(CustomFilterKeyword.id)
            )
        ).scalars():
            keywords[k.custom_filter_id].append(k)
        for s in (
            await db.execute(
                select(CustomFilterStatus)
                .where(CustomFilterStatus.custom_filter_id.in_(ids))
                .order_by(CustomFilterStatus.id)
            )
        ).scalars():
            statuses[s.custom_filter_id].append(s)
    return [FilterBundle(r, keywords[r.id], statuses[r.id]) for r in rows]


async def _bundle(db: AsyncSession, row: CustomFilter) -> FilterBundle:
    return (await _bundles(db, [row]))[0]


async def filters_of(ctx: AppContext, account_id: int) -> list[FilterBundle]:
    """Every filter of the account, expired ones too (as Mastodon lists them)."""
    async with ctx.db() as db:
        rows = list(
            (
                await db.execute(
                    select(CustomFilter)
                    .where(CustomFilter.account_id == account_id)
                    .order_by(CustomFilter.id)
                )
            ).scalars()
        )
        return await _bundles(db, rows)


async def filter_of(ctx: AppContext, account_id: int, filter_id: int) -> FilterBundle:
    async with ctx.db() as db:
        return await _bundle(db, await _own_filter(db, account_id, filter_id))


async def create_filter(ctx: AppContext, account_id: int, change: FilterChange) -> FilterBundle:
    now = utcnow()
    async with ctx.db() as db:
        row = CustomFilter(account_id=account_id, title="", context="", action="warn")
        _apply(row, change, now)
        db.add(row)
        await db.flush()
        save, _ = _nested_keywords(row, [], change.keywords)
        db.add_all(save)
        await db.flush()
        bundle = await _bundle(db, row)
        await db.commit()
    await screen.changed(ctx, account_id)
    return bundle


async def update_filter(
    ctx: AppContext, account_id: int, filter_id: int, change: FilterChange
) -> FilterBundle:
    async with ctx.db() as db:
        row = await _own_filter(db, account_id, filter_id)
        held = (await _bundle(db, row)).keywords
        _apply(row, change, utcnow())
        save, drop = _nested_keywords(row, held, change.keywords)
        for keyword in drop:
            await db.delete(keyword)
        db.add_all(save)
        await db.flush()
        bundle = await _bundle(db, row)
        await db.commit()
    await screen.changed(ctx, account_id)
    return bundle


async def delete_filter(ctx: AppContext, account_id: int, filter_id: int) -> None:
    async with ctx.db() as db:
        row = await _own_filter(db, account_id, filter_id)
        await db.execute(
            delete(CustomFilterKeyword).where(CustomFilterKeyword.custom_filter_id == row.id)
        )
        await db.execute(
            delete(CustomFilterStatus).where(CustomFilterStatus.custom_filter_id == row.id)
        )
        await db.delete(row)
        await db.commit()
    await screen.changed(ctx, account_id)


# Keywords, one by one (`/api/v2/filters/:id/keywords`, `/api/v2/filter_keywords/:id`)


async def _own_keyword(
    db: AsyncSession, account_id: int, keyword_id: int
) -> tuple[CustomFilterKeyword, CustomFilter]:
    found = (
        await db.execute(
            select(CustomFilterKeyword, CustomFilter)
            .join(CustomFilter, CustomFilter.id == CustomFilterKeyword.custom_filter_id)
            .where(CustomFilterKeyword.id == keyword_id, CustomFilter.account_id == account_id)
        )
    ).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


async def keywords_of(
    ctx: AppContext, account_id: int, filter_id: int
) -> list[CustomFilterKeyword]:
    return (await filter_of(ctx, account_id, filter_id)).keywords


async def keyword_of(
    ctx: AppContext, account_id: int, keyword_id: int
) -> tuple[CustomFilterKeyword, CustomFilter]:
    async with ctx.db() as db:
        return await _own_keyword(db, account_id, keyword_id)


def _check_keyword(keyword: str) -> None:
    if not keyword.strip():
        raise validation_failed(f"Keyword {BLANK}")


async def add_keyword(
    ctx: AppContext, account_id: int, filter_id: int, keyword: str, whole_word: bool | None
) -> CustomFilterKeyword:
    async with ctx.db() as db:
        row = await _own_filter(db, account_id, filter_id)  # not found before invalid
        _check_keyword(keyword)
        added = CustomFilterKeyword(
            custom_filter_id=row.id,
            keyword=keyword,
            whole_word=True if whole_word is None else whole_word,
        )
        db.add(added)
        await db.commit()
    await screen.changed(ctx, account_id)
    return added


async def update_keyword(
    ctx: AppContext,
    account_id: int,
    keyword_id: int,
    keyword: str | None,
    whole_word: bool | None,
) -> CustomFilterKeyword:
    async with ctx.db() as db:
        found, _ = await _own_keyword(db, account_id, keyword_id)
        if keyword is not None:
            _check_keyword(keyword)
            found.keyword = keyword
        if whole_word is not None:
            found.whole_word = whole_word
        await db.commit()
    await screen.changed(ctx, account_id)
    return found


async def delete_keyword(ctx: AppContext, account_id: int, keyword_id: int) -> None:
    async with ctx.db() as db:
        found, _ = await _own_keyword(db, account_id, keyword_id)
        await db.delete(found)
        await db.commit()
    await screen.changed(ctx, account_id)


# Statuses (`/api/v2/filters/:id/statuses`, `/api/v2/filter_statuses/:id`)


async def _own_status(db: AsyncSession, account_id: int, entry_id: int) -> CustomFilterStatus:
    found = (
        await db.execute(
            select(CustomFilterStatus)
            .join(CustomFilter, CustomFilter.id == CustomFilterStatus.custom_filter_id)
            .where(CustomFilterStatus.id == entry_id, CustomFilter.account_id == account_id)
        )
    ).scalar()
    if found is None:
        raise NotFound()
    return found


async def statuses_of(ctx: AppContext, account_id: int, filter_id: int) -> list[CustomFilterStatus]:
    return (await filter_of(ctx, account_id, filter_id)).statuses


async def status_entry_of(ctx: AppContext, account_id: int, entry_id: int) -> CustomFilterStatus:
    async with ctx.db() as db:
        return await _own_status(db, account_id, entry_id)


async def add_status(
    ctx: AppContext, account_id: int, filter_id: int, status_id: int | None
) -> CustomFilterStatus:
    async with ctx.db() as db:
        row = await _own_filter(db, account_id, filter_id)
        if status_id is None or await db.get(Status, status_id) is None:
            raise validation_failed("Status must exist")
        taken = await db.scalar(
            select(func.count())
            .select_from(CustomFilterStatus)
            .where(
                CustomFilterStatus.custom_filter_id == row.id,
                CustomFilterStatus.status_id == status_id,
            )
        )
        if taken:
            raise validation_failed("Status has already been taken")
        added = CustomFilterStatus(custom_filter_id=row.id, status_id=status_id)
        db.add(added)
        await db.commit()
    await screen.changed(ctx, account_id)
    return added


async def delete_status(ctx: AppContext, account_id: int, entry_id: int) -> None:
    async with ctx.db() as db:
        await db.delete(await _own_status(db, account_id, entry_id))
        await db.commit()
    await screen.changed(ctx, account_id)


# v1: each filter is one keyword of a filter (`/api/v1/filters`)


@dataclass(frozen=True)
class V1Change:
    phrase: str | None = None
    context: list[str] | None = None
    irreversible: bool | None = None
    whole_word: bool | None = None
    expires_given: bool = False
    expires_in_s: int | None = None

    def filter_change(self) -> FilterChange:
        action = None if self.irreversible is None else ("hide" if self.irreversible else "warn")
        return FilterChange(
            title=self.phrase,
            context=self.context,
            action=action,
            expires_given=self.expires_given,
            expires_in_s=self.expires_in_s,
        )


async def v1_filters_of(
    ctx: AppContext, account_id: int
) -> list[tuple[CustomFilterKeyword, CustomFilter]]:
    async with ctx.db() as db:
        rows = (
            await db.execute(
                select(CustomFilterKeyword, CustomFilter)
                .join(CustomFilter, CustomFilter.id == CustomFilterKeyword.custom_filter_id)
                .where(CustomFilter.account_id == account_id)
                .order_by(CustomFilterKeyword.id)
            )
        ).all()
    return [(k, f) for k, f in rows]


async def v1_create(
    ctx: AppContext, account_id: int, change: V1Change
) -> tuple[CustomFilterKeyword, CustomFilter]:
    """A filter titled by the phrase, with the phrase as its one keyword (as Mastodon)."""
    async with ctx.db() as db:
        row = CustomFilter(account_id=account_id, title="", context="", action="warn")
        _apply(row, change.filter_change(), utcnow())
        _check_keyword(change.phrase or "")
        db.add(row)
        await db.flush()
        keyword = CustomFilterKeyword(
            custom_filter_id=row.id,
            keyword=change.phrase or "",
            whole_word=True if change.whole_word is None else change.whole_word,
        )
        db.add(keyword)
        await db.commit()
    await screen.changed(ctx, account_id)
    return keyword, row


async def v1_update(
    ctx: AppContext, account_id: int, keyword_id: int, change: V1Change
) -> tuple[CustomFilterKeyword, CustomFilter]:
    """The keyword's phrase and whole_word; the rest is its filter's, which may change only
    when the filter has no other keyword (Mastodon refuses otherwise)."""
    async with ctx.db() as db:
        keyword, row = await _own_keyword(db, account_id, keyword_id)
        if change.phrase is not None:
            _check_keyword(change.phrase)
            keyword.keyword = change.phrase
        if change.whole_word is not None:
            keyword.whole_word = change.whole_word
        before = (row.title, row.context, row.action, row.expires_at)
        _apply(row, change.filter_change(), utcnow())
        if (row.title, row.context, row.action, row.expires_at) != before:
            others = await db.scalar(
                select(func.count())
                .select_from(CustomFilterKeyword)
                .where(CustomFilterKeyword.custom_filter_id == row.id)
            )
            if (others or 0) > 1:
                raise Invalid(MULTIPLE_KEYWORDS)
        await db.commit()
    await screen.changed(ctx, account_id)
    return keyword, row
