"""Announcements: what people see and do with them, and what admins write."""

from __future__ import annotations

from social.announcements.http import admin, people

routes = people.routes + admin.routes
