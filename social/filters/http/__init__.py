"""Filters (Mastodon): API v2 (filters, their keywords and statuses) and the v1 view of them."""

from __future__ import annotations

from social.filters.http import v1, v2

routes = v2.routes + v1.routes
