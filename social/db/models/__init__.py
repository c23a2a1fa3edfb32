"""Every table, so that `Base.metadata` (Alembic, tests) sees them all."""

from social.db.models.accounts import Account, Application, User
from social.db.models.base import Base
from social.db.models.outbox import OutboxEvent

__all__ = ["Account", "Application", "Base", "OutboxEvent", "User"]
