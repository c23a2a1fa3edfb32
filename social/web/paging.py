"""The `Link` header of a page, as Mastodon writes it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from urllib.parse import urlencode

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response

from social.web.responses import json_response, raw_json_list

_CURSORS = ("max_id", "since_id", "min_id")


def link_header(
    request: Request, ids: Sequence[int], *, extra: dict[str, str] | None = None
) -> str:
    """`next` pages older (max_id = oldest), `prev` pages newer (min_id = newest)."""
    if not ids:
        return ""
    scope = request.scope
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    base = _page_url(
        scope.get("scheme", "http"), None if server is None else tuple(server), scope["path"], host
    )
    if not scope.get("query_string") and not extra:  # a first page: only the cursors
        return f'<{base}?max_id={min(ids)}>; rel="next", <{base}?min_id={max(ids)}>; rel="prev"'
    keep = {k: v for k, v in request.query_params.items() if k not in _CURSORS}
    keep.update(extra or {})
    older = urlencode({**keep, "max_id": str(min(ids))})
    newer = urlencode({**keep, "min_id": str(max(ids))})
    return f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'


@functools.lru_cache(maxsize=256)
def _page_url(
    scheme: str, server: tuple[str, int | None] | None, path: str, host: bytes | None
) -> str:
    """The request's URL without its query, as Starlette builds it from these parts of the
    scope (remembered: a client pages the same few URLs, and building one costs more than
    the rest of the header)."""
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "headers": headers}
    return str(URL(scope=scope))


def page_response(request: Request, cursors: Sequence[int], items: list[bytes]) -> Response:
    """A page of entities (JSON each) as a JSON list, with its `Link` header when it has
    cursors (the page's ids, or the ids of the rows it was paged by)."""
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(items), headers=headers)
