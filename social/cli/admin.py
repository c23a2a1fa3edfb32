"""`social admin create`: an admin account, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from social.cli.logging import setup_logging
from social.config import Settings


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
