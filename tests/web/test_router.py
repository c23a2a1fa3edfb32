"""The router answers as Starlette's would: exact paths before templates, 405 with `Allow`,
a 307 to the other spelling of a trailing slash, HEAD wherever GET, mounts by prefix."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from social.web.router import Found, Missed, Router


async def endpoint(_request: Request) -> Response:
    return PlainTextResponse("ok")


async def other(_request: Request) -> Response:
    return PlainTextResponse("other")


async def inner_app(scope: Any, receive: Any, send: Any) -> None:
    await PlainTextResponse(scope["path"])(scope, receive, send)


ROUTES = [
    Route("/things/{id}", endpoint, methods=["GET"]),
    Route("/things/special", other, methods=["GET"]),
    Route("/things/{id}", other, methods=["DELETE"]),
    Route("/items", endpoint, methods=["POST"]),
    Route("/files/{path:path}", other, methods=["GET"]),
    Mount("/static", app=inner_app),
]


def find(method: str, path: str) -> Found | Missed:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    return Router(ROUTES).find(scope)


def test_an_exact_path_wins_over_a_template_listed_before_it() -> None:
    found = find("GET", "/things/special")
    assert isinstance(found, Found)
    assert found.child["endpoint"] is other


def test_a_template_takes_its_parameters() -> None:
    found = find("GET", "/things/42")
    assert isinstance(found, Found)
    assert found.template == "/things/{id}"
    assert found.child == {"endpoint": endpoint, "path_params": {"id": "42"}}
    assert isinstance(find("DELETE", "/things/42"), Found)
    deep = find("GET", "/files/a/b.txt")
    assert isinstance(deep, Found)
    assert deep.child["path_params"] == {"path": "a/b.txt"}


def test_head_is_answered_wherever_get_is() -> None:
    assert isinstance(find("HEAD", "/things/42"), Found)


@pytest.mark.parametrize(
    ("path", "allowed"), [("/items", {"POST"}), ("/things/1", {"GET", "HEAD"})]
)
def test_another_method_is_405_with_allow(path: str, allowed: set[str]) -> None:
    missed = find("PUT", path)
    assert isinstance(missed, Missed)
    assert isinstance(missed.error, HTTPException)
    assert missed.error.status_code == 405
    assert set(missed.error.headers["Allow"].split(", ")) == allowed


def test_a_trailing_slash_redirects_to_the_route_and_unknown_paths_are_404() -> None:
    missed = find("POST", "/items/")
    assert isinstance(missed, Missed)
    assert missed.redirect is not None
    assert missed.redirect.endswith("/items")
    nothing = find("GET", "/nothing")
    assert isinstance(nothing, Missed)
    assert nothing.error is not None
    assert nothing.error.status_code == 404
    assert nothing.template == "unmatched"


def test_a_mount_takes_what_is_under_it() -> None:
    found = find("GET", "/static/app.css")
    assert isinstance(found, Found)
    assert found.template == "/static"
    assert found.child["root_path"] == "/static"
