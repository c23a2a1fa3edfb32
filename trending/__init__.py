"""Hashtag trends in Redis: velocity among distinct authors, delete-aware, with admin review.

engine = TrendEngine(redis)                       # a redis.asyncio Redis or RedisCluster
await engine.record("#Café", author_id=1, status_id=10, at=created_at)
await engine.remove("#Café", author_id=1, status_id=10, at=created_at)
await engine.settle()                             # score what was recorded (or: Settler)
await engine.top(10)                              # approved tags, highest score first
"""

from .engine import TrendEngine
from .errors import InvalidTag, TrendingError, TrendStoreError
from .models import History, Point, Review, Trend, Use
from .scoring import surprise
from .settings import TrendSettings
from .settler import Settler
from .tags import normalize_tag
from .types import AnyRedis, Clock

__all__ = [
    "AnyRedis",
    "Clock",
    "History",
    "InvalidTag",
    "Point",
    "Review",
    "Settler",
    "Trend",
    "TrendEngine",
    "TrendSettings",
    "TrendStoreError",
    "TrendingError",
    "Use",
    "normalize_tag",
    "surprise",
]
