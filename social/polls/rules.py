"""What a poll may be (Mastodon's PollValidator, its limits and messages), and its row,
written in its status's transaction."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import Poll, PollVote
from social.platform.errors import Invalid
from social.platform.ids import next_id

EXPIRY_KIND = "poll.expiry"
"""The scheduler's kind for a poll's end (`polls/expiry.py` runs it)."""

if TYPE_CHECKING:
    from social.statuses.service import NewPoll

# Mastodon's PollValidator, and what /api/v1/instance says of them (configuration.polls)
MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION_S = 300
MAX_EXPIRATION_S = 2_629_746  # Rails' 1.month

# Mastodon's messages (config/locales: polls.errors), on its attribute names
OPTIONS, DEADLINE = "Choices", "Deadline"
TOO_FEW = "must have more than one item"
TOO_MANY = f"can't contain more than {MAX_OPTIONS} items"
TOO_LONG = f"cannot be longer than {MAX_OPTION_CHARS} characters each"
DUPLICATE = "contain duplicate items"
TOO_FAR = "is too far into the future"
TOO_SOON = "is too soon"
EXPIRED = "The poll has already ended"
INVALID_CHOICE = "The chosen vote option does not exist"
SELF_VOTE = "You cannot vote in your own polls"
ALREADY_VOTED = "You have already voted on this poll"
WITH_MEDIA = "Cannot attach files to a post with a poll"


def graphemes(text: str) -> int:
    """About the user-perceived characters of `text` (Mastodon counts grapheme clusters): a
    combining mark, a variation selector, an emoji skin tone, or what a zero-width joiner
    joins, counts with the character before it."""
    count, joined = 0, False
    for char in text:
        point = ord(char)
        if point == 0x200D:
            joined = True
            continue
        if joined or unicodedata.combining(char) or 0xFE00 <= point <= 0xFE0F:
            joined = False
            continue
        if 0x1F3FB <= point <= 0x1F3FF:
            continue
        count += 1
    return count


def checked_options(
    options: list[str] | tuple[str, ...], expires_in_s: int | None
) -> tuple[str, ...]:
    """A poll's options as posted, checked: stripped and blank ones dropped (as Mastodon),
    then Mastodon's limits, each problem in its words (`Validation failed: Choices ...`)."""
    cleaned = tuple(o.strip() for o in options if o.strip())
    problems: list[tuple[str, str, str]] = []
    if len(cleaned) < 2:
        problems.append((OPTIONS, TOO_FEW, "ERR_TOO_SHORT"))
    if len(cleaned) > MAX_OPTIONS:
        problems.append((OPTIONS, TOO_MANY, "ERR_TOO_LONG"))
    if any(graphemes(o) > MAX_OPTION_CHARS for o in cleaned):
        problems.append((OPTIONS, TOO_LONG, "ERR_TOO_LONG"))
    if len(set(cleaned)) != len(cleaned):
        problems.append((OPTIONS, DUPLICATE, "ERR_TAKEN"))
    if expires_in_s is None or expires_in_s > MAX_EXPIRATION_S:
        problems.append((DEADLINE, TOO_FAR, "ERR_TOO_LONG"))
    elif expires_in_s < MIN_EXPIRATION_S:
        problems.append((DEADLINE, TOO_SOON, "ERR_TOO_SHORT"))
    if problems:
        raise _invalid(problems)
    return cleaned


def _invalid(problems: list[tuple[str, str, str]]) -> Invalid:
    fields = {OPTIONS: "poll.options", DEADLINE: "poll.expires_at"}
    details: dict[str, list[dict[str, str]]] = {}
    for name, problem, code in problems:
        details.setdefault(fields[name], []).append({"error": code, "description": problem})
    summary = ", ".join(f"{name} {problem}" for name, problem, _ in problems)
    return Invalid(f"Validation failed: {summary}", details)


def refuse_with_media(has_media: bool) -> None:
    """A status carries media or a poll, not both (Mastodon refuses the pair too)."""
    if has_media:
        raise Invalid(
            f"Validation failed: {WITH_MEDIA}",
            {"media_ids": [{"error": "ERR_INVALID", "description": WITH_MEDIA}]},
        )


async def add_poll(
    db: AsyncSession, status_id: int, author_id: int, poll: NewPoll, now: datetime
) -> int:
    """Insert the status's poll in its transaction (checked again: a scheduled status posts
    what was checked when it was scheduled, but the limits may have moved)."""
    options = checked_options(poll.options, poll.expires_in_s)
    poll_id = next_id()
    await db.execute(
        insert(Poll).values(
            id=poll_id,
            status_id=status_id,
            account_id=author_id,
            options=orjson.dumps(list(options)).decode(),
            multiple=poll.multiple,
            hide_totals=poll.hide_totals,
            votes_count=0,
            voters_count=0,
            expires_at=now + timedelta(seconds=poll.expires_in_s),
            created_at=now,
            updated_at=now,
        )
    )
    return poll_id


async def replace_poll(
    db: AsyncSession, status_id: int, author_id: int, poll: NewPoll | None, now: datetime
) -> tuple[bool, int | None]:
    """An edit's poll (Mastodon's UpdateStatusService#update_poll!), in its transaction: the
    status's poll takes the new options and end, and its votes are dropped when the options
    or the choice of several change (they answered another question); no poll given, the
    poll goes. Whether the poll changed, and the poll's id whose end is to be scheduled."""
    found = (await db.execute(select(Poll).where(Poll.status_id == status_id))).scalar_one_or_none()
    if poll is None:
        if found is None:
            return False, None
        await db.execute(delete(Poll).where(Poll.id == found.id))  # its votes go with it
        return True, None
    if found is None:
        return True, await add_poll(db, status_id, author_id, poll, now)
    options = list(checked_options(poll.options, poll.expires_in_s))
    ends = now + timedelta(seconds=poll.expires_in_s)
    asked_anew = options != orjson.loads(found.options) or poll.multiple != found.multiple
    if asked_anew:
        await db.execute(delete(PollVote).where(PollVote.poll_id == found.id))
    await db.execute(
        update(Poll)
        .where(Poll.id == found.id)
        .values(
            options=orjson.dumps(options).decode(),
            multiple=poll.multiple,
            hide_totals=poll.hide_totals,
            expires_at=ends,
            expiry_notified_at=None,
            updated_at=now,
            **({"votes_count": 0, "voters_count": 0} if asked_anew else {}),
        )
    )
    return True, found.id


def poll_options_of(options_json: str | None) -> dict[str, object] | None:
    """A version's poll as StatusEdit shows it: the options' titles."""
    if options_json is None:
        return None
    return {"options": [{"title": t} for t in orjson.loads(options_json)]}
