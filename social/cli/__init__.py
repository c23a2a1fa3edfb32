"""`social serve | worker | migrate | admin create|announce|rules|description | demo`."""

from __future__ import annotations

import argparse
import sys

from social import __version__
from social.cli import admin, migrate, serve, worker
from social.cli.serve import WS_PROTOCOL

__all__ = ["WS_PROTOCOL", "main", "parser"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="social", description="social: a Mastodon-compatible server")
    top.add_argument("--version", action="version", version=f"social {__version__}")
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the HTTP server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=serve.serve)

    p = commands.add_parser("worker", help="run the event relay and consumers (no HTTP)")
    p.set_defaults(func=worker.worker)

    p = commands.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=migrate.migrate)

    p = commands.add_parser("demo", help="seed accounts and post a stream of hashtagged statuses")
    p.add_argument("--accounts", type=int, default=60)
    p.add_argument("--minutes", type=float, default=10.0, help="simulated length of the stream")
    p.add_argument("--speed", type=float, default=5.0, help="how much faster than real time")
    p.set_defaults(func=_demo)

    admins = commands.add_parser("admin", help="administration").add_subparsers(
        dest="admin_command", required=True
    )
    p = admins.add_parser("create", help="create an admin account")
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="prompted for when omitted")
    p.set_defaults(func=admin.admin_create)
    admin.add_content_commands(admins)
    return top


def _demo(args: argparse.Namespace) -> int:
    """Imported when asked for: it pulls in the whole app, and every other command (a worker
    told to stop while starting among them) would pay for that first."""
    from social.cli import demo

    return demo.command(args)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sys.exit(args.func(args))
