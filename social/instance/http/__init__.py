"""The instance's routes: what it is (`/api/v1/instance`, `/api/v2/instance`), what it tells
about itself (rules, texts, activity, languages), NodeInfo, and the admin's writes."""

from __future__ import annotations

from social.instance.http import about, admin, nodeinfo, server

routes = server.routes + about.routes + nodeinfo.routes + admin.routes
