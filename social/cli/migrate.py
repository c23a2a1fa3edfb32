"""`social migrate`: the database at the latest migration."""

from __future__ import annotations

import argparse
import logging

from social.cli.logging import setup_logging
from social.config import Settings
from social.platform.redis.client import redacted

log = logging.getLogger("social")


def migrate(_args: argparse.Namespace) -> int:
    from social.platform.db.migrate import upgrade

    settings = Settings.from_env()
    setup_logging(settings.log_level)
    upgrade(settings.database_url)
    log.info("database %s is at the latest migration", redacted(settings.database_url))
    return 0
