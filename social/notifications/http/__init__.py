"""Notifications (Mastodon): one by one (API v1), and grouped (API v2)."""

from __future__ import annotations

from social.notifications.http import groups, notifications

# An exact path before a template whatever the order (social/web/router.py): unread_count
# is never taken for an id or a group key.
routes = notifications.routes + groups.routes
