"""Every table, so that `Base.metadata` (Alembic, tests) sees them all."""

from social.platform.db.models.accounts import Account, Application, User
from social.platform.db.models.base import Base
from social.platform.db.models.collections import Bookmark, StatusPin
from social.platform.db.models.conversations import AccountConversation, ConversationMute
from social.platform.db.models.filters import (
    CustomFilter,
    CustomFilterKeyword,
    CustomFilterStatus,
)
from social.platform.db.models.instance import (
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    Rule,
    SiteText,
)
from social.platform.db.models.lists import AccountList, AccountPin, ListAccount, TagFollow
from social.platform.db.models.markers import Marker
from social.platform.db.models.media import (
    MediaAttachment,
    Poll,
    PollVote,
    ScheduledStatus,
    StatusEdit,
)
from social.platform.db.models.notifications import Notification
from social.platform.db.models.outbox import OutboxEvent
from social.platform.db.models.relations import AccountNote, Block, FollowRequest, Mute
from social.platform.db.models.statuses import Favourite, Follow, Mention, Status, StatusTag, Tag

__all__ = [
    "Account",
    "AccountConversation",
    "AccountList",
    "AccountNote",
    "AccountPin",
    "Announcement",
    "AnnouncementReaction",
    "AnnouncementRead",
    "Application",
    "Base",
    "Block",
    "Bookmark",
    "ConversationMute",
    "CustomFilter",
    "CustomFilterKeyword",
    "CustomFilterStatus",
    "Favourite",
    "Follow",
    "FollowRequest",
    "ListAccount",
    "Marker",
    "MediaAttachment",
    "Mention",
    "Mute",
    "Notification",
    "OutboxEvent",
    "Poll",
    "PollVote",
    "Rule",
    "ScheduledStatus",
    "SiteText",
    "Status",
    "StatusEdit",
    "StatusPin",
    "StatusTag",
    "Tag",
    "TagFollow",
    "User",
]
