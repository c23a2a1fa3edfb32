"""Mastodon's ScheduledStatus entity."""

from __future__ import annotations

from typing import Any

from social.scheduled.service import Scheduled
from social.statuses.render import iso


def render(scheduled: Scheduled) -> dict[str, Any]:
    return {
        "id": str(scheduled.id),
        "scheduled_at": iso(scheduled.scheduled_at),
        "params": scheduled.params,
        "media_attachments": [],
    }
