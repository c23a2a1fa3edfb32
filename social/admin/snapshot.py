"""What the dashboard shows, as one JSON document: trends, the event pipeline, the scheduler,
the caches."""

from __future__ import annotations

import time
from typing import Any

from social.platform.context import AppContext
from social.trends.render import render_admin_tag
from social.trends.service import histories, tags_named, trend_store

TOP_N = 25


def cache_stats(ctx: AppContext) -> dict[str, Any]:
    """Entity cache hits and misses since start, per cache and in total."""
    counts: dict[str, dict[str, float]] = {}
    for metric in ctx.metrics.cache_requests.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                cache = counts.setdefault(sample.labels["cache"], {"hit": 0.0, "miss": 0.0})
                cache[sample.labels["result"]] = sample.value
    hits = sum(c["hit"] for c in counts.values())
    misses = sum(c["miss"] for c in counts.values())
    return {
        "hits": int(hits),
        "misses": int(misses),
        "ratio": hits / (hits + misses) if hits + misses else None,
        "caches": {
            name: {"hits": int(c["hit"]), "misses": int(c["miss"])}
            for name, c in sorted(counts.items())
        },
    }


async def trends(ctx: AppContext) -> list[dict[str, Any]]:
    with trend_store():
        top = await ctx.trends.top(TOP_N, public=False)
    names = [t.tag for t in top]
    rows, history = await tags_named(ctx, names), await histories(ctx, names)
    shown = []
    for trend in top:
        if trend.tag not in rows:
            continue
        h = history[trend.tag]
        entity = render_admin_tag(ctx, rows[trend.tag], trend, h).model_dump(mode="json")
        # the engine lists buckets newest first; a sparkline reads left (old) to right (now)
        entity["sparkline"] = [p.uses for p in reversed(h.buckets)]
        entity["sparkline_accounts"] = [p.accounts for p in reversed(h.buckets)]
        shown.append(entity)
    return shown


async def snapshot(ctx: AppContext) -> dict[str, Any]:
    return {
        "at": time.time(),
        "bucket_s": ctx.trends.settings.bucket_s,
        "trends": await trends(ctx),
        "pipeline": await ctx.events.stats(),
        "scheduler": await ctx.scheduler.stats(),
        "cache": cache_stats(ctx),
    }
