"""Which route answers a request: the one Starlette's router would choose, found without trying
every route in turn.

Exact paths come from a dict; a templated route (`/api/v1/statuses/{id}`) or a mount is tried
only when the path starts with its literal prefix. As in Starlette: the first route (in the
order given) whose path and method match wins; a path whose routes all want another method is
a 405 with `Allow`; a path that matches only with or without its trailing slash is a 307 to
that spelling; anything else is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Found:
    """A route for the request; `template` names it in metrics (never the raw path)."""

    route: Route | Mount
    template: str
    child: dict[str, Any]

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.update(self.child)
        if "path_params" not in self.child:  # an exact path's Found is shared: a dict of its own
            scope["path_params"] = {}
        route = self.route
        if isinstance(route, Mount):
            await route.app(scope, receive, send)
            return
        response = await route.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)


@dataclass(frozen=True, slots=True)
class Missed:
    """No route takes the request: `serve` answers as Starlette's router does."""

    error: HTTPException | None
    redirect: str | None = None
    template: str = "unmatched"

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.redirect is not None:
            await RedirectResponse(self.redirect)(scope, receive, send)
            return
        assert self.error is not None
        raise self.error


NOT_FOUND = Missed(HTTPException(404))


class Router:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._exact: dict[str, list[Route]] = {}
        self._found: dict[tuple[str, str], Found] = {}
        self._prefixed: dict[str, list[tuple[int, Route | Mount]]] = {}
        for index, route in enumerate(routes):
            if isinstance(route, Route) and "{" not in route.path:
                self._exact.setdefault(route.path, []).append(route)
            elif isinstance(route, Route):
                prefix = route.path[: route.path.index("{")]
                self._prefixed.setdefault(prefix, []).append((index, route))
            elif isinstance(route, Mount):
                self._prefixed.setdefault(route.path + "/", []).append((index, route))
        # longest prefixes first: the most specific group is the likeliest
        self._prefixes = sorted(self._prefixed, key=len, reverse=True)

    def find(self, scope: Scope) -> Found | Missed:
        path = scope["path"] if not scope.get("root_path") else get_route_path(scope)
        found, partial = self._match(scope, path)
        if found is not None:
            return found
        if partial is not None:
            methods = partial.methods or set()
            return Missed(HTTPException(405, headers={"Allow": ", ".join(methods)}))
        if path == "/":
            return NOT_FOUND
        full = scope["path"]
        other = full.rstrip("/") if full.endswith("/") else full + "/"
        if any(self._match({**scope, "path": other}, get_route_path({**scope, "path": other}))):
            return Missed(None, str(URL(scope={**scope, "path": other})))
        return NOT_FOUND

    def _match(self, scope: Scope, path: str) -> tuple[Found | None, Route | None]:
        """The route that takes the request (`path` is its route path), or the first route
        that takes the path with another method."""
        method = scope["method"]
        found = self._found.get((path, method))
        if found is not None:
            return found, None
        partial: Route | None = None
        for route in self._exact.get(path, ()):
            if route.methods is None or method in route.methods:
                found = self._found.get((path, method))
                if found is None:
                    found = Found(route, route.path, {"endpoint": route.endpoint})
                    self._found[(path, method)] = found
                return found, None
            partial = partial or route
        candidates = [c for p in self._prefixes if path.startswith(p) for c in self._prefixed[p]]
        if len(candidates) > 1:
            candidates.sort(key=lambda c: c[0])
        for _, candidate in candidates:
            match, scoped = candidate.matches(scope)
            if match is Match.FULL:
                return Found(candidate, candidate.path, dict(scoped)), None
            if match is Match.PARTIAL and partial is None and isinstance(candidate, Route):
                partial = candidate
        return None, partial
