"""Every event the app publishes: its name and its payload as a typed record, written into the
outbox by `publish` and read back by `decode`, the one place either is spelt out.

An event stays readable after an upgrade: a field added later has a default, so a payload
written before it still decodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.context import AppContext
from social.platform.db.models import OutboxEvent
from social.platform.events.outbox import enqueue

E = TypeVar("E", bound="Topic")
TopicHandler = Callable[[AppContext, Any], Awaitable[None]]
"""A consumer's function for one topic: takes the typed event of that topic."""


@dataclass(frozen=True, slots=True)
class Topic:
    """What every event has: its name (the stream entry's topic)."""

    name: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls: type[E], payload: Mapping[str, Any]) -> E:
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in payload.items()}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True, slots=True)
class StatusEvent(Topic):
    """A status, as the consumers need it: who wrote it, who may see it, what it tags."""

    status_id: int
    account_id: int
    visibility: str
    created_at: float
    in_reply_to_id: int | None = None
    in_reply_to_account_id: int | None = None
    mention_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    conversation_id: int | None = None
    reblog_of_id: int | None = None
    """A boost: the status boosted, its author and whom it mentions (what hides a boost)."""
    reblog_account_id: int | None = None
    reblog_mention_ids: tuple[int, ...] = ()

    @property
    def hidden_with(self) -> tuple[int, ...]:
        """Besides the author, the accounts whose being hidden from a reader hides this from
        them: those it mentions; for a boost, the original's author and mentioned."""
        if self.reblog_account_id is None:
            return self.mention_ids
        return (self.reblog_account_id, *self.reblog_mention_ids)


@dataclass(frozen=True, slots=True)
class StatusCreated(StatusEvent):
    name: ClassVar[str] = "status.created"


@dataclass(frozen=True, slots=True)
class StatusDeleted(StatusEvent):
    name: ClassVar[str] = "status.deleted"


@dataclass(frozen=True, slots=True)
class StatusUpdated(StatusEvent):
    """An edit (version `edit_id`): the new version goes to live streams, an `update`
    notification to those who boosted it, a `mention` to those it newly mentions."""

    name: ClassVar[str] = "status.updated"

    edit_id: int = 0
    new_mention_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class FavouriteCreated(Topic):
    name: ClassVar[str] = "favourite.created"

    account_id: int
    status_id: int
    author_id: int


@dataclass(frozen=True, slots=True)
class FavouriteDeleted(Topic):
    """An unfavourite: its notification goes with it (Mastodon's `dependent: :destroy`)."""

    name: ClassVar[str] = "favourite.deleted"

    account_id: int
    status_id: int
    author_id: int


@dataclass(frozen=True, slots=True)
class FollowEvent(Topic):
    account_id: int
    target_account_id: int


@dataclass(frozen=True, slots=True)
class FollowCreated(FollowEvent):
    """A follow began. `authorized`: a locked account accepted its request (it notifies
    nobody: the request did)."""

    name: ClassVar[str] = "follow.created"

    authorized: bool = False


@dataclass(frozen=True, slots=True)
class FollowDeleted(FollowEvent):
    name: ClassVar[str] = "follow.deleted"


@dataclass(frozen=True, slots=True)
class FollowRequested(FollowEvent):
    """`account_id` asked to follow the locked `target_account_id` (request `request_id`)."""

    name: ClassVar[str] = "follow_request.created"

    request_id: int = 0


@dataclass(frozen=True, slots=True)
class FollowRequestEnded(FollowEvent):
    """A request was withdrawn, rejected or authorized: its notification goes."""

    name: ClassVar[str] = "follow_request.ended"


@dataclass(frozen=True, slots=True)
class BlockCreated(FollowEvent):
    """`account_id` blocked `target_account_id`: each leaves the other's home."""

    name: ClassVar[str] = "block.created"


@dataclass(frozen=True, slots=True)
class BlockDeleted(FollowEvent):
    name: ClassVar[str] = "block.deleted"


@dataclass(frozen=True, slots=True)
class MuteCreated(FollowEvent):
    """`account_id` muted `target_account_id` (until `expires_at`, epoch seconds, if set)."""

    name: ClassVar[str] = "mute.created"

    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class MuteDeleted(FollowEvent):
    """Unmuted, or the mute's time ran out: the account's statuses come back to the home."""

    name: ClassVar[str] = "mute.deleted"


@dataclass(frozen=True, slots=True)
class TagFollowEvent(Topic):
    account_id: int
    tag_id: int


@dataclass(frozen=True, slots=True)
class TagFollowed(TagFollowEvent):
    """`account_id` followed the hashtag `tag_id`: its recent statuses enter the home."""

    name: ClassVar[str] = "tag.followed"


@dataclass(frozen=True, slots=True)
class TagUnfollowed(TagFollowEvent):
    """The follow ended: what the home held only for this tag leaves it."""

    name: ClassVar[str] = "tag.unfollowed"


@dataclass(frozen=True, slots=True)
class NotificationCreated(Topic):
    name: ClassVar[str] = "notification.created"

    notification_id: int


@dataclass(frozen=True, slots=True)
class AnnouncementEvent(Topic):
    announcement_id: int


@dataclass(frozen=True, slots=True)
class AnnouncementPublished(AnnouncementEvent):
    """Published, or edited while published: everyone's `user` stream gets it again."""

    name: ClassVar[str] = "announcement.published"


@dataclass(frozen=True, slots=True)
class AnnouncementWithdrawn(AnnouncementEvent):
    """Unpublished, ended or deleted."""

    name: ClassVar[str] = "announcement.withdrawn"


@dataclass(frozen=True, slots=True)
class AnnouncementReacted(AnnouncementEvent):
    """Someone added or took back the reaction `reaction` (an emoji)."""

    name: ClassVar[str] = "announcement.reacted"

    reaction: str = ""


@dataclass(frozen=True, slots=True)
class MediaUploaded(Topic):
    """An upload stored and waiting to be processed (the `media` group's job)."""

    name: ClassVar[str] = "media.uploaded"

    media_id: int
    account_id: int


TOPICS: dict[str, type[Topic]] = {
    kind.name: kind
    for kind in (
        StatusCreated,
        StatusDeleted,
        StatusUpdated,
        FavouriteCreated,
        FavouriteDeleted,
        FollowCreated,
        FollowDeleted,
        FollowRequested,
        FollowRequestEnded,
        BlockCreated,
        BlockDeleted,
        MuteCreated,
        MuteDeleted,
        TagFollowed,
        TagUnfollowed,
        NotificationCreated,
        AnnouncementPublished,
        AnnouncementWithdrawn,
        AnnouncementReacted,
        MediaUploaded,
    )
}


def publish(db: AsyncSession, event: Topic) -> OutboxEvent:
    """Add `event` to `db`'s transaction: published if, and only if, the caller commits."""
    return enqueue(db, event.name, event.payload())


def decode(topic: str, payload: Mapping[str, Any]) -> Topic | None:
    """The typed event of a stream entry; None for a topic this app does not publish."""
    kind = TOPICS.get(topic)
    return kind.from_payload(payload) if kind is not None else None
