"""The app's write routes, read from its router: what the security suites must cover."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

RouteKey = tuple[str, str]  # (method, path template)


@dataclass
class WriteRoutes:
    routes: set[RouteKey] = field(default_factory=set)
    opaque_mounts: set[str] = field(default_factory=set)  # mounted apps that are not routers


def write_routes(routes: Iterable[BaseRoute], prefix: str = "") -> WriteRoutes:
    """Every (method, path) accepting POST, PUT, PATCH or DELETE, through mounted routers. A
    route without a method list (a class endpoint) accepts them all."""
    found = WriteRoutes()
    for route in routes:
        if isinstance(route, Route):
            methods = WRITE_METHODS if route.methods is None else WRITE_METHODS & route.methods
            found.routes |= {(m, prefix + route.path) for m in methods}
        elif isinstance(route, Mount | Host):
            path = prefix + (route.path if isinstance(route, Mount) else "")
            if route.routes:
                inner = write_routes(route.routes, path)
                found.routes |= inner.routes
                found.opaque_mounts |= inner.opaque_mounts
            else:
                found.opaque_mounts.add(path)
        elif not isinstance(route, WebSocketRoute):
            raise TypeError(f"a route of an unknown kind: {route!r}")
    return found
