"""Every table, so that `Base.metadata` (Alembic, tests) sees them all."""

from social.platform.db.models.accounts import Account, Application, User
from social.platform.db.models.base import Base
from social.platform.db.models.notifications import Notification
from social.platform.db.models.outbox import OutboxEvent
from social.platform.db.models.statuses import Favourite, Follow, Mention, Status, StatusTag, Tag

__all__ = [
    "Account",
    "Application",
    "Base",
    "Favourite",
    "Follow",
    "Mention",
    "Notification",
    "OutboxEvent",
    "Status",
    "StatusTag",
    "Tag",
    "User",
]
