"""What the read paths call: a viewer's filters over rendered statuses, in one context. A status
a `hide` filter matches is dropped; one that other filters match gets `"filtered":
[FilterResult, ...]`; the rest are returned as they were (byte for byte: a viewer without
filters costs a dictionary lookup when the near cache holds the blob).

The viewer's filters are read while the statuses render (`filtered`, `filtered_dicts`), so
without the near cache they add a command to the same moment, not a round trip after it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import orjson

from social.filters.match import CompiledFilter, Screen, Verdict, judge
from social.filters.screen import known_screen, screen_of
from social.platform.context import AppContext

T = TypeVar("T")


async def _with_screen(
    ctx: AppContext, viewer_id: int, rendering: Awaitable[T]
) -> tuple[T, Screen]:
    known = known_screen(ctx, viewer_id)
    if known is not None:
        return await rendering, known
    rendered, screen = await asyncio.gather(rendering, screen_of(ctx, viewer_id))
    return rendered, screen


async def filtered(
    ctx: AppContext, viewer_id: int | None, context: str, rendering: Awaitable[list[bytes]]
) -> list[bytes]:
    """`rendering`'s Status JSON as the viewer's filters in `context` leave it."""
    if viewer_id is None:
        return await rendering
    rendered, screen = await _with_screen(ctx, viewer_id, rendering)
    return screen_raw(screen, context, rendered)


async def filtered_dicts(
    ctx: AppContext,
    viewer_id: int | None,
    context: str,
    rendering: Awaitable[list[dict[str, Any]]],
    *,
    hide: bool = True,
) -> list[dict[str, Any]]:
    """The same for Status entities as dicts. `hide=False` keeps hidden ones, marked (a status
    asked for by its id is shown with its FilterResults, for the app to decide)."""
    if viewer_id is None:
        return await rendering
    rendered, screen = await _with_screen(ctx, viewer_id, rendering)
    active = screen.active(context)
    if not active:
        return rendered
    out = []
    for status in rendered:
        verdict = _judged(active, status)
        if verdict.hidden and hide:
            continue
        if verdict.results:
            status = _marked(status, verdict.results)
        out.append(status)
    return out


def screen_raw(screen: Screen, context: str, rendered: list[bytes]) -> list[bytes]:
    active = screen.active(context)
    if not active:
        return rendered
    out = []
    for raw in rendered:
        status = orjson.loads(raw)
        verdict = _judged(active, status)
        if verdict.hidden:
            continue
        out.append(with_results(raw, status, verdict.results) if verdict.results else raw)
    return out


def _judged(active: Sequence[CompiledFilter], status: dict[str, Any]) -> Verdict:
    """A boost is judged by the status it boosts (its own text is empty), as Mastodon judges
    a status's `proper`."""
    reblog = status.get("reblog")
    return judge(active, reblog if isinstance(reblog, dict) else status)


def _marked(status: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """`status` with its FilterResults: a boost's on the status it boosts, as Mastodon's."""
    reblog = status.get("reblog")
    if isinstance(reblog, dict):
        return {**status, "reblog": {**reblog, "filtered": results}}
    return {**status, "filtered": results}


def with_results(raw: bytes, status: dict[str, Any], results: list[dict[str, Any]]) -> bytes:
    """Status JSON (`raw`, parsed as `status`) with its `filtered` member added."""
    if isinstance(status.get("reblog"), dict):
        return orjson.dumps(_marked(status, results))
    return raw[:-1] + b',"filtered":' + orjson.dumps(results) + b"}"


def screen_payload(screen: Screen, context: str, payload: str) -> str | None:
    """A streamed `update` payload (Status JSON) for one listener: None when hidden."""
    active = screen.active(context)
    if not active:
        return payload
    status = orjson.loads(payload)
    verdict = _judged(active, status)
    if verdict.hidden:
        return None
    if not verdict.results:
        return payload
    return with_results(payload.encode(), status, verdict.results).decode()


async def filtered_one(
    ctx: AppContext, viewer_id: int | None, context: str, rendering: Awaitable[dict[str, Any]]
) -> dict[str, Any]:
    """One status asked for by its id: never dropped, marked with what it matches."""

    async def one() -> list[dict[str, Any]]:
        return [await rendering]

    return (await filtered_dicts(ctx, viewer_id, context, one(), hide=False))[0]
