"""`social serve | migrate | admin create`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from social import __version__
from social.config import Settings
from social.redis import EmbeddedRedis, redacted

# uvicorn's sans-I/O WebSocket protocol (keepalive pings on timers rather than a task per
# socket, about 8 KB less per idle connection than the legacy `websockets` protocol), offering
# the fan-out a direct write of frames built once per message (social/streaming/direct.py).
WS_PROTOCOL = "social.streaming.direct:DirectFrameProtocol"

log = logging.getLogger("social")


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from social.db.migrate import upgrade

    settings = Settings.from_env()
    _setup_logging(settings.log_level)
    embedded: EmbeddedRedis | None = None
    if settings.embedded_redis:
        embedded = EmbeddedRedis(str(Path(settings.data_dir) / "redis"))
        os.environ["REDIS_URL"] = embedded.start()
        redis_desc = f"embedded Valkey (AOF, data in {Path(settings.data_dir) / 'redis'})"
    else:
        redis_desc = redacted(settings.redis_url)
    # uvicorn re-raises the signal that stopped it; with the default handlers the process would
    # die right there, leaving the embedded server running. Absorb it and shut down in order.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)
    try:
        if settings.is_sqlite:
            upgrade(settings.database_url)
        log.info("social %s: database %s", __version__, redacted(settings.database_url))
        log.info("social %s: redis %s", __version__, redis_desc)
        uvicorn.run(
            "social.app:app_factory",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            loop="uvloop",
            http="httptools",
            ws=WS_PROTOCOL,
            log_level=settings.log_level,
            proxy_headers=False,
            ws_ping_interval=settings.streaming_ping_interval_s,
        )
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def worker(_args: argparse.Namespace) -> int:
    """The outbox relay and the consumer groups without HTTP, for scale-out (run `serve` with
    SOCIAL_IN_PROCESS_WORKERS=false then)."""
    # A stop asked for while still starting up must not kill the process half-way.
    early_stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: early_stop.set())
    from social.context import AppContext
    from social.ids import claim_node
    from social.pipeline import register_consumers

    settings = Settings.from_env()
    _setup_logging(settings.log_level)
    if settings.embedded_redis:
        print("social worker needs REDIS_URL (the server's Redis)", file=sys.stderr)
        return 2

    async def run() -> None:
        ctx = AppContext.build(settings)
        register_consumers(ctx)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if early_stop.is_set():
            stop.set()
        await claim_node(ctx.redis, ctx.keys.id_nodes())
        await ctx.events.start()
        log.info("social worker: relay and %d consumer groups running", len(ctx.events.groups))
        try:
            await stop.wait()
        finally:
            await ctx.close()
            log.info("social worker stopped")

    asyncio.run(run())
    return 0


def migrate(_args: argparse.Namespace) -> int:
    from social.db.migrate import upgrade

    settings = Settings.from_env()
    _setup_logging(settings.log_level)
    upgrade(settings.database_url)
    log.info("database %s is at the latest migration", redacted(settings.database_url))
    return 0


def admin_create(args: argparse.Namespace) -> int:
    from social.accounts import Conflict, create_account, username_problem
    from social.db.engine import create_engine, session_factory
    from social.db.migrate import upgrade
    from social.passwords import weakness

    settings = Settings.from_env()
    _setup_logging(settings.log_level)
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
        except Conflict as exc:
            print(str(exc), file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        print(f"admin {account.username} created (id {account.id})")
        return 0

    return asyncio.run(create())


def demo(args: argparse.Namespace) -> int:
    """Seed accounts and post statuses through the services, against the running server's
    database and Redis (with embedded Redis: the socket `social serve` opened)."""
    from social import demo as seed
    from social.context import AppContext

    settings = Settings.from_env()
    _setup_logging("warning")
    if settings.embedded_redis:
        url = seed.embedded_redis_url(settings)
        if url is None:
            print("start `social serve` first (or set REDIS_URL)", file=sys.stderr)
            return 2
        settings = Settings.from_env(redis_url=url)
    if args.accounts < 8 or args.minutes <= 0 or args.speed <= 0:
        print("--accounts must be at least 8; --minutes and --speed positive", file=sys.stderr)
        return 2

    async def go() -> int:
        ctx = AppContext.build(settings)
        try:
            return await seed.run(
                ctx, accounts=args.accounts, minutes=args.minutes, speed=args.speed
            )
        finally:
            await ctx.close()

    posted = asyncio.run(go())
    print(f"done: {posted} statuses; open http://{settings.domain}/admin")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="social", description="social: a Mastodon-compatible server")
    top.add_argument("--version", action="version", version=f"social {__version__}")
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the HTTP server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=serve)

    p = commands.add_parser("worker", help="run the event relay and consumers (no HTTP)")
    p.set_defaults(func=worker)

    p = commands.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=migrate)

    p = commands.add_parser("demo", help="seed accounts and post a stream of hashtagged statuses")
    p.add_argument("--accounts", type=int, default=60)
    p.add_argument("--minutes", type=float, default=10.0, help="simulated length of the stream")
    p.add_argument("--speed", type=float, default=5.0, help="how much faster than real time")
    p.set_defaults(func=demo)

    admin = commands.add_parser("admin", help="administration").add_subparsers(
        dest="admin_command", required=True
    )
    p = admin.add_parser("create", help="create an admin account")
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="prompted for when omitted")
    p.set_defaults(func=admin_create)
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sys.exit(args.func(args))
