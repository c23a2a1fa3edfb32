"""Settings of the trend engine, with their defaults."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class TrendSettings:
    """Windows, thresholds and decay. Windows are whole numbers of buckets."""

    prefix: str = ""
    """Put before every key (`social:` in the app)."""
    bucket_s: int = 300
    recent_window_s: int = 3_600
    """Observed: distinct authors of a tag in this window, ending now."""
    baseline_window_s: int = 86_400
    """Expected: from this window, right before the recent one."""
    min_accounts: int = 5
    """Fewer distinct authors than this in the recent window score zero."""
    half_life_s: int = 7_200
    """A score decays from its peak by half in this time."""
    min_expected: float = 1.0
    """Floor of the expected count, so that a new tag is compared with one author, not zero."""
    history_days: int = 7
    """Per-day counts are kept this many days (Mastodon's Tag `history`)."""
    forget_below: float = 0.01
    """A tag whose decayed score falls below this leaves the ranking."""
    trendable_by_default: bool = False
    """Public trends include pending tags (not only approved ones); rejected never."""

    def __post_init__(self) -> None:
        if self.bucket_s <= 0:
            raise ValueError("bucket_s must be positive")
        for name in ("recent_window_s", "baseline_window_s"):
            value = getattr(self, name)
            if value < self.bucket_s or value % self.bucket_s:
                raise ValueError(f"{name} must be a positive multiple of bucket_s")
        if self.min_accounts < 1:
            raise ValueError("min_accounts must be at least 1")
        if self.half_life_s <= 0 or self.history_days < 1:
            raise ValueError("half_life_s and history_days must be positive")
        if self.min_expected <= 0 or self.forget_below <= 0:
            raise ValueError("min_expected and forget_below must be positive")

    @property
    def recent_buckets(self) -> int:
        return self.recent_window_s // self.bucket_s

    @property
    def baseline_buckets(self) -> int:
        return self.baseline_window_s // self.bucket_s

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, var_prefix: str = "TRENDING_"
    ) -> TrendSettings:
        """Settings from `TRENDING_BUCKET_S`, `TRENDING_MIN_ACCOUNTS`, ...; unset ones default."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(var_prefix + field.name.upper())
            if raw is None:
                continue
            default: object = field.default
            if isinstance(default, bool):
                values[field.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int | float):
                values[field.name] = type(default)(raw)
            else:
                values[field.name] = raw
        return cls(**values)  # type: ignore[arg-type]


class SettingsOptions(TypedDict, total=False):
    """`TrendSettings` fields as keyword arguments of `TrendEngine`."""

    prefix: str
    bucket_s: int
    recent_window_s: int
    baseline_window_s: int
    min_accounts: int
    half_life_s: int
    min_expected: float
    history_days: int
    forget_below: float
    trendable_by_default: bool
