"""`social serve`: the HTTP server, the event pipeline in-process, embedded Valkey by default."""

from __future__ import annotations

import argparse
import logging
import os
import signal
from pathlib import Path

from social import __version__
from social.cli.logging import setup_logging
from social.config import Settings
from social.platform.redis.client import redacted
from social.platform.redis.embedded import EmbeddedRedis

# uvicorn's sans-I/O WebSocket protocol (keepalive pings on timers rather than a task per
# socket, about 8 KB less per idle connection than the legacy `websockets` protocol), offering
# the fan-out a direct write of frames built once per message (social/web/frames.py).
WS_PROTOCOL = "social.web.frames:DirectFrameProtocol"

log = logging.getLogger("social")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from social.platform.db.migrate import upgrade

    settings = Settings.from_env()
    setup_logging(settings.log_level)
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
