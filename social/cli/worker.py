"""`social worker`: the outbox relay and the consumer groups, without HTTP."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading

from social.cli.logging import setup_logging
from social.config import Settings

log = logging.getLogger("social")


def worker(_args: argparse.Namespace) -> int:
    """The outbox relay, the consumer groups and the scheduler without HTTP, for scale-out
    (run `serve` with SOCIAL_IN_PROCESS_WORKERS=false then)."""
    # A stop asked for while still starting up must not kill the process half-way.
    early_stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: early_stop.set())
    from social.consumers import register_consumers
    from social.jobs import register_jobs
    from social.platform.ids import claim_node
    from social.wiring import build

    settings = Settings.from_env()
    setup_logging(settings.log_level)
    if settings.embedded_redis:
        print("social worker needs REDIS_URL (the server's Redis)", file=sys.stderr)
        return 2

    async def run() -> None:
        ctx = build(settings)
        register_consumers(ctx)
        register_jobs(ctx)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if early_stop.is_set():
            stop.set()
        await claim_node(ctx.redis, ctx.keys.id_nodes())
        await ctx.events.start()
        await ctx.scheduler.start(ctx)
        log.info("social worker: relay and %d consumer groups running", len(ctx.events.groups))
        try:
            await stop.wait()
        finally:
            await ctx.close()
            log.info("social worker stopped")

    asyncio.run(run())
    return 0
