"""Settings from `DATABASE_URL`, `REDIS_URL` and `SOCIAL_*`; defaults in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

DAY_S = 86400


@dataclass(frozen=True)
class Settings:
    data_dir: str = "./data"
    database_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "social:"
    redis_timeout_s: float = 2.0
    redis_multiplex: bool = True  # short commands share one connection (social/multiplex.py)
    db_statement_timeout_s: float = 10.0  # PostgreSQL: a longer statement is cancelled (503)
    db_lock_timeout_s: float = 5.0  # how long a write waits for a lock (SQLite busy timeout too)
    domain: str = "localhost:8000"
    title: str = "social"
    description: str = "A fast, small social server."
    contact_email: str = ""
    registrations_open: bool = True
    max_body_bytes: int = 1_000_000
    max_status_chars: int = 500
    media_dir: str = ""  # uploaded media files; default <data_dir>/media
    media_max_bytes: int = 16 * 1024 * 1024  # an upload's largest file (Mastodon's images)
    media_max_pixels: int = 7680 * 4320  # an upload's largest area, checked before decoding
    media_inline_max_pixels: int = 2_000_000  # POST /api/v2/media processes these at once (200)
    access_idle_ttl_s: int = 30 * DAY_S
    access_absolute_ttl_s: int = 180 * DAY_S
    refresh_idle_ttl_s: int = 90 * DAY_S
    refresh_absolute_ttl_s: int = 365 * DAY_S
    cookie_idle_ttl_s: int = 30 * 60
    cookie_absolute_ttl_s: int = 12 * 3600
    max_sessions_per_user: int = 10
    account_cache_ttl_s: int = 3600
    status_cache_ttl_s: int = 3600
    home_feed_max: int = 800
    # more followers than this: an author's statuses are merged into homes as they are read,
    # not pushed into every follower's feed (docs/architecture.md, Bounded fan-out)
    fanout_push_max: int = 10_000
    near_cache_entries: int = 10_000  # statuses, accounts, tokens in process memory (0: none)
    near_cache_ttl_s: float = 60.0  # an entry's longest life, though Redis tracking drops it
    in_process_workers: bool = True
    events_claim_idle_ms: int = 10_000  # a dead worker's entries are taken over after this
    scheduler_lease_s: float = 60.0  # a claimed job of a dead process runs again after this
    trend_bucket_s: int = 300
    trend_recent_window_s: int = 3600
    trend_baseline_window_s: int = DAY_S
    trend_min_accounts: int = 5
    trend_half_life_s: int = 7200
    trendable_by_default: bool = False
    trend_settle_s: float = 1.0  # under load, recorded uses are scored at most this often
    ratelimit_enabled: bool = True
    ratelimit_scale: float = 1.0
    trusted_proxies: str = ""  # addresses or CIDRs whose X-Forwarded-For and -Proto count
    https: str = "auto"  # URLs in entities: auto (https unless a loopback domain), true, false
    streaming_history_max: int = 1000  # entries kept per channel (resume window)
    streaming_history_ttl_s: int = DAY_S  # a quiet channel's history expires after this
    streaming_queue_max: int = 1000  # outbound frames a socket may lag before close 4008
    streaming_ping_interval_s: float = 25.0
    log_level: str = "info"

    def __post_init__(self) -> None:
        if self.https not in ("auto", "true", "false"):
            raise SystemExit(f"invalid value for SOCIAL_HTTPS: {self.https!r} (auto, true, false)")
        if not self.database_url:
            db_path = Path(self.data_dir) / "social.platform.db"
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{db_path}")
        if not self.media_dir:
            object.__setattr__(self, "media_dir", str(Path(self.data_dir) / "media"))

    @cached_property
    def base_url(self) -> str:
        """Where this server is, for URLs in entities: https (as behind a TLS proxy), but for
        a loopback domain; `SOCIAL_HTTPS` says otherwise (Mastodon's `LOCAL_HTTPS`)."""
        local = self.domain.startswith(("localhost", "127.", "[::1]"))
        secure = not local if self.https == "auto" else self.https == "true"
        return f"{'https' if secure else 'http'}://{self.domain}"

    @property
    def proxies(self) -> list[str]:
        """The reverse proxies trusted to say who the client is and whether it came by TLS."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """`DATABASE_URL`, `REDIS_URL`, and `SOCIAL_<FIELD>` for every other field."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = (
                f.name.upper()
                if f.name in ("database_url", "redis_url")
                else f"SOCIAL_{f.name.upper()}"
            )
            if name in env:
                values[f.name] = _coerce(f.type, env[name], name)
        values.update(overrides)
        return cls(**values)


def _coerce(kind: Any, raw: str, name: str) -> Any:
    try:
        if kind in ("int", int):
            return int(raw)
        if kind in ("float", float):
            return float(raw)
        if kind in ("bool", bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        raise SystemExit(f"invalid value for {name}: {raw!r}") from None
    return raw
