"""The admin dashboard at `/admin`: trends to review and the pipeline's health, live."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from social.admin.http import live, pages

routes: list[BaseRoute] = [
    Route("/admin", pages.dashboard, methods=["GET"]),
    Route("/admin/login", pages.show_login, methods=["GET"]),
    Route("/admin/login", pages.do_login, methods=["POST"]),
    Route("/admin/logout", pages.logout, methods=["POST"]),
    Route("/admin/session", pages.csrf, methods=["GET"]),
    Route("/admin/live", live.live, methods=["GET"]),
    Route("/admin/tags/{id}/approve", pages.approve, methods=["POST"]),
    Route("/admin/tags/{id}/reject", pages.reject, methods=["POST"]),
    Route("/admin/tags/{id}/reset", pages.reset, methods=["POST"]),
    Mount(
        "/admin/static",
        StaticFiles(directory=Path(__file__).parents[1] / "static"),
        name="admin-static",
    ),
]
