"""`social admin create`: an admin account, from the command line; `social admin announce`,
`rules` and `description`: what the instance tells people."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from social.cli.logging import setup_logging
from social.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def admin_create(args: argparse.Namespace) -> int:
    from social.accounts.passwords import weakness
    from social.accounts.service import Taken, create_account, username_problem
    from social.platform.db.engine import create_engine, session_factory
    from social.platform.db.migrate import upgrade

    settings = Settings.from_env()
    setup_logging(settings.log_level)
    password = args.password or getpass.getpass("Password: ")
    problem = username_problem(args.username)
    if problem:
        print(f"username {problem}", file=sys.stderr)
        return 2
    problem = weakness(password, username=args.username, email=args.email)
    if problem:
        print(f"password {problem}", file=sys.stderr)
        return 2
    if settings.is_sqlite:
        upgrade(settings.database_url)

    async def create() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as db:
                account, _ = await create_account(
                    db, username=args.username, email=args.email, password=password, role="admin"
                )
        except Taken as exc:
            print(str(exc), file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        print(f"admin {account.username} created (id {account.id})")
        return 0

    return asyncio.run(create())


# `social admin announce | rules | description`: what people are told, from the command line,
# through the same rules as the admin API. A running server sends the announcements' news to
# the streams within a second (its relay finds the events this process leaves in the outbox).


def add_content_commands(admins: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`announce`, `rules` and `description` under `social admin`."""
    announce = admins.add_parser("announce", help="announcements").add_subparsers(
        dest="announce_command", required=True
    )
    p = announce.add_parser("list", help="every announcement, the newest first")
    p.set_defaults(func=_command(_list_announcements))
    p = announce.add_parser("create", help="write an announcement, published at once")
    p.add_argument("text")
    _time_options(p)
    p.add_argument("--all-day", action="store_true", help="show the range's dates only")
    p.add_argument("--draft", action="store_true", help="do not publish it yet")
    p.set_defaults(func=_command(_create_announcement))
    p = announce.add_parser("edit", help="change an announcement")
    p.add_argument("id", type=int)
    p.add_argument("--text")
    _time_options(p)
    p.add_argument("--no-range", action="store_true", help="remove its time range")
    p.add_argument("--all-day", action=argparse.BooleanOptionalAction, default=None)
    p.set_defaults(func=_command(_edit_announcement))
    for name, help_text in (
        ("publish", "publish it (from now)"),
        ("unpublish", "take it back (a draft again)"),
        ("end", "end it now"),
        ("delete", "delete it, its reactions and who read it"),
    ):
        p = announce.add_parser(name, help=help_text)
        p.add_argument("id", type=int)
        p.set_defaults(func=_command(_announcement_action(name)))

    rules = admins.add_parser("rules", help="the server's rules").add_subparsers(
        dest="rules_command", required=True
    )
    p = rules.add_parser("list", help="the rules, in order")
    p.set_defaults(func=_command(_list_rules))
    p = rules.add_parser("add", help="add a rule (after the last one)")
    p.add_argument("text")
    p.add_argument("--hint", default="", help="what the rule means, at more length")
    p.add_argument("--position", type=int, help="where it goes (0 first)")
    p.set_defaults(func=_command(_add_rule))
    p = rules.add_parser("delete", help="remove a rule")
    p.add_argument("id", type=int)
    p.set_defaults(func=_command(_delete_rule))

    description = admins.add_parser(
        "description", help="the extended description (/api/v1/instance/extended_description)"
    ).add_subparsers(dest="description_command", required=True)
    p = description.add_parser("show", help="print it as written")
    p.set_defaults(func=_command(_show_description))
    p = description.add_parser("set", help="set it (`-`: read it from standard input)")
    p.add_argument("text")
    p.set_defaults(func=_command(_set_description))
    p = description.add_parser("clear", help="remove it")
    p.set_defaults(func=_command(_clear_description))


def _time_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--starts-at", help="RFC 3339, e.g. 2025-06-01T09:00:00Z (with --ends-at)")
    p.add_argument("--ends-at", help="RFC 3339 (with --starts-at)")


Work = Callable[["async_sessionmaker[AsyncSession]", argparse.Namespace], Awaitable[int]]
WHAT = {"announce": "announcement", "rules": "rule"}


def _command(work: Work) -> Callable[[argparse.Namespace], int]:
    """A command on the database (migrated first on SQLite): exit 1 for what is not found, 2
    for what the rules refuse, with the reason on standard error."""

    def run(args: argparse.Namespace) -> int:
        from social.platform.db.engine import create_engine, session_factory
        from social.platform.db.migrate import upgrade
        from social.platform.errors import DomainError, NotFound

        settings = Settings.from_env()
        setup_logging(settings.log_level)
        if settings.is_sqlite:
            upgrade(settings.database_url)

        async def go() -> int:
            engine = create_engine(settings.database_url)
            try:
                return await work(session_factory(engine), args)
            except NotFound:
                print(f"no {WHAT[args.admin_command]} with id {args.id}", file=sys.stderr)
                return 1
            except DomainError as exc:
                print(exc.message, file=sys.stderr)
                return 2
            finally:
                await engine.dispose()

        return asyncio.run(go())

    return run


def _times(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    from social.announcements.service import parse_time

    starts = parse_time("starts_at", args.starts_at) if args.starts_at else None
    ends = parse_time("ends_at", args.ends_at) if args.ends_at else None
    return starts, ends


def _describe(row: Any) -> str:
    from social.announcements.service import is_shown
    from social.platform.db.types import utcnow

    now = utcnow()
    if not row.published:
        state = "draft"
    elif is_shown(row, now):
        state = "shown"
    elif row.ends_at is not None and row.ends_at <= now:
        state = "ended"
    else:
        state = "scheduled"
    span = ""
    if row.starts_at is not None and row.ends_at is not None:
        span = f" {row.starts_at.isoformat()} .. {row.ends_at.isoformat()}"
        span += " (all day)" if row.all_day else ""
    first_line = row.text.splitlines()[0] if row.text else ""
    return f"{row.id}\t{state}{span}\t{first_line}"


async def _list_announcements(
    sessions: async_sessionmaker[AsyncSession], _args: argparse.Namespace
) -> int:
    from social.announcements.service import all_announcements

    for row in await all_announcements(sessions):
        print(_describe(row))
    return 0


async def _create_announcement(
    sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace
) -> int:
    from social.announcements.service import Draft, create

    starts, ends = _times(args)
    draft = Draft(args.text, starts, ends, args.all_day)
    print(_describe(await create(sessions, draft, published=not args.draft)))
    return 0


async def _edit_announcement(
    sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace
) -> int:
    from social.announcements.service import KEEP, change

    starts, ends = _times(args)
    row = await change(
        sessions,
        args.id,
        text=args.text,
        starts_at=None if args.no_range else starts or KEEP,
        ends_at=None if args.no_range else ends or KEEP,
        all_day=args.all_day,
    )
    print(_describe(row))
    return 0


def _announcement_action(name: str) -> Work:
    async def act(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> int:
        from social.announcements import service

        if name == "delete":
            await service.remove(sessions, args.id)
            print(f"announcement {args.id} deleted")
            return 0
        if name == "end":
            row = await service.end(sessions, args.id)
        else:
            row = await service.set_published(sessions, args.id, name == "publish")
        print(_describe(row))
        return 0

    return act


async def _list_rules(sessions: async_sessionmaker[AsyncSession], _args: argparse.Namespace) -> int:
    from social.instance.rules import rules

    for rule in await rules(sessions):
        print(
            f"{rule.id}\t{rule.position}\t{rule.text}" + (f"\t({rule.hint})" if rule.hint else "")
        )
    return 0


async def _add_rule(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> int:
    from social.instance.rules import add_rule

    rule = await add_rule(sessions, args.text, args.hint, args.position)
    print(f"{rule.id}\t{rule.position}\t{rule.text}")
    return 0


async def _delete_rule(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> int:
    from social.instance.rules import remove_rule

    await remove_rule(sessions, args.id)
    print(f"rule {args.id} deleted")
    return 0


async def _show_description(
    sessions: async_sessionmaker[AsyncSession], _args: argparse.Namespace
) -> int:
    from social.instance.texts import EXTENDED_DESCRIPTION, site_text

    row = await site_text(sessions, EXTENDED_DESCRIPTION)
    print(row.text if row is not None else "(none)")
    return 0


async def _set_description(
    sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace
) -> int:
    from social.instance.texts import EXTENDED_DESCRIPTION, set_site_text

    written = sys.stdin.read() if args.text == "-" else args.text
    row = await set_site_text(sessions, EXTENDED_DESCRIPTION, written)
    print("extended description set" if row is not None else "extended description removed")
    return 0


async def _clear_description(
    sessions: async_sessionmaker[AsyncSession], _args: argparse.Namespace
) -> int:
    from social.instance.texts import EXTENDED_DESCRIPTION, set_site_text

    await set_site_text(sessions, EXTENDED_DESCRIPTION, "")
    print("extended description removed")
    return 0
