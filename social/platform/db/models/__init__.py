"""Every table, so that `Base.metadata` (Alembic, tests) sees them all."""

from social.platform.db.models.accounts import Account, Application, User
from social.platform.db.models.base import Base
from social.platform.db.models.instance import (
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    Rule,
    SiteText,
)
from social.platform.db.models.markers import Marker
from social.platform.db.models.notifications import Notification
from social.platform.db.models.outbox import OutboxEvent
from social.platform.db.models.statuses import Favourite, Follow, Mention, Status, StatusTag, Tag

__all__ = [
    "Account",
    "Announcement",
    "AnnouncementReaction",
    "AnnouncementRead",
    "Application",
    "Base",
    "Favourite",
    "Follow",
    "Marker",
    "Mention",
    "Notification",
    "OutboxEvent",
    "Rule",
    "SiteText",
    "Status",
    "StatusTag",
    "Tag",
    "User",
]
