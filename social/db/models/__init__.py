"""Every table, so that `Base.metadata` (Alembic, tests) sees them all."""

from social.db.models.accounts import Account, Application, User
from social.db.models.base import Base
from social.db.models.notifications import Notification
from social.db.models.outbox import OutboxEvent
from social.db.models.statuses import Favourite, Follow, Mention, Status, StatusTag, Tag

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
