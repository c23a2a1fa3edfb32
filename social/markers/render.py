"""A Marker entity from its row, as the JSON it is cached as; markers by timeline, spliced."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import orjson

from social.platform.times import iso


def marker_json(last_read_id: int, version: int, updated_at: datetime) -> bytes:
    return orjson.dumps(
        {"last_read_id": str(last_read_id), "version": version, "updated_at": iso(updated_at)}
    )


def by_timeline(markers: Mapping[str, bytes]) -> bytes:
    """`{"home": <Marker>, ...}` from rendered markers (timeline names need no escaping)."""
    return b"{" + b",".join(b'"%s":%s' % (t.encode(), m) for t, m in markers.items()) + b"}"
