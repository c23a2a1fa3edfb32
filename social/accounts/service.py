"""Accounts: who may have which name, signing up and in, finding one, changing a profile."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.passwords import hash_password, verify_password
from social.accounts.render import account_bytes
from social.platform.context import AppContext
from social.platform.db.models import Account, User
from social.search.index import index_account

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
RESERVED_USERNAMES = frozenset(
    [
        "root",
        "webmaster",
        "postmaster",
        "hostmaster",
        "abuse",
        "security",
        "support",
        "help",
        "api",
        "oauth",
        "settings",
        "about",
        "instance",
        "mastodon",
        "social",
        "well_known",
    ]
)


def username_problem(username: str) -> str | None:
    if not username:
        return "can't be blank"
    if len(username) > 30:
        return "is too long (maximum is 30 characters)"
    if not USERNAME_RE.match(username):
        return "must contain only letters, numbers and underscores"
    if username.lower() in RESERVED_USERNAMES:
        return "is reserved"
    return None


class Taken(Exception):
    """The username or e-mail address belongs to another account."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(", ".join(f"{k} {v}" for k, v in fields.items()))


async def find_conflicts(db: AsyncSession, username: str, email: str) -> dict[str, str]:
    taken: dict[str, str] = {}
    query = select(Account.id).where(func.lower(Account.username) == username.lower())
    if (await db.execute(query)).first():
        taken["username"] = "is already taken"
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if (await db.execute(query)).first():
        taken["email"] = "is already taken"
    return taken


async def create_account(
    db: AsyncSession,
    *,
    username: str,
    email: str,
    password: str,
    locale: str = "en",
    role: str = "user",
) -> tuple[Account, User]:
    """Insert an account and its user in the caller's transaction; commits. Raises Taken.
    The password is hashed first: nothing slow between the first write and the commit, which
    on SQLite holds the database's one write lock."""
    password_hash = await hash_password(password)
    conflicts = await find_conflicts(db, username, email)
    if conflicts:
        raise Taken(conflicts)
    account = Account(username=username)
    db.add(account)
    await db.flush()
    user = User(
        account_id=account.id,
        email=email,
        password_hash=password_hash,
        locale=locale,
        role=role,
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Taken(await find_conflicts(db, username, email) or {"username": "is taken"}) from None
    return account, user


async def authenticate(db: AsyncSession, login: str, password: str) -> User | None:
    """The user whose email (or username) and password match; equal cost when none does."""
    login = login.strip()
    query = (
        select(User)
        .join(Account)
        .where(
            (func.lower(User.email) == login.lower())
            | (func.lower(Account.username) == login.lower())
        )
    )
    user = (await db.execute(query)).scalars().first()
    ok = await verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        return None
    return user


async def find_by_acct(ctx: AppContext, acct: str) -> int | None:
    """The id of the local account `acct` names (`name`, `@name` or `name@this.domain`)."""
    username, _, domain = acct.removeprefix("@").partition("@")
    if domain and domain.lower() != ctx.settings.domain.lower():
        return None
    async with ctx.db() as db:
        query = select(Account.id).where(func.lower(Account.username) == username.lower())
        found: int | None = (await db.execute(query)).scalar()
    return found


async def with_user(ctx: AppContext, account_id: int) -> tuple[Account, User] | None:
    """The account and its user (a signed-in person's own view of themself)."""
    async with ctx.db() as db:
        query = select(Account, User).join(User).where(Account.id == account_id)
        row = (await db.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def update_profile(
    ctx: AppContext,
    account_id: int,
    changes: dict[str, object],
    preferences: dict[str, object] | None = None,
) -> tuple[Account, User] | None:
    """Apply profile `changes` (display name, note, locked, bot, discoverable, indexable) and
    posting `preferences` (privacy, sensitive, language; "" clears the language) in one
    transaction; the cached Account and the search index are rewritten after the commit."""
    async with ctx.db() as db:
        query = select(Account, User).join(User).where(Account.id == account_id)
        row = (await db.execute(query)).first()
        if row is None:
            return None
        account, user = row
        previous_name = account.display_name
        for name, value in changes.items():
            setattr(account, name, value.strip() if isinstance(value, str) else value)
        for name, value in (preferences or {}).items():
            if name == "language" and not value:
                value = None
            setattr(user, f"default_{name}", value)
        await db.commit()
    await ctx.accounts.put({account.id: account_bytes(account, ctx.settings.base_url)})
    await index_account(ctx, account, previous_name)
    return account, user


async def posting_defaults(db: AsyncSession, account_id: int) -> tuple[str, bool, str | None]:
    """What a status posted without them gets: the author's default visibility, sensitivity
    and language (their chosen one, else their locale's, as Mastodon)."""
    query = select(User.default_privacy, User.default_sensitive, User.default_language, User.locale)
    row = (await db.execute(query.where(User.account_id == account_id))).first()
    if row is None:
        return "public", False, None
    privacy, sensitive, language, locale = row
    return privacy, sensitive, language or locale.partition("-")[0] or None
